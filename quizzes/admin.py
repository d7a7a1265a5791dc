from django.contrib import admin
from django.db.models import F, FloatField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.admin_mixins import ReadOnlyAdmin

from .models import Attempt

PASS_MARK = 0.7


class PassedFilter(admin.SimpleListFilter):
    title = "result"
    parameter_name = "result"

    def lookups(self, request, model_admin):
        return [
            ("passed", f"Passed ({PASS_MARK:.0%} or more)"),
            ("failed", f"Below {PASS_MARK:.0%}"),
        ]

    def queryset(self, request, queryset):
        fraction = Cast("score", FloatField()) / F("total")
        if self.value() == "passed":
            return queryset.alias(fraction=fraction).filter(fraction__gte=PASS_MARK)
        if self.value() == "failed":
            return queryset.alias(fraction=fraction).filter(fraction__lt=PASS_MARK)
        return queryset


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["lesson", "learner", "score", "total", "percent", "submitted_at"]
    list_filter = ["lesson__course", "lesson", PassedFilter, "submitted_at"]
    search_fields = ["learner__username", "learner__email", "lesson__title"]
    date_hierarchy = "submitted_at"
    list_select_related = ["lesson", "learner"]
    fields = ["public_id", "lesson", "learner", "score", "total", "submitted_at", "review"]

    @admin.display(description="Percent")
    def percent(self, attempt: Attempt) -> str:
        return f"{attempt.score / attempt.total:.0%}" if attempt.total else "-"

    @admin.display(description="Answers")
    def review(self, attempt: Attempt) -> str:
        """The attempt as a review (each question, what was chosen, what was right), not JSON.
        The snapshot's HTML was sanitized at import; everything else the template escapes."""
        html = render_to_string("admin/quizzes/attempt_review.html", {"attempt": attempt})
        return mark_safe(html)  # rendered by a template that escapes
