"""Progress on the server: sync, completion, re-import safety, concurrency, privacy."""

from __future__ import annotations

import json
import re
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.importer import import_content
from courses.models import Lesson
from lessons.models import LessonProgress
from quizzes.models import Attempt
from quizzes.services import option_value, read_token
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.django_db

SECTIONS = ["a-trillion-parameters-of-fog", "grown-not-built"]


@pytest.fixture
def catalog(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    return content_root


@pytest.fixture
def learner(client):
    user = make_user()
    client.force_login(user)
    return user


LONG_AGO = "2026-01-01T00:00:00Z"


def sync(client: Client, payload, **extra):
    """Sends a payload as the browser would. A lesson entry without a start began long ago, so
    the server finds its reading times plausible (tests below check the implausible case)."""
    if isinstance(payload, dict):
        payload = json.loads(json.dumps(payload))
        for entry in payload.get("lessons", {}).values():
            if isinstance(entry, dict):
                entry.setdefault("started_at", LONG_AGO)
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post("/progress/sync/", body, content_type="application/json", **extra)


def progress_of(user, slug: str = "lesson-1") -> LessonProgress:
    return LessonProgress.objects.get(learner=user, lesson__slug=slug)


def test_sync_merges_and_returns_the_server_state(client, catalog, learner):
    response = sync(
        client,
        {
            "lessons": {
                "black-box/lesson-1": {
                    "sections_read": [SECTIONS[0]],
                    "started_at": "2026-01-02T09:00:00Z",
                }
            }
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] is True
    state = body["lessons"]["black-box/lesson-1"]
    assert state["sections_read"] == [SECTIONS[0]]
    assert state["started_at"].startswith("2026-01-02T09:00:00")
    assert state["completed_at"] is None


def test_sync_is_idempotent_and_order_independent(catalog):
    first = {
        "lessons": {
            "black-box/lesson-1": {
                "sections_read": [SECTIONS[0]],
                "started_at": "2026-01-03T00:00:00Z",
            }
        }
    }
    second = {
        "lessons": {
            "black-box/lesson-1": {
                "sections_read": [SECTIONS[1]],
                "started_at": "2026-01-01T00:00:00Z",
            }
        }
    }
    results = []
    for order in ([first, second, second], [second, first, first]):
        user = make_user(f"u{len(results)}")
        client = Client()
        client.force_login(user)
        for payload in order:
            sync(client, payload)
        row = progress_of(user)
        results.append((sorted(row.sections_read), row.started_at, row.completed_at is not None))
    assert results[0] == results[1]
    assert results[0][0] == sorted(SECTIONS) and results[0][2] is True  # all read: complete
    assert sync(client, second).json()["changed"] is False


def test_reading_every_section_completes_the_lesson(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}})
    assert progress_of(learner).completed_at is not None


def correct_answers(lesson: Lesson, right: int, seed: str) -> dict[str, list[str]]:
    """Answers with the first `right` questions right and the rest wrong, as the form's opaque
    option values for the attempt whose token carries ``seed``."""
    answers = {}
    for index, question in enumerate(lesson.questions.current()):
        options = question.options.all()
        chosen = [option_value(seed, o.pk) for o in options if o.is_correct == (index < right)]
        answers[f"q{question.pk}"] = chosen[:1] if not question.is_multiple else chosen
    return answers


