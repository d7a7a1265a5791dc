"""What search does on PostgreSQL only to cost the server less: the cards' GIN indexes hold
every entry after an import (none waiting in a pending list), a search's match is served from
them whatever the planner's statistics say about the words, the results page reads its cards,
passages included, from the card table alone, and the body tier matches and ranks in
`RankingVector` alone (each lesson's vector kept in line, beside a copy of the card's filter
columns and head, rewritten with its card), counting staying on the cards."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from courses.importer import import_content
from courses.models import Lesson
from search import engine, indexing, query
from search.models import RankedWord, RankingVector, SearchCard, SearchDocument
from tests.factories import (
    READING_BODY,
    migrate_to_latest,
    write_course,
    write_lesson,
    write_reading_lesson,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgresql]

lesson = write_reading_lesson


@pytest.fixture
def catalog(content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms", order=1)
    lesson(content_root, "circuits", "01-wiring.md", title="Wiring circuits")
    lesson(content_root, "circuits", "02-heads.md", title="Induction heads", text="Zebra text.")
    import_content(content_root)
    return content_root


def pending_pages(index: str) -> int:
    """Pages of ``index``'s pending list, moved into the index by this call."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        return cursor.fetchone()[0]


NO_PENDING = [0, 0, 0]  # engine.GIN_INDEXES: the cards' two, the body tier's one


def test_an_import_leaves_nothing_in_the_gin_indexes_pending_lists(catalog):
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING
    lesson(catalog, "circuits", "03-more.md", title="More circuits")
    import_content(catalog)  # a later import adding one lesson
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING
    write_course(catalog, "circuits", title="Renamed circuits", track="Mechanisms", order=1)
    import_content(catalog)  # only the cards change (refresh_cards)
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING


@pytest.fixture
def many_cards():
    """Writes ``number`` published cards, every ``every``-th with "model" in its title: here,
    not imported, so the table is as big as a real catalog's in a fraction of the time. Their
    lesson ids match no lesson (the foreign key is checked only at the end of the test's
    transaction), so they are deleted before that."""
    yield write_cards
    RankedWord.objects.filter(lesson_id__gt=FIRST_FAKE_LESSON).delete()
    RankingVector.objects.filter(lesson_id__gt=FIRST_FAKE_LESSON).delete()
    SearchCard.objects.filter(lesson_id__gt=FIRST_FAKE_LESSON).delete()


FIRST_FAKE_LESSON = 1000000


def write_cards(number: int, *, every: int, first: int = 1, text: str = "steady words") -> None:
    """Cards ``first`` to ``first + number - 1`` and their body tier's rows, as an import
    writes them (`search.engine`); the body of each reads ``text`` and a few more words."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_searchcard (lesson_id, published, position, track, course_slug, "
            "course_title, lesson_slug, title, minutes, head, vector, body) "
            "SELECT %s + g, true, g, 'T', 'c', 'C', 'l' || g, t.title, 5, "
            "setweight(to_tsvector('english', t.title), 'A'), "
            "setweight(to_tsvector('english', t.title), 'A') || "
            "setweight(to_tsvector('english', repeat(%s || ' of a lesson ', 40)), 'C'), '' "
            "FROM generate_series(%s::integer, %s::integer) g, "
            "LATERAL (SELECT CASE WHEN g %% %s = 0 THEN 'Reading a model ' || g "
            "ELSE 'Other lesson ' || g END AS title) t",
            [FIRST_FAKE_LESSON, text, first, first + number - 1, every],
        )
        cursor.execute(
            indexing._INSERT_RANKING_VECTORS_SQL  # noqa: S608 (ours)
            + "(SELECT lesson_id FROM search_searchcard "
            "WHERE lesson_id BETWEEN %s AND %s)",
            [FIRST_FAKE_LESSON + first, FIRST_FAKE_LESSON + first + number - 1],
        )
    indexing.rank_words()
    indexing._tidy_indexes()
    engine._lexemes.cache_clear()  # an import would change the content version
    engine._frequency.cache_clear()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchcard")
        cursor.execute("ANALYZE search_rankingvector")
        cursor.execute("ANALYZE search_rankedword")


def plans(run) -> list[str]:
    """The plan PostgreSQL picks for each statement ``run`` sends, run a second time: the
    first reads the content version and the last word's completions, once per version."""
    run()
    with CaptureQueriesContext(connection) as captured:
        run()
    found = []
    with connection.cursor() as cursor:
        for statement in captured:
            cursor.execute(f"EXPLAIN {statement['sql']}")
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


def test_a_common_word_is_matched_through_the_gin_indexes_not_by_reading_every_card(many_cards):
    # A fifth of 2,000 cards carry the word: with the words in view the planner judged reading
    # every card cheaper than the index, and spent two to three times the CPU doing it.
    # (Two words: a one-word search ranks its head tier from the ranked words instead.)
    many_cards(2000, every=5)
    ranking = plans(lambda: engine.ranked_lesson_ids("reading model", limit=101))
    counting = plans(lambda: engine.count_matches("reading mod", cap=100))
    assert len(ranking) == len(counting) == 1
    assert "Bitmap Index Scan on search_card_head_gin" in ranking[0], ranking[0]
    assert "Bitmap Index Scan on search_card_vector_gin" in counting[0], counting[0]
    assert len(engine.ranked_lesson_ids("reading model", limit=1000)) == 400
    assert engine.ranked_lesson_ids("model", limit=1000) == engine._ranked_by_statement(
        ["model"], "", "", tiers=("title", "terms"), offset=0, limit=1000
    )
    assert engine.count_matches("reading mod", cap=100) == 101


