"""Quizzes end to end over HTTP: taking, grading, secrecy, attempts, idempotency, bad input."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.db import connection
from django.test import Client

from courses.importer import import_content
from courses.models import Lesson
from lessons.models import LessonProgress
from quizzes.grading import QuestionKey, grade, shuffled
from quizzes.models import Attempt, AttemptAnswer
from quizzes.services import QuizError, option_value, read_receipt, read_token
from tests.factories import LESSON_BODY, make_tree, make_user, write_course, write_lesson
from tutor.models import TutorIndex

LESSON_URL = "/courses/black-box/lesson-1/"
SUBMIT_URL = "/courses/black-box/lesson-1/quiz/"


# ---------------------------------------------------------------------------------------------
# Grading rules (plain functions)
# ---------------------------------------------------------------------------------------------
SINGLE = QuestionKey(1, (10, 11, 12), frozenset({11}))
MULTI = QuestionKey(2, (20, 21, 22), frozenset({20, 21}))


@pytest.mark.parametrize(
    ("answers", "score", "right"),
    [
        ({1: frozenset({11}), 2: frozenset({20, 21})}, 2, {1: True, 2: True}),
        ({1: frozenset({10}), 2: frozenset({20, 21})}, 1, {1: False, 2: True}),
        ({1: frozenset({11}), 2: frozenset({20})}, 1, {1: True, 2: False}),  # subset
        ({1: frozenset({11}), 2: frozenset({20, 21, 22})}, 1, {1: True, 2: False}),  # superset
        ({}, 0, {1: False, 2: False}),  # unanswered counts as wrong
    ],
)
def test_grading_rules(answers, score, right):
    result = grade([SINGLE, MULTI], answers)
    assert (result.score, result.total, dict(result.correct)) == (score, 2, right)


WIDE = QuestionKey(3, (30, 31, 32, 33, 34), frozenset({30, 31, 32}))  # 3 right, 2 wrong


@pytest.mark.parametrize(
    ("chosen", "credit"),
    [
        ({30, 31, 32}, 1.0),
        ({30, 31}, 2 / 3),  # two of three right options, no wrong one
        ({30}, 1 / 3),
        ({30, 31, 33}, 2 / 3 - 1 / 2),  # a wrong option takes back 1/W
        ({30, 33, 34}, 0.0),  # floored at 0
        ({30, 31, 32, 33, 34}, 0.0),  # choosing everything earns nothing
        (set(), 0.0),
    ],
)
def test_partial_credit_follows_moodles_rule(chosen, credit):
    assert grade([WIDE], {3: frozenset(chosen)}, "partial").credit[3] == pytest.approx(credit)
    all_or_nothing = grade([WIDE], {3: frozenset(chosen)}).credit[3]
    assert all_or_nothing == (1.0 if chosen == {30, 31, 32} else 0.0)


def test_partial_credit_leaves_single_answer_questions_all_or_nothing():
    result = grade([SINGLE, MULTI], {1: frozenset({10}), 2: frozenset({20})}, "partial")
    assert dict(result.credit) == {1: 0.0, 2: 0.5} and result.score == 0.5
    assert result.correct == {1: False, 2: False}


def test_option_order_is_random_per_attempt_but_reproducible():
    options = list(range(100, 110))
    first = shuffled(options, seed="a", question_id=1)
    assert first == shuffled(options, seed="a", question_id=1)
    assert sorted(first) == options
    assert first != shuffled(options, seed="b", question_id=1)


# ---------------------------------------------------------------------------------------------
# Helpers over a real imported lesson
# ---------------------------------------------------------------------------------------------
def quiz_form(client: Client, url: str = LESSON_URL) -> dict:
    """What a browser would post: the token plus the shown options, as the form's values."""
    html = client.get(url).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    fields = {}
    for match in re.finditer(
        r'type="(radio|checkbox)" id="[^"]+" name="(q\d+)" value="([0-9a-f]{16})"', html
    ):
        fields.setdefault(match[2], []).append(match[3])
    return {"token": token, "fields": fields, "csrf": csrf[1] if csrf else None, "html": html}


def answers_for(lesson: Lesson, *, right: bool = True) -> dict[str, list[int]]:
    answers = {}
    for question in lesson.questions.current():
        options = list(question.options.all())
        chosen = [o.pk for o in options if o.is_correct == right]
        answers[f"q{question.pk}"] = chosen if question.is_multiple or not right else chosen[:1]
    return answers


