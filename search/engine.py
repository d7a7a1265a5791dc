"""The one interface to full-text search: PostgreSQL's on PostgreSQL, FTS5 on SQLite.

`index_lessons` (run by the importer's `lessons_imported`, inside its transaction) writes the
documents; `ranked_lesson_ids` finds published lessons, title first, then key terms and
concepts, then body text; `passages` gives the best passage of each hit with the matches marked,
as safe HTML. Whether a lesson is published is read from the lesson at query time, so a removed
or unpublished lesson never shows up, and a rewritten one is re-indexed with the import.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString, mark_safe

from courses.models import Course, Lesson, Section

from . import query
from .models import SearchDocument

FTS_TABLE = "search_fts"
CONFIG = "english"
PASSAGE_WORDS = 28
BATCH = 500


def _head_vector() -> SearchVector:
    return SearchVector("title", weight="A", config=CONFIG) + SearchVector(
        "terms", weight="B", config=CONFIG
    )


def _vector() -> SearchVector:
    return _head_vector() + SearchVector("body", weight="C", config=CONFIG)


def document_for(lesson: Lesson, sections: list[Section]) -> SearchDocument:
    terms = [term["term"] for term in lesson.key_terms] + list(lesson.concepts)
    body = [lesson.summary, lesson.big_idea]
    for section in sections:
        body += [section.heading, query.readable(section.text)]
    return SearchDocument(
        lesson=lesson,
        title=query.clean_text(lesson.title),
        terms=query.clean_text(" · ".join(terms)),
        body=query.clean_text("\n".join(part for part in body if part)),
    )


def index_lessons(written: list[tuple[Lesson, list[Section]]]) -> None:
    """Replaces the documents of these lessons: a few statements, whatever their number."""
    documents = [document_for(lesson, sections) for lesson, sections in written]
    ids = [document.lesson_id for document in documents]
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    for chunk in chunks:
        SearchDocument.objects.filter(lesson_id__in=chunk).delete()
    SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
    if connection.vendor == "postgresql":
        for chunk in chunks:
            SearchDocument.objects.filter(lesson_id__in=chunk).update(
                vector=_vector(), head=_head_vector()
            )
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, terms, body) VALUES (%s, %s, %s, %s)",
                [(d.lesson_id, d.title, d.terms, d.body) for d in documents],
            )


def ranked_lesson_ids(
    text: str, *, track: str = "", course: str = "", offset: int = 0, limit: int | None = None
) -> list[int]:
    """Ids of the published lessons matching every word of ``text``, best first.

    Two tiers: lessons with every word in the title or key terms ("head") come first, ranked by
    how well those match; the lessons matching only through their body follow, ranked on the
    whole document. With ``limit`` the database ranks only the tier(s) the requested slice
    falls in, so page 1 of a word most titles carry never scores 2,000 bodies.
    """
    words = query.terms(text)
    if not words or (limit is not None and limit <= 0):
        return []
    head = _ranked_tier(words, track, course, head=True, offset=offset, limit=limit)
    if limit is not None and len(head) == limit:
        return head
    # Where the body tier starts: right after the head tier, wherever the slice began.
    head_total = offset + len(head) if head else _count(words, track, course, head=True)
    rest = None if limit is None else limit - len(head)
    body_offset = max(offset - head_total, 0)
    return head + _ranked_tier(words, track, course, head=False, offset=body_offset, limit=rest)


def count_matches(text: str, *, track: str = "", course: str = "", cap: int | None = None) -> int:
    """How many published lessons match every word of ``text``: a count, no ranking.

    With ``cap`` the database stops counting after ``cap`` + 1 matches, so a result above
    ``cap`` only says "more than cap" and costs no more than counting cap + 1 lessons.
    """
    words = query.terms(text)
    if not words:
        return 0
    return _count(words, track, course, head=None, cap=cap)


def _count(
    words: list[str], track: str, course: str, *, head: bool | None, cap: int | None = None
) -> int:
    if connection.vendor == "postgresql":
        matches = _postgres_matches(words, track, course, head=head).values("pk")
        return matches[: cap + 1].count() if cap is not None else matches.count()
    sql, params = _sqlite_matches("1", words, track, course, head=head)
    if cap is not None:
        sql += " LIMIT %s"
        params.append(cap + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql})", params)  # noqa: S608 (ours)
        return int(cursor.fetchone()[0])


def _ranked_tier(
    words: list[str], track: str, course: str, *, head: bool, offset: int, limit: int | None
) -> list[int]:
    if connection.vendor == "postgresql":
        matches = _postgres_matches(words, track, course, head=head)
        rank = SearchRank(F("head" if head else "vector"), _search(words))
        ranked = matches.annotate(rank=rank).order_by("-rank", "lesson__catalog_position")
        ids = ranked.values_list("lesson_id", flat=True)
        return list(ids[offset:] if limit is None else ids[offset : offset + limit])
    # `rank` is bm25 with the column weights set by migration 0003; in the head tier only the
    # title and key-term columns can match, so only they score.
    sql, params = _sqlite_matches("f.rowid", words, track, course, head=head)
    sql += " ORDER BY rank, l.catalog_position LIMIT %s OFFSET %s"
    params += [-1 if limit is None else limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _search(words: list[str]) -> SearchQuery:
    return SearchQuery(query.tsquery(words), search_type="raw", config=CONFIG)


def _postgres_matches(
    words: list[str], track: str, course: str, *, head: bool | None = None
) -> QuerySet[SearchDocument]:
    """Documents of published lessons matching ``words``: all (head None), only those matching
    in the head (True), or only those matching through the body alone (False)."""
    lessons = Lesson.objects.published()
    if track:
        lessons = lessons.filter(course__track=track)
    if course:
        lessons = lessons.filter(course__slug=course)
    search = _search(words)
    documents = SearchDocument.objects.filter(lesson__in=lessons.values("pk"))
    if head:
        return documents.filter(head=search)
    documents = documents.filter(vector=search)
    return documents.exclude(head=search) if head is False else documents


def _sqlite_matches(
    columns: str, words: list[str], track: str, course: str, *, head: bool | None = None
) -> tuple[str, list[object]]:
    lesson_table = Lesson._meta.db_table
    course_table = Course._meta.db_table
    conditions, params = [], [query.fts5_match(words, head=head)]
    if track:
        conditions.append("AND c.track = %s")
        params.append(track)
    if course:
        conditions.append("AND c.slug = %s")
        params.append(course)
    sql = (
        f"SELECT {columns} FROM {FTS_TABLE} f "  # noqa: S608 (names are ours; values are params)
        f"JOIN {lesson_table} l ON l.id = f.rowid JOIN {course_table} c ON c.id = l.course_id "
        f"WHERE {FTS_TABLE} MATCH %s AND l.is_published AND c.is_published " + " ".join(conditions)
    )
    return sql, params


def passages(text: str, lesson_ids: list[int]) -> dict[int, SafeString]:
    """The best passage of each lesson's body for ``text``, escaped, matches in <mark>."""
    words = query.terms(text)
    if not words or not lesson_ids:
        return {}
    if connection.vendor == "postgresql":
        search = _search(words)
        # ts_headline parses the whole text it is given (~5 KB a lesson, the costliest part of
        # a results page); given the first paragraph holding every word it parses a tenth of
        # that, and to_tsvector stops at that paragraph. The whole body remains the fallback
        # when the words are spread over several paragraphs or only in the title and terms.
        table = SearchDocument._meta.db_table
        first_paragraph = RawSQL(  # noqa: S611 (the table name is ours; values are params)
            f"SELECT p FROM regexp_split_to_table({table}.body, E'\\n') AS p "  # noqa: S608
            "WHERE to_tsvector(%s::regconfig, p) @@ to_tsquery(%s::regconfig, %s) LIMIT 1",
            [CONFIG, CONFIG, query.tsquery(words)],
        )
        rows = (
            SearchDocument.objects.filter(lesson_id__in=lesson_ids)
            .annotate(
                passage=SearchHeadline(
                    Coalesce(first_paragraph, F("body")),
                    search,
                    config=CONFIG,
                    start_sel=query.START,
                    stop_sel=query.STOP,
                    max_words=PASSAGE_WORDS,
                    min_words=PASSAGE_WORDS // 2,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                )
            )
            .values_list("lesson_id", "passage")
        )
    else:
        placeholders = ", ".join(["%s"] * len(lesson_ids))
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, 2, %s, %s, ' … ', {PASSAGE_WORDS // 2}) "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [query.START, query.STOP, query.fts5_match(words), *lesson_ids])
            rows = cursor.fetchall()
    return {lesson_id: mark_safe(query.highlight(passage)) for lesson_id, passage in rows}
