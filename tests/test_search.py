"""Search across the catalog, on whichever database the suite runs (SQLite FTS5 by default,
PostgreSQL full-text search under `make test-postgres`): the same behaviour from both."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils.text import Truncator

from courses.importer import import_content
from courses.models import Lesson
from search import engine, page, query
from tests.factories import write_course, write_lesson

pytestmark = pytest.mark.django_db

PLAIN_BODY = """\
## Reading the model
{text}

## Key terms
- **{term}**: {definition}

## Quiz
1. Is this a lesson?
   - [x] Yes
   - [ ] No
   > It is.
"""


def lesson(root, course, name, *, title, text="Models are read here.", term="Lens", **kw):
    body = PLAIN_BODY.format(text=text, term=term, definition="a way of looking.")
    return write_lesson(root, course=course, name=name, title=title, body=body, **kw)


@pytest.fixture
def catalog(content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms", order=1)
    write_course(content_root, "probes", title="Probes", track="Methods", order=2)
    lesson(
        content_root,
        "circuits",
        "01-body.md",
        title="Wiring",
        text="Attention heads form circuits.",
    )
    lesson(content_root, "circuits", "02-title.md", title="Induction circuits")
    lesson(content_root, "circuits", "03-term.md", title="Heads", term="Circuit")
    lesson(
        content_root,
        "probes",
        "01-probe.md",
        title="Linear probes",
        text="A probe reads one circuit.",
    )
    import_content(content_root)
    return content_root


def titles(client, **params) -> list[str]:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', response.text)


def test_title_ranks_above_key_terms_above_body_and_stemming_matches(client, catalog):
    found = titles(client, q="circuit")
    assert found[0] == "Induction circuits"  # the word in the title
    assert found[1] == "Heads"  # in a key term
    assert set(found[2:]) == {"Wiring", "Linear probes"}  # only in the body ("circuits" stems)


def test_filters_by_track_and_course(client, catalog):
    assert titles(client, q="circuit", track="Methods") == ["Linear probes"]
    assert set(titles(client, q="circuit", course="circuits")) == {
        "Induction circuits",
        "Heads",
        "Wiring",
    }
    assert titles(client, q="circuit", course="no-such-course") == []


def test_every_word_must_match_and_the_last_may_be_a_prefix(client, catalog):
    assert titles(client, q="linear prob") == ["Linear probes"]
    assert titles(client, q="attention circ") == ["Wiring"]
    assert titles(client, q="attention zebra") == []


def test_passage_marks_the_match_and_escapes_the_lesson_text(client, content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms")
    text = "A tag like <img src=x onerror=alert(1)> is only text about circuits & more."
    lesson(content_root, "circuits", "01-x.md", title="Escaping", text=f"`{text}`")
    import_content(content_root)
    html = client.get("/search/", {"q": "circuits"}).text
    passage = re.search(r'<p class="search-hit__passage">(.*?)</p>', html, re.S)[1]
    assert "<mark>circuits</mark>" in passage
    assert "<img" not in passage
    assert "&lt;img src=x onerror=alert(1)&gt;" in passage


def test_a_renamed_or_removed_lesson_never_shows_up_stale(client, catalog):
    path = catalog / "circuits/02-title.md"
    path.write_text(path.read_text().replace("Induction circuits", "Induction heads"))
    import_content(catalog)
    assert "Induction circuits" not in titles(client, q="circuit")
    assert titles(client, q="induction") == ["Induction heads"]
    (catalog / "probes/01-probe.md").unlink()
    import_content(catalog)
    assert titles(client, q="linear") == []
    assert "Linear probes" not in titles(client, q="circuit")


def test_results_are_paginated(client, content_root):
    write_course(content_root, "many", title="Many", track="T")
    for number in range(1, 13):
        lesson(
            content_root,
            "many",
            f"{number:02d}-sparse-{number}.md",
            title=f"Sparse lesson {number}",
        )
    import_content(content_root)
    first = client.get("/search/", {"q": "sparse"}).text
    assert "12 lessons match" in first
    assert len(titles(client, q="sparse")) == 10
    assert len(titles(client, q="sparse", page=2)) == 2
    assert len(titles(client, q="sparse", page="not-a-number")) == 10


@pytest.mark.parametrize(
    "text", ['"unbalanced', "AND OR NOT", "(", "NEAR(a b)", "col:term", "a* ^b", "\x00", "é" * 300]
)
def test_any_text_is_a_plain_query_never_an_error(client, catalog, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200


def test_the_header_has_a_search_box_that_works_without_javascript(client, catalog):
    page = client.get("/").text
    assert 'role="search"' in page and 'name="q"' in page
    assert titles(client, q="wiring") == ["Wiring"]


def test_empty_query_shows_the_form_and_no_hits(client, catalog):
    response = client.get("/search/")
    assert response.status_code == 200
    assert "search-hit" not in response.text


def test_the_index_is_written_inside_the_import_transaction(content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms")
    lesson(content_root, "circuits", "01-a.md", title="Steering vectors")
    import_content(content_root)
    assert len(engine.ranked_lesson_ids("steering")) == 1
    assert engine.ranked_lesson_ids("") == []


def many_matching(root, course: str, number: int) -> None:
    write_course(root, course, title=course.title(), track="T")
    for index in range(1, number + 1):
        lesson(root, course, f"{index:03d}-common-{index}.md", title=f"Common lesson {index}")


def search_queries(client, **params) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.caching import forget_content_version
    from search.engine import _completions, _frequency, _lexemes
    from search.page import FRAMES
    from search.services import filter_choices_for

    # Measure the uncached page: every part read from the database.
    cache.clear()
    FRAMES.clear()
    filter_choices_for.cache_clear()
    _completions.cache_clear()  # the last word's completions, one query per content version
    _lexemes.cache_clear()  # PostgreSQL: what a one-word prefix stands for, likewise
    _frequency.cache_clear()  # PostgreSQL: how many lessons each word matches, likewise
    forget_content_version()
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", params).status_code == 200
    return len(captured)


def test_a_search_page_costs_the_same_queries_however_many_lessons_match(client, content_root):
    many_matching(content_root, "small", 3)
    import_content(content_root)
    small = search_queries(client, q="common")
    many_matching(content_root, "large", 45)
    import_content(content_root)
    large = search_queries(client, q="common")
    assert "48 lessons match" in client.get("/search/", {"q": "common"}).text
    assert large == small
    assert search_queries(client, q="common", page=5) == small


def test_pages_follow_the_full_ranking_and_counts_match(client, content_root):
    many_matching(content_root, "large", 25)
    lesson(content_root, "large", "900-titled.md", title="Common ground", term="Common")
    import_content(content_root)
    full = engine.ranked_lesson_ids("common")
    assert len(full) == 26 == engine.count_matches("common")
    assert engine.ranked_lesson_ids("common", offset=10, limit=10) == full[10:20]
    assert engine.ranked_lesson_ids("common", offset=20, limit=10) == full[20:]
    assert engine.count_matches("common", course="nothing-like-it") == 0
    shown = titles(client, q="common") + titles(client, q="common", page=2)
    shown += titles(client, q="common", page=3)
    assert len(shown) == 26 and len(set(shown)) == 26
    assert shown[0] == "Common ground"


def test_a_repeated_search_is_served_from_the_cache_until_the_next_import(client, content_root):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    many_matching(content_root, "large", 12)
    import_content(content_root)
    first = search_queries(client, q="common")
    with CaptureQueriesContext(connection) as captured:
        assert len(titles(client, q="common")) == 10
    assert len(captured) < first
    lesson(content_root, "large", "500-new.md", title="Common newcomer")
    import_content(content_root)
    assert "13 lessons match" in client.get("/search/", {"q": "common"}).text


def test_results_caching_can_be_turned_off_for_measuring(client, content_root, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_CACHE_RESULTS = False
    many_matching(content_root, "large", 12)
    import_content(content_root)
    first = search_queries(client, q="common")
    with CaptureQueriesContext(connection) as captured:
        assert len(titles(client, q="common")) == 10
    ranking = [q["sql"] for q in captured if "search" in q["sql"].lower()]
    assert len(ranking) >= 2 and len(captured) <= first


def test_a_passage_from_a_table_row_reads_as_text_without_pipes(client, content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms")
    table = "| Part | What it does |\n| --- | --- |\n| Gate | keeps the zebra signal |"
    lesson(content_root, "circuits", "01-table.md", title="Tables", text=table)
    import_content(content_root)
    html = client.get("/search/", {"q": "zebra"}).text
    passage = re.search(r'<p class="search-hit__passage">(.*?)</p>', html, re.S)[1]
    assert "|" not in passage
    assert "keeps the <mark>zebra</mark> signal" in passage


def test_table_rows_become_sentences_named_by_their_header():
    text = "Intro line.\nPart | What it does\nGate | keeps the signal\nMask | \nAfter."
    assert query.readable(text) == (
        "Intro line.\nPart: Gate; What it does: keeps the signal.\nPart: Mask.\nAfter."
    )


def test_a_row_under_an_empty_corner_cell_keeps_each_value_under_its_header():
    text = "| Small | Large\nSize | 512 | 34 million"
    assert query.readable(text) == "Size; Small: 512; Large: 34 million."


def test_a_key_term_match_ranks_above_a_body_that_repeats_the_word(client, content_root):
    write_course(content_root, "c", title="C", track="T")
    lesson(content_root, "c", "01-body.md", title="Stripes", text="Zebra zebra zebra. " * 30)
    lesson(content_root, "c", "02-term.md", title="Patterns", term="Zebra")
    import_content(content_root)
    assert titles(client, q="zebra") == ["Patterns", "Stripes"]


def test_a_title_match_ranks_above_a_key_term_match_whatever_the_lengths(client, content_root):
    # bm25 normalises by the whole lesson's length: a long lesson whose title carries the word
    # must still come before a short one that only lists it as a key term.
    write_course(content_root, "c", title="C", track="T")
    long_text = "Minerals form slowly under pressure and heat. " * 120
    lesson(content_root, "c", "01-title.md", title="Quartz basics", text=long_text)
    lesson(content_root, "c", "02-term.md", title="Crystals", term="Quartz", text="Short.")
    for n in range(3, 9):
        lesson(content_root, "c", f"{n:02d}-other-{n}.md", title=f"Other {n}", text="Short.")
    import_content(content_root)
    assert titles(client, q="quartz") == ["Quartz basics", "Crystals"]
    assert titles(client, q="quart") == ["Quartz basics", "Crystals"]


def test_slices_across_the_title_term_and_body_tiers_follow_the_full_ranking(content_root):
    write_course(content_root, "c", title="C", track="T")
    for n in range(1, 8):
        lesson(content_root, "c", f"{n:02d}-head-{n}.md", title=f"Quartz head {n}")
    for n in range(8, 12):
        lesson(content_root, "c", f"{n:02d}-term-{n}.md", title=f"Term {n}", term="Quartz")
    for n in range(12, 20):
        lesson(content_root, "c", f"{n:02d}-body-{n}.md", title=f"Body {n}", text="Quartz here.")
    import_content(content_root)
    full = engine.ranked_lesson_ids("quartz")
    assert len(full) == 19 == engine.count_matches("quartz")
    by_id = dict(Lesson.objects.values_list("pk", "title"))
    assert {by_id[pk] for pk in full[:7]} == {f"Quartz head {n}" for n in range(1, 8)}
    assert {by_id[pk] for pk in full[7:11]} == {f"Term {n}" for n in range(8, 12)}
    for offset in range(0, 20):
        for limit in (1, 3, 5, 10):
            assert (
                engine.ranked_lesson_ids("quartz", offset=offset, limit=limit)
                == full[offset : offset + limit]
            )
    assert engine.count_matches("quartz", cap=10) == 11


def test_past_the_cap_the_page_says_more_than_and_offers_only_the_cap(
    client, content_root, settings
):
    settings.SEARCH_MAX_RESULTS = 12
    many_matching(content_root, "large", 15)
    import_content(content_root)
    page = client.get("/search/", {"q": "common"}).text
    assert "More than 12 lessons match “common”" in page
    assert "page 1 of 2" in page
    assert len(titles(client, q="common", page=2)) == 2
    assert len(titles(client, q="common", page=3)) == 2  # past the end: the last page
    settings.SEARCH_MAX_RESULTS = 15
    assert "15 lessons match “common”" in client.get("/search/", {"q": "common"}).text


def passage_of(client, q: str) -> str:
    html = client.get("/search/", {"q": q}).text
    return re.search(r'<p class="search-hit__passage">(.*?)</p>', html, re.S)[1]


def test_the_passage_holds_the_match_wherever_it_is_in_the_body(client, content_root):
    write_course(content_root, "c", title="C", track="T")
    filler = "Plain words about nothing much at all. " * 12
    text = f"{filler}Alpha is here.\n\n{filler}\n\n{filler}The omega line ends it."
    lesson(content_root, "c", "01-deep.md", title="Deep", text=text)
    import_content(content_root)
    assert "The <mark>omega</mark> line" in passage_of(client, "omega")
    spread = passage_of(client, "alpha omega")  # no one paragraph holds both words
    assert "<mark>Alpha</mark>" in spread or "<mark>omega</mark>" in spread


def page_parts(html: str) -> dict[str, str]:
    """What a search changes on the page: its title, the header's box, the form and results."""
    return {
        "title": re.search(r"<title>(.*?)</title>", html, re.S)[1],
        "header box": re.search(r'<input type="search" id="site-search-q"[^>]*>', html)[0],
        "section": re.search(r'<section class="search-page".*?</section>', html, re.S)[0],
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "circuit"},
        {"q": " <b>\"circuit\"</b> & 'x' ", "track": "Mechanisms"},
        {"q": "circuit", "course": "circuits", "page": "2"},
        {"q": "circuit", "track": "No such track", "course": "<i>"},
        {"q": "zebra"},
    ],
)
def test_anonymous_visitors_get_the_page_signed_in_learners_get(client, catalog, params):
    from tests.factories import make_user

    anonymous = page_parts(client.get("/search/", params).text)
    client.force_login(make_user())
    signed_in = page_parts(client.get("/search/", params).text)
    assert anonymous == signed_in