def test_the_body_tier_is_matched_and_ranked_in_its_own_table_without_a_join(many_cards):
    # Joined to the matching cards, the vectors cost a primary-key probe per card: more CPU
    # than ranking them. The tier's own GIN index finds them; the cards are not read.
    many_cards(2000, every=5)
    [body] = plans(lambda: engine.ranked_group_ids("steady words", group=1, limit=10))
    assert "Bitmap Index Scan on search_ranking_vector_gin" in body, body
    assert "Join" not in body and "search_searchcard" not in body, body
    # Counting (here a word's own matches, looked up once per content version) reads the cards.
    [counting] = plans(lambda: (engine._frequency.cache_clear(), engine.count_matches("steady")))
    assert "Bitmap Index Scan on search_card_vector_gin" in counting, counting
    assert "search_rankingvector" not in counting, counting
    assert len(engine.ranked_group_ids("steady", group=1)) == 2000
    # "lesson" is in every body and in 1,600 titles ("Other lesson …"): the other 400 are left.
    assert len(engine.ranked_group_ids("lesson", group=1)) == 400


def page_summary(client, text: str) -> str:
    html = client.get("/search/", {"q": text}).text
    return html.split("data-search-summary>", 1)[1].split("</p>", 1)[0]


def test_a_body_tier_count_is_exact_up_to_the_cap(client, many_cards, settings):
    # The page's count of a word found only in lesson text: exact up to the cap, then "more".
    settings.SEARCH_MAX_RESULTS, settings.SEARCH_CACHE_RESULTS = 100, False
    many_cards(99, every=10**6, text="okapi")
    assert page_summary(client, "okapi") == "99 lessons match “okapi”; page 1 of 10."
    many_cards(1, every=10**6, first=100, text="okapi")
    assert page_summary(client, "okapi") == "100 lessons match “okapi”; page 1 of 10."
    assert page_summary(client, "okap") == "100 lessons match “okap”; page 1 of 10."
    many_cards(1, every=10**6, first=101, text="okapi")
    assert page_summary(client, "okapi").startswith("More than 100 lessons match “okapi”")
    assert engine.count_matches("okapi", cap=100) == 101
    assert len(engine.ranked_lesson_ids("okapi")) == 101


def test_the_results_page_reads_cards_and_passages_from_the_card_table_alone(client, catalog):
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/search/", {"q": "zebra"}).text
    assert "<mark>Zebra</mark> text." in html
    assert not [q for q in captured if SearchDocument._meta.db_table in q["sql"]]
    bodies = dict(SearchDocument.objects.values_list("lesson_id", "body"))
    assert dict(SearchCard.objects.values_list("lesson_id", "body")) == bodies
    lesson(catalog, "circuits", "02-heads.md", title="Induction heads", text="Okapi text.")
    import_content(catalog)
    assert "<mark>Okapi</mark> text." in client.get("/search/", {"q": "okapi"}).text
    assert dict(SearchCard.objects.values_list("lesson_id", "body")) == dict(
        SearchDocument.objects.values_list("lesson_id", "body")
    )


def test_the_cards_full_vectors_are_stored_uncompressed(content_root):
    # Ranking the body tier reads the whole vector of each card it ranks: no decompressing.
    write_course(content_root, "c", title="C", track="T", order=1)
    long_text = " ".join(f"word{n}" for n in range(1500))  # a vector of some 10 kB
    lesson(content_root, "c", "01-long.md", title="Long", text=long_text)
    import_content(content_root)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_size(vector), pg_column_compression(vector) FROM search_searchcard"
        )
        [(size, compression)] = cursor.fetchall()
    assert size > 8000 and compression is None


@pytest.mark.django_db(transaction=True)
def test_the_card_body_migration_runs_backwards_and_forwards_keeping_the_page(client, catalog):
    before = client.get("/search/", {"q": "zebra"}).text
    MigrationExecutor(connection).migrate([("search", "0004_cards")])  # before body, storage
    migrate_to_latest()
    assert client.get("/search/", {"q": "zebra"}).text == before
    assert dict(SearchCard.objects.values_list("lesson_id", "body")) == dict(
        SearchDocument.objects.values_list("lesson_id", "body")
    )
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING


def ranking_titles(text: str) -> list[str]:
    titles = dict(SearchCard.objects.values_list("lesson_id", "title"))
    return [titles[pk] for pk in engine.ranked_lesson_ids(text)]


def test_the_body_tier_ranks_by_the_vectors_each_import_writes(catalog):
    # A word in the lessons' text only: ranked by each lesson's in-line vector, which must
    # follow every re-import of the lesson's text (and be the card's vector, exactly).
    lesson(catalog, "circuits", "01-wiring.md", title="Wiring circuits", text="One quokka.")
    lesson(catalog, "circuits", "02-heads.md", title="Induction heads", text="Quokka, quokka.")
    import_content(catalog)
    assert ranking_titles("quokka") == ["Induction heads", "Wiring circuits"]
    lesson(catalog, "circuits", "01-wiring.md", title="Wiring circuits", text="Quokka " * 4)
    lesson(catalog, "circuits", "02-heads.md", title="Induction heads", text="Quokka gone.")
    import_content(catalog)
    assert ranking_titles("quokka") == ["Wiring circuits", "Induction heads"]
    assert_the_body_tier_rows_are_the_cards()


BODY_TIER_COLUMNS = ("lesson_id", "published", "position", "track", "course_slug", "head", "vector")


