"""Search follows the content: every lesson the importer writes is re-indexed in its transaction,
and every card follows its lesson and course whenever an import changed anything (which it
did when it wrote a lesson: then, last, the written lessons' ranking by word is written)."""

from django.dispatch import receiver

from courses.signals import catalog_changed, lessons_imported

from . import indexing


@receiver(lessons_imported, dispatch_uid="search.index_imported_lessons")
def index_imported_lessons(sender, *, lessons, **kwargs) -> None:
    indexing.index_lessons(lessons)


@receiver(catalog_changed, dispatch_uid="search.refresh_cards")
def refresh_cards(sender, **kwargs) -> None:
    indexing.refresh_cards()
    indexing.rank_words()  # after the cards: the rows copy their filter columns
