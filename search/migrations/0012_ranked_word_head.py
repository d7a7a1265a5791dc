"""PostgreSQL: the head tier's ranking by word on `search.models.RankedWord`: for each row whose
lexeme the head holds, ts_rank of the head for that lexeme alone (`head_rank`) and whether the
title holds it (`in_title`), filled here from the existing vectors as an import writes them
(`search.indexing.rank_words`), and a partial index of those rows in the head tier's order.
Backwards: the columns and the index are dropped. SQLite: the columns are added to the empty
table.
"""

from django.db import migrations, models

import search.models

# search.engine's statement as this migration was written (kept here: a migration must not
# change with the code).
_LEXEME = r"replace(replace(w.word, '\', '\\'), '''', '\''')"
FILL = (
    "UPDATE search_rankedword w SET "
    f"head_rank = ts_rank(r.head, ('''' || {_LEXEME} || '''')::tsquery), "
    f"in_title = coalesce(r.head @@ ('''' || {_LEXEME} || ''':A')::tsquery, false) "
    "FROM search_rankingvector r WHERE r.lesson_id = w.lesson_id AND w.in_head"
)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_course_concept_aliases"),
        ("search", "0011_body_term"),
    ]

    operations = [
        migrations.AddField(
            model_name="rankedword",
            name="head_rank",
            field=search.models.RealField(null=True),
        ),
        migrations.AddField(
            model_name="rankedword",
            name="in_title",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="rankedword",
            index=models.Index(
                condition=models.Q(("in_head", True)),
                fields=["word", "-in_title", "-head_rank", "position"],
                name="search_rankedword_head",
            ),
        ),
    ]