def assert_the_body_tier_rows_are_the_cards() -> None:
    rows = set(RankingVector.objects.values_list(*BODY_TIER_COLUMNS))
    assert rows == set(SearchCard.objects.values_list(*BODY_TIER_COLUMNS))
    assert len(rows) == SearchCard.objects.count()


def test_the_body_tiers_filter_columns_follow_the_cards(catalog):
    # The body tier filters on its own copies of the card's columns: a course moved to another
    # track, a lesson unpublished or renumbered (`refresh_cards`) must reach them.
    write_course(catalog, "zoo", title="Zoo", track="Animals", order=2)
    lesson(catalog, "zoo", "01-okapi.md", title="Okapis", text="A quokka.")
    lesson(catalog, "zoo", "02-more.md", title="More", text="The quokka.")
    lesson(catalog, "circuits", "01-wiring.md", title="Wiring circuits", text="One quokka.")
    import_content(catalog)
    assert sorted(ranking_titles("quokka")) == ["More", "Okapis", "Wiring circuits"]
    assert engine.ranked_lesson_ids("quokka", track="Mechanisms") == [
        SearchCard.objects.get(title="Wiring circuits").pk
    ]
    write_course(catalog, "zoo", title="Zoo", track="Mechanisms", order=0)  # first, new track
    lesson(
        catalog, "zoo", "02-more.md", title="More", text="The quokka.", extra_front="draft: true\n"
    )
    import_content(catalog)
    assert_the_body_tier_rows_are_the_cards()
    assert sorted(ranking_titles("quokka")) == ["Okapis", "Wiring circuits"]
    titles = dict(SearchCard.objects.values_list("lesson_id", "title"))
    found = engine.ranked_lesson_ids("quokka", track="Mechanisms", course="zoo")
    assert [titles[pk] for pk in found] == ["Okapis"]
    assert engine.ranked_lesson_ids("quokka", track="Animals") == []
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING


@pytest.mark.django_db(transaction=True)
def test_the_body_tier_migration_runs_backwards_and_forwards_keeping_the_results(client, catalog):
    lesson(catalog, "circuits", "01-wiring.md", title="Wiring circuits", text="One quokka.")
    lesson(catalog, "circuits", "02-heads.md", title="Induction heads", text="Quokka, quokka.")
    import_content(catalog)
    before = [client.get("/search/", {"q": q}).text for q in ("quokka", "quok", "wiring")]
    MigrationExecutor(connection).migrate([("search", "0007_ranking_vector")])  # joined to cards
    with connection.cursor() as cursor:
        cursor.execute("SELECT lesson_id, vector FROM search_rankingvector")
        assert len(cursor.fetchall()) == 2
    migrate_to_latest()
    after = [client.get("/search/", {"q": q}).text for q in ("quokka", "quok", "wiring")]
    assert after == before
    assert_the_body_tier_rows_are_the_cards()
    assert [pending_pages(index) for index in engine.GIN_INDEXES] == NO_PENDING


def test_the_ranking_vectors_stay_in_their_tables_pages_unless_too_big_for_one(content_root):
    # Out of line, each ranked vector cost a lookup in the TOAST table's index; one too big
    # for a page still goes there, uncompressed, as on the card.
    write_course(content_root, "c", title="C", track="T", order=1)
    usual_text = " ".join(f"word{n}" for n in range(400))  # some 3 kB, as the bench's are
    lesson(content_root, "c", "01-usual.md", title="Usual", text=usual_text)
    long_text = " ".join(f"word{n}" for n in range(1500))  # a vector of some 10 kB
    lesson(content_root, "c", "02-long.md", title="Long", text=long_text)
    import_content(content_root)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class "
            "WHERE oid = 'search_rankingvector'::regclass"
        )
        [(toast,)] = cursor.fetchall()
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast}")  # noqa: S608
        [(moved_out,)] = cursor.fetchall()
        cursor.execute(
            "SELECT pg_column_size(vector), pg_column_compression(vector) "
            "FROM search_rankingvector ORDER BY 1"
        )
        sizes = cursor.fetchall()
    assert moved_out == 1
    assert [compression for _, compression in sizes] == [None, None]
    assert 2500 < sizes[0][0] < 8000 < sizes[1][0]
    assert sorted(ranking_titles("word")) == ["Long", "Usual"]  # both ranked, body tier


# The body tier ranked by word (`RankedWord`): one row per lexeme of each body tier vector,
# its rank ts_rank for that lexeme alone, kept with the vectors; a one-word search whose
# prefix stands for one word of the table reads its order from there, the same order as the
# statement that scores every match.


