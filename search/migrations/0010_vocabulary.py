"""The catalog's words as written (`search.models.SearchWord`), filled here from the existing
documents as an import writes them (`search.indexing.index_lessons`). Backwards: the table is
dropped."""

import re

from django.db import migrations

import search.models

# search.query's reading of words as this migration was written (kept here: a migration must
# not change with the code).
WORD_RE = re.compile(r"[^\W_]+")
MAX_WORD = 64


def fill(apps, schema_editor):
    documents = apps.get_model("search", "SearchDocument").objects.using(
        schema_editor.connection.alias
    )
    words: set[str] = set()
    for title, terms, body in documents.values_list("title", "terms", "body").iterator():
        text = f"{title}\n{terms}\n{body}".lower()
        words.update(word for word in WORD_RE.findall(text) if len(word) <= MAX_WORD)
    word_model = apps.get_model("search", "SearchWord")
    word_model.objects.using(schema_editor.connection.alias).bulk_create(
        [word_model(word=word) for word in sorted(words)], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0009_ranked_word")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", search.models.BytewiseTextField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
