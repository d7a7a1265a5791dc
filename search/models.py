"""What search looks in: one document per lesson, written by the importer's transaction."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from courses.models import Lesson


class SearchDocument(models.Model):
    """A lesson's searchable text, by weight: title, then key terms and concepts, then body.

    On PostgreSQL `vector` holds the weighted tsvector (a GIN index covers it, created by
    migration 0002); on SQLite it stays empty and an FTS5 table (also migration 0002) holds the
    same three columns. `search.engine` is the only code that reads either.
    """

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    terms = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return self.title