def test_a_shared_page_shows_each_visitor_only_their_own_search(client, catalog):
    first = client.get("/search/", {"q": "<i>circuit</i>"}).text
    assert "Search: &lt;i&gt;circuit&lt;/i&gt; · Glassbox" in first
    assert 'value="&lt;i&gt;circuit&lt;/i&gt;"' in first
    second = client.get("/search/", {"q": "probe  "}).text
    assert "circuit" not in page_parts(second)["header box"] + page_parts(second)["title"]
    assert "<title>Search: probe · Glassbox</title>" in second
    assert page_parts(second)["header box"].endswith('value="probe  ">')  # as typed
    assert 'id="search-page-q" name="q" value="probe"' in second  # as searched
    assert "<title>Search · Glassbox</title>" in client.get("/search/").text


def test_a_new_import_shows_its_courses_in_the_filters_at_once(client, catalog):
    assert "Sparse coding" not in client.get("/search/", {"q": "circuit"}).text
    write_course(catalog, "sparse", title="Sparse coding", track="Methods", order=3)
    lesson(catalog, "sparse", "01-a.md", title="Dictionaries", text="A circuit again.")
    import_content(catalog)
    html = client.get("/search/", {"q": "circuit"}).text
    assert '<option value="sparse">Sparse coding</option>' in html
    assert "Dictionaries" in titles(client, q="circuit")


