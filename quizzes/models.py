"""Quiz questions, versioned: an edited question is a new row, so recorded answers keep meaning."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from lessons.models import Lesson

from .formatting import marks


class QuestionQuerySet(models.QuerySet):
    def current(self) -> "QuestionQuerySet":
        return self.filter(is_current=True)


class Question(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(help_text="1-based order in the lesson's quiz.")
    prompt_html = models.TextField()
    explanation_html = models.TextField(blank=True)
    see_anchor = models.CharField(max_length=200, blank=True)
    is_multiple = models.BooleanField(default=False)
    # A hash of what the learner is asked (prompt, options, which are correct). When the file
    # changes any of it, the old row is retired and a new one starts fresh statistics.
    fingerprint = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    source_line = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "position"],
                condition=models.Q(is_current=True),
                name="one_current_question_per_position",
            )
        ]

    def __str__(self) -> str:
        return f"Q{self.position} of {self.lesson}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    text_html = models.TextField()
    is_correct = models.BooleanField()
    feedback_html = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Option {self.position} of {self.question}"


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

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["lesson", "submitted_at"]),
            # Covers the reports' choice of each learner's first, best or last attempt, so
            # they never read the attempt rows themselves.
            models.Index(
                fields=["lesson", "learner", "submitted_at", "score", "total"],
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
