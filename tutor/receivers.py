"""The tutor follows the content: every lesson the importer writes is indexed right away (the
index built beside its rendering, `indexing.prepare`)."""

from django.dispatch import receiver

from courses.signals import lessons_imported

from .services import index_lessons


@receiver(lessons_imported, dispatch_uid="tutor.index_imported_lessons")
def index_imported_lessons(sender, *, lessons, prepared, **kwargs) -> None:
    index_lessons(lessons, [result["tutor"] for result in prepared])
