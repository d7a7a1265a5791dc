"""The head of each document (title, key terms and concepts) ranked on its own.

PostgreSQL: a `head` tsvector beside the full one, filled for the documents already there,
with its own GIN index. SQLite: FTS5's `rank` becomes bm25 with the column weights (title 10,
terms 4, body 1), so queries can `ORDER BY rank`.
"""

import django.contrib.postgres.search
from django.db import migrations

PG_INDEX = "search_document_head_gin"
FTS_TABLE = "search_fts"
FTS_RANK = "bm25(10.0, 4.0, 1.0)"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "UPDATE search_searchdocument SET head = "
            "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', terms), 'B')"
        )
        schema_editor.execute(
            f"CREATE INDEX {PG_INDEX} ON search_searchdocument USING gin (head)"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', %s)", [FTS_RANK]
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif vendor == "sqlite":
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('rank', 'bm25()')"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_engines")]
    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create, drop),
    ]
