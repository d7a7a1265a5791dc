"""The one interface to full-text search: PostgreSQL's on PostgreSQL, FTS5 on SQLite.

`index_lessons` (run by the importer's `lessons_imported`, inside its transaction) writes the
documents and their cards; `refresh_cards` (the importer's `catalog_changed`, in the same
transaction, after lessons were unpublished and the catalog renumbered) brings every card up to
date with its lesson and course. `ranked_lesson_ids` finds published lessons, those with every
word in the title or key terms and concepts first (a title match above a key-term one), then
those matching only in their text; `count_matches` counts them, up to a cap (each card's
passage is cut from the stored text by `search.passages`). A search reads the cards only
(`SearchCard`: published or not, track, course, catalog position), never the lessons, so it is
one table on PostgreSQL and FTS5 joined to one small table by rowid on SQLite.
"""

from __future__ import annotations

from django.db import connection

from courses.models import Course, Lesson, Section
from courses.rows import insert_rows

from . import query
from .models import SearchCard, SearchDocument

FTS_TABLE = "search_fts"
CONFIG = "english"
# Plain SQL rather than the ORM: building these few statements through querysets cost more
# CPU per search (about 1 ms each on PostgreSQL) than the database spent running them.
_TSQUERY = f"to_tsquery('{CONFIG}'::regconfig, %s)"
# The tsquery a match tests, as a subquery (an InitPlan: built once, its value unknown when the
# statement is planned). Seeing the words, the planner estimated from its statistics how many
# cards match (a few hundred of 2,116 for a common word) and, pricing `@@` at next to nothing a
# row, read every card rather than the GIN index: two to three times the CPU of the index scan
# on the benchmark's catalog. Not knowing them, it assumes a selective match and takes the
# index, which reads only the matching cards; the ranking then scores only those.
_MATCHED_TSQUERY = f"(SELECT {_TSQUERY})"
# The cards' GIN indexes (migration 0004). New entries wait in an index's pending list, which
# every search through the index reads whole, until a vacuum moves them into the index proper;
# an import moves them itself (`_tidy_indexes`), a few milliseconds, rather than leave that to
# autovacuum, which may come much later or, where it is off, never.
CARD_GIN_INDEXES = ("search_card_vector_gin", "search_card_head_gin")
_ID = {"postgresql": "f.lesson_id", "sqlite": "f.rowid"}
_NO_LIMIT = {"postgresql": None, "sqlite": -1}
_CARD = {"postgresql": "f", "sqlite": "c"}  # the card's alias in `_matches`
BATCH = 500
CARDS = SearchCard._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table

# The weighted vectors, as Django's SearchVector("title", weight="A") + ... spelled them before
# they moved to the card (the same text, so the same vectors and the same ranking).
_HEAD_SQL = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(d.title, '')), 'A') || "
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(d.terms, '')), 'B')"
)
_VECTOR_SQL = (
    f"({_HEAD_SQL}) || setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(d.body, '')), 'C')"
)
# What each card shows and filters on, read from its lesson and course.
CARD_FIELDS = (
    "published",
    "position",
    "track",
    "course_slug",
    "course_title",
    "lesson_slug",
    "title",
    "minutes",
)
# The lesson's id, then CARD_FIELDS in order, from a lesson `l` joined to its course `c`.
_CARD_SELECT = (
    "l.id, l.is_published AND c.is_published, l.catalog_position, c.track, c.slug, "
    "c.title, l.slug, l.title, l.minutes"
)
_CARD_FROM = f"{Lesson._meta.db_table} l JOIN {Course._meta.db_table} c ON c.id = l.course_id"
_CARD_SOURCE_SQL = f"SELECT {_CARD_SELECT} FROM {_CARD_FROM}"  # noqa: S608 (our names)
# PostgreSQL: the cards of some lessons, vectors and body included, in one statement from the
# lessons, their courses and the documents just written (no second pass rewriting every card's
# row).
_CARD_COLUMNS = ", ".join(SearchCard._meta.get_field(f).column for f in ("lesson", *CARD_FIELDS))
_INSERT_CARDS_SQL = (
    f"INSERT INTO {CARDS} ({_CARD_COLUMNS}, vector, head, body) "  # noqa: S608 (our names)
    f"SELECT {_CARD_SELECT}, ({_VECTOR_SQL}), ({_HEAD_SQL}), d.body "
    f"FROM {_CARD_FROM} JOIN {DOCUMENTS} d ON d.lesson_id = l.id WHERE l.id IN "
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
    """Replaces the documents and cards of these lessons: a few statements, whatever their
    number."""
    documents = [document_for(lesson, sections) for lesson, sections in written]
    ids = [document.lesson_id for document in documents]
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    for chunk in chunks:
        SearchDocument.objects.filter(lesson_id__in=chunk).delete()
        SearchCard.objects.filter(lesson_id__in=chunk).delete()
    # Plain rows (courses.rows: COPY on PostgreSQL), not model instances through `bulk_create`,
    # which on PostgreSQL quoted every document's text into its statement in Python.
    insert_rows(
        SearchDocument,
        ("lesson", "title", "terms", "body"),
        [(d.lesson_id, d.title, d.terms, d.body) for d in documents],
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for chunk in chunks:
                cursor.execute(f"{_INSERT_CARDS_SQL}({', '.join(['%s'] * len(chunk))})", chunk)
        _tidy_indexes()
        return
    cards = []
    for chunk in chunks:
        cards += [(pk, bool(published), *rest) for pk, published, *rest in _card_rows(chunk)]
    insert_rows(SearchCard, ("lesson", *CARD_FIELDS), cards)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, title, terms, body) VALUES (%s, %s, %s, %s)",
                [(d.lesson_id, d.title, d.terms, d.body) for d in documents],
            )


