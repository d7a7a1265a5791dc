"""PostgreSQL: each card holds its document's body too (the passage source), so the cards of a
results page are one table's rows, not a join to the documents. Filled here for the cards
already there; on SQLite the column stays empty.
"""

from django.db import migrations, models


def fill_bodies(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE search_searchcard c SET body = d.body "
            "FROM search_searchdocument d WHERE d.lesson_id = c.lesson_id"
        )
        # The rewritten rows' entries wait in the GIN indexes' pending lists (see
        # search.engine.GIN_INDEXES): into the indexes proper with them.
        for index in ("search_card_vector_gin", "search_card_head_gin"):
            schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


class Migration(migrations.Migration):
    dependencies = [("search", "0004_cards")]

    operations = [
        migrations.AddField(
            model_name="searchcard",
            name="body",
            field=models.TextField(editable=False, null=True),
        ),
        migrations.RunPython(fill_bodies, migrations.RunPython.noop),
    ]