def as_form_values(token: str, answers: dict) -> dict:
    """Option ids (ints) become the values this attempt's form shows for them, as a browser
    would send; strings are sent as they are."""
    try:
        seed = read_token(token).seed
    except QuizError:
        return answers
    return {
        name: [option_value(seed, v) if isinstance(v, int) else v for v in values]
        if isinstance(values, list)
        else values
        for name, values in answers.items()
    }


def submit(client: Client, token: str, answers: dict, **extra) -> object:
    data = {"token": token, **as_form_values(token, answers)}
    return client.post(SUBMIT_URL, data, **extra)


# ---------------------------------------------------------------------------------------------
# Taking a quiz
# ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_quiz_form_uses_radios_checkboxes_fieldsets_and_labels(client, lesson):
    form = quiz_form(client)
    html = form["html"]
    single, multiple = lesson.questions.current()
    assert html.count("<fieldset>") == 2 and html.count("<legend>") == 2
    assert f'type="radio" id="q{single.pk}-o' in html
    assert f'type="checkbox" id="q{multiple.pk}-o' in html
    seed = read_token(form["token"]).seed
    for option in single.options.all():
        assert f'<label for="q{single.pk}-o{option_value(seed, option.pk)}">' in html
    assert "Select all that apply." in html and "Choose one." in html
    assert "Your score saves to your progress" in html


@pytest.mark.django_db
def test_options_are_shuffled_per_attempt(client, content_root):
    write_course(content_root)
    options = "\n".join(f"   - [{'x' if n == 0 else ' '}] Option {n}" for n in range(8))
    write_lesson(
        content_root, name="01-lesson-1.md", body=f"## S\nText.\n## Quiz\n1. Pick\n{options}\n"
    )
    import_content(content_root)
    question = Lesson.objects.get().questions.get()
    option_ids = sorted(question.options.values_list("pk", flat=True))

    def shown_order(form) -> list[int]:
        """The option ids in the order the form shows them (its values are opaque)."""
        seed = read_token(form["token"]).seed
        by_value = {option_value(seed, pk): pk for pk in option_ids}
        return [by_value[value] for value in form["fields"][f"q{question.pk}"]]

    forms = [quiz_form(client) for _ in range(30)]
    orders = [shown_order(form) for form in forms]
    assert all(sorted(order) == option_ids for order in orders)
    assert len({tuple(order) for order in orders}) >= 2  # different attempts, different orders
    # Each attempt keeps the order it was shown: when a form comes back to be completed, and in
    # the graded attempt.
    for form, order in list(zip(forms, orders, strict=True))[:6]:
        values = form["fields"][f"q{question.pk}"]
        again = submit(client, form["token"], {}).content.decode()
        assert re.findall(rf'name="q{question.pk}" value="([0-9a-f]{{16}})"', again) == values
        submit(client, form["token"], {f"q{question.pk}": [values[0]]})
        attempt = Attempt.objects.get(token_nonce=read_token(form["token"]).nonce)
        assert [option["id"] for option in attempt.snapshot[0]["options"]] == order


@pytest.mark.django_db
def test_submission_without_javascript_is_graded_and_reviewed(client, lesson):
    form = quiz_form(client)
    single, multiple = lesson.questions.current()
    wrong = single.options.get(is_correct=False)
    answers = {
        f"q{single.pk}": [wrong.pk],
        f"q{multiple.pk}": answers_for(lesson)[f"q{multiple.pk}"],
    }
    response = submit(client, form["token"], answers)
    assert response.status_code == 303
    attempt = Attempt.objects.get()
    assert response["Location"] == f"{attempt.get_absolute_url()}#quiz-score"
    page = client.get(response["Location"]).content.decode()
    assert "1 / 2" in page
    assert "Not quite" in page and "Right" in page
    assert "Correct answer" in page and "Your answer" in page
    assert "Features outnumber neurons, so they share them." in page  # explanation
    assert "That is the monosemantic ideal, not superposition." in page  # chosen feedback
    assert (
        f'href="{LESSON_URL}#a-trillion-parameters-of-fog">Re-read: A trillion parameters of fog'
        in page
    )
    assert f'href="{LESSON_URL}?retake=1#quiz">Try again' in page


@pytest.mark.django_db
def test_submission_with_javascript_returns_inline_result(client, lesson):
    form = quiz_form(client)
    response = submit(client, form["token"], answers_for(lesson), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["total"], body["duplicate"]) == (2, 2, False)
    assert "2 / 2" in body["html"] and "quiz-result" in body["html"]
    assert read_receipt(body["receipt"])["s"] == 2


