from django.db import migrations, models

# IF NOT EXISTS: a database that applied the first version of 0004 (which built these in the
# same step as its data) already has them. The unique constraint is a partial unique index.
WORDINGS = (
    'CREATE INDEX IF NOT EXISTS "tutor_q_gap_wordings" ON "tutor_tutorquestion" '
    '("lesson_id", "grounded", "wording_key")'
)
ONCE = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "one_question_per_visitor_and_wording" '
    'ON "tutor_tutorquestion" ("lesson_id", "visitor", "wording_key") '
    "WHERE NOT (\"visitor\" = '')"
)


class Migration(migrations.Migration):
    dependencies = [("tutor", "0006_fill_question_log_keys")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(WORDINGS, 'DROP INDEX IF EXISTS "tutor_q_gap_wordings"'),
                migrations.RunSQL(ONCE, 'DROP INDEX IF EXISTS "one_question_per_visitor_and_wording"'),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="tutorquestion",
                    index=models.Index(
                        fields=["lesson", "grounded", "wording_key"], name="tutor_q_gap_wordings"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="tutorquestion",
                    constraint=models.UniqueConstraint(
                        condition=~models.Q(visitor=""),
                        fields=("lesson", "visitor", "wording_key"),
                        name="one_question_per_visitor_and_wording",
                    ),
                ),
            ],
        )
    ]
