"""SQLite: a search's tiers ranked from `BodyTerm` and `HeadTerm` rather than by FTS5's bm25.

FTS5 scores every match of a query with bm25 before it sorts them (about 2 µs a row: for each
row it reads the row's length and the places of every phrase), so a word in half the catalog's
text cost about 2 ms for its body tier's first page. For a body-tier match of one term (the
MATCH `"word"* NOT {title terms}: "word"*`, the word's prefix standing for exactly one term of
the index), FTS5's bm25 (fts5_aux.c, `fts5Bm25Function`, with the weights of migration 0003)
comes down to

    -1.0 * (idf * ((hits * (k1 + 1.0)) / (hits + k1 * (1 - b + b * tokens / avgdl))))

``hits`` being the term's places in the body (the head holds none: each counts the body's
weight, 1.0), ``tokens`` the row's length in tokens over every column, ``avgdl`` the table's
total length over its row count and ``idf`` log((rows - with + 0.5) / (with + 0.5)) (at least
1e-6) over the rows holding the term; the NOT's phrase adds idf × 0.0. `BodyTerm` keeps
``hits`` and ``tokens`` per lesson and term, FTS5 keeps the rest (its averages record and
its vocabulary), and the statement here computes the same IEEE doubles in the same order of
operations, so the order, ties broken by catalog position, is FTS5's to the bit
(tests/test_search_bm25.py compares every score of several words with FTS5's rank).

The head tiers (the title; the title and key terms) are the same sum over a search's words
(`ranked_head`): ``hits`` then counts the title's places 10 each and the key terms' 4 each
(only the title's for the title tier), and ``idf`` comes from the rows holding the word in
those columns, which is FTS5's count for a column-filtered phrase. A search's matches are
counted from the two tables too (`counted`): between them they hold every term of every
lesson.

The term's row count and the averages record are read with each search, not kept: an import
changes them. The search's statements are not one snapshot (as none of a results page's
are): an import committing between them could pair its new rows with the old figures for
that one request.
"""

from __future__ import annotations

import math
import sqlite3
from functools import lru_cache

from django.db import connection

from .models import BodyTerm, HeadTerm, SearchCard

