"""SQLite: the title and key-term tiers' ranking by term (`search.models.HeadTerm`), filled
here from FTS5's index for every lesson, as an import writes it (`search.bm25.write`). The
table is made again as it was created but WITHOUT ROWID: its rows are then stored in the
primary key's order (term, lesson), so a search reads a term's rows, and counts those holding it
in the title, from one range of one b-tree rather than through an index and a lookup per row.
PostgreSQL: the table is created and stays empty.
"""

from importlib import import_module

import django.db.models.deletion
from django.db import migrations, models

# The table as Django creates it, WITHOUT ROWID, and search.bm25's statement as this migration
# was written (kept here: a migration must not change with the code).
TABLE = (
    'CREATE TABLE "search_headterm" ("term" text NOT NULL, "title_hits" integer unsigned NOT NULL '
    'CHECK ("title_hits" >= 0), "terms_hits" integer unsigned NOT NULL CHECK ("terms_hits" >= 0), '
    '"tokens" integer unsigned NOT NULL CHECK ("tokens" >= 0), "published" bool NOT NULL, '
    '"position" integer unsigned NULL CHECK ("position" >= 0), "track" varchar(100) NOT NULL, '
    '"course_slug" varchar(100) NOT NULL, "lesson_id" bigint NOT NULL, '
    'PRIMARY KEY ("term", "lesson_id")) WITHOUT ROWID'
)
FILL = (
    "INSERT INTO search_headterm "
    "(term, lesson_id, title_hits, terms_hits, tokens, published, position, track, course_slug) "
    "SELECT p.term, p.doc, p.title_hits, p.terms_hits, n.tokens, c.published, c.position, "
    "c.track, c.course_slug FROM (SELECT term, doc, sum(col = 'title') AS title_hits, "
    "sum(col = 'terms') AS terms_hits FROM search_fts_places WHERE col <> 'body' "
    "GROUP BY term, doc) p "
    "JOIN temp.search_bodyterm_lengths n ON n.lesson_id = p.doc "
    "JOIN search_searchcard c ON c.lesson_id = p.doc ORDER BY p.term, p.doc"
)
# 0011's table of each lesson's length and its reading of FTS5's records, as they were then.
body_term = import_module("search.migrations.0011_body_term")


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE search_headterm")  # empty: just created
        cursor.execute(TABLE)
        cursor.execute("SELECT id, sz FROM search_fts_docsize")
        lengths = [(pk, sum(body_term.varints(size))) for pk, size in cursor.fetchall()]
        cursor.execute(body_term.LENGTHS)
        cursor.executemany("INSERT INTO temp.search_bodyterm_lengths VALUES (?, ?)", lengths)
        cursor.execute(FILL)
        cursor.execute("DROP TABLE temp.search_bodyterm_lengths")


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0006_course_concept_aliases'),
        ('search', '0012_ranked_word_head'),
    ]

    operations = [
        migrations.CreateModel(
            name='HeadTerm',
            fields=[
                ('pk', models.CompositePrimaryKey('term', 'lesson', blank=True, editable=False, primary_key=True, serialize=False)),
                ('term', models.TextField()),
                ('title_hits', models.PositiveIntegerField()),
                ('terms_hits', models.PositiveIntegerField()),
                ('tokens', models.PositiveIntegerField()),
                ('published', models.BooleanField()),
                ('position', models.PositiveIntegerField(null=True)),
                ('track', models.CharField(max_length=100)),
                ('course_slug', models.SlugField(db_index=False, max_length=100)),
                ('lesson', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='courses.lesson')),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
