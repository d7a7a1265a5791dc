"""PostgreSQL: the cards' full vectors are stored uncompressed (out of line, as before).

Ranking the body tier reads the whole vector of every card it ranks (ts_rank): for a word
found only in lesson text, about half the catalog. Decompressing each one (lz4, or pglz where
lz4 is missing) was a quarter of that query's CPU, and saved next to nothing: the 2,116-lesson
catalog's vectors take 6.25 MB uncompressed, 6.22 MB compressed. The vectors already stored are
rewritten (the same value) so they are stored the new way too. Backwards: compressed again for
values written later.
"""

from django.db import migrations

CARD_GIN_INDEXES = ("search_card_vector_gin", "search_card_head_gin")


def store_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchcard ALTER COLUMN vector SET STORAGE EXTERNAL"
        )
        # `|| ''` gives the same vector as a new value, which is stored the new way.
        schema_editor.execute("UPDATE search_searchcard SET vector = vector || ''::tsvector")
        for index in CARD_GIN_INDEXES:  # the rewritten rows' entries (search.engine)
            schema_editor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])


def store_compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_searchcard ALTER COLUMN vector SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0005_card_body")]
    operations = [migrations.RunPython(store_uncompressed, store_compressed)]