FTS_TABLE = "search_fts"
# An fts5vocab table over it (migration 0011): one row per place of a term in a row and column.
# (Its other, one row per term, is no longer read: `_TERMS_SQL`.)
PLACES_TABLE = "search_fts_places"
BODY_TERMS = BodyTerm._meta.db_table
HEAD_TERMS = HeadTerm._meta.db_table
CARDS = SearchCard._meta.db_table
TOKENIZER = "porter unicode61 remove_diacritics 2"  # the search table's (migration 0002)
K1, B = 1.2, 0.75  # fts5Bm25Function's constants
MIN_IDF = 1e-6
# FTS5's averages record (FTS5_AVERAGES_ROWID): the row count, then each column's tokens.
_AVERAGES_SQL = f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1"  # noqa: S608 (our name)
# The first two terms at or after a prefix among every lesson's terms, which `HeadTerm` and
# `BodyTerm` hold between them (a lesson's term is in one or the other): the prefix stands for
# one term of FTS5's index when only the first begins with it. Then ``{columns}``, more
# columns for the term (f.term). Two seeks in each table's primary key, where FTS5's
# vocabulary table reads every term of the index's segments from the prefix on.
_FIRST_OF_BOTH = "min(coalesce(h, b), coalesce(b, h))"  # NULL only when both are
_TERMS_SQL = (
    f"WITH f AS (SELECT {_FIRST_OF_BOTH} AS term FROM (SELECT "  # noqa: S608 (our names)
    f"(SELECT term FROM {HEAD_TERMS} WHERE term >= %s ORDER BY term LIMIT 1) AS h, "
    f"(SELECT term FROM {BODY_TERMS} WHERE term >= %s ORDER BY term LIMIT 1) AS b)) "
    f"SELECT f.term, (SELECT {_FIRST_OF_BOTH} FROM (SELECT "
    f"(SELECT term FROM {HEAD_TERMS} WHERE term > f.term ORDER BY term LIMIT 1) AS h, "
    f"(SELECT term FROM {BODY_TERMS} WHERE term > f.term ORDER BY term LIMIT 1) AS b))"
    "{columns} FROM f"
)
# For the body tier: how many lessons hold the term (FTS5's document count of it), and FTS5's
# averages record.
_BODY_STATS = (
    f", (SELECT count(*) FROM {HEAD_TERMS} WHERE term = f.term) "  # noqa: S608 (our names)
    f"+ (SELECT count(*) FROM {BODY_TERMS} WHERE term = f.term), ({_AVERAGES_SQL})"
)
_RANKED_SQL = (
    f"SELECT b.lesson_id FROM {BODY_TERMS} b WHERE b.term = %s AND b.published "  # noqa: S608
    "{conditions}ORDER BY -1.0 * (%s * ((b.hits * %s) / "
    "(b.hits + %s * (%s + %s * b.tokens / %s)))), b.position LIMIT %s OFFSET %s"
)
# Every lesson of FTS5's table without rows (`index_lessons` deleted those of the lessons it
# wrote), with its length in tokens (FTS5's docsize record, decoded here). The primary key
# leads with the term, so the lessons holding rows are read from the whole table: a few tens
# of milliseconds, once per import that changed anything.
_UNRANKED_SQL = (
    f"SELECT d.id, d.sz FROM {FTS_TABLE}_docsize d "  # noqa: S608 (our names)
    f"WHERE d.id NOT IN (SELECT lesson_id FROM {BODY_TERMS}) "
    f"AND d.id NOT IN (SELECT lesson_id FROM {HEAD_TERMS})"
)
_LENGTHS = "search_bodyterm_lengths"  # a temporary table: each lesson to write, its tokens
# The places of the terms of those lessons, counted per term and lesson (FTS5 lists them by
# term and lesson; the count sorts them, the costly part of a cold import's rows), in the
# primary key's order.
_INSERT_SQL = (
    f"INSERT INTO {BODY_TERMS} "  # noqa: S608 (our names)
    "(term, lesson_id, hits, tokens, published, position, track, course_slug) "
    "SELECT p.term, p.doc, p.hits, n.tokens, c.published, c.position, c.track, c.course_slug "
    "FROM (SELECT term, doc, count(*) AS hits, max(col <> 'body') AS in_head "
    f"FROM {PLACES_TABLE} WHERE doc IN (SELECT lesson_id FROM temp.{_LENGTHS}) "
    "GROUP BY term, doc) p "
    f"JOIN temp.{_LENGTHS} n ON n.lesson_id = p.doc JOIN {CARDS} c ON c.lesson_id = p.doc "
    "WHERE NOT p.in_head ORDER BY p.term, p.doc"
)
# The head's rows of those lessons: the places outside the body (a few percent of them, which
# FTS5's vocabulary table reads without the body's), counted per term, lesson and column.
_INSERT_HEAD_SQL = (
    f"INSERT INTO {HEAD_TERMS} "  # noqa: S608 (our names)
    "(term, lesson_id, title_hits, terms_hits, tokens, published, position, track, course_slug) "
    "SELECT p.term, p.doc, p.title_hits, p.terms_hits, n.tokens, c.published, c.position, "
    "c.track, c.course_slug FROM (SELECT term, doc, sum(col = 'title') AS title_hits, "
    f"sum(col = 'terms') AS terms_hits FROM {PLACES_TABLE} WHERE col <> 'body' "
    f"AND doc IN (SELECT lesson_id FROM temp.{_LENGTHS}) GROUP BY term, doc) p "
    f"JOIN temp.{_LENGTHS} n ON n.lesson_id = p.doc JOIN {CARDS} c ON c.lesson_id = p.doc "
    "ORDER BY p.term, p.doc"
)
_REFRESH_SQL = (
    "UPDATE {table} SET published = c.published, position = c.position, "  # noqa: S608
    f"track = c.track, course_slug = c.course_slug FROM {CARDS} c "
    "WHERE c.lesson_id = {table}.lesson_id AND c.lesson_id IN "
)


def _terms_of(prefix: str, found: tuple | None) -> int:
    """How many terms of an index ``prefix`` stands for, from a row that starts with the first
    two terms at or after it (in order; None, or no row, when there are none): 0 when none
    begins with it (nothing matches), 1 when only the first does (the one term FTS5 reads it
    as, which the callers rank), 2 for two or more (FTS5 reads it as several: left to FTS5)."""
    if not found or found[0] is None or not found[0].startswith(prefix):
        return 0
    return 2 if found[1] is not None and found[1].startswith(prefix) else 1


def ranked(
    word: str, conditions: str, filter_params: list[object], *, offset: int, limit: int | None
) -> list[int] | None:
    """The body tier's slice for the one word ``word`` (a prefix, as typed) from `BodyTerm`,
    or None when FTS5 reads it as anything but one term's prefix that exactly one term of its
    index begins with. ``conditions`` filter alias b (`engine._filters`)."""
    prefix = fts5_token(word)
    if prefix is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_TERMS_SQL.format(columns=_BODY_STATS), [prefix, prefix])
        found = cursor.fetchone()
        if (terms := _terms_of(prefix, found)) != 1:
            return [] if terms == 0 else None
        term, _, holding, averages = found
        rows, *lengths = varints(averages)
        idf = math.log((rows - holding + 0.5) / (holding + 0.5))
        if idf <= 0.0:
            idf = MIN_IDF
        avgdl = float(sum(lengths)) / float(rows)
        constants = [idf, K1 + 1.0, K1, 1 - B, B, avgdl]
        params = [term, *filter_params, *constants, -1 if limit is None else limit, offset]
        cursor.execute(_RANKED_SQL.format(conditions=conditions), params)
        return [row[0] for row in cursor.fetchall()]


