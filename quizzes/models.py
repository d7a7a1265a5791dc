"""Quiz questions, versioned: an edited question is a new row, so recorded answers keep meaning."""

from django.db import models

from lessons.models import Lesson


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
