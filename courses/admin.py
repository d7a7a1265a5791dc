from django.contrib import admin

from .admin_mixins import SOURCE_NOTE, ReadOnlyAdmin
from .models import Course


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