def assert_the_ranked_words_are_the_vectors() -> None:
    """Every lexeme of every body tier vector, ranked and matched in the head as ts_rank and
    @@ say for a query of that lexeme (built here by the 'simple' parser, which leaves these
    plain lowercase lexemes as they are), with the vector's filter columns; for a lexeme the
    head holds, also the head's ts_rank for it and whether the title holds it (weight A)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.lesson_id, u.lexeme, ts_rank(r.vector, plainto_tsquery('simple', u.lexeme)), "
            "r.published, r.position, r.track, r.course_slug, "
            "coalesce(r.head @@ plainto_tsquery('simple', u.lexeme), false), "
            "CASE WHEN r.head @@ plainto_tsquery('simple', u.lexeme) "
            "THEN ts_rank(r.head, plainto_tsquery('simple', u.lexeme)) END, "
            "coalesce(r.head @@ to_tsquery('simple', u.lexeme || ':A'), false) "
            "FROM search_rankingvector r, unnest(r.vector) u"
        )
        expected = set(cursor.fetchall())
        cursor.execute(
            "SELECT lesson_id, word, rank, published, position, track, course_slug, in_head, "
            "head_rank, in_title FROM search_rankedword"
        )
        rows = cursor.fetchall()
    assert len(rows) == len(expected) > 0
    assert set(rows) == expected


@pytest.fixture
def zoo(content_root):
    """Lessons sharing words in their titles, key terms and text, in two tracks, one a draft."""
    write_course(content_root, "zoo", title="Zoo", track="Animals", order=1)
    write_course(content_root, "lab", title="Lab", track="Mechanisms", order=2)
    texts = {
        ("zoo", "01-okapi.md", "Okapis"): "A quokka and a zebra. Quokka quokka.",
        ("zoo", "02-zebu.md", "Zebus"): "The zebu, a quokka, zebras and zebras.",
        ("zoo", "03-quokka.md", "Quokkas"): "Quokka zebra.",
        ("lab", "01-wiring.md", "Wiring"): "One quokka, then zebras. " * 3,
        ("lab", "02-heads.md", "Heads"): "Zebu zebu zebu quokka quokka.",
        ("lab", "03-more.md", "More"): "Quokka.",
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
    ("quokka", "Mechanisms", ""),
    ("quokka", "Animals", "zoo"),
    ("zebra", "", "lab"),
]


def by_word_and_by_statement(text: str, track: str, course: str, **slice) -> tuple:
    words = query.terms(text)
    by_word = engine._ranked_by_word(words[0], track, course, **slice)
    by_statement = engine._ranked_by_statement(
        words, track, course, tiers=("body",), offset=slice["offset"], limit=slice["limit"]
    )
    return by_word, by_statement


def assert_one_word_searches_rank_as_the_statement() -> None:
    """Each of SEARCHES ranked by word as by the statement, but "zebu", whose prefix stands
    for two words (zebu, zebus: the Zebus lesson's title) and falls back to the statement."""
    unresolved = set()
    for text, track, course in SEARCHES:
        for offset, limit in ((0, None), (0, 2), (1, 2), (3, 10)):
            by_word, by_statement = by_word_and_by_statement(
                text, track, course, offset=offset, limit=limit
            )
            if by_word is None:
                unresolved.add(text)
            else:
                assert by_word == by_statement, (text, track, course, offset, limit)
    assert unresolved == {"zebu"}


def test_a_one_word_search_ranks_the_body_tier_by_word_in_the_statements_order(zoo):
    assert_the_ranked_words_are_the_vectors()
    assert engine._ranked_by_word("quokka", "", "", offset=0, limit=None)  # resolved
    assert_one_word_searches_rank_as_the_statement()
    # "zeb": zebra and zebu, two words of the table; "the": a stop word; "zzz": no word, so
    # no match, as the statement finds.
    for word in ("zeb", "the", "zzz", "z"):
        by_word = engine._ranked_by_word(word, "", "", offset=0, limit=None)
        assert by_word == ([] if word == "zzz" else None), word
        assert engine.ranked_lesson_ids(word) == engine._ranked_by_statement(
            [word], "", "", tiers=("title", "terms"), offset=0, limit=None
        ) + engine._ranked_by_statement([word], "", "", tiers=("body",), offset=0, limit=None)
    [by_word] = plans(lambda: engine.ranked_group_ids("quokka", group=1, limit=10))
    assert "search_rankingvector" not in by_word, by_word
    with connection.cursor() as cursor:  # bytewise, so a prefix's words are one index range
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'search_rankedword' AND column_name = 'word'"
        )
        assert cursor.fetchall() == [("C",)]


# The head tier (title and key terms, ranked together on PostgreSQL) of a one-word search, read
# by word from the rows whose lexeme the head holds, when its prefix stands for one word of the
# heads: the order of the statement that scores every head matching it.

HEAD_TEXTS = {  # title, key terms: each word in titles and terms of several lessons, weighted
    ("zoo", "01-okapi.md"): ("Okapis and quokkas", ["Quokka", "Zebra"]),
    ("zoo", "02-zebu.md"): ("Zebus", ["Quokka quokka", "Zebu"]),
    ("zoo", "03-quokka.md"): ("Quokkas", ["Okapi"]),
    ("lab", "01-wiring.md"): ("Wiring quokkas to zebras", ["Wire"]),
    ("lab", "02-heads.md"): ("Heads", ["Quokka", "Zebra", "Zebras"]),
    ("lab", "03-more.md"): ("More", ["Okapi"]),
    ("lab", "04-draft.md"): ("Quokka draft", ["Zebra"]),
}


@pytest.fixture
def heads(content_root):
    write_course(content_root, "zoo", title="Zoo", track="Animals", order=1)
    write_course(content_root, "lab", title="Lab", track="Mechanisms", order=2)
    for (course, name), (title, terms) in HEAD_TEXTS.items():
        key_terms = "".join(f"- **{term}**: a word.\n" for term in terms)
        body = READING_BODY.format(text="Text.").replace(
            "## Quiz", f"## Key terms\n{key_terms}\n## Quiz"
        )
        draft = "draft: true\n" if "draft" in name else ""
        write_lesson(
            content_root, course=course, name=name, title=title, body=body, extra_front=draft
        )
    import_content(content_root)
    return content_root


HEAD_SEARCHES = [
    *SEARCHES,
    ("okapi", "", ""),
    ("oka", "Mechanisms", ""),
    ("wire", "", ""),
    ("interpret", "", ""),  # every lesson's concept
    ("heads", "", "lab"),
]


