from django.contrib import admin

from core.admin_mixins import ReadOnlyAdmin

from .models import LessonProgress


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