def test_only_the_first_anonymous_search_of_a_filter_choice_renders_the_template(client, catalog):
    assert [t.name for t in client.get("/search/", {"q": "circuit"}).templates][:1] == [
        "search/results.html"
    ]
    assert client.get("/search/", {"q": "probe"}).templates == []
    assert client.get("/search/", {"q": "probe", "track": "Methods"}).templates != []


def test_every_page_follows_the_full_ranking_whatever_the_cap(content_root, settings):
    from search.services import RankedMatches

    write_course(content_root, "c", title="C", track="T")
    for n in range(1, 8):
        lesson(content_root, "c", f"{n:02d}-head-{n}.md", title=f"Quartz head {n}")
    for n in range(8, 12):
        lesson(content_root, "c", f"{n:02d}-term-{n}.md", title=f"Term {n}", term="Quartz")
    for n in range(12, 20):
        lesson(content_root, "c", f"{n:02d}-body-{n}.md", title=f"Body {n}", text="Quartz here.")
    import_content(content_root)
    full = engine.ranked_lesson_ids("quartz")
    assert len(full) == 19
    for cap in (3, 6, 7, 8, 10, 11, 12, 15, 19, 40):
        settings.SEARCH_MAX_RESULTS = cap
        shown = min(19, cap)
        matches = RankedMatches("quartz")
        assert (matches.count(), matches.capped) == (shown, 19 > cap)
        assert matches[0:shown] == full[:shown]
        for start in range(shown):
            for stop in (start + 1, start + 5, start + 10):
                stop = min(stop, shown)
                assert RankedMatches("quartz")[start:stop] == full[start:stop]


