"""SQLite: the body tier of a one-word search ranked from `BodyTerm` (search/bm25.py) in the
order FTS5's bm25 gives it, to the bit, and the rows kept with every import."""

from __future__ import annotations

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.importer import import_content
from search import bm25, engine, query
from tests.factories import write_course
from tests.test_search import lesson

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def zoo(content_root):
    """Lessons sharing words in their titles, key terms and text, of several lengths (two with
    the same text, so the same score: catalog order decides), in two tracks, one a draft."""
    write_course(content_root, "zoo", title="Zoo", track="Animals", order=1)
    write_course(content_root, "lab", title="Lab", track="Mechanisms", order=2)
    texts = {
        ("zoo", "01-okapi.md", "Okapis"): "A quokka and a zebra. Quokka quokka.",
        ("zoo", "02-zebu.md", "Zebus"): "The zebu, a quokka, zebras and zebras.",
        ("zoo", "03-quokka.md", "Quokkas"): "Quokka zebra.",
        ("zoo", "05-same.md", "Same"): "One quokka, then zebras.",
        ("lab", "01-wiring.md", "Wiring"): "One quokka, then zebras. " * 3,
        ("lab", "02-heads.md", "Heads"): "Zebu zebu zebu quokka quokka stable_state.",
        ("lab", "03-more.md", "More"): "Quokka.",
        ("lab", "04-again.md", "Again"): "One quokka, then zebras.",
    }
    for (course, name, title), text in texts.items():
        lesson(content_root, course, name, title=title, text=text)
    lesson(content_root, "zoo", "04-draft.md", title="Draft", text="Quokka quokka quokka.")
    import_content(content_root)
    return content_root


SEARCHES = [
    ("quokka", "", ""),
    ("quok", "", ""),
    ("zebra", "", ""),
    ("zebr", "", ""),
    ("zebu", "", ""),
    ("read", "", ""),
    ("quokka", "Mechanisms", ""),
    ("quokka", "Animals", "zoo"),
    ("zebra", "", "lab"),
]


def by_term(text: str, track: str, course: str, *, offset: int, limit: int | None):
    conditions, params = engine._filters("b", track, course)
    return bm25.ranked(text, conditions, params, offset=offset, limit=limit)


def by_statement(text: str, track: str, course: str, *, offset: int, limit: int | None):
    words = query.terms(text)
    return engine._ranked_by_statement(
        words, track, course, tiers=("body",), offset=offset, limit=limit
    )


def assert_one_word_searches_rank_as_fts5() -> None:
    for text, track, course in SEARCHES:
        for offset, limit in ((0, None), (0, 2), (1, 2), (3, 10)):
            found = by_term(text, track, course, offset=offset, limit=limit)
            assert found is not None, text
            assert found == by_statement(text, track, course, offset=offset, limit=limit), (
                text,
                track,
                course,
                offset,
                limit,
            )


def assert_the_scores_are_fts5s(word: str) -> None:
    """The statement's score of every body-tier match equals FTS5's rank of it, float for
    float, not only in order."""
    (term,) = [bm25.fts5_token(word)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH %s",
            [query.fts5_match([word], tiers=("body",))],
        )
        expected = dict(cursor.fetchall())
        # FTS5's own count of the rows holding the term, from its vocabulary table.
        cursor.execute("SELECT doc FROM search_fts_terms WHERE term = %s", [term])
        ((holding,),) = cursor.fetchall()
        cursor.execute(bm25._AVERAGES_SQL)
        rows, *lengths = bm25.varints(cursor.fetchone()[0])
    idf = math.log((rows - holding + 0.5) / (holding + 0.5))
    idf = idf if idf > 0.0 else bm25.MIN_IDF
    avgdl = float(sum(lengths)) / float(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lesson_id, -1.0 * (%s * ((hits * %s) / (hits + %s * (%s + %s * tokens / %s)))) "
            "FROM search_bodyterm WHERE term = %s",
            [idf, bm25.K1 + 1.0, bm25.K1, 1 - bm25.B, bm25.B, avgdl, term],
        )
        computed = dict(cursor.fetchall())
    assert computed == expected
    assert len(expected) > 2