@pytest.mark.django_db
def test_reread_link_falls_back_to_the_tutors_closest_section(client, content_root):
    write_course(content_root)
    body = LESSON_BODY.replace("   > See: #a-trillion-parameters-of-fog\n", "")
    body = body.replace(
        "2. Which of these are",
        "2. Why do we say training grows a model by gradient descent? Which of these are",
    )
    write_lesson(content_root, name="01-lesson-1.md", body=body)
    import_content(content_root)
    lesson = Lesson.objects.get()
    # The tutor chose the fallback at import; grading only reads it and never runs retrieval,
    # so a missing tutor index stays missing.
    assert [q.fallback_anchor for q in lesson.questions.current()] == ["", "grown-not-built"]
    TutorIndex.objects.all().delete()
    form = quiz_form(client)
    submit(client, form["token"], answers_for(lesson))
    snapshot = Attempt.objects.get().snapshot
    assert snapshot[0]["reread_anchor"] == ""  # only the key terms mention neurons: no section
    assert snapshot[1]["reread_anchor"] == "grown-not-built"
    assert not TutorIndex.objects.exists()
    # The report links each question to the same section as the attempt page.
    instructor = make_user("prof")
    instructor.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(instructor)
    sections = client.get("/reports/black-box/lesson-1/").context["sections"]
    assert {row["section"].anchor: row["questions"] for row in sections}["grown-not-built"] == [2]


@pytest.mark.django_db
def test_unanswered_questions_are_named_before_grading(client, lesson):
    form = quiz_form(client)
    single, multiple = lesson.questions.current()
    only_first = {f"q{single.pk}": answers_for(lesson)[f"q{single.pk}"]}
    response = submit(client, form["token"], only_first)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Question 2 is unanswered" in html and "Submit anyway" in html
    kept = as_form_values(form["token"], only_first)[f"q{single.pk}"][0]
    assert f'value="{kept}" checked' in html  # the choice is kept
    assert Attempt.objects.count() == 0
    json_response = submit(client, form["token"], only_first, HTTP_ACCEPT="application/json")
    assert json_response.status_code == 400
    assert json_response.json()["unanswered"] == [f"q{multiple.pk}"]
    graded = submit(client, form["token"], {**only_first, "submit_incomplete": "1"})
    assert graded.status_code == 303
    assert Attempt.objects.get().score == 1


@pytest.mark.django_db
def test_a_quiz_sent_with_nothing_answered_says_so_instead_of_listing_every_number(client, lesson):
    # "Questions 1, 2, 3, ..., 15 are unanswered" listed the whole quiz back at the learner.
    form = quiz_form(client)
    html = submit(client, form["token"], {}).content.decode()
    assert "None of the 2 questions is answered yet. Answer them, or submit anyway" in html
    assert "Questions 1, 2 are unanswered" not in html
    reply = submit(client, form["token"], {}, HTTP_ACCEPT="application/json").json()
    assert reply["message"].startswith("None of the 2 questions is answered yet.")


@pytest.mark.django_db
def test_scores_go_to_progress_best_and_latest(client, lesson):
    user = make_user()
    client.force_login(user)
    submit(client, quiz_form(client)["token"], answers_for(lesson))
    submit(client, quiz_form(client)["token"], answers_for(lesson, right=False))
    progress = LessonProgress.objects.get(learner=user, lesson=lesson)
    assert (progress.best_score, progress.best_total) == (2, 2)
    assert (progress.latest_score, progress.latest_total) == (0, 2)
    html = client.get(LESSON_URL).content.decode()
    assert "Your best score: <strong>2 / 2</strong> · latest: 0 / 2" in html


@pytest.mark.django_db
def test_recorded_attempt_survives_editing_the_quiz(client, lesson, content_root):
    form = quiz_form(client)
    submit(client, form["token"], answers_for(lesson))
    attempt = Attempt.objects.get()
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(
        path.read_text().replace("What does superposition mean?", "Define superposition.")
    )
    import_content(content_root)
    page = client.get(attempt.get_absolute_url()).content.decode()
    assert "What does superposition mean?" in page and "Define superposition." not in page
    attempt.refresh_from_db()
    assert attempt.score == 2