def submit_quiz(browser: Client, right: int):
    lesson = Lesson.objects.get(slug="lesson-1")
    html = browser.get("/courses/black-box/lesson-1/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    answers = correct_answers(lesson, right, read_token(token).seed)
    return browser.post("/courses/black-box/lesson-1/quiz/", {"token": token, **answers})


def test_the_lesson_page_states_the_rule(client, catalog):
    html = client.get("/courses/black-box/lesson-1/").content.decode()
    assert "Complete by reading every section or scoring 2/2 in the quiz." in html


def test_passing_the_quiz_completes_the_lesson_without_javascript(client, catalog, learner):
    submit_quiz(client, right=1)  # 1/2 is below the default 70%
    assert progress_of(learner).completed_at is None
    submit_quiz(client, right=2)
    assert progress_of(learner).completed_at is not None
    html = client.get("/courses/black-box/lesson-1/").content.decode()
    assert "You completed this lesson on" in html
    assert "1 of 2 lessons in Inside the Black Box complete" in html


def test_sections_reported_faster_than_they_can_be_read_are_not_counted(client, catalog, learner):
    client.get("/courses/black-box/lesson-1/")  # the visit starts the lesson now
    started = progress_of(learner).started_at.isoformat()
    lesson = {"sections_read": SECTIONS, "started_at": started}
    body = sync(client, {"lessons": {"black-box/lesson-1": lesson}}).json()
    assert body["lessons"]["black-box/lesson-1"]["sections_read"] == []
    row = progress_of(learner)
    assert row.sections_read == [] and row.completed_at is None


def test_the_browser_cannot_declare_a_lesson_complete(client, catalog, learner):
    claim = {"sections_read": [SECTIONS[0]], "completed_at": "2026-01-02T00:00:00Z"}
    sync(client, {"lessons": {"black-box/lesson-1": claim}})
    assert progress_of(learner).completed_at is None


@pytest.mark.parametrize(
    ("rule", "read", "right", "complete"),
    [
        ("read", True, 0, True),
        ("read", False, 2, False),
        ("quiz", True, 0, False),
        ("quiz", False, 2, True),
        ("read-and-quiz", True, 1, False),
        ("read-and-quiz", True, 2, True),
        ("read-or-quiz", False, 2, True),
    ],
)
def test_the_course_rule_decides_completion(
    client, content_root, learner, rule, read, right, complete
):
    make_tree(content_root, lessons=1)
    course_md = content_root / "black-box" / "course.md"
    course_md.write_text(course_md.read_text().replace("---\n", f"---\ncompletion: {rule}\n", 1))
    import_content(content_root)
    if right:
        submit_quiz(client, right=right)
    if read:
        sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}})
    assert (progress_of(learner).completed_at is not None) is complete


def test_a_passing_anonymous_attempt_completes_the_lesson_in_the_new_account(catalog):
    browser = Client()
    receipt = anonymous_receipt(browser, Lesson.objects.get(slug="lesson-1"))
    user = make_user()
    browser.force_login(user)
    state = sync(browser, {"attempts": [receipt]}).json()["lessons"]["black-box/lesson-1"]
    assert state["completed_at"] is not None


def test_progress_shows_on_catalog_course_and_lesson_pages(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}})
    assert 'value="50"' in client.get("/").content.decode()
    course = client.get("/courses/black-box/").content.decode()
    assert 'value="50"' in course and "1 of 2 complete" in course and "· Complete" in course
    lesson = client.get("/courses/black-box/lesson-2/").content.decode()
    assert 'value="50"' in lesson


def test_visiting_a_lesson_starts_it(client, catalog, learner):
    client.get("/courses/black-box/lesson-2/")
    row = progress_of(learner, "lesson-2")
    assert row.started_at is not None and row.last_visited_at is not None


def writes_during(action) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        action()
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_a_repeat_visit_writes_nothing_and_the_page_still_shows_the_progress(
    client, catalog, learner
):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}})
    client.get("/courses/black-box/lesson-1/")
    visited = progress_of(learner).last_visited_at
    page = {}
    assert writes_during(lambda: page.update(html=client.get("/courses/black-box/lesson-1/"))) == []
    html = page["html"].content.decode()
    assert html.count('class="is-read"') == len(SECTIONS)
    assert "You completed this lesson on" in html
    assert "1 of 2 lessons in Inside the Black Box complete" in html
    assert progress_of(learner).last_visited_at == visited


def test_a_visit_moves_last_visited_forward_once_the_last_one_is_minutes_old(
    client, catalog, learner
):
    from lessons.services import VISIT_REFRESH

    client.get("/courses/black-box/lesson-1/")
    earlier = progress_of(learner).last_visited_at - VISIT_REFRESH
    LessonProgress.objects.filter(learner=learner).update(last_visited_at=earlier)
    assert writes_during(lambda: client.get("/courses/black-box/lesson-1/"))
    assert progress_of(learner).last_visited_at > earlier + VISIT_REFRESH


def test_going_back_to_a_lesson_still_makes_it_the_last_visited(client, catalog, learner):
    """What the course page's Continue link follows, however quickly the learner moves."""
    for slug in ("lesson-1", "lesson-2", "lesson-1"):
        client.get(f"/courses/black-box/{slug}/")
    assert progress_of(learner, "lesson-1").last_visited_at > (
        progress_of(learner, "lesson-2").last_visited_at
    )
    course = client.get("/courses/black-box/").content.decode()
    assert 'href="/courses/black-box/lesson-1/"><span>Continue' in course