def test_a_one_word_search_ranks_the_body_tier_by_term_in_fts5s_order(zoo):
    assert_one_word_searches_rank_as_fts5()
    for word in ("quokka", "zebra", "read"):
        assert_the_scores_are_fts5s(word)
    # "stable_state" is two tokens to FTS5, "ze" begins two terms (zebra, zebu): FTS5 ranks
    # those; "zzz" begins none: nothing matches.
    for word in ("stable_state", "ze"):
        assert by_term(word, "", "", offset=0, limit=None) is None, word
        assert engine.ranked_lesson_ids(word) == engine._ranked_by_statement(
            query.terms(word), "", "", tiers=("title",), offset=0, limit=None
        ) + engine._ranked_by_statement(
            query.terms(word), "", "", tiers=("terms",), offset=0, limit=None
        ) + by_statement(word, "", "", offset=0, limit=None)
    assert by_term("zzz", "", "", offset=0, limit=None) == []
    with CaptureQueriesContext(connection) as statements:
        engine.ranked_group_ids("quokka", group=2, limit=10)
    ranking = statements.captured_queries[-1]["sql"]
    assert "search_bodyterm" in ranking and "MATCH" not in ranking, ranking


def test_every_import_keeps_the_rows_with_the_index_and_the_cards(zoo):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, lesson_id, hits FROM search_bodyterm WHERE lesson_id IN "
            "(SELECT id FROM lessons_lesson WHERE slug = 'more')"
        )
        before = cursor.fetchall()
    # One lesson's text changes, another's title takes the word into its head, a third leaves.
    lesson(zoo, "lab", "03-more.md", title="More", text="Quokka, quokka and a quokka.")
    lesson(zoo, "zoo", "01-okapi.md", title="Okapi quokkas", text="A quokka and a zebra.")
    (zoo / "lab" / "01-wiring.md").unlink()
    import_content(zoo)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, lesson_id, hits FROM search_bodyterm WHERE lesson_id IN "
            "(SELECT id FROM lessons_lesson WHERE slug = 'more')"
        )
        after = cursor.fetchall()
    assert before != after and ("quokka", after[0][1], 3) in after
    assert_one_word_searches_rank_as_fts5()
    assert_the_scores_are_fts5s("quokka")
    titles = engine.ranked_lesson_ids("quokka")
    assert len(titles) == len(set(titles))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_bodyterm b JOIN search_searchcard c "
            "ON c.lesson_id = b.lesson_id WHERE b.published <> c.published "
            "OR b.position IS NOT c.position OR b.track <> c.track "
            "OR b.course_slug <> c.course_slug"
        )
        assert cursor.fetchone()[0] == 0


