"""On PostgreSQL the importer writes each course as its worker returns it, inside the one
transaction: a failure after some courses were written still leaves the database as it was.
On SQLite it computes every course first and writes them all afterwards (`COMPUTE_FIRST`), so
the write lock that every learner's write waits for is held for the writing alone."""

from __future__ import annotations

import sqlite3

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from courses import prerender
from courses.importer import COMPUTE_FIRST, ContentInvalid, import_content
from courses.models import Course, Lesson
from courses.prerender import LessonFailed
from courses.signals import lessons_imported
from search.models import SearchCard
from tests.factories import make_tree, write_course, write_file, write_lesson
from tests.test_importer import database_state
from tutor.models import TutorIndex

pytestmark = pytest.mark.django_db


def four_courses(root):
    """Course folders in another order than the catalog's: (black-box, methods, circuits,
    alignment) by `order`, alphabetical on disk."""
    make_tree(root, lessons=2)  # black-box, order 1
    for order, slug in ((2, "methods"), (3, "circuits"), (4, "alignment")):
        write_course(root, slug, title=slug.title(), order=order)
        for number in (1, 2):
            write_lesson(
                root,
                slug,
                f"{number:02d}-{slug}-{number}.md",
                title=f"{slug.title()} {number}",
                extra_front="related: [black-box/lesson-1]\n",
            )


@pytest.fixture
def written_courses():
    """The course of every lesson `lessons_imported` announced, in order."""
    seen: list[str] = []

    def receiver(sender, *, lessons, **kwargs):
        seen.extend(lesson.course.slug for lesson, _ in lessons)

    lessons_imported.connect(receiver, dispatch_uid="test.pipeline")
    yield seen
    lessons_imported.disconnect(dispatch_uid="test.pipeline")


def test_a_lesson_failing_after_other_courses_were_written_changes_nothing(
    content_root, monkeypatch, written_courses
):
    four_courses(content_root)
    import_content(content_root)
    for path in sorted(content_root.glob("*/0*.md")):
        path.write_text(path.read_text().replace("title: ", "title: Renamed "))
    before = database_state()
    index_rows = list(TutorIndex.objects.order_by("pk").values())
    cards = list(SearchCard.objects.order_by("pk").values())
    written_courses.clear()

    def fails_in_the_last_course(source, rendered):
        if source.ref == "alignment/alignment-2":
            raise ValueError("no index for you")
        return None

    monkeypatch.setitem(prerender._PREPARERS, "failing", fails_in_the_last_course)
    with pytest.raises(LessonFailed) as error:
        import_content(content_root, workers=2)
    assert error.value.path.endswith("alignment/02-alignment-2.md")
    if connection.vendor in COMPUTE_FIRST:
        assert written_courses == []  # it failed before the writing began
    else:
        # The courses before it in the catalog were written, then undone.
        assert set(written_courses) == {"black-box", "methods", "circuits"}
    assert database_state() == before
    assert list(TutorIndex.objects.order_by("pk").values()) == index_rows
    assert list(SearchCard.objects.order_by("pk").values()) == cards


def test_a_problem_in_a_later_course_of_a_first_import_writes_nothing(
    content_root, written_courses
):
    four_courses(content_root)
    write_file(content_root / "methods/03-bad.md", "---\ntitle: [broken\n---\n")
    with pytest.raises(ContentInvalid) as error:
        import_content(content_root, workers=2)
    assert [str(problem).split("content/", 1)[1] for problem in error.value.problems] == [
        "methods/03-bad.md:2: malformed YAML front matter: a flow sequence starting here is not"
        " closed (did not find expected ',' or ']')"
    ]
    # Elsewhere the courses before it were written, then undone.
    assert bool(written_courses) == (connection.vendor not in COMPUTE_FIRST)
    assert not Course.objects.exists()
    assert not Lesson.objects.exists()
    assert not TutorIndex.objects.exists()
    assert not SearchCard.objects.exists()


def test_courses_written_as_they_arrive_are_reported_and_numbered_in_the_catalogs_order(
    content_root,
):
    four_courses(content_root)
    report = import_content(content_root, workers=2)
    order = ["black-box", "methods", "circuits", "alignment"]
    lessons = {
        "black-box": ["lesson-1", "lesson-2"],
        **{slug: [f"{slug}-1", f"{slug}-2"] for slug in order[1:]},
    }
    assert report.added == [f"course {slug}" for slug in order] + [
        f"lesson {slug}/{lesson}" for slug in order for lesson in lessons[slug]
    ]
    catalog = Lesson.objects.order_by("catalog_position")
    assert [(lesson.course.slug, lesson.slug) for lesson in catalog] == [
        (slug, lesson) for slug in order for lesson in lessons[slug]
    ]
    assert dict(SearchCard.objects.values_list("lesson_slug", "position")) == dict(
        Lesson.objects.values_list("slug", "catalog_position")
    )
    assert [lesson.slug for lesson in Lesson.objects.get(slug="methods-1").related.all()] == [
        "lesson-1"
    ]
    again = import_content(content_root, workers=2)
    assert not again.changed
    assert again.unchanged == [
        entry
        for slug in order
        for entry in [f"course {slug}", *(f"lesson {slug}/{name}" for name in lessons[slug])]
    ]


def _write_as_another_learner(user_pk: int) -> None:
    """A learner's write on a connection of its own that refuses to wait for a lock (a request
    would wait up to its busy timeout, then fail)."""
    table = get_user_model()._meta.db_table
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(f"UPDATE {table} SET last_name = 'busy' WHERE id = ?", [user_pk])  # noqa: S608
            other.execute("COMMIT")
        finally:
            other.close()
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
            cursor.execute(f"UPDATE {table} SET last_name = 'busy' WHERE id = %s", [user_pk])  # noqa: S608
        other.commit()
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_a_learners_write_while_the_import_computes_does_not_wait_for_it(content_root, monkeypatch):
    """On SQLite the import's transaction (and with it the database's one write lock) starts
    only once every lesson is parsed, rendered and prepared; on PostgreSQL the import locks
    only the rows of courses and lessons."""
    four_courses(content_root)
    learner = get_user_model().objects.create_user("learner", password="x")
    writes: list[str] = []

    def write_while_preparing(source, rendered):
        if not writes:
            _write_as_another_learner(learner.pk)
            writes.append(source.ref)
        return None

    monkeypatch.setitem(prerender._PREPARERS, "learner", write_while_preparing)
    report = import_content(content_root, workers=1)  # preparers run in this process
    assert writes and len(report.added) == 12
    learner.refresh_from_db()
    assert learner.last_name == "busy"