def ranking_and_counting(client, **params) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", params).status_code == 200
    sql = [query["sql"] for query in captured]
    # Scored by the engine, or read in order from the ranked words (PostgreSQL, one word), or
    # scored with bm25's arithmetic from the terms' rows (SQLite). A count of matches is
    # COUNT(*) (the lower-case counts of SQLite's head ranking are its words' row counts).
    ranking = sum(
        "ts_rank" in s
        or "ORDER BY rank" in s
        or "FROM search_rankedword f " in s
        or "ORDER BY -1.0 * (" in s
        for s in sql
    )
    return ranking, sum("COUNT(*)" in s for s in sql)


def test_a_word_filling_the_head_tier_past_the_cap_is_counted_by_its_ranking(
    client, content_root, settings
):
    settings.SEARCH_CACHE_RESULTS = False
    settings.SEARCH_MAX_RESULTS = 12
    many_matching(content_root, "large", 15)  # "Common" in every title: all in the head tier
    import_content(content_root)
    assert ranking_and_counting(client, q="common") == (1, 0)
    assert ranking_and_counting(client, q="common", page=2) == (1, 0)
    assert "More than 12 lessons match" in client.get("/search/", {"q": "common"}).text
    settings.SEARCH_MAX_RESULTS = 20  # now the head tier may not hold every match: count them
    assert ranking_and_counting(client, q="common") == (1, 1)
    assert "15 lessons match" in client.get("/search/", {"q": "common"}).text