def test_the_rows_are_every_body_term_the_head_lacks(zoo):
    """Each lesson's rows: the terms FTS5 indexed in its body and not in its title or key
    terms, each with how often the body holds it, and the lesson's length in tokens."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sz FROM search_fts_docsize")
        lengths = {pk: sum(bm25.varints(size)) for pk, size in cursor.fetchall()}
        cursor.execute("SELECT term, doc, col FROM search_fts_places")
        places = cursor.fetchall()
        cursor.execute("SELECT term, lesson_id, hits, tokens FROM search_bodyterm")
        rows = set(cursor.fetchall())
    body: dict[tuple[str, int], int] = {}
    head = set()
    for term, doc, column in places:
        if column == "body":
            body[term, doc] = body.get((term, doc), 0) + 1
        else:
            head.add((term, doc))
    expected = {
        (term, doc, hits, lengths[doc])
        for (term, doc), hits in body.items()
        if (term, doc) not in head
    }
    assert rows == expected and len(rows) > 20
    assert bm25.varints(bytes([0x81, 0x00, 0x05])) == [128, 5]


# Searches whose head tiers (the title; the title and key terms) `HeadTerm` ranks: one word, a
# prefix, two words (the second a prefix), with filters.
HEAD_SEARCHES = [
    ("quokka", "", ""),
    ("quok", "", ""),
    ("zebu", "", ""),
    ("len", "", ""),
    ("quokka lens", "", ""),
    ("lens quokk", "", ""),
    ("zebus lens", "Animals", ""),
    ("quokka", "Mechanisms", ""),
    ("lens", "Animals", "zoo"),
    ("okapi quokka", "", ""),
]
HEAD_TIERS = (("title",), ("title", "terms"))


def head_by_term(text: str, tiers, track: str, course: str, *, offset: int, limit: int | None):
    conditions, params = engine._filters("b", track, course)
    return bm25.ranked_head(
        query.terms(text), tiers, conditions, params, offset=offset, limit=limit
    )


def assert_head_searches_rank_as_fts5() -> None:
    for text, track, course in HEAD_SEARCHES:
        for tiers in HEAD_TIERS:
            for offset, limit in ((0, None), (0, 2), (1, 2), (3, 10)):
                found = head_by_term(text, tiers, track, course, offset=offset, limit=limit)
                expected = engine._ranked_by_statement(
                    query.terms(text), track, course, tiers=tiers, offset=offset, limit=limit
                )
                assert found == expected, (text, tiers, track, course, offset, limit)


def assert_the_head_scores_are_fts5s(text: str) -> None:
    """bm25 of every head match, from `HeadTerm`'s rows as `bm25.ranked_head` computes it, is
    FTS5's rank of it, float for float, in each head tier."""
    terms = [bm25.fts5_token(word) for word in query.terms(text)]
    with connection.cursor() as cursor:
        cursor.execute(bm25._AVERAGES_SQL)
        rows, *lengths = bm25.varints(cursor.fetchone()[0])
        cursor.execute(
            "SELECT term, lesson_id, title_hits, terms_hits, tokens FROM search_headterm"
        )
        heads = {(term, pk): (title, key, tokens) for term, pk, title, key, tokens in cursor}
    avgdl = float(sum(lengths)) / float(rows)
    (terms[-1],) = {term for term, _ in heads if term.startswith(terms[-1])}  # its prefix's
    for tiers, weights in ((("title",), (10.0, 0.0)), (("title", "terms"), (10.0, 4.0))):
        hits = {
            term: {
                pk: weights[0] * title + weights[1] * key
                for (held, pk), (title, key, _) in heads.items()
                if held == term and weights[0] * title + weights[1] * key > 0
            }
            for term in terms
        }
        computed = {}
        for pk in set.intersection(*(set(hits[term]) for term in terms)):
            score = 0.0
            for term in terms:
                idf = math.log((rows - len(hits[term]) + 0.5) / (len(hits[term]) + 0.5))
                idf = idf if idf > 0.0 else bm25.MIN_IDF
                freq, tokens = hits[term][pk], heads[term, pk][2]
                score += idf * (
                    (freq * (bm25.K1 + 1.0))
                    / (freq + bm25.K1 * (1 - bm25.B + bm25.B * tokens / avgdl))
                )
            computed[pk] = -1.0 * score
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, rank FROM search_fts WHERE search_fts MATCH %s",
                [query.fts5_match(query.terms(text), tiers=tiers)],
            )
            assert computed == dict(cursor.fetchall()), (text, tiers)
        assert computed or tiers == ("title",), (text, tiers)


def test_the_head_tiers_rank_from_head_terms_in_fts5s_order(zoo):
    assert_head_searches_rank_as_fts5()
    for text in ("quokka", "quokka lens", "lens quokk"):
        assert_the_head_scores_are_fts5s(text)
    with CaptureQueriesContext(connection) as statements:
        engine.ranked_group_ids("lens quokk", group=0, limit=10)
    ranking = statements.captured_queries[-1]["sql"]
    assert "search_headterm" in ranking and "MATCH" not in ranking, ranking
    # No term of the heads begins with "zzz": nothing matches. "stable_state" is two tokens to
    # FTS5, which ranks it.
    assert head_by_term("zzz", ("title",), "", "", offset=0, limit=None) == []
    assert head_by_term("quokka zzz", ("title",), "", "", offset=0, limit=None) == []
    assert head_by_term("stable_state", ("title",), "", "", offset=0, limit=None) is None