def assert_one_word_head_tiers_rank_as_the_statement(unresolved: set[str]) -> None:
    found = set()
    for text, track, course in HEAD_SEARCHES:
        words = query.terms(text)
        for offset, limit in ((0, None), (0, 2), (1, 2), (3, 10)):
            by_word = engine._ranked_head_by_word(
                words[0], track, course, offset=offset, limit=limit
            )
            by_statement = engine._ranked_by_statement(
                words, track, course, tiers=("title", "terms"), offset=offset, limit=limit
            )
            if by_word is None:
                found.add(text)
            else:
                assert by_word == by_statement, (text, track, course, offset, limit)
    assert found == unresolved


def test_a_one_word_search_ranks_the_head_tier_by_word_in_the_statements_order(heads):
    assert_the_ranked_words_are_the_vectors()
    # Titles before key terms, then by the head's rank: the statement's order, read by word.
    assert engine._ranked_head_by_word("quokka", "", "", offset=0, limit=None) == [
        Lesson.objects.get(slug=slug).pk for slug in ("okapi", "quokka", "wiring", "zebu", "heads")
    ]
    # "zebu" stands for two words of the heads (zebu, zebus; "zebras" is zebra): the
    # statement ranks it.
    assert_one_word_head_tiers_rank_as_the_statement({"zebu"})
    assert engine._ranked_head_by_word("zzz", "", "", offset=0, limit=None) == []
    assert engine._ranked_head_by_word("the", "", "", offset=0, limit=None) is None
    assert RankedWord.objects.filter(in_title=True).exists()
    assert RankedWord.objects.filter(in_head=True, in_title=False).exists()


def test_an_unfiltered_one_word_search_reads_only_the_ranked_words_to_rank(client, heads, settings):
    settings.SEARCH_CACHE_RESULTS = False
    client.get("/search/", {"q": "quokka"})  # the content version and the prefix, looked up
    client.get("/search/", {"q": "text"})
    by_word = "SELECT f.lesson_id FROM search_rankedword f WHERE f.word = "
    # "quokka": its head tier and (five matches, fewer than a page) its body tier, each read by
    # word; "text" is in no head: no head tier statement, only the body tier's.
    for word, head_statements, statements in (("quokka", 1, 2), ("text", 0, 1)):
        with CaptureQueriesContext(connection) as captured:
            client.get("/search/", {"q": word})
        ranking = [q["sql"] for q in captured if "search_searchcard c" not in q["sql"]]
        assert all(sql.startswith(by_word) for sql in ranking), ranking
        assert (
            len([sql for sql in ranking if "f.in_head AND f.published" in sql]) == head_statements
        )
        assert len(ranking) == statements, ranking
    # Filtered, the head tier is the statement's on the cards (the body tier's still by word).
    with CaptureQueriesContext(connection) as captured:
        client.get("/search/", {"q": "quokka", "track": "Animals"})
    ranking = [q["sql"] for q in captured if "search_searchcard c" not in q["sql"]]
    assert [sql.startswith(by_word) for sql in ranking] == [False, True], ranking
    assert "FROM search_searchcard f" in ranking[0]


def test_a_new_import_giving_a_prefix_a_second_word_ranks_by_the_statement_again(heads):
    assert engine._ranked_head_by_word("okap", "", "", offset=0, limit=None) is not None
    lesson(heads, "zoo", "05-okapia.md", title="Okapia", text="Okapia okapi.")
    import_content(heads)  # a new content version: its prefix is looked up again
    assert engine._ranked_head_by_word("okap", "", "", offset=0, limit=None) is None
    assert engine._ranked_by_word("okap", "", "", offset=0, limit=None) is None
    okapia = Lesson.objects.get(slug="okapia").pk
    assert okapia in engine.ranked_group_ids("okap", group=0)
    assert_one_word_head_tiers_rank_as_the_statement({"zebu", "oka", "okapi"})


@pytest.mark.django_db(transaction=True)
def test_the_head_tier_migration_runs_backwards_and_forwards_keeping_the_results(client, heads):
    searches = ("quokka", "quok", "okapi", "zebra", "wire", "text")
    before = [client.get("/search/", {"q": q}).text for q in searches]
    columns = ("lesson_id", "word", "rank", "in_head", "head_rank", "in_title")
    rows = sorted(RankedWord.objects.values_list(*columns))
    MigrationExecutor(connection).migrate([("search", "0011_body_term")])
    migrate_to_latest()
    assert sorted(RankedWord.objects.values_list(*columns)) == rows
    assert_the_ranked_word_indexes_are_the_migrations()
    assert [client.get("/search/", {"q": q}).text for q in searches] == before


def test_the_ranked_words_follow_imports_refreshes_and_deleted_lessons(zoo):
    lesson(zoo, "zoo", "01-okapi.md", title="Okapis", text="No more of it. Zebra.")  # re-import
    lesson(zoo, "lab", "03-more.md", title="More", text="Quokka " * 9)
    import_content(zoo)
    assert_the_ranked_words_are_the_vectors()
    assert_one_word_searches_rank_as_the_statement()
    write_course(zoo, "zoo", title="Zoo", track="Mechanisms", order=0)  # first, new track
    lesson(zoo, "lab", "02-heads.md", title="Heads", text="Z.", extra_front="draft: true\n")
    import_content(zoo)  # refresh_cards: track, positions, one lesson unpublished
    assert_the_ranked_words_are_the_vectors()
    assert_one_word_searches_rank_as_the_statement()
    assert RankedWord.objects.filter(published=False).exists()
    gone = Lesson.objects.get(slug="wiring")
    gone.delete()
    assert not RankedWord.objects.filter(lesson_id=gone.pk).exists()
    assert_the_ranked_words_are_the_vectors()
    assert_one_word_searches_rank_as_the_statement()


