"""Writing what `search.engine` searches, inside the importer's transaction.

`index_lessons` (run by the importer's `lessons_imported`) writes the documents and their
cards, and adds their words to the catalog's vocabulary (`SearchWord`); `refresh_cards` (the
importer's `catalog_changed`, in the same transaction, after lessons were unpublished and the
catalog renumbered) brings every card up to date with its lesson and course, and `rank_words`
then writes, in one statement, the ranking by word of every lesson `index_lessons` wrote
(`RankedWord` on PostgreSQL, `BodyTerm` on SQLite: `search.bm25`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from courses.models import Course, Lesson, Section
from courses.rows import insert_rows

from . import bm25, query
from .engine import (
    BATCH,
    CARDS,
    CONFIG,
    DOCUMENTS,
    GIN_INDEXES,
    RANKED_WORDS,
    RANKING_VECTORS,
    TITLE_WEIGHT,
    WORDS,
)
from .models import RankingVector, SearchCard, SearchDocument

# The weighted vectors, as Django's SearchVector("title", weight="A") + ... spelled them before
# they moved to the card (the same text, so the same vectors and the same ranking).
_HEAD_SQL = (
    f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE(d.title, '')), '{TITLE_WEIGHT}') || "
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
# PostgreSQL: the body tier's rows (`RankingVector`) of some cards, just written: what the
# tier filters on, the head, and the vector, copied.
_RANKING_COLUMNS = "published, position, track, course_slug, head"
_INSERT_RANKING_VECTORS_SQL = (
    f"INSERT INTO {RANKING_VECTORS} (lesson_id, {_RANKING_COLUMNS}, vector) "  # noqa: S608
    f"SELECT lesson_id, {_RANKING_COLUMNS}, vector FROM {CARDS} WHERE lesson_id IN "
)
# PostgreSQL: the body tier's filter columns brought up to date with the cards just changed.
_REFRESH_RANKING_VECTORS_SQL = (
    f"UPDATE {RANKING_VECTORS} r SET published = c.published, position = c.position, "  # noqa: S608
    f"track = c.track, course_slug = c.course_slug FROM {CARDS} c "
    "WHERE c.lesson_id = r.lesson_id AND r.lesson_id = ANY(%s)"
)
# PostgreSQL: the body tier's ranking by word (`RankedWord`) of some lessons, from their
# `RankingVector` rows just written: one row per lexeme of the vector, its rank the vector's
# ts_rank for a query of that lexeme alone, built without parsing it (the lexeme quoted for
# tsquery's input, where a backslash escapes the next character).
_QUOTED_LEXEME_SQL = r"'''' || replace(replace(u.lexeme, '\', '\\'), '''', '\''') || ''''"
LEXEME_TSQUERY_SQL = f"({_QUOTED_LEXEME_SQL})::tsquery"
# The same lexeme with the title's weight: what the title tier's match asks of it.
_LEXEME_IN_TITLE_SQL = f"({_QUOTED_LEXEME_SQL} || ':{TITLE_WEIGHT}')::tsquery"
_WORD_COLUMNS = "published, position, track, course_slug"
# The head tier's columns (`head_rank`, `in_title`) are computed for the rows the head holds
# only, a few per cent of them.
_INSERT_RANKED_WORDS_SQL = (
    f"INSERT INTO {RANKED_WORDS} (lesson_id, word, rank, {_WORD_COLUMNS}, in_head, "  # noqa: S608
    "head_rank, in_title) "
    f"SELECT r.lesson_id, u.lexeme, ts_rank(r.vector, t.q), {_WORD_COLUMNS}, h.in_head, "
    "CASE WHEN h.in_head THEN ts_rank(r.head, t.q) END, "
    f"CASE WHEN h.in_head THEN r.head @@ {_LEXEME_IN_TITLE_SQL} ELSE false END "
    f"FROM {RANKING_VECTORS} r CROSS JOIN LATERAL unnest(r.vector) u "
    f"CROSS JOIN LATERAL (SELECT {LEXEME_TSQUERY_SQL} AS q) t "
    "CROSS JOIN LATERAL (SELECT coalesce(r.head @@ t.q, false) AS in_head) h "
    "WHERE r.lesson_id = ANY(%s)"
)
_DELETE_RANKED_WORDS_SQL = f"DELETE FROM {RANKED_WORDS} WHERE lesson_id IN "  # noqa: S608
# The lessons whose vectors have no rows of the ranking by word: those written since the last
# `rank_words` (`index_lessons` deleted their rows), or every one when the table is empty.
_UNRANKED_LESSONS_SQL = (
    f"SELECT r.lesson_id FROM {RANKING_VECTORS} r WHERE NOT EXISTS "  # noqa: S608 (our names)
    f"(SELECT FROM {RANKED_WORDS} w WHERE w.lesson_id = r.lesson_id)"
)
# A table's indexes, each with the constraint it backs, if any (the primary key's), and their
# definitions as the database holds them (so as the migrations made them: names, columns,
# order, collation, uniqueness).
_INDEXES_SQL = (
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, "
    "pg_get_constraintdef(c.oid) FROM pg_index i LEFT JOIN pg_constraint c "
    "ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
    "WHERE i.indrelid = %s::regclass ORDER BY 1"
)
_REFRESH_RANKED_WORDS_SQL = (
    f"UPDATE {RANKED_WORDS} w SET published = r.published, position = r.position, "  # noqa: S608
    f"track = r.track, course_slug = r.course_slug FROM {RANKING_VECTORS} r "
    "WHERE r.lesson_id = w.lesson_id AND w.lesson_id = ANY(%s)"
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
    number. On PostgreSQL their ranking by word is only deleted here: `rank_words` writes it
    at the import's end."""
    documents = [document_for(lesson, sections) for lesson, sections in written]
    ids = [document.lesson_id for document in documents]
    chunks = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    for chunk in chunks:
        SearchDocument.objects.filter(lesson_id__in=chunk).delete()
        SearchCard.objects.filter(lesson_id__in=chunk).delete()
        RankingVector.objects.filter(lesson_id__in=chunk).delete()
    # Plain rows (courses.rows: COPY on PostgreSQL), not model instances through `bulk_create`,
    # which on PostgreSQL quoted every document's text into its statement in Python.
    insert_rows(
        SearchDocument,
        ("lesson", "title", "terms", "body"),
        [(d.lesson_id, d.title, d.terms, d.body) for d in documents],
    )
    _add_words(documents)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for chunk in chunks:
                placeholders = f"({', '.join(['%s'] * len(chunk))})"
                cursor.execute(_INSERT_CARDS_SQL + placeholders, chunk)
                cursor.execute(_INSERT_RANKING_VECTORS_SQL + placeholders, chunk)
                # Their ranking by word is written again by `rank_words`, at the import's end.
                cursor.execute(_DELETE_RANKED_WORDS_SQL + placeholders, chunk)
        _tidy_indexes()
        return
    cards = []
    for chunk in chunks:
        cards += [(pk, bool(published), *rest) for pk, published, *rest in _card_rows(chunk)]
    insert_rows(SearchCard, ("lesson", *CARD_FIELDS), cards)
    if connection.vendor == "sqlite":
        for chunk in chunks:  # their ranking by term is written again by `rank_words`
            bm25.delete(chunk)
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
    if changed and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_REFRESH_RANKING_VECTORS_SQL, [[card.pk for card in changed]])
            cursor.execute(_REFRESH_RANKED_WORDS_SQL, [[card.pk for card in changed]])
        _tidy_indexes()
    elif changed and connection.vendor == "sqlite":
        for start in range(0, len(changed), BATCH):
            bm25.refresh([card.pk for card in changed[start : start + BATCH]])
    return len(changed)


