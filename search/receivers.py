"""Search follows the content: every lesson the importer writes is re-indexed in its transaction."""

from django.dispatch import receiver

from courses.signals import lessons_imported

from . import engine


@receiver(lessons_imported, dispatch_uid="search.index_imported_lessons")
def index_imported_lessons(sender, *, lessons, **kwargs) -> None:
    engine.index_lessons(lessons)
