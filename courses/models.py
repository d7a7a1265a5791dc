"""Courses: the top of the catalog, one per folder under CONTENT_DIR."""

from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse

from lessons.completion import DEFAULT_PASS_MARK, DEFAULT_RULE, RULES, CompletionRule


class CourseQuerySet(models.QuerySet):
    def published(self) -> "CourseQuerySet":
        return self.filter(is_published=True)

    def with_lesson_stats(self) -> "CourseQuerySet":
        published_lessons = Q(lessons__is_published=True)
        return self.annotate(
            lesson_count=Count("lessons", filter=published_lessons),
            total_minutes=Sum("lessons__minutes", filter=published_lessons, default=0),
        )


class Course(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    track = models.CharField(max_length=100)
    order = models.IntegerField(default=0)
    description_html = models.TextField(blank=True)
    # What completes a lesson of this course (course.md's `completion` and `pass_mark`).
    completion = models.CharField(
        max_length=20, choices=[(rule, rule) for rule in RULES], default=DEFAULT_RULE
    )
    pass_mark = models.PositiveSmallIntegerField(
        default=DEFAULT_PASS_MARK, help_text="Percent of the quiz right that passes it."
    )

    # Where it came from. A course whose folder disappears is unpublished, never deleted, so
    # everything learners did in it survives and returns with the folder.
    is_published = models.BooleanField(default=True)
    source_path = models.CharField(max_length=500)
    source_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", kwargs={"course": self.slug})

    @property
    def completion_rule(self) -> CompletionRule:
        return CompletionRule(self.completion, self.pass_mark)
