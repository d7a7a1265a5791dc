"""The tutor follows the content: every lesson the importer writes is indexed right away."""

from django.dispatch import receiver

from courses.signals import lesson_imported

from .services import index_lesson, store_fallback_anchors


@receiver(lesson_imported, dispatch_uid="tutor.index_imported_lesson")
def index_imported_lesson(sender, *, lesson, sections, **kwargs) -> None:
    index = index_lesson(lesson, sections)
    store_fallback_anchors(lesson, sections, index)