def test_a_prefix_beginning_two_terms_of_the_heads_is_ranked_by_fts5(zoo):
    lesson(zoo, "zoo", "06-crossing.md", title="Zebra crossings", text="Quokka.")
    import_content(zoo)
    for tiers in HEAD_TIERS:  # "ze": zebra and zebu
        assert head_by_term("ze", tiers, "", "", offset=0, limit=None) is None
        assert head_by_term("quokka ze", tiers, "", "", offset=0, limit=None) is None
    assert engine.ranked_lesson_ids("ze") == [
        pk
        for tiers in query.TIERS
        for pk in engine._ranked_by_statement(
            query.terms("ze"), "", "", tiers=(tiers,), offset=0, limit=None
        )
    ]


def test_every_import_keeps_the_head_rows_with_the_index_and_the_cards(zoo):
    lesson(zoo, "lab", "03-more.md", title="More quokkas", text="Quokka, quokka and a quokka.")
    lesson(zoo, "zoo", "01-okapi.md", title="Okapi quokkas", text="A quokka and a zebra.")
    (zoo / "lab" / "01-wiring.md").unlink()
    write_course(zoo, "lab", title="Lab", track="Animals", order=2)  # the course moves track
    import_content(zoo)
    assert_head_searches_rank_as_fts5()
    for text in ("quokka", "okapi quokka"):  # now the title of one lesson
        assert_the_head_scores_are_fts5s(text)
    assert head_by_term("okapi quokka", ("title",), "", "", offset=0, limit=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sz FROM search_fts_docsize")
        lengths = {pk: sum(bm25.varints(size)) for pk, size in cursor.fetchall()}
        cursor.execute("SELECT term, doc, col FROM search_fts_places WHERE col <> 'body'")
        places = cursor.fetchall()
        cursor.execute(
            "SELECT term, lesson_id, title_hits, terms_hits, tokens FROM search_headterm"
        )
        rows = set(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM search_headterm h JOIN search_searchcard c "
            "ON c.lesson_id = h.lesson_id WHERE h.published <> c.published "
            "OR h.position IS NOT c.position OR h.track <> c.track "
            "OR h.course_slug <> c.course_slug"
        )
        assert cursor.fetchone()[0] == 0
    counted: dict[tuple[str, int], list[int]] = {}
    for term, doc, column in places:
        counts = counted.setdefault((term, doc), [0, 0])
        counts[column == "terms"] += 1
    assert rows == {(t, d, title, key, lengths[d]) for (t, d), (title, key) in counted.items()}
    assert any(term == "quokka" and title for term, _, title, _, _ in rows)


def counted_by_fts5(text: str, track: str, course: str, cap: int) -> int:
    sql, params = engine._matches("1", query.terms(text), track, course)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT %s)", [*params, cap + 1])  # noqa: S608
        return cursor.fetchone()[0]


def assert_the_counts_are_fts5s() -> None:
    for text, track, course in [*SEARCHES, *HEAD_SEARCHES, ("zebra quokk", "", "zoo")]:
        for cap in (1, 3, 100):
            conditions, params = engine._filters("b", track, course)
            found = bm25.counted(query.terms(text), conditions, params, cap=cap)
            assert found == counted_by_fts5(text, track, course, cap), (text, track, course, cap)


def test_a_search_is_counted_from_the_terms_rows_as_fts5_counts_it(zoo):
    assert_the_counts_are_fts5s()
    assert bm25.counted(["zzz"], "", [], cap=5) == 0
    assert bm25.counted(["quokka", "zzz"], "", [], cap=5) == 0
    assert bm25.counted(["stable_state"], "", [], cap=5) is None
    with CaptureQueriesContext(connection) as statements:
        count = engine.count_matches("quokka zebr", cap=100)
    assert count == counted_by_fts5("quokka zebr", "", "", 100) > 0
    assert "MATCH" not in statements.captured_queries[-1]["sql"]
    # A lesson rewritten, one leaving, a course moving track; a second term beginning "ze".
    lesson(zoo, "lab", "03-more.md", title="More", text="Zebra, quokka and a quokka.")
    (zoo / "lab" / "01-wiring.md").unlink()
    write_course(zoo, "lab", title="Lab", track="Animals", order=2)
    lesson(zoo, "zoo", "06-crossing.md", title="Crossings", text="Zebra crossings.")
    import_content(zoo)
    assert_the_counts_are_fts5s()
    assert bm25.counted(["quokka", "ze"], "", [], cap=5) is None  # zebra and zebu