def test_a_visit_starts_a_lesson_whose_progress_began_elsewhere(client, catalog, learner):
    """A row made by a sync without a start (bulk_create) is started by the next visit."""
    LessonProgress.objects.create(learner=learner, lesson=Lesson.objects.get(slug="lesson-1"))
    client.get("/courses/black-box/lesson-1/")
    row = progress_of(learner)
    assert row.started_at is not None and row.last_visited_at is not None


def test_my_learning_lists_courses_with_a_resume_link(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[0]]}}})
    html = client.get("/learning/").content.decode()
    assert "Inside the Black Box" in html and "0 of 2 lessons complete" in html
    assert 'href="/courses/black-box/lesson-1/#grown-not-built">Resume: Lesson 1' in html


def test_my_learning_resumes_the_lesson_the_course_page_continues(client, catalog, learner):
    """A learner who skipped to lesson 2 is sent back to it from both pages, not to lesson 1."""
    client.get("/courses/black-box/lesson-2/")
    sync(client, {"lessons": {"black-box/lesson-2": {"sections_read": [SECTIONS[0]]}}})
    course = client.get("/courses/black-box/").content.decode()
    assert 'href="/courses/black-box/lesson-2/"><span>Continue' in course
    html = client.get("/learning/").content.decode()
    assert f'href="/courses/black-box/lesson-2/#{SECTIONS[1]}">Resume: Lesson 2' in html



def test_my_learning_counts_sections_read_only_when_there_are_some(client, catalog, learner):
    client.get("/courses/black-box/lesson-1/")  # a visit starts the lesson, reading nothing
    html = client.get("/learning/").content.decode()
    assert "In progress</span>" in html and "0 sections read" not in html
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[0]]}}})
    assert "In progress · 1 section read</span>" in client.get("/learning/").content.decode()

def test_learners_see_only_their_own_progress(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}})
    other = Client()
    other.force_login(make_user("other"))
    assert "Lesson 1" not in other.get("/learning/").content.decode()
    assert other.get("/courses/black-box/lesson-1/").content.decode().count('class="is-read"') == 0
    own = sync(other, {}).json()["lessons"]["black-box/lesson-1"]  # their visit, nothing else
    assert own["sections_read"] == [] and own["completed_at"] is None