# ---------------------------------------------------------------------------------------------
# Secrecy: nothing before submission reveals an answer
# ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_answers_explanations_and_feedback_never_reach_the_browser_before_submission(
    client, content_root
):
    write_course(content_root)
    questions = []
    for n in range(1, 4):
        questions.append(
            f"{n}. Question {n}?\n"
            f"   - [ ] Wrong {n} option\n"
            f"     > FEEDBACKMARKER{n}a\n"
            f"   - [x] Right {n} option\n"
            f"     > FEEDBACKMARKER{n}b\n"
            f"   > EXPLANATIONMARKER{n}\n"
        )
    body = "## Section\nThe lesson text.\n## Quiz\n" + "".join(questions)
    write_lesson(content_root, name="01-lesson-1.md", body=body)
    import_content(content_root)
    user = make_user()
    client.force_login(user)
    responses = [client.get(LESSON_URL).content.decode()]
    for script in sorted((Path(settings.BASE_DIR) / "static/js").glob("*.js")):
        responses.append(
            b"".join(client.get(f"/static/js/{script.name}").streaming_content).decode()
        )
    seen = "\n".join(responses)
    for marker in ("FEEDBACKMARKER", "EXPLANATIONMARKER"):
        assert marker not in seen
    # Right and wrong options are marked up identically: nothing but their text differs.
    lesson_html = responses[0]
    option_markup = re.findall(r'<div class="quiz-option">.*?</div>', lesson_html, re.S)
    normalised = {re.sub(r"[0-9a-f]{16}|\d+|Right|Wrong", "N", markup) for markup in option_markup}
    assert len(option_markup) == 6 and len(normalised) == 1
    assert "correct" not in lesson_html[lesson_html.index('id="quiz-form"') :].lower()


@pytest.mark.django_db
def test_client_sent_score_or_answer_key_is_ignored(client, lesson):
    form = quiz_form(client)
    wrong = answers_for(lesson, right=False)
    response = submit(
        client, form["token"], {**wrong, "score": "2", "correct": "true", "answer_key": "x"}
    )
    assert response.status_code == 303
    assert Attempt.objects.get().score == 0


# ---------------------------------------------------------------------------------------------
# Attempts are one-time and private
# ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_same_submission_twice_records_one_attempt(client, lesson):
    user = make_user()
    client.force_login(user)
    form = quiz_form(client)
    first = submit(client, form["token"], answers_for(lesson))
    second = submit(client, form["token"], answers_for(lesson, right=False))
    assert first["Location"] == second["Location"]
    assert Attempt.objects.count() == 1 and Attempt.objects.get().score == 2
    duplicate = submit(client, form["token"], answers_for(lesson), HTTP_ACCEPT="application/json")
    assert duplicate.json()["duplicate"] is True
    assert AttemptAnswer.objects.count() == 2


@pytest.mark.django_db
def test_another_learners_token_and_attempt_are_not_found(client, lesson):
    owner, other = make_user("owner"), make_user("other")
    client.force_login(owner)
    form = quiz_form(client)
    submit(client, form["token"], answers_for(lesson))
    attempt = Attempt.objects.get()

    intruder = Client()
    intruder.force_login(other)
    assert intruder.get(attempt.get_absolute_url()).status_code == 404
    assert submit(intruder, quiz_form(client)["token"], answers_for(lesson)).status_code == 404
    assert Client().get(attempt.get_absolute_url()).status_code == 404
    assert Attempt.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_attempt_is_visible_only_in_its_own_browser(client, lesson):
    response = submit(client, quiz_form(client)["token"], answers_for(lesson))
    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_receipt_cannot_be_forged():
    forged = signing.dumps({"a": "x", "l": 1, "s": 15, "t": 15, "at": "2026-01-01"}, salt="other")
    with pytest.raises(signing.BadSignature):
        read_receipt(forged)
    with pytest.raises(signing.BadSignature):
        read_receipt(forged[:-2] + "xx")


