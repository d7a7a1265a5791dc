"""Reports: statistics against hand-computed values, CSV contents, escaping, permissions."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from courses.importer import import_content
from courses.models import Lesson
from quizzes.models import Attempt, AttemptAnswer, chosen_ids
from reports.queries import attempts_export, counted_attempts, lesson_quiz_report
from tests.factories import make_tree, make_user, query_plan
from tutor.models import TutorQuestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    return Lesson.objects.get()


def record(lesson: Lesson, learner, right: list[bool], at_minute: int = 0) -> Attempt:
    """Writes an attempt the way submit_attempt stores one: the first options if wrong."""
    questions = list(lesson.questions.current().prefetch_related("options"))
    attempt = Attempt.objects.create(
        public_id=uuid.uuid4(),
        token_nonce=uuid.uuid4().hex,
        learner=learner,
        lesson=lesson,
        score=sum(right),
        total=len(questions),
        snapshot=[],
        submitted_at=timezone.now() + timezone.timedelta(minutes=at_minute),
    )
    for question, is_right in zip(questions, right, strict=True):
        options = [o for o in question.options.all() if o.is_correct == is_right]
        options = options if question.is_multiple or not is_right else options[:1]
        answer = AttemptAnswer.objects.create(
            attempt=attempt,
            question=question,
            is_correct=is_right,
            credit=float(is_right),
            attempt_score=attempt.score,
            attempt_total=attempt.total,
            chosen=chosen_ids(o.pk for o in options),
        )
        answer.selected_options.set(options)
    return attempt


@pytest.fixture
def graded(lesson):
    """Four learners; question 1 right for the two strongest (hand-computed below)."""
    learners = [make_user(f"l{n}") for n in range(4)]
    record(lesson, learners[0], [True, True])
    record(lesson, learners[1], [True, False])
    record(lesson, learners[2], [False, True])
    record(lesson, learners[3], [False, False])
    # Retakes that must not count under "first" but count under "best" and "last".
    record(lesson, learners[3], [True, True], at_minute=5)
    return learners


def test_counted_attempts_take_one_per_learner_by_basis(lesson, graded):
    assert counted_attempts([lesson], "first").count() == 4
    scores = sorted(counted_attempts([lesson], "best").values_list("score", flat=True))
    assert scores == [1, 1, 2, 2]
    assert sorted(counted_attempts([lesson], "last").values_list("score", flat=True)) == [
        1,
        1,
        2,
        2,
    ]


def test_question_statistics_match_hand_computed_values(lesson, graded):
    report = lesson_quiz_report(lesson, "first")
    q1, _ = report.questions
    # First attempts: q1 x = [1, 1, 0, 0], rest y = q2 score = [1, 0, 1, 0].
    assert q1.n == 4 and q1.facility == 0.5
    # r = cov / (sd_x sd_y): cov = sum((x-.5)(y-.5)) = .25 - .25 - .25 + .25 = 0
    assert q1.discrimination == pytest.approx(0.0)
    assert report.average == pytest.approx((1 + 0.5 + 0.5 + 0) / 4)
    assert report.median == pytest.approx(0.5)
    assert report.first_average == pytest.approx(0.5)
    assert report.best_average == pytest.approx((1 + 0.5 + 0.5 + 1) / 4)
    counts = {bin["label"]: bin["count"] for bin in report.histogram}
    assert counts["0\u20139%"] == 1 and counts["50\u201359%"] == 2 and counts["90\u2013100%"] == 1
    assert report.too_few  # 4 learners
    # Option counts: under "first", q1's correct option was chosen twice.
    right_option = next(o for o in q1.options if o["option"].is_correct)
    assert right_option["count"] == 2


def test_discrimination_with_a_correlated_question(lesson):
    # x (q1) = [1, 1, 0], y (q2) = [1, 1, 0]: perfectly correlated -> r = 1
    for n, right in enumerate([[True, True], [True, True], [False, False]]):
        record(lesson, make_user(f"c{n}"), right)
    q1, q2 = lesson_quiz_report(lesson).questions
    assert q1.discrimination == pytest.approx(1.0) and q2.discrimination == pytest.approx(1.0)


def test_an_edited_question_starts_fresh_statistics(lesson, graded, content_root):
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(
        path.read_text().replace("What does superposition mean?", "Define superposition.")
    )
    import_content(content_root)
    q1, q2 = lesson_quiz_report(lesson).questions
    assert q1.question.prompt_html == "Define superposition." and q1.n == 0 and q1.facility is None
    assert q2.n == 4


# ---------------------------------------------------------------------------------------------
# Pages, CSV and escaping
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def instructor(client):
    user = make_user("teacher")
    user.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(user)
    return user


def rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # the byte order mark Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_lesson_report_page_shows_statistics_chart_and_warning(client, instructor, lesson, graded):
    html = client.get("/reports/black-box/lesson-1/").content.decode()
    assert "each learner&#x27;s first attempt" in html and "4 of 5 attempts" in html
    assert "too few to trust" in html
    assert '<svg viewBox="0 0 500 250" role="img"' in html and '<desc id="histogram-desc">' in html
    assert "Facility" in html and "Discrimination" in html
    best = client.get("/reports/black-box/lesson-1/?basis=best").content.decode()
    assert "each learner&#x27;s best attempt" in best


def test_a_lesson_report_with_no_attempts_says_so(client, instructor, lesson):
    # "Only 0 attempts counted: too few to trust these statistics yet" read as a broken page.
    html = client.get("/reports/black-box/lesson-1/").content.decode()
    assert "Only 0 attempts" not in html
    assert "No attempts yet: the figures below fill in as learners take this quiz." in html


def test_question_statistics_csv(client, instructor, lesson, graded):
    table = rows(client.get("/reports/black-box/lesson-1/?format=csv"))
    assert table[0][:6] == [
        "question",
        "prompt",
        "attempts counted",
        "facility (%)",
        "discrimination index",
        "discriminative efficiency (%)",
    ]
    first_question = [row for row in table[1:] if row[0] == "1"]
    assert {row[3] for row in first_question} == {"50.0"}
    assert sum(int(row[9]) for row in first_question) == 4  # every counted choice


def test_attempts_page_and_csv_list_every_attempt(client, instructor, lesson, graded):
    html = client.get("/reports/black-box/lesson-1/attempts/").content.decode()
    assert "5 attempts" in html and "l3" in html
    table = rows(client.get("/reports/black-box/lesson-1/attempts/?format=csv"))
    assert table[0] == ["learner", "submitted at (UTC)", "score", "total", "score (%)"]
    assert len(table) == 6 and {row[0] for row in table[1:]} == {"l0", "l1", "l2", "l3"}


def test_attempts_page_with_one_page_or_none_shows_no_pager_and_no_empty_download(
    client, instructor, lesson, graded
):
    # "Page 1 of 1" under every short list, and "0 attempts, newest first." above an empty
    # table with a download of an empty CSV, looked unfinished.
    html = client.get("/reports/black-box/lesson-1/attempts/").content.decode()
    assert "Page 1 of 1" not in html and 'class="pager"' not in html
    assert "Download all attempts (CSV)" in html
    Attempt.objects.all().delete()
    html = client.get("/reports/black-box/lesson-1/attempts/").content.decode()
    assert "0 attempts" not in html and "No learner has taken this quiz yet." in html
    assert "Download all attempts" not in html and 'class="pager"' not in html


def test_attempts_csv_gives_each_time_in_utc_to_the_second(client, instructor, lesson, settings):
    settings.TIME_ZONE = "America/New_York"  # the export is in UTC whatever the site's zone
    attempt = record(lesson, make_user("night-owl"), [True, False])
    Attempt.objects.filter(pk=attempt.pk).update(
        submitted_at=datetime(2026, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC)
    )
    table = rows(client.get("/reports/black-box/lesson-1/attempts/?format=csv"))
    assert table[1][:4] == ["night-owl", "2026-02-28 23:59:59", "1", "2"]


def test_the_attempts_export_reads_only_an_index(lesson):
    """Attempt rows carry their quiz snapshot; an export of every attempt reads an index that
    holds what it lists instead."""
    plan = query_plan(attempts_export(lesson))
    if connection.vendor == "postgresql":
        assert re.search(r"Index Only Scan (Backward )?using attempt_export_cover", plan), plan
    else:
        assert "COVERING INDEX attempt_export_cover" in plan, plan


def test_course_report_and_csv(client, instructor, lesson, graded):
    html = client.get("/reports/black-box/").content.decode()
    assert "Lesson 1" in html
    table = rows(client.get("/reports/black-box/?format=csv"))
    assert table[1][0] == "Lesson 1" and table[1][4] == "4" and table[1][5] == "50.0"


def test_learner_text_is_escaped_in_pages_and_neutralised_in_csv(client, instructor, lesson):
    for text in [
        "<script>alert(1)</script> what is rlhf",
        '=HYPERLINK("http://x") rlhf',
        "what is rlhf",
    ]:
        TutorQuestion.objects.create(
            lesson=lesson, question=text, grounded=False, best_score=0, asked_at=timezone.now()
        )
    html = client.get("/reports/black-box/lesson-1/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    table = rows(client.get("/reports/black-box/lesson-1/tutor-gaps.csv"))
    cells = [cell for row in table[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert '\'=HYPERLINK("http://x") rlhf' in cells


def test_tutor_gaps_group_similar_questions(client, instructor, lesson):
    for text in ["What is RLHF?", "what's rlhf", "what is RLHF", "who won the world cup"]:
        TutorQuestion.objects.create(
            lesson=lesson, question=text, grounded=False, best_score=0, asked_at=timezone.now()
        )
    table = rows(client.get("/reports/black-box/lesson-1/tutor-gaps.csv"))
    assert table[1][1] == "3" and "rlhf" in table[1][0].lower()
    assert table[2][1] == "1"


def test_preview_shows_a_file_with_its_problems_before_import(client, content_root, lesson):
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    bad = content_root / "black-box/02-draft.md"
    bad.write_text("---\ntitle: Draft\n---\n## First\nSome text.\n")
    html = client.get("/reports/preview/?path=black-box/02-draft.md").content.decode()
    assert "Line 1:" in html and "&#x27;summary&#x27; is required" in html
    good = client.get("/reports/preview/?path=black-box/01-lesson-1.md").content.decode()
    assert "A trillion parameters of fog" in good and "answers shown" in good
    assert client.get("/reports/preview/?path=../../etc/passwd").status_code == 404
    assert Lesson.objects.count() == 1  # preview imports nothing


def test_staff_can_import_from_the_site(client, content_root, lesson):
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    html = client.post("/reports/import/").content.decode()
    assert "2 unchanged" in html
    (content_root / "black-box/02-empty.md").write_text("")
    html = client.post("/reports/import/").content.decode()
    assert "Nothing was imported" in html and "02-empty.md:1: file is empty" in html


def test_create_instructor_command(monkeypatch, capsys):
    monkeypatch.setenv("GLASSBOX_INSTRUCTOR_PASSWORD", "a long teaching passphrase")
    call_command("create_instructor", "prof", "--email", "prof@example.org", "--no-input")
    user = Group.objects.get(name="Instructors").user_set.get()
    assert user.username == "prof" and user.check_password("a long teaching passphrase")
    assert not user.is_staff
    assert "Created instructor 'prof'" in capsys.readouterr().out


def test_best_attempt_is_the_highest_percentage_not_the_highest_score(lesson):
    learner = make_user("grower")
    for minute, (score, total) in enumerate([(14, 15), (15, 17)]):
        Attempt.objects.create(
            public_id=uuid.uuid4(),
            token_nonce=uuid.uuid4().hex,
            learner=learner,
            lesson=lesson,
            score=score,
            total=total,
            snapshot=[],
            submitted_at=timezone.now() + timezone.timedelta(minutes=minute),
        )
    best = counted_attempts([lesson], "best").get()
    assert (best.score, best.total) == (14, 15)


def test_csv_keeps_negative_numbers_as_numbers(client, instructor, lesson):
    # Question 1 is right only for the learners who miss question 2: r = -1.
    for n, right in enumerate([[True, False], [True, False], [False, True], [False, True]]):
        record(lesson, make_user(f"n{n}"), right)
    table = rows(client.get("/reports/black-box/lesson-1/?format=csv"))
    first = [row for row in table[1:] if row[0] == "1"]
    assert {row[4] for row in first} == {"-1.0"}  # not "'-1.00"
