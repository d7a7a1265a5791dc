"""SQLite: the body tier's ranking by term (`search.models.BodyTerm`), filled here from FTS5's
index as an import writes it (`search.indexing.rank_words`), and two fts5vocab tables over the
FTS5 table: its terms (`search_fts_terms`) and their places (`search_fts_places`). Backwards:
the table and the vocabulary tables are dropped. PostgreSQL: the table is created and stays
empty.
"""

import django.db.models.deletion
from django.db import migrations, models

# search.bm25's statements as this migration was written (kept here: a migration must not
# change with the code).
VOCABULARIES = (
    "CREATE VIRTUAL TABLE search_fts_terms USING fts5vocab(search_fts, row)",
    "CREATE VIRTUAL TABLE search_fts_places USING fts5vocab(search_fts, instance)",
)
LENGTHS = "CREATE TEMP TABLE search_bodyterm_lengths (lesson_id INTEGER PRIMARY KEY, tokens INTEGER NOT NULL)"
FILL = (
    "INSERT INTO search_bodyterm "
    "(term, lesson_id, hits, tokens, published, position, track, course_slug) "
    "SELECT p.term, p.doc, p.hits, n.tokens, c.published, c.position, c.track, c.course_slug "
    "FROM (SELECT term, doc, count(*) AS hits, max(col <> 'body') AS in_head "
    "FROM search_fts_places GROUP BY term, doc) p "
    "JOIN temp.search_bodyterm_lengths n ON n.lesson_id = p.doc "
    "JOIN search_searchcard c ON c.lesson_id = p.doc WHERE NOT p.in_head "
    "ORDER BY p.term, p.doc"
)


def varints(blob):
    values, at = [], 0
    while at < len(blob):
        value = 0
        for count in range(9):
            byte = blob[at]
            at += 1
            if count == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in VOCABULARIES:
            cursor.execute(statement)
        cursor.execute("SELECT id, sz FROM search_fts_docsize")
        lengths = [(pk, sum(varints(size))) for pk, size in cursor.fetchall()]
        cursor.execute(LENGTHS)
        cursor.executemany("INSERT INTO temp.search_bodyterm_lengths VALUES (?, ?)", lengths)
        cursor.execute(FILL)
        cursor.execute("DROP TABLE temp.search_bodyterm_lengths")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_terms")
        schema_editor.execute("DROP TABLE IF EXISTS search_fts_places")



class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0006_course_concept_aliases'),
        ('search', '0010_vocabulary'),
    ]

    operations = [
        migrations.CreateModel(
            name='BodyTerm',
            fields=[
                ('pk', models.CompositePrimaryKey('term', 'lesson', blank=True, editable=False, primary_key=True, serialize=False)),
                ('term', models.TextField()),
                ('hits', models.PositiveIntegerField()),
                ('tokens', models.PositiveIntegerField()),
                ('published', models.BooleanField()),
                ('position', models.PositiveIntegerField(null=True)),
                ('track', models.CharField(max_length=100)),
                ('course_slug', models.SlugField(db_index=False, max_length=100)),
                ('lesson', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='courses.lesson')),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