def test_a_page_past_the_first_group_is_counted_by_the_ranking_it_needs(
    client, content_root, settings
):
    from django.db import connection

    from search.models import SearchCard
    from search.services import RankedMatches

    # PostgreSQL ranks the later groups in one statement (the body tier), SQLite in two.
    counts = 0 if connection.vendor == "postgresql" else 1
    settings.SEARCH_CACHE_RESULTS = False
    write_course(content_root, "c", title="C", track="T")
    for n in range(1, 4):  # in the title: the first ranking group on both databases
        lesson(content_root, "c", f"{n:02d}-head-{n}.md", title=f"Quartz head {n}")
    for n in range(4, 20):  # only in the text: a later group
        lesson(content_root, "c", f"{n:02d}-body-{n}.md", title=f"Body {n}", text="Quartz here.")
    import_content(content_root)
    full = engine.ranked_lesson_ids("quartz")
    assert len(full) == 19
    shown = [SearchCard.objects.get(pk=pk).title for pk in full]
    for cap, summary in ((12, "More than 12 lessons match"), (19, "19 lessons match")):
        settings.SEARCH_MAX_RESULTS = cap
        # On PostgreSQL the page ranks the later groups for the cap's worth of matches and
        # counts those: no count of its own, and the same count and cards as counting gives.
        assert ranking_and_counting(client, q="quartz")[1] == counts
        assert summary in client.get("/search/", {"q": "quartz"}).text
        assert titles(client, q="quartz") == shown[:10]
        assert titles(client, q="quartz", page=2) == shown[10:cap]
        assert ranking_and_counting(client, q="quartz", page=2)[1] == counts
        # The page asked for is only a hint: odd ones get the page Paginator shows.
        assert titles(client, q="quartz", page="x") == shown[:10]
        assert titles(client, q="quartz", page=99) == shown[10:cap]
        assert titles(client, q="quartz", page="0") == shown[10:cap]  # (the last)
        # Slices past the cap (never offered) still follow the full ranking.
        matches = RankedMatches("quartz", expected_stop=10)
        assert (matches.count(), matches[0:cap], matches[13:19]) == (cap, full[:cap], full[13:19])


