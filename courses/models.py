"""Content: courses, their lessons and sections, and quiz questions, as imported from files.

Rows here are written only by the importer. Quiz questions are versioned: an edited question is
a new row, so recorded answers keep their meaning.
"""

from collections.abc import Container

from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse

from courses.content.completion import (
    DEFAULT_PASS_MARK,
    DEFAULT_RULE,
    RULES,
    CompletionRule,
    read_seconds,
)


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        return self.filter(is_published=True)

    def with_lesson_stats(self) -> "CourseQuerySet":
        published_lessons = Q(lessons__is_published=True)
        return self.annotate(
            lesson_count=Count("lessons", filter=published_lessons),
            total_minutes=Sum("lessons__minutes", filter=published_lessons, default=0),
        )


class ImportedFromFile(models.Model):
    """Where a row came from. One whose file disappears is unpublished, never deleted, so
    everything learners did with it survives and returns with the file."""

    is_published = models.BooleanField(default=True)
    source_path = models.CharField(max_length=500)  # relative to the content root
    source_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    class Meta:
        abstract = True


class Course(ImportedFromFile):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    track = models.CharField(max_length=100)
    order = models.IntegerField(default=0)
    # Quiz settings from course.md (docs/authoring.md): which attempt of each learner the
    # reports count by default, and how a multiple-select question is scored.
    report_basis = models.CharField(
        max_length=10,
        default="first",
        choices=[("first", "first attempt"), ("best", "best attempt"), ("last", "last attempt")],
    )
    multiple_select_scoring = models.CharField(
        max_length=20,
        default="all-or-nothing",
        choices=[("all-or-nothing", "all or nothing"), ("partial", "partial credit")],
    )
    description_html = models.TextField(blank=True)
    # What completes a lesson of this course (course.md's `completion` and `pass_mark`).
    completion = models.CharField(
        max_length=20, choices=[(rule, rule) for rule in RULES], default=DEFAULT_RULE
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=DEFAULT_PASS_MARK, help_text="Percent of the quiz right that passes it."
    )
    # {spelling: the spelling it means} from course.md's `aliases:`, for concept pages.
    concept_aliases = models.JSONField(default=dict, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:course", kwargs={"course": self.slug})

    @property
    def completion_rule(self) -> CompletionRule:
        return CompletionRule(self.completion, self.pass_mark)


class LessonQuerySet(models.QuerySet):
    def published(self) -> "LessonQuerySet":
        return self.filter(is_published=True, course__is_published=True)

    def in_catalog_order(self) -> "LessonQuerySet":
        return self.order_by("catalog_position")


class Lesson(ImportedFromFile):
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

    objects = LessonQuerySet.as_manager()

    class Meta:
        db_table = "lessons_lesson"  # moved from the lessons app; the table kept its name
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
        db_table = "lessons_section"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "anchor"], name="section_anchor_unique")
        ]

    def __str__(self) -> str:
        return self.heading

    @property
    def read_seconds(self) -> int:
        """How long the section must be on screen to count as read (content/completion.py)."""
        return read_seconds(len(self.text.split()))


class QuestionQuerySet(models.QuerySet):
    def current(self) -> "QuestionQuerySet":
        return self.filter(is_current=True)


class Question(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(help_text="1-based order in the lesson's quiz.")
    prompt_html = models.TextField()
    explanation_html = models.TextField(blank=True)
    see_anchor = models.CharField(max_length=200, blank=True)
    # The section to re-read when the question has no valid `See:`: the tutor chooses it once,
    # at import (it listens to `lessons_imported`), so grading and reports never run retrieval.
    fallback_anchor = models.CharField(max_length=200, blank=True)
    is_multiple = models.BooleanField(default=False)
    # A hash of what the learner is asked (prompt, options, which are correct). When the file
    # changes any of it, the old row is retired and a new one starts fresh statistics.
    fingerprint = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    source_line = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    objects = QuestionQuerySet.as_manager()

    class Meta:
        db_table = "quizzes_question"  # moved from the quizzes app; the table kept its name
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

    def reread_anchor(self, anchors: Container[str]) -> str:
        """The section a learner should re-read: its `See:` if that exists, else the fallback."""
        return self.see_anchor if self.see_anchor in anchors else self.fallback_anchor


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveIntegerField()
    text_html = models.TextField()
    is_correct = models.BooleanField()
    feedback_html = models.TextField(blank=True)

    class Meta:
        db_table = "quizzes_option"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"Option {self.position} of {self.question}"
