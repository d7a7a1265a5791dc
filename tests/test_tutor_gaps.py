"""Tutor gaps: declined questions grouped by wording, and answers given with low confidence."""

import csv
import io
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from courses.importer import import_content
from courses.models import Lesson
from tests.factories import make_tree, make_user, query_plan
from tutor import services
from tutor.gaps import group_questions
from tutor.models import TutorQuestion


def test_similar_wordings_group_together_with_counts():
    groups = group_questions(
        [
            "What is RLHF?",
            "what's rlhf",
            "Explain RLHF please",
            "who won the world cup",
            "What is RLHF?",
            "Who won the World Cup in 2018?",
        ]
    )
    assert [(g.wording, g.count) for g in groups] == [
        ("What is RLHF?", 4),
        ("who won the world cup", 2),
    ]
    assert "what's rlhf" in groups[0].examples


# --- Low-confidence answers in the tutor-gaps report (issue #12) ------------------------------


@pytest.fixture
def lesson(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    return Lesson.objects.get()


@pytest.fixture
def instructor(client):
    user = make_user("teacher")
    user.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(user)
    return user


def asked(lesson, question, *, grounded, confidence, minute=0):
    TutorQuestion.objects.create(
        lesson=lesson,
        question=question,
        grounded=grounded,
        best_score=0.5,
        confidence=confidence,
        asked_at=timezone.now() + timezone.timedelta(minutes=minute),
    )


def test_only_answers_carry_a_confidence():
    def reply(**kw):
        return SimpleNamespace(**{"grounded": True, "kind": "answer", **kw})

    assert services.answer_confidence(reply(confidence=0.42)) == 0.42
    assert services.answer_confidence(reply()) is None  # a tutor without confidence
    assert services.answer_confidence(reply(confidence=0.0, kind="greeting")) is None
    assert services.answer_confidence(reply(confidence=0.1, grounded=False)) is None


@pytest.mark.django_db
def test_ask_stores_the_answers_confidence(lesson):
    for question in ["What does this lesson explain?", "who won the 2018 world cup?", "hello"]:
        answer = services.ask(lesson=lesson, question=question)
        stored = TutorQuestion.objects.get(question=question)
        assert stored.grounded == answer.grounded
        assert stored.confidence == services.answer_confidence(answer)
        if not answer.grounded:
            assert stored.confidence is None


@pytest.mark.django_db
def test_gaps_report_lists_low_confidence_answers_beside_declines(
    client, instructor, lesson, settings
):
    settings.TUTOR_LOW_CONFIDENCE = 0.6
    asked(lesson, "What is RLHF?", grounded=False, confidence=None)
    asked(lesson, "how do probes work", grounded=True, confidence=0.3, minute=1)
    asked(lesson, "How do probes work?", grounded=True, confidence=0.55, minute=2)
    asked(lesson, "what is a feature", grounded=True, confidence=0.9, minute=3)
    asked(lesson, "hello there", grounded=True, confidence=None, minute=4)  # a greeting

    html = client.get("/reports/black-box/lesson-1/").content.decode()
    unsure = html.split("Answered with low confidence", 1)[1]
    assert "2 questions the tutor answered but was unsure" in unsure
    assert "How do probes work?" in unsure and "what is a feature" not in html
    assert "hello there" not in html
    assert "What is RLHF?" in html.split("Answered with low confidence", 1)[0]

    response = client.get("/reports/black-box/lesson-1/tutor-gaps.csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0][-1] == "tutor"
    assert [(row[0], row[1], row[-1]) for row in table[1:]] == [
        ("What is RLHF?", "1", "declined"),
        ("How do probes work?", "2", "low confidence"),
    ]

    settings.TUTOR_LOW_CONFIDENCE = 0.95  # the threshold comes from settings
    table = list(
        csv.reader(
            io.StringIO(client.get("/reports/black-box/lesson-1/tutor-gaps.csv").content.decode())
        )
    )
    assert [row[0] for row in table[1:]] == [
        "What is RLHF?",
        "How do probes work?",
        "what is a feature",
    ]


@pytest.mark.django_db
def test_gaps_report_says_plainly_when_there_is_nothing_to_list(client, instructor, lesson):
    # "0 questions the tutor declined ..., grouped by similar wording" read as a fault in the page.
    def report():
        html = client.get("/reports/black-box/lesson-1/").content.decode()
        return re.sub(r"\s+", " ", html.split('id="gaps-title"', 1)[1].split("</section>", 1)[0])

    gaps = report()
    assert "0 question" not in gaps and "grouped by similar wording" not in gaps
    assert "The tutor has declined no question on this lesson yet." in gaps
    assert "The tutor has not answered any question with low confidence yet." in gaps
    assert "Download tutor gaps" not in gaps

    asked(lesson, "What is RLHF?", grounded=False, confidence=None)
    gaps = report()
    assert "1 question the tutor declined because this lesson does not cover it" in gaps
    assert "The tutor has not answered any question with low confidence yet." in gaps


@pytest.mark.django_db
@pytest.mark.parametrize(
    "questions", [services.declined_questions, services.low_confidence_answers]
)
def test_the_gap_groups_read_one_lessons_index_range(lesson, questions):
    """The report's grouping reads one lesson's index range, never the whole log; on SQLite,
    the gaps index's range (lesson and outcome)."""
    for minute in range(3):
        asked(lesson, f"question {minute}", grounded=minute % 2 == 0, confidence=0.1, minute=minute)
    grouped = (
        questions(lesson)
        .values("wording_key")
        .annotate(text=Min("question"), times=Count("pk"), latest=Max("asked_at"))
    )
    plan = query_plan(grouped)
    if connection.vendor == "postgresql":
        # Which of the lesson's indexes PostgreSQL takes is its call from statistics and index
        # sizes, which depend on what earlier tests wrote (autovacuum may be off); the range is
        # one lesson's either way. The report's speed at 100,000 questions is `make bench`'s.
        # (Bound on the server, the id is shown as a typed literal, e.g. '93'::smallint.)
        assert re.search(rf"Index Cond: \(+lesson_id = '?{lesson.pk}'?(::\w+)?\)", plan), plan
    else:
        assert "tutor_q_gaps (lesson_id=? AND grounded=?)" in plan, plan
        if questions is services.declined_questions:
            assert "COVERING INDEX tutor_q_gaps" in plan, plan


@pytest.mark.django_db
def test_ask_keeps_confidences_exact_below_the_reports_line(lesson, settings, monkeypatch):
    """The tutor's confidences are exact below the line it is given; ask gives it the line the
    tutor-gaps report uses, whatever it is set to."""
    settings.TUTOR_LOW_CONFIDENCE = 0.93
    given = []
    answer_question = services.retrieval.answer_question

    def recording(index, question, **options):
        given.append(options)
        return answer_question(index, question, **options)

    monkeypatch.setattr(services.retrieval, "answer_question", recording)
    services.ask(lesson=lesson, question="What does this lesson explain?")
    assert given == [{"low_confidence": 0.93}]