def refresh_cards() -> int:
    """Brings every card up to date with its lesson and course (a renamed or unpublished
    course, a lesson unpublished, catalog positions renumbered); writes only the cards that
    changed and returns how many. Two reads of the whole catalog's cards, small rows."""
    current = {
        row[0]: row[1:]
        for row in SearchCard.objects.values_list("lesson_id", *CARD_FIELDS).iterator()
    }
    changed = [card for card in map(_card, _card_rows(None)) if card.pk in current]
    changed = [card for card in changed if _values(card) != current[card.pk]]
    SearchCard.objects.bulk_update(changed, CARD_FIELDS, batch_size=BATCH)
    if changed:
        _tidy_indexes()
    return len(changed)


def _tidy_indexes() -> None:
    """PostgreSQL: moves the entries just written to the cards' GIN indexes out of their
    pending lists (see CARD_GIN_INDEXES)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in CARD_GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def _card_rows(ids: list[int] | None) -> list[tuple]:
    sql, params = _CARD_SOURCE_SQL, []
    if ids is not None:
        sql += f" WHERE l.id IN ({', '.join(['%s'] * len(ids))})"
        params = ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _card(row: tuple) -> SearchCard:
    pk, published, *rest = row
    return SearchCard(pk, bool(published), *rest)


def _values(card: SearchCard) -> tuple:
    return tuple(getattr(card, name) for name in CARD_FIELDS)


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


def ranked_tier_ids(
    text: str,
    *,
    head: bool,
    track: str = "",
    course: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """One tier of `ranked_lesson_ids` on its own, best first: the lessons with every word in
    the head (``head``), or those matching only through their body."""
    words = query.terms(text)
    if not words or (limit is not None and limit <= 0):
        return []
    return _ranked_tier(words, track, course, head=head, offset=offset, limit=limit)


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
    sql, params = _matches("1", words, track, course, head=head)
    if cap is not None:
        sql += " LIMIT %s"
        params.append(cap + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)  # noqa: S608 (ours)
        return int(cursor.fetchone()[0])


def _ranked_tier(
    words: list[str], track: str, course: str, *, head: bool, offset: int, limit: int | None
) -> list[int]:
    sql, params = _matches(_ID[connection.vendor], words, track, course, head=head)
    if connection.vendor == "postgresql":
        # ts_rank on the small head vector, or on the whole one for the body tier.
        sql += f" ORDER BY ts_rank(f.{'head' if head else 'vector'}, {_TSQUERY}) DESC"
        params.append(query.tsquery(words))
    else:
        # `rank` is bm25 with the column weights set by migration 0003; in the head tier only
        # the title and key-term columns can match, so only they score.
        sql += " ORDER BY rank"
    sql += f", {_CARD[connection.vendor]}.position LIMIT %s OFFSET %s"
    params += [_NO_LIMIT[connection.vendor] if limit is None else limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _matches(
    columns: str, words: list[str], track: str, course: str, *, head: bool | None = None
) -> tuple[str, list[object]]:
    """SELECT ``columns`` of the published lessons matching ``words``: all of them (head None),
    those with every word in the head (True), or those matching only through the body (False).
    Aliases: f (the card on PostgreSQL, FTS5's row on SQLite), c (the card)."""
    if connection.vendor == "postgresql":
        source = f"{CARDS} f"
        tsquery = query.tsquery(words)
        if head:
            match, params = f"f.head @@ {_MATCHED_TSQUERY}", [tsquery]
        elif head is None:
            match, params = f"f.vector @@ {_MATCHED_TSQUERY}", [tsquery]
        else:
            match = f"f.vector @@ {_MATCHED_TSQUERY} AND NOT coalesce(f.head @@ {_TSQUERY}, false)"
            params = [tsquery, tsquery]
    else:
        source = f"{FTS_TABLE} f JOIN {CARDS} c ON c.lesson_id = f.rowid"
        match, params = f"{FTS_TABLE} MATCH %s", [query.fts5_match(words, head=head)]
    card = _CARD[connection.vendor]
    conditions = []
    if track:
        conditions.append(f"AND {card}.track = %s")
        params.append(track)
    if course:
        conditions.append(f"AND {card}.course_slug = %s")
        params.append(course)
    sql = (
        f"SELECT {columns} FROM {source} "  # noqa: S608 (names are ours; values are params)
        f"WHERE {match} AND {card}.published " + " ".join(conditions)
    )
    return sql, params