# The head tiers (`query.TIERS`: the title; the title and key terms together) ranked from
# `HeadTerm`, and the weighted count of a row's places in each tier's columns (fts5Bm25Function
# adds the column's weight for each place, title 10, key terms 4: small whole numbers, exact).
HEAD_TIERS = {
    ("title",): "10.0 * {w}.title_hits",
    ("title", "terms"): "(10.0 * {w}.title_hits + 4.0 * {w}.terms_hits)",
}
_IN_TIER = {("title",): " AND {w}.title_hits > 0", ("title", "terms"): ""}
# The one statement before the ranking: the first two head terms at or after the last word's
# prefix (the prefix stands for one term when only the first begins with it), FTS5's averages
# record, and for each word (the last one's term being the first of those) how many rows hold
# it in the tier's columns: its phrase's document count, FTS5 counting the rows its
# column-filtered phrase matches.
_HEAD_STATS_SQL = (
    f"WITH f AS (SELECT term FROM {HEAD_TERMS} WHERE term >= %s ORDER BY term LIMIT 1) "  # noqa: S608
    f"SELECT f.term, (SELECT term FROM {HEAD_TERMS} WHERE term > f.term ORDER BY term LIMIT 1), "
    f"({_AVERAGES_SQL}){{counts}} FROM f"
)
_HEAD_COUNT_SQL = f", (SELECT count(*) FROM {HEAD_TERMS} w WHERE w.term = {{term}}{{in_tier}})"  # noqa: S608


def ranked_head(
    words: list[str],
    tiers: tuple[str, ...],
    conditions: str,
    filter_params: list[object],
    *,
    offset: int,
    limit: int | None,
) -> list[int] | None:
    """The slice of one of HEAD_TIERS for ``words`` (the last a prefix, as typed) from
    `HeadTerm`, or None when FTS5 reads a word as anything but one term (the last: one term's
    prefix that exactly one term of the heads begins with). ``conditions`` filter alias b.

    For such a query a head match holds every word's term in the tier's columns, and bm25 sums
    over the words, in their order, ``idf * ((hits * (k1 + 1)) / (hits + k1 * (1 - b + b *
    tokens / avgdl)))``, ``hits`` the word's weighted places in those columns and ``idf`` from
    the rows holding it there; the statement computes the same doubles in the same order."""
    tokens = [fts5_token(word) for word in words]
    if None in tokens:
        return None
    *others, prefix = tokens
    weighted, in_tier = HEAD_TIERS[tiers], _IN_TIER[tiers]
    counts = "".join(
        _HEAD_COUNT_SQL.format(term=term, in_tier=in_tier.format(w="w"))
        for term in ["f.term", *["%s"] * len(others)]
    )
    with connection.cursor() as cursor:
        cursor.execute(_HEAD_STATS_SQL.format(counts=counts), [prefix, *others])
        found = cursor.fetchone()
        if (terms := _terms_of(prefix, found)) != 1:
            return [] if terms == 0 else None
        term, _, averages, holding, *others_holding = found
        rows, *lengths = varints(averages)
        avgdl = float(sum(lengths)) / float(rows)
        # The rows of the term fewest lessons hold (alias b) lead the join; the scores add up
        # word by word, in the query's order, as FTS5's do.
        terms, holdings = [*others, term], [*others_holding, holding]
        lead = holdings.index(min(holdings))
        aliases = ["b" if i == lead else f"w{i}" for i in range(len(terms))]
        joins, join_params, scores, score_params = "", [], [], []
        for alias, word_term, count in zip(aliases, terms, holdings, strict=True):
            if alias != "b":
                joins += (
                    f"JOIN {HEAD_TERMS} {alias} ON {alias}.term = %s "
                    f"AND {alias}.lesson_id = b.lesson_id{in_tier.format(w=alias)} "
                )
                join_params.append(word_term)
            idf = math.log((rows - count + 0.5) / (count + 0.5))
            freq = weighted.format(w=alias)
            scores.append(f"%s * (({freq} * %s) / ({freq} + %s * (%s + %s * b.tokens / %s)))")
            score_params += [idf if idf > 0.0 else MIN_IDF, K1 + 1.0, K1, 1 - B, B, avgdl]
        sql = (
            f"SELECT b.lesson_id FROM {HEAD_TERMS} b {joins}"  # noqa: S608 (our names)
            f"WHERE b.term = %s{in_tier.format(w='b')} AND b.published {conditions}"
            f"ORDER BY -1.0 * ({' + '.join(scores)}), b.position LIMIT %s OFFSET %s"
        )
        params = [*join_params, terms[lead], *filter_params, *score_params]
        cursor.execute(sql, [*params, -1 if limit is None else limit, offset])
        return [row[0] for row in cursor.fetchall()]


