"""The one interface to full-text search: PostgreSQL's on PostgreSQL, FTS5 on SQLite.

What is searched is written by `search.indexing` (documents, cards, the ranking by word, the
catalog's vocabulary). `ranked_lesson_ids`
finds published lessons in three
tiers, each ranked on its own: every word in the title; every word in the title or the key
terms and concepts; the rest, matching through their text (`query.TIERS`). So a title match
always comes before a key-term one, which the engines' scores alone do not promise (FTS5's bm25
divides by the whole lesson's length). Every word must match, the last as a prefix or as one
of the catalog's words it begins that the prefix would miss (`_completions`).
`count_matches` counts them, up to a cap (each card's passage is cut from the stored text by
`search.passages`); on PostgreSQL without a statement when each word's own number of matches,
looked up once per content version and process, settles it (`_count_by_frequencies`).
A search reads the cards only (`SearchCard`: published or not, track, course, catalog
position), never the lessons, so it is
one table on PostgreSQL (the cards; for the body tier's ranking `RankingVector`, the same
columns beside each vector kept in line, with a GIN index of its own) and FTS5 joined to one
small table by rowid on SQLite. On PostgreSQL a one-word search whose prefix stands for exactly
one lexeme of the catalog ranks its body tier from `RankedWord` instead (each lesson's rank
for each of its lexemes, written from the vectors), reading the page's rows from an index in
ts_rank's order rather than scoring every match (`_ranked_by_word`); unfiltered, and its
prefix standing for exactly one lexeme of the heads, its title and key-term tiers too (the
head's rank and title match per lexeme, `_ranked_head_by_word`). What the prefix stands for
is looked up once per content version and process (`_lexemes`). Any other search runs the
statement. On SQLite such a search (its prefix standing for exactly one term of
FTS5's index) ranks its body tier from `BodyTerm` with bm25's own arithmetic, the same floats
as FTS5's rank (`search.bm25`); a search of any number of words, each standing for one term
(the last, as a prefix, for exactly one term of the heads), ranks its title and key-term tiers
from `HeadTerm` the same way, and one whose words stand so for terms of the whole index counts
its matches from the two tables. Any other search, FTS5 matches and scores.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from django.db import connection

from courses.caching import content_version

from . import bm25, query
from .models import RankedWord, RankingVector, SearchCard, SearchDocument, SearchWord

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
# The GIN indexes of the cards (migration 0004) and of the body tier's table (0008). New entries
# wait in an index's pending list, which every search through the index reads whole, until a
# vacuum moves them into the index proper; an import moves them itself (`_tidy_indexes`), a few
# milliseconds, rather than leave that to autovacuum, which may come much later or, where it is
# off, never.
GIN_INDEXES = ("search_card_vector_gin", "search_card_head_gin", "search_ranking_vector_gin")
_ID = {"postgresql": "f.lesson_id", "sqlite": "f.rowid"}
_NO_LIMIT = {"postgresql": None, "sqlite": -1}
_CARD = {"postgresql": "f", "sqlite": "c"}  # the card's alias in `_matches`
BATCH = 500
CARDS = SearchCard._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table
RANKING_VECTORS = RankingVector._meta.db_table
RANKED_WORDS = RankedWord._meta.db_table
TITLE_WEIGHT = "A"  # the title's label in both vectors; the key terms carry "B", the body "C"


def groups() -> tuple[tuple[str, ...], ...]:
    """The tiers (`query.TIERS`) each ranking query covers, in order.

    FTS5 scores every row a query ranks (bm25, about 2 µs a row), so on SQLite each tier is a
    query of its own and a page of title matches never scores the key-term ones. PostgreSQL's
    cost is in matching the rows, not in ranking them, so there one query ranks the title and
    key-term tiers together, the title's first.
    """
    if connection.vendor == "postgresql":
        return (("title", "terms"), ("body",))
    return tuple((tier,) for tier in query.TIERS)


def ranked_lesson_ids(
    text: str,
    *,
    track: str = "",
    course: str = "",
    offset: int = 0,
    limit: int | None = None,
    first_group: int = 0,
) -> list[int]:
    """Ids of the published lessons matching every word of ``text``, best first.

    Tier by tier (`query.TIERS`: the title, the key terms, the body), each ranked on its own,
    from the ``first_group`` of `groups()` on (a caller may already hold the first ones). With
    ``limit`` the database ranks only the groups the requested slice falls in.
    """
    words = _words(text)
    if not words or (limit is not None and limit <= 0):
        return []
    ids: list[int] = []
    skip = offset  # how many of the remaining groups' matches come before the slice
    for tiers in groups()[first_group:]:
        wanted = None if limit is None else limit - len(ids)
        found = _ranked(words, track, course, tiers=tiers, offset=skip, limit=wanted)
        ids += found
        if limit is not None and len(ids) == limit:
            break
        # This group is used up: the slice goes on at the next one's top, or further down by
        # what is left of the offset once this group's matches are skipped.
        used_up = _count(words, track, course, tiers=tiers) if skip and not found else skip
        skip = max(skip - used_up, 0)
    return ids


def ranked_group_ids(
    text: str,
    *,
    group: int,
    track: str = "",
    course: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """The lessons of one group of `groups()` on their own, best first."""
    words = _words(text)
    if not words or (limit is not None and limit <= 0):
        return []
    return _ranked(words, track, course, tiers=groups()[group], offset=offset, limit=limit)


def ranked_after_first_group(
    text: str, *, known: list[int], track: str = "", course: str = "", offset: int, limit: int
) -> list[int]:
    """The slice [offset:offset + limit] of the matches ranked after the first group of
    `groups()`, whose ids the caller holds, every one of them, in ``known``."""
    words = _words(text)
    if not words or limit <= 0:
        return []
    if groups()[1] != ("terms",):
        return ranked_lesson_ids(
            text, track=track, course=course, offset=offset, limit=limit, first_group=1
        )
    # The key-term tier is the title-and-terms ranking without the title tier: one query that
    # matches the head, rather than one that matches it and excludes the title (FTS5 reads the
    # words' whole lists of places for each column filter).
    asked = len(known) + offset + limit
    head = _ranked(words, track, course, tiers=("title", "terms"), offset=0, limit=asked)
    titled = set(known)
    terms = [pk for pk in head if pk not in titled]
    found = terms[offset : offset + limit]
    if len(found) == limit:
        return found
    # Fewer than asked: that was all of the key-term tier; the body tier follows.
    return found + ranked_lesson_ids(
        text,
        track=track,
        course=course,
        offset=max(offset - len(terms), 0),
        limit=limit - len(found),
        first_group=2,
    )


def count_matches(text: str, *, track: str = "", course: str = "", cap: int | None = None) -> int:
    """How many published lessons match every word of ``text``: a count, no ranking.

    With ``cap`` the database stops counting after ``cap`` + 1 matches, so a result above
    ``cap`` only says "more than cap" and costs no more than counting cap + 1 lessons.
    """
    words = _words(text)
    if not words:
        return 0
    return _count(words, track, course, tiers=None, cap=cap)


def _count(
    words: list[str],
    track: str,
    course: str,
    *,
    tiers: tuple[str, ...] | None,
    cap: int | None = None,
) -> int:
    if tiers is None and connection.vendor == "postgresql":
        settled = _count_by_frequencies(words, track, course, cap=cap)
        if settled is not None:
            return settled
    if tiers is None and cap is not None and not words.also and connection.vendor == "sqlite":
        conditions, filter_params = _filters("b", track, course)
        found = bm25.counted(words, conditions, filter_params, cap=cap)
        if found is not None:
            return found
    sql, params = _matches("1", words, track, course, tiers=tiers)
    if cap is not None:
        sql += " LIMIT %s"
        params.append(cap + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)  # noqa: S608 (ours)
        return int(cursor.fetchone()[0])


# PostgreSQL: a count settled from how many lessons match each word of the search on its own
# (its tsquery operand: the word, the last one's prefix with its completions), looked up once
# per content version, operand, filter and process, as the prefixes are (`_lexemes`), with the
# number of published lessons in the filters. The search's tsquery is the AND of its operands
# (an operand the parser finds no lexeme in, a stop word, drops out of it and matches nothing
# on its own), so the lessons matching it are at least every operand's matches but those the
# others miss: sum(matches) - (operands - 1) * lessons. When that passes the cap, the capped
# count is cap + 1 with no statement: two common words, each in nearly every lesson, cost a
# count that read both words' GIN lists whole (about 2,000 entries each on the benchmark's
# catalog) at every search. One operand's matches are the count itself. Otherwise the count
# is counted; a word first seen costs its look-up (a count of its matches, uncapped) once.
_FREQUENCY_SQL = (
    f"SELECT (SELECT COUNT(*) FROM {CARDS} f "  # noqa: S608 (names are ours; values are params)
    f"WHERE f.vector @@ {_MATCHED_TSQUERY} AND f.published {{conditions}}), "
    f"(SELECT COUNT(*) FROM {CARDS} f WHERE f.published {{conditions}})"
)


def _count_by_frequencies(
    words: list[str], track: str, course: str, *, cap: int | None
) -> int | None:
    """The count `_count` would read, from the operands' own matches (see above), or None
    when they do not settle it."""
    operands = _operands(words)
    version = content_version()
    found = [_frequency(version, operand, track, course) for operand in operands]
    matches = [count for count, _ in found]
    if len(operands) == 1:
        return matches[0] if cap is None else min(matches[0], cap + 1)
    at_least = sum(matches) - (len(operands) - 1) * found[0][1]
    return cap + 1 if cap is not None and at_least > cap else None


def _operands(words: list[str]) -> list[str]:
    """The raw tsqueries whose AND (" & ") is `query.tsquery` of ``words``: each word, the
    last as a prefix or any of its completions."""
    last = query.Words(words[-1:])
    last.also = getattr(words, "also", ())
    return [*words[:-1], query.tsquery(last)]


@lru_cache(maxsize=4096)
def _frequency(version: str, operand: str, track: str, course: str) -> tuple[int, int]:
    """How many published lessons in the filters match the raw tsquery ``operand`` in the
    content ``version``, and how many published lessons the filters hold."""
    conditions, filter_params = _filters("f", track, course)
    with connection.cursor() as cursor:
        cursor.execute(
            _FREQUENCY_SQL.format(conditions=conditions), [operand, *filter_params, *filter_params]
        )
        matches, lessons = cursor.fetchone()
    return int(matches), int(lessons)


def _ranked(
    words: query.Words,
    track: str,
    course: str,
    *,
    tiers: tuple[str, ...],
    offset: int,
    limit: int | None,
) -> list[int]:
    if tiers in bm25.HEAD_TIERS and not words.also and connection.vendor == "sqlite":
        conditions, filter_params = _filters("b", track, course)
        found = bm25.ranked_head(
            words, tiers, conditions, filter_params, offset=offset, limit=limit
        )
        if found is not None:
            return found
    if len(words) == 1 and not words.also:
        vendor = connection.vendor
        found = None
        if vendor == "postgresql" and tiers == ("body",):
            found = _ranked_by_word(words[0], track, course, offset=offset, limit=limit)
        elif vendor == "postgresql" and tiers == ("title", "terms") and not (track or course):
            # Unfiltered only: a filtered read visits every row of the word the heads hold
            # (613 scattered rows for "probe") to test the filter, where the statement tests
            # it on the few compact pages of the cards (docs/benchmarks.md, session 16).
            found = _ranked_head_by_word(words[0], track, course, offset=offset, limit=limit)
        elif vendor == "sqlite" and tiers == ("body",):
            conditions, filter_params = _filters("b", track, course)
            found = bm25.ranked(words[0], conditions, filter_params, offset=offset, limit=limit)
        if found is not None:
            return found
    return _ranked_by_statement(words, track, course, tiers=tiers, offset=offset, limit=limit)


def _ranked_by_statement(
    words: list[str],
    track: str,
    course: str,
    *,
    tiers: tuple[str, ...],
    offset: int,
    limit: int | None,
) -> list[int]:
    """`_ranked` by matching and scoring every match of the tiers (`_matches`)."""
    vendor = connection.vendor  # read once: each read is a lookup through Django's proxy
    sql, params = _matches(_ID[vendor], words, track, course, tiers=tiers, ranked=True)
    if vendor == "postgresql":
        # Each tsquery a sub-select, built once: a prepared statement's generic plan would
        # otherwise build it in the sort key once a row.
        order = []
        if len(tiers) > 1:  # the title and key-term tiers: title matches first
            order.append(f"f.head @@ {_MATCHED_TSQUERY} DESC")
            params.append(query.tsquery(words, weight=TITLE_WEIGHT))
        # ts_rank on the card's small head vector, or for the body tier on the whole vector,
        # kept in line in the table the tier reads (`RankingVector`, see `_matches`).
        vector = "f.vector" if "body" in tiers else "f.head"
        order.append(f"ts_rank({vector}, {_MATCHED_TSQUERY}) DESC")
        params.append(query.tsquery(words))
        sql += " ORDER BY " + ", ".join(order)
    else:
        # `rank` is bm25 with the column weights set by migration 0003.
        sql += " ORDER BY rank"
    sql += f", {_CARD[vendor]}.position LIMIT %s OFFSET %s"
    params += [_NO_LIMIT[vendor] if limit is None else limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# PostgreSQL: a one-word search ranked from `RankedWord` when the word's tsquery is one lexeme
# as a prefix and the prefix stands for exactly one word of the rows a tier reads: every word
# of the table for the body tier, the words the heads hold for the head tier (the title and
# key-term tiers, ranked together). Then every vector (or head) matching the prefix holds that
# word and no other word with the prefix, so ts_rank of it for the prefix query is its rank for
# the word (ts_rank's sum over the matched lexemes has one term), the head matches the prefix
# exactly when it holds the word, and the title (weight A) exactly when the word's row says
# so. The order is each tier's statement's, read from an index (body: (word, rank DESC,
# position); head: (word, in_title DESC, head_rank DESC, position) over the rows the head
# holds) rather than scored for every match. No word with the prefix: the tier has no match.
#
# What the prefix stands for (`_lexemes`) is looked up once per content version, word and
# process, as the completions are (`_completions`): resolved in the statement itself it cost
# the server more to plan (a CTE and four index probes, about 0.5 ms a search) than to run.
# The lexeme is read from the tsquery's text ('lexeme':*, a quote doubled and a backslash
# escaped); the words with a prefix are one range of the C-collated indexes, so the first two
# at or after it tell whether there is exactly one.
_LEXEMES_SQL = (
    f"WITH q AS (SELECT {_TSQUERY} AS q), "  # noqa: S608 (names are ours; values are params)
    "p AS (SELECT CASE WHEN numnode(q) = 1 AND left(q::text, 1) = '''' "
    "AND right(q::text, 3) = ''':*' THEN replace(replace(substr(q::text, 2, length(q::text) - 4), "
    r"'''''', ''''), '\\', '\') END AS prefix FROM q), "
    f"f AS (SELECT p.prefix, (SELECT word FROM {RANKED_WORDS} WHERE word >= p.prefix "
    "ORDER BY word LIMIT 1) AS word, "
    f"(SELECT word FROM {RANKED_WORDS} WHERE in_head AND word >= p.prefix "
    "ORDER BY word LIMIT 1) AS head_word FROM p) "
    f"SELECT f.prefix, f.word, (SELECT word FROM {RANKED_WORDS} WHERE word > f.word "
    "ORDER BY word LIMIT 1), f.head_word, "
    f"(SELECT word FROM {RANKED_WORDS} WHERE in_head AND word > f.head_word "
    "ORDER BY word LIMIT 1) FROM f"
)
_BODY_BY_WORD_SQL = (
    f"SELECT f.lesson_id FROM {RANKED_WORDS} f "  # noqa: S608 (names are ours; values are params)
    "WHERE f.word = %s AND f.published AND NOT f.in_head {conditions}"
    "ORDER BY f.rank DESC, f.position LIMIT %s OFFSET %s"
)
_HEAD_BY_WORD_SQL = (
    f"SELECT f.lesson_id FROM {RANKED_WORDS} f "  # noqa: S608 (names are ours; values are params)
    "WHERE f.word = %s AND f.in_head AND f.published {conditions}"
    "ORDER BY f.in_title DESC, f.head_rank DESC, f.position LIMIT %s OFFSET %s"
)
SEVERAL = None  # a prefix standing for more than one word (see `_lexemes`)


@lru_cache(maxsize=4096)
def _lexemes(version: str, word: str) -> tuple[str | None, str | None] | None:
    """What the prefix of a one-word search for ``word`` stands for among the ranked words of
    the content ``version``: (among every word, among the heads' words), each the one word
    with the prefix, "" when there is none, or SEVERAL; None when the word's tsquery is not one
    lexeme as a prefix (a stop word, a word the parser splits)."""
    with connection.cursor() as cursor:
        cursor.execute(_LEXEMES_SQL, [query.tsquery([word])])
        prefix, first, second, head_first, head_second = cursor.fetchone()
    if prefix is None:
        return None
    return _the_one(prefix, first, second), _the_one(prefix, head_first, head_second)


def _the_one(prefix: str, first: str | None, second: str | None) -> str | None:
    """The one word beginning with ``prefix`` of the first two words at or after it, "" when
    neither begins with it, SEVERAL when both do."""
    found = [word for word in (first, second) if word is not None and word.startswith(prefix)]
    return found[0] if len(found) == 1 else ("" if not found else SEVERAL)


def _ranked_by_word(
    word: str, track: str, course: str, *, offset: int, limit: int | None
) -> list[int] | None:
    """The body tier's slice for the one word ``word`` from `RankedWord`, or None when its
    prefix does not stand for exactly one word there or none (see `_lexemes`)."""
    return _read_by_word(_BODY_BY_WORD_SQL, 0, word, track, course, offset=offset, limit=limit)


def _ranked_head_by_word(
    word: str, track: str, course: str, *, offset: int, limit: int | None
) -> list[int] | None:
    """The title and key-term tiers' slice for the one word ``word`` from `RankedWord`, or None
    when its prefix does not stand for exactly one word of the heads or none."""
    return _read_by_word(_HEAD_BY_WORD_SQL, 1, word, track, course, offset=offset, limit=limit)


def _read_by_word(
    sql: str,
    scope: int,
    word: str,
    track: str,
    course: str,
    *,
    offset: int,
    limit: int | None,
) -> list[int] | None:
    resolved = _lexemes(content_version(), word)
    if resolved is None or resolved[scope] is SEVERAL:
        return None
    lexeme = resolved[scope]
    if not lexeme:  # no word with the prefix: nothing of the tier matches it
        return []
    conditions, filter_params = _filters("f", track, course)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(conditions=conditions), [lexeme, *filter_params, limit, offset])
        return [row[0] for row in cursor.fetchall()]


def _matches(
    columns: str,
    words: list[str],
    track: str,
    course: str,
    *,
    tiers: tuple[str, ...] | None = None,
    ranked: bool = False,
) -> tuple[str, list[object]]:
    """SELECT ``columns`` of the published lessons matching ``words``: all of them (tiers None)
    or those of some tiers (`query.TIERS`: one, or the title and key terms together). Aliases:
    f (on PostgreSQL the card, or for a ``ranked`` body tier its `RankingVector`, which has the
    card's columns used here; FTS5's row on SQLite), c (the card on SQLite)."""
    vendor = connection.vendor
    if vendor == "postgresql":
        # The body tier's ranking reads its own table alone (its vectors in line, no join);
        # counting reads the cards, whose rows are small (a count on the vectors' table read
        # some twice the CPU: two rows a page).
        ranked_body = ranked and tiers is not None and "body" in tiers
        source = f"{RANKING_VECTORS if ranked_body else CARDS} f"
        anywhere, in_title = query.tsquery(words), query.tsquery(words, weight=TITLE_WEIGHT)
        if tiers is None:
            match, params = f"f.vector @@ {_MATCHED_TSQUERY}", [anywhere]
        elif tiers == ("title",):
            match, params = f"f.head @@ {_MATCHED_TSQUERY}", [in_title]
        elif tiers == ("title", "terms"):
            match, params = f"f.head @@ {_MATCHED_TSQUERY}", [anywhere]
        elif tiers == ("terms",):
            match = f"f.head @@ {_MATCHED_TSQUERY} AND NOT f.head @@ {_TSQUERY}"
            params = [anywhere, in_title]
        else:
            match = f"f.vector @@ {_MATCHED_TSQUERY} AND NOT coalesce(f.head @@ {_TSQUERY}, false)"
            params = [anywhere, anywhere]
    else:
        source = f"{FTS_TABLE} f JOIN {CARDS} c ON c.lesson_id = f.rowid"
        match, params = f"{FTS_TABLE} MATCH %s", [query.fts5_match(words, tiers=tiers)]
    card = _CARD[vendor]
    conditions, filter_params = _filters(card, track, course)
    sql = (
        f"SELECT {columns} FROM {source} "  # noqa: S608 (names are ours; values are params)
        f"WHERE {match} AND {card}.published {conditions}"
    )
    return sql, params + filter_params


def _filters(alias: str, track: str, course: str) -> tuple[str, list[object]]:
    """The track and course filters on the columns of ``alias`` (a card, or a row with the
    card's columns: `RankingVector`, `RankedWord`) as conditions to follow a WHERE clause,
    each with a trailing space, and their values; nothing for a filter not asked for."""
    conditions, params = "", []
    if track:
        conditions += f"AND {alias}.track = %s "
        params.append(track)
    if course:
        conditions += f"AND {alias}.course_slug = %s "
        params.append(course)
    return conditions, params


# A search's last word completed from the catalog's words as written (`SearchWord`). The
# engines match the last word as a prefix of their *stemmed* terms, and stem the prefix too:
# "probin" stays "probin", while "probing" is indexed as "probe", which "probin" does not
# begin. So the last word also matches, as words in their own right (each engine stems them
# as it stems the lessons' text), the catalog's words that begin with it and that the prefix,
# as the engine stems it, would not find: `query.Words.also`. A complete word ("stable",
# "model") has none (its words' stems all begin with its own), so its query is the prefix
# alone, as before, and on PostgreSQL keeps the one-word ranking by word (`_ranked_by_word`).
# Of the words beginning with the last one, the first COMPLETION_CANDIDATES in byte order are
# looked at and the first COMPLETIONS kept. A word its prefix misses is one the prefix reaches
# past the stem of ("probin" past "prob"), so the prefix is nearly the whole word, and few
# words begin with it; the bound only keeps a one- or two-letter prefix, which thousands of
# words begin with (their stems all do too), from reading them all.
COMPLETIONS = 8
COMPLETION_CANDIDATES = 64
WORDS = SearchWord._meta.db_table
_CANDIDATES_SQL = (
    f"SELECT word FROM {WORDS} WHERE word > %s AND word < %s "  # noqa: S608 (our names)
    "ORDER BY word LIMIT %s"
)
# PostgreSQL: the engine says itself which candidates the prefix misses, exactly: those whose
# own vector (as a lesson holding the word has it) the prefix's tsquery does not match. A stop
# word ("their", "then") has an empty vector: it would match nothing and take a place. The same
# statement says whether the prefix is itself a stop word (see `_words`).
_COMPLETIONS_SQL = (
    f"SELECT length(to_tsvector('{CONFIG}'::regconfig, %s)) = 0, ARRAY("  # noqa: S608 (ours)
    f"SELECT c.word FROM ({_CANDIDATES_SQL}) c "
    f"WHERE length(to_tsvector('{CONFIG}'::regconfig, c.word)) > 0 "
    f"AND NOT to_tsvector('{CONFIG}'::regconfig, c.word) @@ {_TSQUERY} "
    "ORDER BY c.word LIMIT %s)"
)
# SQLite: FTS5 says itself which candidates the prefix misses, exactly, in a scratch table of
# its own in memory with the search table's tokenizer (migration 0002): a row per candidate,
# those the prefix's MATCH does not find. (Snowball's "porter" stems as FTS5's tokenizer does
# for most words, not all: "grokking" is "grokk" to it, "grok" to FTS5.)
_SCRATCH_TOKENIZER = bm25.TOKENIZER


def _missed_by_fts5(prefix: str, candidates: list[str]) -> list[str]:
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(
            f"CREATE VIRTUAL TABLE w USING fts5(word, tokenize = '{_SCRATCH_TOKENIZER}')"
        )
        scratch.executemany("INSERT INTO w (rowid, word) VALUES (?, ?)", enumerate(candidates))
        found = scratch.execute("SELECT rowid FROM w WHERE w MATCH ?", [query.fts5_match([prefix])])
        matched = {row[0] for row in found}
    finally:
        scratch.close()
    return [word for i, word in enumerate(candidates) if i not in matched]


def _words(text: str) -> query.Words:
    """The query's words (`query.terms`), the last one's completions in ``also``."""
    words = query.terms(text)
    if words:
        also, dropped = _completions(content_version(), connection.vendor, words[-1])
        # A last word the engine drops from the query (a stop word to PostgreSQL: "the") may
        # be a word typed whole: after other words its completions ("theory") would narrow
        # the search to them, where FTS5, which indexes "the", finds it. Alone, it keeps them,
        # or the search would find nothing.
        words.also = () if dropped and len(words) > 1 else also
    return words


@lru_cache(maxsize=4096)
def _completions(version: str, vendor: str, prefix: str) -> tuple[tuple[str, ...], bool]:
    """The catalog's words beginning with ``prefix`` that the engine's prefix match of it
    misses (see COMPLETIONS), and whether the engine drops ``prefix`` from a query, for the
    content ``version`` (kept in each process per version: the vocabulary changes only with an
    import)."""
    # Every word beginning with the prefix sorts below it followed by the highest code point.
    bounds = [prefix, prefix + "\U0010ffff"]
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            params = [prefix, *bounds, COMPLETION_CANDIDATES, query.tsquery([prefix])]
            cursor.execute(_COMPLETIONS_SQL, [*params, COMPLETIONS])
            dropped, also = cursor.fetchone()
            return tuple(also), dropped
        cursor.execute(_CANDIDATES_SQL, [*bounds, COMPLETION_CANDIDATES])
        candidates = [row[0] for row in cursor.fetchall()]
    return (tuple(_missed_by_fts5(prefix, candidates)[:COMPLETIONS]) if candidates else ()), False
