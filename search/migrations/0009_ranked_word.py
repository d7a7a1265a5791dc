"""PostgreSQL: the body tier's ranking by word (`search.models.RankedWord`), one row per lexeme
of each `RankingVector`, filled here from the existing vectors as an import writes it
(`search.indexing.index_lessons`). Backwards: the table is dropped. SQLite: the table is created
and stays empty.
"""

import django.db.models.deletion
from django.db import migrations, models

import search.models

# search.engine's statement as this migration was written (kept here: a migration must not
# change with the code).
FILL = (
    "INSERT INTO search_rankedword "
    "(lesson_id, word, rank, published, position, track, course_slug, in_head) "
    "SELECT r.lesson_id, u.lexeme, ts_rank(r.vector, t.q), r.published, r.position, r.track, "
    "r.course_slug, coalesce(r.head @@ t.q, false) FROM search_rankingvector r "
    "CROSS JOIN LATERAL unnest(r.vector) u "
    r"CROSS JOIN LATERAL (SELECT ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '\''') "
    "|| '''')::tsquery AS q) t"
)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_course_concept_aliases"),
        ("search", "0008_ranking_vector_alone"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankedWord",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "lesson",
                        "word",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("word", search.models.BytewiseTextField()),
                ("rank", search.models.RealField()),
                ("published", models.BooleanField()),
                ("position", models.PositiveIntegerField(null=True)),
                ("track", models.CharField(max_length=100)),
                ("course_slug", models.SlugField(db_index=False, max_length=100)),
                ("in_head", models.BooleanField()),
                (
                    "lesson",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="courses.lesson",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["word", "-rank", "position"], name="search_rankedword_rank"
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
