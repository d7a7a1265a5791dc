"""Quiz attempts: what a learner answered, graded and snapshotted when submitted."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import Lesson, Option, Question


class Attempt(models.Model):
    """One submitted quiz, with a snapshot of what was asked, so a later edit changes nothing."""

    public_id = models.UUIDField(unique=True, editable=False)
    # The one-time token's nonce: a unique constraint, not a check in Python, is what makes a
    # double submission record exactly one attempt.
    token_nonce = models.CharField(max_length=64, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="quiz_attempts",
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="quiz_attempts")
    score = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    # [{question, position, prompt_html, options: [{id, text_html, is_correct, feedback_html,
    #   chosen}], correct, explanation_html, reread_anchor, reread_heading}] in the order shown.
    snapshot = models.JSONField()
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["lesson", "submitted_at"]),
            models.Index(fields=["lesson", "learner", "submitted_at"]),
        ]
        permissions = [("view_reports", "Can view quiz and course reports")]

    def __str__(self) -> str:
        return f"{self.lesson} {self.score}/{self.total}"

    def get_absolute_url(self) -> str:
        return reverse(
            "quizzes:attempt",
            kwargs={
                "course": self.lesson.course.slug,
                "lesson": self.lesson.slug,
                "attempt": self.public_id,
            },
        )


class AttemptAnswer(models.Model):
    """One question of an attempt, kept relational so reports aggregate in the database."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected_options = models.ManyToManyField(Option, blank=True, related_name="answers")
    is_correct = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} Q{self.question.position}"