# ---------------------------------------------------------------------------------------------
# Bad input: a clear 4xx, nothing written
# ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("unknown-question", 400, "is not a question of this quiz"),
        ("unknown-option", 400, "is not an option of question 1"),
        ("option-of-another-question", 400, "is not an option of question 1"),
        ("two-answers-to-single", 400, "takes only one answer"),
        ("tampered-token", 400, "attempt token is not valid"),
        ("missing-token", 400, "no attempt token"),
        ("other-lessons-token", 400, "belong to another lesson"),
    ],
)
def test_bad_submissions_are_refused_and_write_nothing(client, lesson, case, status, message):
    form = quiz_form(client)
    single, multiple = lesson.questions.current()
    answers = answers_for(lesson)
    token = form["token"]
    if case == "unknown-question":
        answers["q999999"] = ["1"]
    elif case == "unknown-option":
        answers[f"q{single.pk}"] = ["999999"]
    elif case == "option-of-another-question":
        answers[f"q{single.pk}"] = [multiple.options.first().pk]
    elif case == "two-answers-to-single":
        answers[f"q{single.pk}"] = [o.pk for o in single.options.all()]
    elif case == "tampered-token":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif case == "missing-token":
        token = ""
    elif case == "other-lessons-token":
        token = quiz_form(client, "/courses/black-box/lesson-2/")["token"]
    response = submit(client, token, answers, HTTP_ACCEPT="application/json")
    assert response.status_code == status
    assert message in response.json()["error"]
    html_response = submit(client, token, answers)
    assert html_response.status_code == status and message in html_response.content.decode()
    assert Attempt.objects.count() == 0 and AttemptAnswer.objects.count() == 0


@pytest.mark.django_db
def test_opening_the_submit_address_as_a_page_leads_to_the_quiz(client, lesson):
    # The address shows after a submission without JavaScript; opened again from the address
    # bar it gave an empty "405" page. It leads to the quiz instead, and takes nothing else.
    response = client.get(SUBMIT_URL)
    assert response.status_code == 302 and response["Location"] == f"{LESSON_URL}#quiz"
    assert client.put(SUBMIT_URL).status_code == 405
    assert client.get("/courses/black-box/nope/quiz/").status_code == 404


@pytest.mark.django_db
def test_oversized_submission_is_refused(client, lesson):
    form = quiz_form(client)
    response = submit(
        client, form["token"], {"padding": "x" * 70_000}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 413
    assert Attempt.objects.count() == 0


@pytest.mark.django_db
def test_submit_requires_csrf(lesson):
    csrf_client = Client(enforce_csrf_checks=True)
    form = quiz_form(csrf_client)
    assert submit(csrf_client, form["token"], answers_for(lesson)).status_code == 403
    data = {
        "token": form["token"],
        "csrfmiddlewaretoken": form["csrf"],
        **as_form_values(form["token"], answers_for(lesson)),
    }
    assert csrf_client.post(SUBMIT_URL, data).status_code == 303


# ---------------------------------------------------------------------------------------------
# Concurrency: fifty identical submissions at once
# ---------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_submissions_record_one_attempt(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    lesson = Lesson.objects.get()
    user = make_user()
    owner = Client()
    owner.force_login(user)
    form = quiz_form(owner)
    answers = answers_for(lesson)
    session_cookie = owner.cookies[settings.SESSION_COOKIE_NAME].value
    workers = 50
    barrier = threading.Barrier(workers)
    statuses: list[int] = []
    lock = threading.Lock()

    def post_once() -> None:
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
        barrier.wait()
        try:
            status = submit(
                browser, form["token"], answers, HTTP_ACCEPT="application/json"
            ).status_code
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=post_once) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == workers
    assert all(status in (200, 409) for status in statuses), statuses
    assert Attempt.objects.count() == 1
    assert AttemptAnswer.objects.count() == 2
    progress = LessonProgress.objects.get(learner=user)
    assert (progress.best_score, progress.latest_score) == (2, 2)


@pytest.mark.django_db
def test_the_form_names_options_by_opaque_values_not_ids(client, lesson):
    """Issue #16, finding 6: ids run in authoring order, and authors favour some positions for
    the right answer; the form must not show them, and a raw id is not accepted."""
    form = quiz_form(client)
    ids = {str(o.pk) for q in lesson.questions.current() for o in q.options.all()}
    values = [value for values in form["fields"].values() for value in values]
    assert len(values) == len(set(values)) == 5
    assert not ids & set(values)
    option_ids = re.findall(r'type="(?:radio|checkbox)" id="q\d+-o([^"]+)"', form["html"])
    assert sorted(option_ids) == sorted(values)  # element ids carry the opaque value too
    single, _ = lesson.questions.current()
    right = single.options.get(is_correct=True).pk
    raw = client.post(SUBMIT_URL, {"token": form["token"], f"q{single.pk}": [str(right)]})
    assert raw.status_code == 400 and Attempt.objects.count() == 0
