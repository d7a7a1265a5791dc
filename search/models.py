"""What search looks in: one document per lesson, written by the importer's transaction."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from courses.models import Lesson


class SearchDocument(models.Model):
    """A lesson's searchable text, by weight: title, then key terms and concepts, then body.

    On PostgreSQL `vector` holds the weighted tsvector and `head` the title and terms alone
    (GIN indexes cover both, created by migrations 0002 and 0003); on SQLite both stay empty and
    an FTS5 table (migration 0002, its bm25 weights set by 0003) holds the same three columns.
    `search.engine` is the only code that reads either.
    """

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    terms = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)
    # Title and terms only: small, so ranking the lessons that match there never reads a body.
    head = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return self.title