def rank_words() -> int:
    """PostgreSQL: writes the body tier's ranking by word (`RankedWord`) of every lesson whose
    vector has no rows there (`_UNRANKED_LESSONS_SQL`: the lessons `index_lessons` wrote since,
    whose rows it deleted) and returns how many lessons that was; 0 elsewhere.

    The importer runs it once, at its end (`catalog_changed`, after `refresh_cards`, so the
    rows copy the final filter columns), so an import writes these rows in one statement
    however many courses it wrote. When those lessons are more than half of the catalog's (a
    cold import into the empty table, or one that rewrote most lessons), the table's indexes
    are dropped first and built again after the rows are in: on the 2,116-lesson catalog
    maintaining them row by row made writing its 337,694 rows cost about 5 s of the server's
    CPU, building them after about 3 s in all (docs/benchmarks.md, session 13). Dropping an
    index locks the table until the import commits, so one-word searches then wait for the
    import's last seconds; an import that rewrote a few lessons writes through the indexes and
    locks nothing but their rows.
    """
    if connection.vendor == "sqlite":
        return bm25.write()
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_UNRANKED_LESSONS_SQL)
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return 0
        cursor.execute(f"SELECT count(*) FROM {RANKING_VECTORS}")  # noqa: S608 (our name)
        if 2 * len(ids) > cursor.fetchone()[0]:
            with _indexes_built_after(cursor, RANKED_WORDS):
                cursor.execute(_INSERT_RANKED_WORDS_SQL, [ids])
        else:
            cursor.execute(_INSERT_RANKED_WORDS_SQL, [ids])
    return len(ids)


@contextmanager
def _indexes_built_after(cursor, table: str) -> Iterator[None]:
    """PostgreSQL: drops ``table``'s indexes, its primary key's included, for the writes
    inside, then builds each again as it was defined (`_INDEXES_SQL`), in the same transaction.
    Should the writes fail, nothing is rebuilt: the transaction is rolled back, dropped indexes
    and all."""
    quote = connection.ops.quote_name
    cursor.execute(_INDEXES_SQL, [table])
    indexes = cursor.fetchall()
    for index, _, constraint, _ in indexes:
        if constraint:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
        else:
            cursor.execute(f"DROP INDEX {index}")
    yield
    for _, definition, constraint, constraint_definition in indexes:
        if constraint:
            cursor.execute(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} "
                + constraint_definition
            )
        else:
            cursor.execute(definition)


def _tidy_indexes() -> None:
    """PostgreSQL: moves the entries just written to the GIN indexes of the cards and of the
    body tier's table out of their pending lists (see GIN_INDEXES)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index in GIN_INDEXES:
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


def _add_words(documents: list[SearchDocument]) -> None:
    """Adds the words of these documents to the catalog's vocabulary (`SearchWord`)."""
    words: set[str] = set()
    for document in documents:
        words |= query.vocabulary(f"{document.title}\n{document.terms}\n{document.body}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {WORDS} (word) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                [sorted(words)],
            )
        else:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {WORDS} (word) VALUES (%s)",  # noqa: S608
                [(word,) for word in sorted(words)],
            )