@pytest.mark.parametrize("word", ["probing", "interpretability", "generalization", "grokking"])
def test_every_beginning_of_a_word_as_typed_finds_the_lessons_holding_it(
    client, content_root, word
):
    """Results follow typing: each letter typed keeps the lesson whose text holds the word,
    though the engines index its stem ("probing" as "probe", which "probin" does not begin)."""
    write_course(content_root, "c", title="C", track="T")
    lesson(content_root, "c", "01-x.md", title="Reading", text=f"On {word} the zebra.")
    lesson(content_root, "c", "02-y.md", title=f"Notes on {word}")
    import_content(content_root)
    for typed in (word[:n] for n in range(3, len(word) + 1)):
        assert set(titles(client, q=typed)) == {"Reading", f"Notes on {word}"}, typed
        assert set(titles(client, q=f"zebra {typed}")) == {"Reading"}, typed
        assert engine.count_matches(typed) == 2, typed
    html = client.get("/search/", {"q": word[:-1]}).text
    assert f"<mark>{word}</mark>" in html


def test_a_stop_word_typed_last_does_not_narrow_the_search(client, content_root):
    """After "attention the" the learner may have typed the word "the", or be typing "theory".
    FTS5 indexes "the" and matches it; PostgreSQL indexes no stop word and drops it from the
    query, so the stop word's completions ("theory") must not stand in for it there: the
    search stays as wide as "attention" on both engines."""
    write_course(content_root, "c", title="C", track="T")
    lesson(content_root, "c", "01-a.md", title="Alpha", text="Attention theory.")
    lesson(content_root, "c", "02-b.md", title="Beta", text="Attention moves.")
    lesson(content_root, "c", "03-c.md", title="Gamma", text="Nothing else.")
    import_content(content_root)
    assert sorted(titles(client, q="attention")) == ["Alpha", "Beta"]
    assert sorted(titles(client, q="attention the")) == ["Alpha", "Beta"]
    assert "Alpha" in titles(client, q="attention theo")  # a prefix that is no stop word


def test_only_words_the_prefix_would_miss_complete_the_last_word(content_root):
    """A complete word ("probing", "probe") has no completions, so its query is the prefix
    alone (on PostgreSQL the one-word ranking by word stays open to it); "probin" has the one
    word it begins that the engine's prefix ("probin") misses, and the same on both engines."""
    write_course(content_root, "c", title="C", track="T")
    lesson(content_root, "c", "01-x.md", title="Probes", text="Probing, probed; the probe.")
    import_content(content_root)
    also = {word: engine._words(word).also for word in ("probin", "probi", "probing", "probe")}
    assert also == {"probin": ("probing",), "probi": ("probing",), "probing": (), "probe": ()}
    assert engine._words("prob").also == ()  # probe, probed, probes, probing: all "probe"


def test_the_vocabulary_is_written_with_the_documents_and_stale_words_match_nothing(
    client, catalog
):
    from search.models import SearchWord

    assert {"attention", "circuits", "induction", "probes", "linear"} <= set(
        SearchWord.objects.values_list("word", flat=True)
    )
    (catalog / "probes/01-probe.md").unlink()  # "linear" was only in this lesson
    import_content(catalog)
    assert SearchWord.objects.filter(word="linear").exists()  # stays, harmless:
    assert titles(client, q="linea") == [] and titles(client, q="linear") == []


