"""What the content app tells the apps above it, which it never imports."""

from django.dispatch import Signal

# Sent inside the import transaction for every lesson whose rows were (re)written, with `lesson`
# and `sections` (its new Section rows, in order). A receiver that raises undoes the import.
lesson_imported = Signal()
