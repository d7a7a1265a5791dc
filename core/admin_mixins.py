"""Admin building blocks shared by the apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable in the admin, never edited there: content comes from files, learner data from
    learners. Deleting a learner's data is done by deleting their account."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows shown under their parent, read-only like the parent."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


SOURCE_NOTE = (
    "Imported from a lesson file: edit the file named in “Source path” (at the line shown; the "
    "path is relative to the content folder) and run import_content. Changes made here would "
    "be overwritten by the next import, so the admin shows content read-only."
)
