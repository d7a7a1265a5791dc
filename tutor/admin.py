from django.contrib import admin

from core.admin_mixins import ReadOnlyAdmin

from .models import TutorIndex, TutorQuestion


@admin.register(TutorQuestion)
class TutorQuestionAdmin(ReadOnlyAdmin):
    list_display = [
        "question",
        "lesson",
        "grounded",
        "confidence",
        "best_score",
        "section_anchor",
        "asked_at",
    ]
    list_filter = ["grounded", "lesson__course", "lesson", "asked_at"]
    search_fields = ["question"]
    date_hierarchy = "asked_at"
    list_select_related = ["lesson"]


@admin.register(TutorIndex)
class TutorIndexAdmin(ReadOnlyAdmin):
    list_display = ["lesson", "built_at"]
    fields = ["lesson", "built_at"]
