"""PostgreSQL: the body tier reads `RankingVector` alone (`search.models.RankingVector`): the
card's filter columns and head are copied beside the in-line vector, and the vector gets a GIN
index of its own, so ranking a word found only in lesson text no longer joins each matching
card to its vector by primary key.

The table is emptied (TRUNCATE, inside the migration's transaction) and filled again from the
cards, as an import writes it, rather than updated row by row, which would leave a dead copy
of every 3-kB row behind until a vacuum. The new GIN index is built on the full table.
Backwards: the index and the columns are dropped, the vectors stay. SQLite: the columns are
added to its empty table, nothing else.
"""

import django.contrib.postgres.search
from django.db import migrations, models

INDEX = "search_ranking_vector_gin"


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE search_rankingvector")
        schema_editor.execute(
            "INSERT INTO search_rankingvector "
            "(lesson_id, published, position, track, course_slug, head, vector) "
            "SELECT lesson_id, published, position, track, course_slug, head, vector "
            "FROM search_searchcard WHERE vector IS NOT NULL"
        )
        # The rows' foreign-key checks, deferred to the commit, are run first: PostgreSQL
        # builds no index on a table with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"CREATE INDEX {INDEX} ON search_rankingvector USING gin (vector)")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("search", "0007_ranking_vector")]

    operations = [
        migrations.AddField(
            model_name="rankingvector",
            name="published",
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rankingvector",
            name="position",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="rankingvector",
            name="track",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rankingvector",
            name="course_slug",
            field=models.SlugField(db_index=False, default="", max_length=100),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rankingvector",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill, drop_index),
    ]
