from django.contrib import admin

from core.admin_mixins import SOURCE_NOTE, ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Course, Lesson, Option, Question, Section


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "track", "order", "is_published", "source_path", "imported_at"]
    list_filter = ["track", "is_published"]
    search_fields = ["title", "slug", "summary"]
    fieldsets = [
        (
            "Source",
            {"description": SOURCE_NOTE, "fields": ["source_path", "imported_at", "is_published"]},
        ),
        ("Course", {"fields": ["title", "slug", "summary", "track", "order"]}),
    ]


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


class OptionInline(ReadOnlyTabularInline):
    model = Option
    fields = ["position", "text_html", "is_correct", "feedback_html"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["position", "lesson", "is_current", "is_multiple", "source_line", "created_at"]
    list_filter = ["lesson__course", "lesson", "is_current", "is_multiple"]
    search_fields = ["prompt_html", "explanation_html"]
    fieldsets = [
        (
            "Source",
            {
                "description": SOURCE_NOTE,
                "fields": ["lesson", "source_line", "created_at", "is_current", "fingerprint"],
            },
        ),
        (
            "Question",
            {
                "fields": [
                    "position",
                    "prompt_html",
                    "is_multiple",
                    "explanation_html",
                    "see_anchor",
                ]
            },
        ),
    ]
    inlines = [OptionInline]


@admin.register(Option)
class OptionAdmin(ReadOnlyAdmin):
    list_display = ["question", "position", "is_correct"]
    list_filter = ["question__lesson__course", "is_correct"]
    search_fields = ["text_html"]
