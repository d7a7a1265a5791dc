"""Each lesson's search card (search.models.SearchCard): what a search filters on and shows,
copied from the lesson and its course by the importer's transaction. Whatever an import changes
about a course or a lesson, the next search shows it, on whichever database the suite runs."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from courses.importer import import_content
from courses.models import Lesson
from search import indexing
from search.models import SearchCard
from tests.factories import migrate_to_latest, write_course, write_reading_lesson

pytestmark = pytest.mark.django_db

lesson = write_reading_lesson


@pytest.fixture
def catalog(content_root):
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms", order=1)
    write_course(content_root, "probes", title="Probes", track="Methods", order=2)
    lesson(content_root, "circuits", "01-wiring.md", title="Wiring circuits")
    lesson(content_root, "circuits", "02-heads.md", title="Induction circuits")
    lesson(content_root, "probes", "01-linear.md", title="Linear probes of circuits")
    import_content(content_root)
    return content_root


def cards(client, **params) -> list[tuple[str, str, str]]:
    """(title, link, meta line) of each result card, in order."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    return re.findall(
        r'<h2 class="card__title"><a href="([^"]+)">([^<]+)</a></h2><p class="meta">([^<]+)</p>',
        response.text,
    )


def assert_cards_match_the_lessons() -> None:
    """Every card says what its lesson and course say now."""
    for card in SearchCard.objects.select_related("lesson__course"):
        lesson, course = card.lesson, card.lesson.course
        assert card.published == (lesson.is_published and course.is_published), lesson.slug
        assert card.position == lesson.catalog_position, lesson.slug
        assert (card.track, card.course_slug, card.course_title) == (
            course.track,
            course.slug,
            course.title,
        )
        assert (card.lesson_slug, card.title, card.minutes) == (
            lesson.slug,
            lesson.title,
            lesson.minutes,
        )


def test_every_imported_lesson_has_a_card_that_matches_it(catalog):
    assert SearchCard.objects.count() == Lesson.objects.count() == 3
    assert_cards_match_the_lessons()


def test_renaming_a_course_or_moving_it_to_another_track_shows_in_its_lessons_cards(
    client, catalog
):
    write_course(catalog, "probes", title="Probing", track="Mechanisms", order=2)
    import_content(catalog)  # the lesson files are unchanged: only course.md was
    found = cards(client, q="linear")
    assert [(title, meta) for _url, title, meta in found] == [
        ("Linear probes of circuits", "Probing · Mechanisms · 30 min")
    ]
    assert len(cards(client, q="circuits", track="Mechanisms")) == 3
    assert cards(client, q="circuits", track="Methods") == []
    assert_cards_match_the_lessons()


def test_a_removed_course_takes_its_lessons_out_of_search(client, catalog):
    for path in sorted((catalog / "probes").iterdir()):
        path.unlink()
    (catalog / "probes").rmdir()
    import_content(catalog)
    assert {title for _url, title, _meta in cards(client, q="circuits")} == {
        "Induction circuits",
        "Wiring circuits",
    }
    assert cards(client, q="linear") == []
    assert cards(client, q="circuits", course="probes") == []
    assert_cards_match_the_lessons()


def test_a_removed_lesson_disappears_and_comes_back_when_restored(client, catalog):
    path = catalog / "circuits/02-heads.md"
    text = path.read_text()
    path.unlink()
    import_content(catalog)
    assert cards(client, q="induction") == []
    path.write_text(text)
    import_content(catalog)
    assert [title for _url, title, _meta in cards(client, q="induction")] == ["Induction circuits"]
    assert_cards_match_the_lessons()


def test_a_course_put_first_renumbers_the_cards_so_ties_keep_catalog_order(client, catalog):
    # The three titles tie for "circuits" only by the catalog order.
    before = [title for _url, title, _meta in cards(client, q="circuits")]
    write_course(catalog, "probes", title="Probes", track="Methods", order=0)
    import_content(catalog)
    assert_cards_match_the_lessons()
    after = [title for _url, title, _meta in cards(client, q="circuits")]
    assert sorted(after) == sorted(before)
    positions = dict(SearchCard.objects.values_list("title", "position"))
    assert positions["Linear probes of circuits"] == 1


def test_a_card_links_to_its_lesson_and_escapes_its_titles(client, content_root):
    write_course(content_root, "a-b", title="Tags <b> & co", track="T & U")
    lesson(content_root, "a-b", "01-x.md", title="Circuits <i>and</i> more")
    import_content(content_root)
    [(url, title, meta)] = cards(client, q="circuits")
    assert url == "/courses/a-b/x/"
    assert client.get(url).status_code == 200
    assert title == "Circuits &lt;i&gt;and&lt;/i&gt; more"
    assert meta.startswith("Tags &lt;b&gt; &amp; co · T &amp; U")


def test_a_re_import_with_nothing_changed_rewrites_no_card(catalog):
    import_content(catalog)
    assert indexing.refresh_cards() == 0


@pytest.mark.django_db(transaction=True)
def test_the_cards_migration_runs_backwards_and_forwards_keeping_the_results(client, catalog):
    before = cards(client, q="circuits")
    executor = MigrationExecutor(connection)
    executor.migrate([("search", "0003_head")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_searchdocument")
        assert cursor.fetchone()[0] == 3
        if connection.vendor == "postgresql":  # the vectors are back on the documents
            cursor.execute("SELECT COUNT(*) FROM search_searchdocument WHERE head IS NOT NULL")
            assert cursor.fetchone()[0] == 3
    migrate_to_latest()
    assert cards(client, q="circuits") == before
    assert_cards_match_the_lessons()
