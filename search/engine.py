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
from django.utils.safestring import SafeString, mark_safe

from courses.models import Course, Lesson, Section

from . import query
from .models import SearchDocument

FTS_TABLE = "search_fts"
CONFIG = "english"
# bm25() weights of FTS5's columns (title, terms, body), in the spirit of PostgreSQL's A/B/C.
FTS_WEIGHTS = (10.0, 4.0, 1.0)
PASSAGE_WORDS = 28
BATCH = 500


def _vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("terms", weight="B", config=CONFIG)
        + SearchVector("body", weight="C", config=CONFIG)
    )


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
            SearchDocument.objects.filter(lesson_id__in=chunk).update(vector=_vector())
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

    With ``limit`` the database ranks and returns only that slice (from ``offset``), so a page
    of results never carries the ids of every matching lesson back to Python.
    """
    words = query.terms(text)
    if not words or (limit is not None and limit <= 0):
        return []
    if connection.vendor == "postgresql":
        ranked = _postgres_matches(words, track, course)
        ranked = ranked.annotate(rank=SearchRank(F("vector"), _search(words))).order_by(
            "-rank", "lesson__catalog_position"
        )
        ids = ranked.values_list("lesson_id", flat=True)
        return list(ids[offset:] if limit is None else ids[offset : offset + limit])
    sql, params = _sqlite_matches("f.rowid", words, track, course)
    sql += f" ORDER BY bm25({FTS_TABLE}, {', '.join(map(str, FTS_WEIGHTS))}), l.catalog_position"
    sql += " LIMIT %s OFFSET %s"
    params += [-1 if limit is None else limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def count_matches(text: str, *, track: str = "", course: str = "") -> int:
    """How many published lessons match every word of ``text``: a count, no ranking."""
    words = query.terms(text)
    if not words:
        return 0
    if connection.vendor == "postgresql":
        return _postgres_matches(words, track, course).count()
    sql, params = _sqlite_matches("COUNT(*)", words, track, course)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _search(words: list[str]) -> SearchQuery:
    return SearchQuery(query.tsquery(words), search_type="raw", config=CONFIG)


def _postgres_matches(words: list[str], track: str, course: str) -> QuerySet[SearchDocument]:
    lessons = Lesson.objects.published()
    if track:
        lessons = lessons.filter(course__track=track)
    if course:
        lessons = lessons.filter(course__slug=course)
    return SearchDocument.objects.filter(vector=_search(words), lesson__in=lessons.values("pk"))


def _sqlite_matches(
    columns: str, words: list[str], track: str, course: str
) -> tuple[str, list[object]]:
    lesson_table = Lesson._meta.db_table
    course_table = Course._meta.db_table
    conditions, params = [], [query.fts5_match(words)]
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
        rows = (
            SearchDocument.objects.filter(lesson_id__in=lesson_ids)
            .annotate(
                passage=SearchHeadline(
                    "body",
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