def test_a_lexeme_is_quoted_for_its_own_tsquery(db):
    # Lexemes written by other parsers may hold a quote or a backslash: each one's query must
    # be that lexeme alone.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.lexeme, numnode(q.q), ts_rank(v.v, q.q) > 0.01 "  # noqa: S608
            "FROM (SELECT $$'it''s':1 'back\\\\slash':2,3 'plain':4 'a''''\\\\b':5$$::tsvector "
            "AS v) v, "
            f"unnest(v.v) u, LATERAL (SELECT {indexing.LEXEME_TSQUERY_SQL} AS q) q"
        )
        rows = cursor.fetchall()
    assert sorted(rows) == sorted(
        [("it's", 1, True), ("back\\slash", 1, True), ("plain", 1, True), ("a''\\b", 1, True)]
    )


@pytest.mark.django_db(transaction=True)
def test_the_ranked_word_migration_runs_backwards_and_forwards_keeping_the_results(client, zoo):
    searches = ("quokka", "quok", "zebra", "zeb", "zebu")
    before = [client.get("/search/", {"q": q}).text for q in searches]
    rows = sorted(RankedWord.objects.values_list("lesson_id", "word", "rank", "in_head"))
    MigrationExecutor(connection).migrate([("search", "0008_ranking_vector_alone")])
    assert "search_rankedword" not in connection.introspection.table_names()
    migrate_to_latest()
    assert sorted(RankedWord.objects.values_list("lesson_id", "word", "rank", "in_head")) == rows
    assert_the_ranked_words_are_the_vectors()
    assert [client.get("/search/", {"q": q}).text for q in searches] == before


# How an import writes the ranking by word: once, at its end (`indexing.rank_words`), the rows of
# the lessons it wrote; into an empty table (a cold import) or one most of whose lessons it
# rewrote, with the indexes dropped and built again after the rows, as the migration made them.

MIGRATED_INDEXES = [  # search.0009: the primary key (lesson, word) and the ranking's index;
    # search.0012: the head tier's, over the rows whose lexeme the head holds
    (
        "search_rankedword_head",
        "CREATE INDEX search_rankedword_head ON public.search_rankedword "
        'USING btree (word, in_title DESC, head_rank DESC, "position") WHERE in_head',
        None,
        None,
    ),
    (
        "search_rankedword_pkey",
        "CREATE UNIQUE INDEX search_rankedword_pkey ON public.search_rankedword "
        "USING btree (lesson_id, word)",
        "search_rankedword_pkey",
        "PRIMARY KEY (lesson_id, word)",
    ),
    (
        "search_rankedword_rank",
        "CREATE INDEX search_rankedword_rank ON public.search_rankedword "
        'USING btree (word, rank DESC, "position")',
        None,
        None,
    ),
]


def assert_the_ranked_word_indexes_are_the_migrations() -> None:
    """The three indexes there, as migrations 0009 and 0012 declare them, valid and ready (a
    search may use them), the word column still C-collated."""
    with connection.cursor() as cursor:
        cursor.execute(indexing._INDEXES_SQL, ["search_rankedword"])
        assert cursor.fetchall() == MIGRATED_INDEXES
        cursor.execute(
            "SELECT indisvalid, indisready, indislive FROM pg_index "
            "WHERE indrelid = 'search_rankedword'::regclass"
        )
        assert cursor.fetchall() == [(True, True, True)] * 3
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'search_rankedword' AND column_name = 'word'"
        )
        assert cursor.fetchall() == [("C",)]
    assert [index.name for index in RankedWord._meta.indexes] == [
        "search_rankedword_rank",
        "search_rankedword_head",
    ]


def ranked_word_statements(captured) -> list[str]:
    """The statements of an import that wrote or rebuilt the ranking by word, abridged."""
    found = []
    for statement in captured:
        sql = statement["sql"]
        if sql.startswith("INSERT INTO search_rankedword"):
            found.append("INSERT")
        elif sql.startswith("DELETE FROM search_rankedword"):
            found.append("DELETE")
        elif ("INDEX" in sql or "CONSTRAINT" in sql) and "search_rankedword" in sql:
            found.append(" ".join(sql.replace("public.", "").replace('"', "").split()[:3]))
    return found


