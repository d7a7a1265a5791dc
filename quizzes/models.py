"""Quiz attempts: what a learner answered, graded and snapshotted when submitted."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import Lesson, Option, Question

from .formatting import marks


class AttemptQuerySet(models.QuerySet):
    def before_answers_seen(self) -> "AttemptQuerySet":
        """Attempts made before the learner had seen this quiz's answers (see the field)."""
        return self.filter(after_answers_seen=False)


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
    # The sum of the questions' credits: a whole number unless partial credit is on.
    score = models.FloatField()
    total = models.PositiveIntegerField()
    # [{question, position, prompt_html, options: [{id, text_html, is_correct, feedback_html,
    #   chosen}], correct, credit, explanation_html, reread_anchor, reread_heading}] in the
    #   order shown.
    snapshot = models.JSONField()
    submitted_at = models.DateTimeField(db_index=True)
    # The learner had already seen this quiz's answers (an earlier attempt's result or review,
    # signed in or not), so the score says less about what they learned from the lesson.
    after_answers_seen = models.BooleanField(default=False)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            # A lesson's attempts newest first, holding what the attempts export lists: the
            # rows themselves carry the quiz snapshot, and reading past it costs far more.
            models.Index(
                fields=["lesson", "submitted_at", "learner", "score", "total"],
                name="attempt_export_cover",
            ),
            # Covers the reports' choice of each learner's first, best or last attempt, so
            # they never read the attempt rows themselves.
            models.Index(
                fields=[
                    "lesson",
                    "learner",
                    "submitted_at",
                    "score",
                    "total",
                    "after_answers_seen",
                ],
                name="attempt_report_cover",
            ),
        ]
        permissions = [("view_reports", "Can view quiz and course reports")]

    def __str__(self) -> str:
        return f"{self.lesson} {marks(self.score)}/{self.total}"

    def get_absolute_url(self) -> str:
        return reverse(
            "quizzes:attempt",
            kwargs={
                "course": self.lesson.course.slug,
                "lesson": self.lesson.slug,
                "attempt": self.public_id,
            },
        )


def chosen_ids(option_ids) -> str:
    """The options of one answer as AttemptAnswer.chosen stores them: "12,15"."""
    return ",".join(str(pk) for pk in sorted(option_ids))


class AttemptAnswer(models.Model):
    """One question of an attempt, kept relational so reports aggregate in the database."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    selected_options = models.ManyToManyField(Option, blank=True, related_name="answers")
    is_correct = models.BooleanField()  # fully right (credit 1)
    # The share of the question's mark earned, 0 to 1 (quizzes.grading.credit); reports sum it.
    credit = models.FloatField(default=0.0)
    # Copies of the attempt's score and total and of the options chosen (sorted ids, comma-
    # separated), written once with the answer: an attempt never changes after submission.
    # With them the reports read every item statistic from one covering index, without
    # joining the attempts (rows with a 20 KB snapshot) or the chosen-options table.
    attempt_score = models.FloatField(default=0.0)
    attempt_total = models.PositiveIntegerField(default=0)
    chosen = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]
        indexes = [
            models.Index(
                fields=[
                    "attempt",
                    "question",
                    "credit",
                    "attempt_score",
                    "attempt_total",
                    "chosen",
                ],
                name="answer_report_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} Q{self.question.position}"
