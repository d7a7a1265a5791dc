from django.contrib import admin

from courses.admin_mixins import SOURCE_NOTE, ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Lesson, LessonProgress, Section


class SectionInline(ReadOnlyTabularInline):
    model = Section
    fields = ["position", "heading", "anchor", "source_line"]


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "course",
        "number",
        "catalog_position",
        "is_published",
        "source_path",
        "imported_at",
    ]
    list_filter = ["course", "is_published"]
    search_fields = ["title", "slug", "summary"]
    fieldsets = [
        (
            "Source",
            {
                "description": SOURCE_NOTE,
                "fields": ["source_path", "imported_at", "is_published", "retired_anchors"],
            },
        ),
        (
            "Lesson",
            {
                "fields": [
                    "course",
                    "slug",
                    "number",
                    "title",
                    "summary",
                    "minutes",
                    "concepts",
                    "big_idea",
                ]
            },
        ),
    ]
    inlines = [SectionInline]


@admin.register(Section)
class SectionAdmin(ReadOnlyAdmin):
    list_display = ["heading", "lesson", "position", "anchor", "source_line"]
    list_filter = ["lesson__course", "lesson"]
    search_fields = ["heading", "anchor", "text"]
    fields = ["lesson", "heading", "anchor", "position", "source_line", "text"]


@admin.register(LessonProgress)
class LessonProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "learner",
        "lesson",
        "started_at",
        "completed_at",
        "best_score",
        "best_total",
        "latest_score",
        "last_visited_at",
    ]
    list_filter = [
        "lesson__course",
        "lesson",
        ("completed_at", admin.EmptyFieldListFilter),
        "started_at",
    ]
    search_fields = ["learner__username", "learner__email", "lesson__title"]
    list_select_related = ["learner", "lesson"]
