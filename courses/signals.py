"""What the content app tells the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent once per import, inside its transaction, when it (re)wrote any lesson, with `lessons`: a
# list of (lesson, its new Section rows in order), one per written lesson, and `prepared`: for
# each of them, the results of the preparers registered with `courses.prerender` by name (work
# done beside the rendering, in the import's worker processes). Once per import, not per
# lesson, so a receiver can write in bulk. A receiver that raises undoes the import.
lessons_imported = Signal()

# Sent once per import that changed anything (a course or lesson added, rewritten, restored or
# removed), inside its transaction, after lessons were unpublished and the catalog renumbered:
# for receivers that copy course or lesson fields, which can change without a lesson being
# rewritten (a renamed course, a removed one, new catalog positions).
catalog_changed = Signal()
