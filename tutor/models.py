"""The tutor's stored retrieval index per lesson, and the log of questions asked."""

from django.conf import settings
from django.db import models

from courses.models import Lesson

from .question_log import wording_key


class TutorIndex(models.Model):
    """`tutor.retrieval.LessonIndex.to_json()`, built at import so no request builds one.

    Kept as the JSON text itself, not a JSONField: only the tutor's parser reads it, whole, so
    PostgreSQL's jsonb only cost CPU, parsing each index on write and writing it out again as
    text on every question (about 5 times the backend CPU of reading the text as it is)."""

    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="tutor_index")
    data = models.TextField()
    built_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "tutor indexes"

    def __str__(self) -> str:
        return f"Tutor index of {self.lesson}"


class TutorQuestion(models.Model):
    """One question asked of the tutor; the learner only as an id, for instructors' reports."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="tutor_questions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tutor_questions",
    )
    question = models.TextField()
    grounded = models.BooleanField()
    best_score = models.FloatField()
    anchors = models.JSONField(default=list, blank=True)  # sections the answer cited
    # The section the answer leaned on most (its first citation), kept as a column so reports
    # count questions per section in the database.
    section_anchor = models.CharField(max_length=200, blank=True, db_index=True)
    # How sure the tutor was that its quote answers the question (0..1), for answers only;
    # null for declines, greetings and overviews, and for tutors that report no confidence.
    confidence = models.FloatField(null=True, blank=True)
    # Who asked, as an opaque key (tutor.question_log.visitor_key), and the question's normalised
    # wording, hashed: one visitor asking the same thing again is logged once, so repeats
    # cannot flood the instructor's report, and reports group wordings in the database.
    visitor = models.CharField(max_length=64, blank=True, default="")
    wording_key = models.CharField(max_length=64, blank=True, default="")
    asked_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-asked_at"]
        indexes = [
            # The tutor-gaps report groups one lesson's declined (or answered) questions by
            # wording and shows each group's first wording, size and latest time: every column
            # it reads is in this index, so the report never visits the table's rows.
            models.Index(
                fields=["lesson", "grounded", "wording_key", "asked_at", "question"],
                name="tutor_q_gaps",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "visitor", "wording_key"],
                condition=~models.Q(visitor=""),
                name="one_question_per_visitor_and_wording",
            )
        ]

    def __str__(self) -> str:
        return self.question[:60]

    def save(self, *args, **kwargs) -> None:
        if not self.wording_key:
            self.wording_key = wording_key(self.question)
        super().save(*args, **kwargs)
