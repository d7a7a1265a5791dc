"""Existing progress under the completion rules (lessons 0005): a passed quiz completes its
lesson, a completion on record stays, a failed quiz completes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lessons.models import LessonProgress

BEFORE_RULES = [
    ("courses", "0004_course_quiz_settings"),
    ("lessons", "0006_repair_out_of_range_times"),
]
AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_progress_is_migrated_to_the_default_rule():
    migrate(BEFORE_RULES)
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE_RULES).apps
        User = apps.get_model("auth", "User")
        Course = apps.get_model("courses", "Course")
        Lesson = apps.get_model("courses", "Lesson")
        Question = apps.get_model("courses", "Question")
        Progress = apps.get_model("lessons", "LessonProgress")
        source = {"source_hash": "h" * 64, "imported_at": AT}
        course = Course.objects.create(
            slug="c", title="C", summary="S", track="T", source_path="c", **source
        )
        lesson = Lesson.objects.create(
            course=course, slug="l", number=1, title="L", summary="S", source_path="l", **source
        )
        Question.objects.create(
            lesson=lesson, position=1, prompt_html="Q?", fingerprint="f", source_line=1,
            created_at=AT,
        )  # fmt: skip
        scores = {"passed": (11, 15), "failed": (10, 15), "kept": (0, 15)}
        for name, (score, total) in scores.items():
            Progress.objects.create(
                learner=User.objects.create(username=name, password="x"),
                lesson=lesson,
                started_at=AT,
                best_score=score,
                best_total=total,
                latest_attempt_at=AT,
                completed_at=AT if name == "kept" else None,
            )
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    completed = dict(LessonProgress.objects.values_list("learner__username", "completed_at"))
    assert completed == {"passed": AT, "failed": None, "kept": AT}