# ---------------------------------------------------------------------------------------------
# Quiz scores from the browser
# ---------------------------------------------------------------------------------------------
def anonymous_receipt(browser: Client, lesson: Lesson) -> str:
    html = browser.get("/courses/black-box/lesson-1/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    seed = read_token(token).seed
    answers = {}
    for question in lesson.questions.current():
        answers[f"q{question.pk}"] = [
            option_value(seed, o.pk) for o in question.options.all() if o.is_correct
        ]
    response = browser.post(
        "/courses/black-box/lesson-1/quiz/",
        {"token": token, **answers},
        HTTP_ACCEPT="application/json",
    )
    return response.json()["receipt"]


def test_a_server_graded_anonymous_attempt_is_recorded_on_sign_in(catalog):
    lesson = Lesson.objects.get(slug="lesson-1")
    browser = Client()
    receipt = anonymous_receipt(browser, lesson)
    user = make_user()
    browser.force_login(user)
    body = sync(browser, {"attempts": [receipt]}).json()
    assert body["lessons"]["black-box/lesson-1"]["best_score"] == 2
    assert Attempt.objects.get().learner == user
    sync(browser, {"attempts": [receipt]})  # again: nothing more
    assert Attempt.objects.count() == 1 and progress_of(user).best_score == 2


def test_a_forged_or_altered_receipt_is_refused_and_nothing_is_written(client, catalog, learner):
    lesson = Lesson.objects.get(slug="lesson-1")
    receipt = anonymous_receipt(Client(), lesson)
    payload, signature = receipt.rsplit(":", 1)
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    altered = f"{payload[:middle]}{swapped}{payload[middle + 1 :]}:{signature}"
    for bad in (altered, receipt[:-4] + "AAAA", "made-up"):
        response = sync(
            client,
            {"lessons": {"black-box/lesson-1": {"sections_read": SECTIONS}}, "attempts": [bad]},
        )
        assert response.status_code == 400
        assert "attempts[0] is not a receipt this site issued" in response.json()["error"]
    assert not LessonProgress.objects.filter(learner=learner).exists()
    assert Attempt.objects.get().learner is None


# ---------------------------------------------------------------------------------------------
# Bad input: 400 with a JSON message, nothing written
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("{oops", "application/json", "The body is not valid JSON"),
        ("lessons=1", "application/x-www-form-urlencoded", "Send JSON"),
        (
            json.dumps({"lessons": {"black-box/nope": {}}}),
            "application/json",
            "unknown lesson 'black-box/nope'",
        ),
        (
            json.dumps({"lessons": {"black-box/lesson-1": {"sections_read": ["no-such-section"]}}}),
            "application/json",
            "lesson 'black-box/lesson-1' has no section 'no-such-section'",
        ),
        (
            json.dumps({"lessons": {"black-box/lesson-1": {"sections_read": [1]}}}),
            "application/json",
            "must be a section anchor",
        ),
        (json.dumps({"lessons": "all"}), "application/json", "'lessons' must be an object"),
        (
            json.dumps({"lessons": {"black-box/lesson-1": {"sections_read": ["x" * 70_000]}}}),
            "application/json",
            "larger than 64 KB",
        ),
    ],
)
def test_bad_sync_payloads_are_refused(client, catalog, learner, body, content_type, message):
    response = client.post("/progress/sync/", body, content_type=content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not LessonProgress.objects.filter(learner=learner).exists()


def test_sync_with_one_bad_lesson_writes_nothing_for_the_good_ones(client, catalog, learner):
    response = sync(
        client,
        {
            "lessons": {
                "black-box/lesson-1": {"sections_read": SECTIONS},
                "black-box/lesson-2": {"sections_read": ["made-up"]},
            }
        },
    )
    assert response.status_code == 400
    assert not LessonProgress.objects.filter(learner=learner).exists()


def test_sync_requires_sign_in_and_csrf(catalog):
    assert sync(Client(), {}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user())
    assert sync(strict, {}).status_code == 403
    token = strict.get("/courses/black-box/lesson-1/").cookies["csrftoken"].value
    assert sync(strict, {}, HTTP_X_CSRFTOKEN=token).status_code == 200
    assert Client().get("/progress/sync/").status_code == 405


# ---------------------------------------------------------------------------------------------
# Keeping progress safe
# ---------------------------------------------------------------------------------------------
def test_reimport_renaming_a_section_keeps_its_progress_on_record(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[1]]}}})
    path = catalog / "black-box/01-lesson-1.md"
    path.write_text(path.read_text().replace("## Grown, not built", "## Grown rather than built"))
    import_content(catalog)
    row = progress_of(learner)
    assert row.sections_read == [SECTIONS[1]]  # kept on record
    # Reading the two current sections completes it; the old anchor no longer counts.
    sync(client, {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[0]]}}})
    assert progress_of(learner).completed_at is None
    # A browser that still has the old anchor can sync it without an error.
    assert (
        sync(
            client, {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[1]]}}}
        ).status_code
        == 200
    )
    sync(
        client, {"lessons": {"black-box/lesson-1": {"sections_read": ["grown-rather-than-built"]}}}
    )
    assert progress_of(learner).completed_at is not None


def test_reimport_removing_and_restoring_a_lesson_keeps_progress(client, catalog, learner):
    sync(client, {"lessons": {"black-box/lesson-2": {"sections_read": SECTIONS}}})
    moved = catalog.parent / "aside.md"
    (catalog / "black-box/02-lesson-2.md").rename(moved)
    import_content(catalog)
    assert progress_of(learner, "lesson-2").completed_at is not None
    moved.rename(catalog / "black-box/02-lesson-2.md")
    import_content(catalog)
    html = client.get("/courses/black-box/lesson-2/").content.decode()
    assert "You completed this lesson on" in html


@pytest.mark.django_db(transaction=True)
def test_parallel_syncs_from_two_devices_lose_nothing(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    user = make_user()
    owner = Client()
    owner.force_login(user)
    cookie = owner.cookies[settings.SESSION_COOKIE_NAME].value
    payloads = [
        {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[0]]}}},
        {"lessons": {"black-box/lesson-1": {"sections_read": [SECTIONS[1]]}}},
        {"lessons": {"black-box/lesson-2": {"sections_read": [SECTIONS[0]]}}},
        {"lessons": {"black-box/lesson-2": {"sections_read": [SECTIONS[1]]}}},
    ] * 5
    barrier = threading.Barrier(len(payloads))
    statuses = []

    def device(payload) -> None:
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = cookie
        barrier.wait()
        try:
            statuses.append(sync(browser, payload).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=device, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(payloads)
    for slug in ("lesson-1", "lesson-2"):
        row = progress_of(user, slug)
        assert sorted(row.sections_read) == sorted(SECTIONS)
        assert row.completed_at is not None
    assert LessonProgress.objects.filter(learner=user).count() == 2