@pytest.mark.sqlite
def test_the_scratch_table_of_completions_tokenizes_as_the_search_table():
    """The completions' scratch FTS5 table (`engine._missed_by_fts5`) must stem as the search
    table does, or a completion would be a word the engine's prefix already finds, or miss one
    it does not: its tokenizer is the one the search table was created with."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [engine.FTS_TABLE])
        (definition,) = cursor.fetchone()
    assert f"tokenize = '{engine._SCRATCH_TOKENIZER}'" in definition


@pytest.mark.django_db(transaction=True)
def test_the_vocabulary_migration_runs_backwards_and_forwards_keeping_the_results(client, catalog):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from search.models import SearchWord
    from tests.factories import migrate_to_latest

    searches = ("circuit", "circui", "probin", "attention circ", "linea")
    before = [client.get("/search/", {"q": q}).text for q in searches]
    words = sorted(SearchWord.objects.values_list("word", flat=True))
    MigrationExecutor(connection).migrate([("search", "0009_ranked_word")])
    assert "search_searchword" not in connection.introspection.table_names()
    migrate_to_latest()
    engine._completions.cache_clear()
    assert sorted(SearchWord.objects.values_list("word", flat=True)) == words
    assert [client.get("/search/", {"q": q}).text for q in searches] == before


CUT_NOTE = "Only the first 200 characters of your search were used."


def summary_of(html: str) -> str:
    """The count line's text, tags (the clear-filter link) removed."""
    line = re.search(r"<p [^>]*data-search-summary>(.*?)</p>", html, re.S)[1]
    return re.sub(r"<[^>]+>", "", line)


def test_a_query_longer_than_the_limit_is_cut_and_the_page_says_so(client, catalog):
    long = ("circuit " * 30).strip()  # 239 characters, one word
    response = client.get("/search/", {"q": long})
    assert response.status_code == 200
    assert CUT_NOTE in response.text
    assert len(titles(client, q=long)) == 4  # the first 200 characters were searched
    assert CUT_NOTE not in client.get("/search/", {"q": "circuit"}).text
    assert CUT_NOTE not in client.get("/search/", {"q": "circuit" + " " * 300}).text


def test_a_word_the_limit_cuts_through_is_left_out_not_searched_as_a_prefix(client, catalog):
    # 192 characters of "circuit", then "attention" across the 200th: "attentio" as a prefix
    # would narrow the search to the one lesson with "attention"; left out, all four match.
    long = "circuit " * 24 + "attention"
    assert query.cut_to_limit(long) == (("circuit " * 24).strip(), True)
    assert query.cut_to_limit("circuit " * 24 + "circuits") == ("circuit " * 24 + "circuits", False)
    assert query.cut_to_limit("a" * 250) == ("a" * 200, True)  # one word: searched as cut
    assert len(titles(client, q=long)) == 4
    assert CUT_NOTE in client.get("/search/", {"q": long}).text


def test_the_count_line_quotes_a_long_search_shortened(client, catalog):
    # The box above holds the whole search; the sentence names it in a few words.
    long = "circuit " + "with many more words typed after it " * 5
    line = summary_of(client.get("/search/", {"q": long}).text)
    assert "“circuit with many more words" in line
    assert long.strip() not in line
    assert len(line) < 160, line
    assert summary_of(client.get("/search/", {"q": "circuit"}).text) == "4 lessons match “circuit”."


def test_the_search_boxes_take_more_than_the_limit_so_the_page_can_say_it_was_cut(client, catalog):
    # A maxlength would cut a pasted query in the box without a word; the page says it instead.
    html = client.get("/search/", {"q": "circuit"}).text
    assert re.search(r'<input type="search" id="search-page-q"[^>]*>', html)
    assert "maxlength" not in page_parts(html)["header box"]
    assert "maxlength" not in re.search(r'<input type="search" id="search-page-q"[^>]*>', html)[0]


def test_an_absurdly_long_query_is_cut_not_an_error(client, catalog):
    response = client.get("/search/", {"q": "é" * 5000, "track": "x" * 5000})
    assert response.status_code == 200
    assert CUT_NOTE in response.text


