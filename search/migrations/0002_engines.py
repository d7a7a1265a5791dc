"""The database's own full-text index: a GIN index on PostgreSQL, an FTS5 table on SQLite.

Each operation runs only on its own database and is a no-op on the other.
"""

from django.db import migrations

PG_INDEX = "search_document_vector_gin"
FTS_TABLE = "search_fts"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {PG_INDEX} ON search_searchdocument USING gin (vector)"
        )
    elif vendor == "sqlite":
        # rowid is the lesson id; porter stems English words ("circuits" finds "circuit").
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "title, terms, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
