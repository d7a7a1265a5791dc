"""End-to-end evaluation of the lesson tutor on the shipped course.

Imports ``content/`` into the test database, answers every case in ``answerable.yaml`` and
``unanswerable.yaml`` with the real stored indexes, prints the report (run pytest with ``-s``
to see it) and fails if either half falls below the accuracy recorded in ``baseline.json``.
Raise the baseline when retrieval improves; never lower it to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from courses.importer import import_content
from courses.models import Lesson
from tutor import retrieval, services
from tutor.evaluation import evaluate, load_cases

HERE = Path(__file__).resolve().parent


@pytest.mark.django_db
def test_tutor_eval_meets_baseline() -> None:
    import_content(settings.BASE_DIR / "content")
    cases = [
        *load_cases(HERE / "answerable.yaml", answerable=True),
        *load_cases(HERE / "unanswerable.yaml", answerable=False),
    ]
    indexes: dict[str, retrieval.LessonIndex] = {}

    def answer_for(lesson: str, question: str) -> retrieval.TutorAnswer:
        if lesson not in indexes:
            course_slug, lesson_slug = lesson.split("/", 1)
            obj = Lesson.objects.get(course__slug=course_slug, slug=lesson_slug)
            indexes[lesson] = services.index_for(obj)
        return retrieval.answer_question(indexes[lesson], question)

    report = evaluate(cases, answer_for)
    print()
    print(report.format_report())

    baseline = json.loads((HERE / "baseline.json").read_text(encoding="utf-8"))
    assert report.answerable.total >= 96 and report.unanswerable.total >= 48
    assert report.answerable.accuracy >= baseline["answerable"], report.format_report(
        show_failures=False
    )
    assert report.unanswerable.accuracy >= baseline["unanswerable"], report.format_report(
        show_failures=False
    )
