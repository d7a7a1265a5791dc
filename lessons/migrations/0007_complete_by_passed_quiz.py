"""Existing progress under the completion rules (courses/content/completion.py).

Every course starts with the default rule, "read it, or pass the quiz at 70%". Completions on
record stay (progress never goes backwards); a learner who already passed a lesson's quiz at
70% without scrolling through it now has it completed, dated by their latest attempt.
"""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Now

PASS_MARK = 70  # the default rule's pass mark when this migration was written


def complete_passed_quizzes(apps, schema_editor):
    LessonProgress = apps.get_model("lessons", "LessonProgress")
    Question = apps.get_model("courses", "Question")
    quizzed = Question.objects.filter(is_current=True).values("lesson_id")
    (
        LessonProgress.objects.filter(
            completed_at__isnull=True, best_total__gt=0, lesson_id__in=quizzed
        )
        .alias(best_scaled=F("best_score") * 100)
        .filter(best_scaled__gte=F("best_total") * Value(PASS_MARK))
        .update(completed_at=Coalesce("latest_attempt_at", "last_visited_at", Now()))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lessons", "0006_repair_out_of_range_times"),
        ("courses", "0005_course_completion_rule"),
    ]

    operations = [migrations.RunPython(complete_passed_quizzes, migrations.RunPython.noop)]
