"""Lessons and their sections, stored already rendered and sanitized by the importer."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import Course

from .completion import read_seconds


class LessonQuerySet(models.QuerySet):
    def published(self) -> "LessonQuerySet":
        return self.filter(is_published=True, course__is_published=True)

    def in_catalog_order(self) -> "LessonQuerySet":
        return self.order_by("catalog_position")


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(max_length=100)
    number = models.PositiveIntegerField(help_text="Order within the course (the file's NN-).")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    minutes = models.PositiveIntegerField(null=True, blank=True)
    concepts = models.JSONField(default=list, blank=True)
    big_idea = models.TextField(blank=True)
    # [{"term": str, "definition_html": str}], sanitized at import.
    key_terms = models.JSONField(default=list, blank=True)
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="referenced_by"
    )
    # Anchors of sections that a later version of the file renamed or removed. Progress on them
    # stays on record (and may still arrive from a browser), but no longer counts.
    retired_anchors = models.JSONField(default=list, blank=True)
    # 1-based position among all published lessons ("Lesson N of M"); recomputed by every
    # import so a page never has to count its predecessors. Null while unpublished.
    catalog_position = models.PositiveIntegerField(null=True, blank=True, db_index=True)

    is_published = models.BooleanField(default=True)
    source_path = models.CharField(max_length=500)
    source_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course__order", "course__slug", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:detail", kwargs={"course": self.course.slug, "lesson": self.slug})


class Section(models.Model):
    """One `##` part of a lesson: a step of its learning path."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="sections")
    anchor = models.SlugField(max_length=200)
    heading = models.CharField(max_length=300)
    position = models.PositiveIntegerField()
    html = models.TextField()
    text = models.TextField(help_text="Plain text, one line per paragraph, for the tutor.")
    source_line = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "anchor"], name="section_anchor_unique")
        ]

    def __str__(self) -> str:
        return self.heading

    @property
    def read_seconds(self) -> int:
        """How long the section must be on screen to count as read (lessons/completion.py)."""
        return read_seconds(len(self.text.split()))


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
    best_score = models.PositiveIntegerField(null=True, blank=True)
    best_total = models.PositiveIntegerField(null=True, blank=True)
    latest_score = models.PositiveIntegerField(null=True, blank=True)
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
