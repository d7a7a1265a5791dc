"""Learning: where each learner stands in each lesson."""

from django.conf import settings
from django.db import models

from courses.models import Lesson


class LessonProgress(models.Model):
    """Where one learner stands in one lesson. Never deleted by an import."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    # Anchors, kept even when a section is later renamed away: they stop counting, not exist.
    sections_read = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    # Fractional when a course gives partial credit on multiple-select questions.
    best_score = models.FloatField(null=True, blank=True)
    best_total = models.PositiveIntegerField(null=True, blank=True)
    latest_score = models.FloatField(null=True, blank=True)
    latest_total = models.PositiveIntegerField(null=True, blank=True)
    latest_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="one_progress_per_lesson")
        ]
        verbose_name_plural = "lesson progress"

    def __str__(self) -> str:
        return f"{self.learner} in {self.lesson}"

    @property
    def ref(self) -> str:
        return f"{self.lesson.course.slug}/{self.lesson.slug}"
