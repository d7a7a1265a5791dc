"""The catalog, course and lesson pages over real HTTP (Django's test client)."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.content.parser import is_reserved_page_id
from courses.importer import import_content
from tests.factories import make_tree, write_course, write_file, write_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(content_root):
    make_tree(content_root, lessons=3)
    write_course(content_root, "methods", title="Methods Course", track="Methods", order=2)
    write_lesson(
        content_root,
        "methods",
        "01-probing.md",
        title="Probing",
        extra_front="related: [black-box/lesson-1]\n",
    )
    import_content(content_root)
    return content_root


def test_catalog_groups_courses_by_track_with_counts_and_minutes(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Foundations") < html.index("Methods")
    assert "Inside the Black Box" in html and "Methods Course" in html
    assert "3 lessons · 90 min" in html
    assert "1 lesson · 30 min" in html
    assert "2 courses · 4 lessons in 2 tracks" in html  # the whole catalog
    assert "1 course · 3 lessons" in html  # one track's counts
    assert re.findall(r'<a href="#(track-\d)">([^<]+)</a>', html) == [
        ("track-1", "Foundations"),
        ("track-2", "Methods"),
    ]


def test_counts_are_written_with_thousands_separators():
    from lessons.templatetags.numbers import thousands

    assert (thousands(2116), thousands(46), thousands(1234567)) == ("2,116", "46", "1,234,567")


def test_course_page_continue_link_follows_the_learner(client, catalog):
    from datetime import timedelta

    from django.utils import timezone

    from courses.models import Lesson
    from lessons.models import LessonProgress
    from lessons.services import touch_lesson
    from tests.factories import make_user

    def resume_link() -> str | None:
        html = client.get("/courses/black-box/").content.decode()
        link = r'<p class="course-resume"><a class="button" href="([^"]+)"[^>]*><span>(\w+)'
        match = re.search(link, html)
        return match and f"{match[2]} {match[1]}"

    # Anonymous: the server offers the first lesson (the page script moves it on from the
    # progress this browser keeps).
    assert resume_link() == "Start /courses/black-box/lesson-1/"
    learner = make_user()
    client.force_login(learner)
    assert resume_link() == "Start /courses/black-box/lesson-1/"
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.all()}
    now = timezone.now()
    touch_lesson(learner=learner, lesson=lessons["lesson-2"], at=now)
    assert resume_link() == "Continue /courses/black-box/lesson-2/"

    def mark_complete(*, learner, lesson, at) -> None:  # as the completion rule would
        LessonProgress.objects.update_or_create(
            learner=learner, lesson=lesson, defaults={"completed_at": at, "last_visited_at": at}
        )

    LessonProgress.objects.filter(lesson=lessons["lesson-2"]).update(completed_at=now)
    assert resume_link() == "Continue /courses/black-box/lesson-3/"
    for slug in ("lesson-1", "lesson-3"):
        mark_complete(learner=learner, lesson=lessons[slug], at=now + timedelta(seconds=1))
    assert resume_link() is None


def test_course_page_lists_lessons_in_order(client, catalog):
    response = client.get("/courses/black-box/")
    assert response.status_code == 200
    titles = re.findall(
        r'<h3 class="lesson-list__title"><a href="([^"]+)">([^<]+)</a>', response.content.decode()
    )
    assert titles == [
        ("/courses/black-box/lesson-1/", "Lesson 1"),
        ("/courses/black-box/lesson-2/", "Lesson 2"),
        ("/courses/black-box/lesson-3/", "Lesson 3"),
    ]


def test_lesson_page_shows_every_element_of_the_design(client, catalog):
    response = client.get("/courses/black-box/lesson-2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lesson 2 of 4" in html
    assert '<h1 id="lesson-title">Lesson 2</h1>' in html
    assert "Black boxes with billions of parameters." in html  # summary
    assert 'id="lesson-map"' in html and "You will meet:" in html
    assert "<dt>Sections</dt><dd>2</dd>" in html and "<dt>Quiz</dt><dd>2 questions</dd>" in html
    path = re.search(r'<ol class="learning-path">(.*?)</ol>', html, re.S)[1]
    assert re.findall(r'href="#([^"]+)"', path) == [
        "a-trillion-parameters-of-fog",
        "grown-not-built",
        "key-terms",
        "quiz",
        "tutor",
    ]
    # concept cluster and key terms link to their concept pages
    assert (
        '<li class="chip"><a href="/concepts/interpretability/">interpretability</a></li>' in html
    )
    assert '<h2 id="grown-not-built">' in html
    assert "<table>" in html and '<code class="language-python">' in html
    assert '<dt><a href="/concepts/superposition/">Superposition</a></dt>' in html
    assert "We build faster than we see." in html  # big idea
    assert 'id="quiz"' in html and 'id="quiz-form"' in html
    assert "Ask anything about this lesson" in html and 'id="tutor-form"' in html
    keep_going = re.search(r'id="keep-going".*?</section>', html, re.S)[0]
    assert "Lesson 1" in keep_going and "Foundations · 30 min" in keep_going
    assert 'rel="prev" href="/courses/black-box/lesson-1/"' in html
    assert 'rel="next" href="/courses/black-box/lesson-3/"' in html


def test_last_lesson_of_a_course_links_into_the_next_course(client, catalog):
    html = client.get("/courses/black-box/lesson-3/").content.decode()
    assert 'rel="next" href="/courses/methods/probing/"' in html
    html = client.get("/courses/methods/probing/").content.decode()
    assert "Lesson 4 of 4" in html and 'rel="next"' not in html


def test_lesson_page_ids_are_unique_and_page_ids_are_reserved(client, catalog):
    html = client.get("/courses/black-box/lesson-2/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    lesson_ids = {"a-trillion-parameters-of-fog", "grown-not-built"}
    page_ids = set(ids) - lesson_ids
    assert {i for i in page_ids if not is_reserved_page_id(i)} == set()


@pytest.mark.parametrize(
    "url",
    ["/courses/nope/", "/courses/black-box/nope/", "/courses/nope/lesson-1/", "/nope/"],
)
def test_unknown_slugs_give_the_site_404_page(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_unpublished_lesson_is_not_found(client, catalog):
    (catalog / "black-box/03-lesson-3.md").unlink()
    import_content(catalog)
    assert client.get("/courses/black-box/lesson-3/").status_code == 404
    assert "Lesson 3 of 3" in client.get("/courses/methods/probing/").content.decode()


def test_lesson_and_catalog_pages_run_a_constant_number_of_queries(client, content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small = (queries("/"), queries("/courses/black-box/"), queries("/courses/black-box/lesson-2/"))
    for number in range(1, 4):
        write_course(content_root, f"extra-{number}", order=number + 1)
        for lesson in range(1, 6):
            write_lesson(
                content_root,
                f"extra-{number}",
                f"0{lesson}-l{lesson}.md",
                extra_front="related: [black-box/lesson-1, black-box/lesson-2]\n",
            )
    path = content_root / "black-box/02-lesson-2.md"
    path.write_text(
        path.read_text().replace(
            "related: [lesson-1]", "related: [lesson-1, extra-1/l1, extra-2/l2, extra-3/l3]"
        )
    )
    import_content(content_root)
    large = (queries("/"), queries("/courses/black-box/"), queries("/courses/black-box/lesson-2/"))
    assert large == small
    assert max(large) <= 12  # a cache miss; cached anonymous lesson pages run none


def test_lesson_images_are_served_and_nothing_else(client, content_root):
    write_course(content_root)
    write_file(content_root / "black-box/images/map.png", b"\x89PNG\r\n\x1a\nfake")
    write_file(content_root / "black-box/notes.txt", "secret")
    write_lesson(content_root, name="01-a.md", body="## Map\n![The map](images/map.png)\n")
    import_content(content_root)
    html = client.get("/courses/black-box/a/").content.decode()
    assert '<img src="/courses/black-box/files/images/map.png" alt="The map">' in html
    response = client.get("/courses/black-box/files/images/map.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get("/courses/black-box/files/notes.txt").status_code == 404
    assert client.get("/courses/black-box/files/01-a.md").status_code == 404
    assert client.get("/courses/black-box/files/../../etc/passwd.png").status_code == 404
    assert client.get("/courses/black-box/files/images/none.png").status_code == 404


def test_static_files_are_served_by_whitenoise(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"prefers-color-scheme: dark" in b"".join(response.streaming_content)


@pytest.mark.parametrize("field", ["title", "summary", "big_idea", "concepts"])
def test_payloads_in_front_matter_fields_are_escaped(client, content_root, field):
    from tests.test_sanitize import PAYLOADS

    write_course(content_root)
    hostile = [p for p in PAYLOADS if "<" in p and len(p) <= 180][:60]  # within the title limit
    for number, payload in enumerate(hostile, start=1):
        value = json.dumps([payload]) if field == "concepts" else json.dumps(payload)
        write_lesson(
            content_root,
            name=f"{number:02d}-l{number}.md",
            extra_front=f"{field}: {value}\n" if field in ("big_idea", "concepts") else "",
            **({field: value} if field in ("title", "summary") else {}),
        )
    import_content(content_root)
    baseline_scripts = None
    for number, payload in enumerate(hostile, start=1):
        html = client.get(f"/courses/black-box/l{number}/").content.decode()
        assert payload not in html, payload
        scripts = html.count("<script")
        baseline_scripts = baseline_scripts or scripts
        assert scripts == baseline_scripts, payload