# A search's matches counted from the two tables: the prefix's term (`_TERMS_SQL`) and, up to
# a cap, the lessons holding it and every other word's term, anywhere.
_COUNT = (
    ", (SELECT COUNT(*) FROM ("  # noqa: S608 (our names)
    f"SELECT 1 FROM {HEAD_TERMS} b WHERE b.term = f.term AND b.published {{conditions}}"
    f"UNION ALL SELECT 1 FROM {BODY_TERMS} b WHERE b.term = f.term AND b.published "
    "{conditions}LIMIT %s))"
)
_HOLDS_SQL = (
    f"AND (EXISTS (SELECT 1 FROM {HEAD_TERMS} o WHERE o.term = %s AND o.lesson_id = b.lesson_id) "  # noqa: S608
    f"OR EXISTS (SELECT 1 FROM {BODY_TERMS} o WHERE o.term = %s AND o.lesson_id = b.lesson_id)) "
)


def counted(
    words: list[str], conditions: str, filter_params: list[object], *, cap: int
) -> int | None:
    """How many published lessons hold every word of ``words`` (the last a prefix, as typed)
    anywhere, counted from `HeadTerm` and `BodyTerm` up to ``cap`` + 1, or None when FTS5
    reads a word as anything but one term (the last: one term's prefix that exactly one term
    of its index begins with). ``conditions`` filter alias b (`engine._filters`)."""
    tokens = [fts5_token(word) for word in words]
    if None in tokens:
        return None
    *others, prefix = tokens
    holds = _HOLDS_SQL * len(others)
    sql = _TERMS_SQL.format(columns=_COUNT.format(conditions=conditions + holds))
    params = [prefix, prefix]
    for _ in range(2):  # the head's rows, then the body's
        params += [*filter_params, *(term for term in others for term in (term, term))]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, cap + 1])
        found = cursor.fetchone()
    if (terms := _terms_of(prefix, found)) != 1:
        return 0 if terms == 0 else None
    return found[2]


@lru_cache(maxsize=4096)
def fts5_token(word: str) -> str | None:
    """The one token FTS5's tokenizer makes of ``word`` (its stem), or None when it makes
    several or none; read from a scratch FTS5 table in memory with the search table's
    tokenizer, once per word and process."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(f"CREATE VIRTUAL TABLE w USING fts5(word, tokenize = '{TOKENIZER}')")
        scratch.execute("CREATE VIRTUAL TABLE v USING fts5vocab(w, instance)")
        scratch.execute("INSERT INTO w (word) VALUES (?)", [word])
        tokens = [row[0] for row in scratch.execute("SELECT term FROM v")]
    finally:
        scratch.close()
    return tokens[0] if len(tokens) == 1 else None


def write() -> int:
    """Writes the rows of every lesson of FTS5's table that has none (those `index_lessons`
    wrote since: it deleted theirs) from FTS5's index of places, in one statement, and
    returns how many lessons that was."""
    with connection.cursor() as cursor:
        cursor.execute(_UNRANKED_SQL)
        lengths = [(pk, sum(varints(size))) for pk, size in cursor.fetchall()]
        if not lengths:
            return 0
        cursor.execute(
            f"CREATE TEMP TABLE {_LENGTHS} (lesson_id INTEGER PRIMARY KEY, tokens INTEGER NOT NULL)"
        )
        try:
            cursor.executemany(f"INSERT INTO temp.{_LENGTHS} VALUES (%s, %s)", lengths)  # noqa: S608
            cursor.execute(_INSERT_SQL)
            cursor.execute(_INSERT_HEAD_SQL)
        finally:
            cursor.execute(f"DROP TABLE temp.{_LENGTHS}")
    return len(lengths)


def delete(ids: list[int]) -> None:
    """Deletes the rows of these lessons, body and head (written again by `write`)."""
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for table in (BODY_TERMS, HEAD_TERMS):
            cursor.execute(f"DELETE FROM {table} WHERE lesson_id IN ({placeholders})", ids)  # noqa: S608


def refresh(ids: list[int]) -> None:
    """Copies the filter columns of these lessons' cards into their rows, body and head."""
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        for table in (BODY_TERMS, HEAD_TERMS):
            cursor.execute(_REFRESH_SQL.format(table=table) + f"({placeholders})", ids)


def varints(blob: bytes) -> list[int]:
    """The integers of an FTS5 record (SQLite's varints: big-endian groups of 7 bits, a high
    bit on every byte but the last; a ninth byte carries 8)."""
    values, at = [], 0
    while at < len(blob):
        value = 0
        for count in range(9):
            byte = blob[at]
            at += 1
            if count == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values