def row_places() -> dict[int, set]:
    """Each lesson's ranking-by-word rows by where they lie in the table: a row rewritten
    moves."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT lesson_id, ctid::text FROM search_rankedword")
        places: dict[int, set] = {}
        for lesson_id, ctid in cursor.fetchall():
            places.setdefault(lesson_id, set()).add(ctid)
    return places


def test_a_cold_import_writes_the_ranked_words_once_then_builds_their_indexes(content_root):
    assert_the_ranked_word_indexes_are_the_migrations()  # the empty, migrated table
    write_course(content_root, "zoo", title="Zoo", track="Animals", order=1)
    write_course(content_root, "lab", title="Lab", track="Mechanisms", order=2)
    for course in ("zoo", "lab"):
        for number in range(1, 4):
            lesson(
                content_root,
                course,
                f"0{number}-{course}{number}.md",
                title=f"L{number}",
                text="Quokka.",
            )
    with CaptureQueriesContext(connection) as captured:
        import_content(content_root)
    # Two courses written one after the other, the rows of all six lessons in one statement.
    assert ranked_word_statements(captured) == [
        "DELETE",
        "DELETE",
        "DROP INDEX search_rankedword_head",
        "ALTER TABLE search_rankedword",  # DROP CONSTRAINT search_rankedword_pkey
        "DROP INDEX search_rankedword_rank",
        "INSERT",
        "CREATE INDEX search_rankedword_head",
        "ALTER TABLE search_rankedword",  # ADD CONSTRAINT search_rankedword_pkey …
        "CREATE INDEX search_rankedword_rank",
    ]
    assert_the_ranked_word_indexes_are_the_migrations()
    assert_the_ranked_words_are_the_vectors()
    assert len(row_places()) == Lesson.objects.count() == 6
    assert len(engine.ranked_lesson_ids("quokka")) == 6
    assert engine._ranked_by_word("quokka", "", "", offset=0, limit=None) is not None


def test_a_re_import_rewrites_only_the_changed_lessons_ranked_words_through_the_indexes(zoo):
    before = row_places()
    changed = Lesson.objects.get(slug="okapi").pk
    lesson(zoo, "zoo", "01-okapi.md", title="Okapis", text="Only a zebra now.")
    with CaptureQueriesContext(connection) as captured:
        import_content(zoo)
    assert ranked_word_statements(captured) == ["DELETE", "INSERT"]  # no index dropped
    after = row_places()
    assert after[changed] != before[changed]
    assert {pk: places for pk, places in after.items() if pk != changed} == {
        pk: places for pk, places in before.items() if pk != changed
    }
    assert_the_ranked_word_indexes_are_the_migrations()
    assert_the_ranked_words_are_the_vectors()
    assert_one_word_searches_rank_as_the_statement()
    with CaptureQueriesContext(connection) as captured:
        import_content(zoo)  # nothing changed
    assert ranked_word_statements(captured) == []
    assert row_places() == after


def test_an_import_rewriting_most_lessons_builds_the_indexes_again(zoo):
    # Five of the seven lessons change: more than half.
    texts = {
        ("zoo", "01-okapi.md", "Okapis"): "Zebra zebra.",
        ("zoo", "02-zebu.md", "Zebus"): "Quokka quokka zebu.",
        ("zoo", "03-quokka.md", "Quokkas"): "A zebra and a quokka.",
        ("lab", "01-wiring.md", "Wiring"): "Zebras only.",
        ("lab", "02-heads.md", "Heads"): "Quokka.",
    }
    for (course, name, title), text in texts.items():
        lesson(zoo, course, name, title=title, text=text)
    with CaptureQueriesContext(connection) as captured:
        import_content(zoo)
    assert ranked_word_statements(captured) == [
        "DELETE",
        "DELETE",
        "DROP INDEX search_rankedword_head",
        "ALTER TABLE search_rankedword",
        "DROP INDEX search_rankedword_rank",
        "INSERT",
        "CREATE INDEX search_rankedword_head",
        "ALTER TABLE search_rankedword",
        "CREATE INDEX search_rankedword_rank",
    ]
    assert_the_ranked_word_indexes_are_the_migrations()
    assert_the_ranked_words_are_the_vectors()
    assert_one_word_searches_rank_as_the_statement()
    gone = Lesson.objects.get(slug="quokka")
    gone.delete()
    assert not RankedWord.objects.filter(lesson_id=gone.pk).exists()
    assert_the_ranked_words_are_the_vectors()


def test_an_import_failing_at_its_end_leaves_the_ranked_words_and_indexes_as_they_were(
    content_root,
):
    from courses.signals import catalog_changed

    def fail(sender, **kwargs):
        raise RuntimeError("the import's last step failed")

    write_course(content_root, "zoo", title="Zoo", track="Animals", order=1)
    lesson(content_root, "zoo", "01-okapi.md", title="Okapis", text="A quokka.")
    catalog_changed.connect(fail, dispatch_uid="test.fail")  # after search's receiver
    try:
        with pytest.raises(RuntimeError):
            import_content(content_root)  # cold: the indexes were dropped and built again
    finally:
        catalog_changed.disconnect(dispatch_uid="test.fail")
    assert not RankedWord.objects.exists() and not RankingVector.objects.exists()
    assert_the_ranked_word_indexes_are_the_migrations()
    import_content(content_root)
    assert_the_ranked_word_indexes_are_the_migrations()
    assert_the_ranked_words_are_the_vectors()


def test_a_complete_word_or_a_prefix_of_its_stem_keeps_the_ranking_by_word(zoo):
    # Their words' stems all begin with the prefix's own: nothing to complete, so the one-word
    # ranking by word still serves them (engine._completions).
    for text, _track, _course in SEARCHES:
        assert engine._words(text).also == (), text
    [by_word] = plans(lambda: engine.ranked_group_ids("zebra", group=1, limit=10))
    assert "search_rankedword" in by_word and "search_rankingvector" not in by_word, by_word


def test_completions_leave_out_words_postgresql_does_not_index(content_root):
    # Stop words ("their", "them", "then"...) are in no vector: as completions they would match
    # nothing and take the places of words that do ("theory").
    write_course(content_root, "c", title="C", track="T", order=1)
    text = "Their theme: then there these theories, and theory for them."
    lesson(content_root, "c", "01-a.md", title="A", text=text)
    import_content(content_root)
    also = engine._words("the").also
    assert "theory" in also or "theories" in also, also
    assert not {"their", "them", "then", "there", "these"} & set(also), also


# A capped count settled from how many lessons match each word of the search on its own
# (`engine._count_by_frequencies`): the count statement's figure, with no statement when the
# words' own matches leave no other answer.


def counted(text: str, track: str = "", course: str = "", cap: int | None = None) -> int:
    """The count as the count statement reads it."""
    sql, params = engine._matches("1", engine._words(text), track, course)
    if cap is not None:
        sql += " LIMIT %s"
        params.append(cap + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS matches", params)  # noqa: S608 (ours)
        return cursor.fetchone()[0]


def counting_statements(run) -> list[str]:
    """The statements ``run`` sends that count matches, run a second time (the first looks the
    words up, once per content version)."""
    run()
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured if "COUNT(*)" in q["sql"]]


def test_a_capped_count_of_common_words_is_settled_without_counting(client, many_cards, settings):
    settings.SEARCH_MAX_RESULTS, settings.SEARCH_CACHE_RESULTS = 100, False
    # "reading model" in every body and in 60 titles ("Reading a model …"), "other" in 240.
    many_cards(300, every=5, text="reading model")
    assert engine.count_matches("reading model", cap=100) == counted("reading model", cap=100)
    assert engine.count_matches("reading model", cap=100) == 101
    assert counting_statements(lambda: engine.count_matches("reading model", cap=100)) == []
    assert counting_statements(lambda: engine.count_matches("reading mod", cap=100)) == []
    # "reading" in all 300, a word beginning "17" in 11 titles: their numbers settle nothing.
    assert engine.count_matches("reading 17", cap=100) == counted("reading 17") == 11
    assert len(counting_statements(lambda: engine.count_matches("reading 17", cap=100))) == 1
    # "other", a stop word, leaves the query and matches nothing on its own.
    assert engine.count_matches("other 17", cap=100) == counted("other 17") == 11
    # One word: its own matches are the count.
    assert engine.count_matches("lesson", cap=100) == counted("lesson", cap=100) == 101
    assert engine.count_matches("lesson") == counted("lesson") == 300
    assert engine.count_matches("17", cap=100) == counted("17") == 11
    assert counting_statements(lambda: engine.count_matches("lesson", cap=100)) == []
    # The page, which the 60 title matches fill: every page offered as the count has it.
    for page in ("1", "2", "10"):
        html = client.get("/search/", {"q": "reading model", "page": page}).text
        assert "More than 100 lessons match “reading model”" in html, page
        assert f"page {page} of 10" in html, page
    assert page_summary(client, "reading 17") == "11 lessons match “reading 17”; page 1 of 2."


COUNTED = [  # on the zoo: seven lessons (one a draft), words shared in titles and text
    ("quokka zebra", "", ""),
    ("quokka zeb", "", ""),
    ("zebra quokka", "Mechanisms", ""),
    ("quokka zebra", "", "zoo"),
    ("quokka zebra zebu", "", ""),
    ("the quokka", "", ""),  # a stop word: out of the query, matching nothing on its own
    ("quokka the", "", ""),
    ("quokka quokkas", "", ""),  # one lexeme twice
    ("zebras zebu", "Animals", "zoo"),
    ("quokka okapi", "", ""),
    ("quokka", "", ""),
    ("quok", "Mechanisms", ""),
    ("zzz quokka", "", ""),
]


def assert_counts_are_the_statements() -> None:
    for text, track, course in COUNTED:
        for cap in (0, 1, 2, 3, 4, 5, 100, None):
            expected = counted(text, track, course, cap)
            assert engine.count_matches(text, track=track, course=course, cap=cap) == expected, (
                text,
                track,
                course,
                cap,
            )


def test_counts_settled_by_the_words_matches_are_the_statements_counts(zoo):
    assert_counts_are_the_statements()
    # Every lesson holds "quokka" and most "zebra": a cap of 2 is settled without counting.
    assert counting_statements(lambda: engine.count_matches("quokka zebra", cap=2)) == []


def test_settled_counts_follow_a_re_import(zoo):
    assert_counts_are_the_statements()
    assert engine.count_matches("quokka zebra", cap=2) == 3
    for name in ("01-okapi.md", "02-zebu.md", "03-quokka.md"):  # renamed: zebra gone
        (zoo / "zoo" / name).unlink()
        lesson(zoo, "zoo", name.replace(".md", "-new.md"), title="Renamed", text="Quokka.")
    lesson(zoo, "lab", "01-wiring.md", title="Wiring", text="Quokka only.")
    import_content(zoo)  # a new content version: every word looked up again
    assert counted("quokka zebra") == 0
    assert engine.count_matches("quokka zebra", cap=2) == 0
    assert_counts_are_the_statements()
    (zoo / "lab" / "03-more.md").unlink()  # removed
    import_content(zoo)
    assert_counts_are_the_statements()


def test_a_prepared_ranking_statement_builds_each_tsquery_once(client, catalog, settings):
    # A prepared statement's generic plan evaluates a function of its parameters where it
    # stands: in the sort key, once a row; in a sub-select, once (an InitPlan).
    settings.SEARCH_CACHE_RESULTS = False
    for _ in range(settings.PG_PREPARE_THRESHOLD + 1):
        assert "Wiring circuits" in client.get("/search/", {"q": "wiring circuits"}).text
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        ranking = [row[0] for row in cursor.fetchall() if "ts_rank(f.head" in row[0]]
    assert ranking
    for statement in ranking:
        assert statement.count("to_tsquery(") == statement.count("(SELECT to_tsquery("), statement