def test_a_filtered_count_names_the_filter_and_links_to_every_match(client, catalog):
    html = client.get("/search/", {"q": "circuit", "track": "Mechanisms"}).text
    assert summary_of(html).startswith("3 lessons in the Mechanisms track match “circuit”.")
    assert '<a href="?q=circuit" data-clear-filter>Search all tracks</a>' in html
    html = client.get("/search/", {"q": "circuit", "course": "probes"}).text
    assert summary_of(html).startswith("1 lesson in the course Probes matches “circuit”.")
    assert '<a href="?q=circuit" data-clear-filter>Search all courses</a>' in html
    html = client.get("/search/", {"q": "zebra", "track": "Methods"}).text
    assert summary_of(html).startswith("No lesson in the Methods track matches “zebra”.")
    assert "Search all tracks" in html
    html = client.get("/search/", {"q": "circuit", "track": "Methods", "course": "circuits"}).text
    assert summary_of(html).startswith(
        "No lesson in the course Circuits and the Methods track matches “circuit”."
    )
    assert "Search all courses and tracks" in html
    # The course names its lessons' track already.
    html = client.get("/search/", {"q": "circuit", "track": "Methods", "course": "probes"}).text
    assert summary_of(html).startswith("1 lesson in the course Probes matches “circuit”.")


def test_a_filter_that_is_no_choice_is_named_as_such_and_can_be_cleared(client, catalog):
    html = client.get("/search/", {"q": "circuit", "track": "<No such track>"}).text
    assert summary_of(html).startswith("No lesson matches “circuit” with these filters.")
    assert '<a href="?q=circuit" data-clear-filter>' in html
    assert "<No such track>" not in html


def test_an_unfiltered_count_offers_no_clear_link(client, catalog):
    html = client.get("/search/", {"q": "circuit"}).text
    assert summary_of(html) == "4 lessons match “circuit”."
    assert "data-clear-filter" not in html


def test_a_filter_named_in_the_count_is_escaped(client, content_root):
    # Course titles and track names come from content files: the count line names them.
    payload = '"><img src=x onerror=alert(1)>'
    write_course(content_root, "odd", title=f"Odd {payload}", track=f"T {payload}")
    lesson(content_root, "odd", "01-x.md", title="Circuit walk", text="A circuit.")
    import_content(content_root)
    for params in ({"track": f"T {payload}"}, {"course": "odd"}):
        html = client.get("/search/", {"q": "circuit", **params}).text
        summary = re.search(r"<p class=\"search-summary\"[^>]*>(.*?)</p>", html, re.S)[1]
        assert "&lt;img src=x onerror=alert(1)&gt;" in summary, params
        assert "<img" not in summary, params


@pytest.mark.parametrize(
    "text",
    [
        "probe",
        "sparse  feature",
        " a b c d e f g h ",
        "a b c d e f g h i",
        "x" * 60,
        "x" * 61,
        "naïve café",
        "cafe\u0301 au lait",
        "one two three four five six seven eight nine ten eleven",
        "tab\tand\nnewline",
        "w" * 30 + " " + "v" * 29,
        "w" * 30 + " " + "v" * 30,
    ],
)
def test_the_count_line_quotes_a_search_as_truncator_cuts_it(text):
    expected = Truncator(Truncator(text).words(page.QUOTED_WORDS)).chars(page.QUOTED_CHARS)
    assert page.quoted(text) == expected


@pytest.mark.parametrize("text", ["?!", "!@#$%^&*()", "…", "-- ..."])
def test_a_search_of_only_punctuation_says_it_has_no_words(client, catalog, text):
    """A hint to try fewer or other words is no help when nothing typed was a word."""
    line = unescape(summary_of(client.get("/search/", {"q": text}).text))
    assert line == (
        f"“{text}” has no letters or digits to search for. "
        "Type a word or two: titles and key terms rank first."
    )


def test_a_filtered_search_of_only_punctuation_offers_no_wider_search(client, catalog):
    # Searching every track for no words would find nothing either.
    html = client.get("/search/", {"q": "?!", "track": "Mechanisms"}).text
    assert unescape(summary_of(html)).startswith("“?!” has no letters or digits to search for.")
    assert "data-clear-filter" not in html
