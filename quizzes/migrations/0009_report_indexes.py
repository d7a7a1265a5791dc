from django.db import migrations, models

# IF NOT EXISTS: a database that applied the first version of 0006 (which built these
# indexes in the same step as its data) already has them.
ATTEMPT = (
    'CREATE INDEX IF NOT EXISTS "attempt_report_cover" ON "quizzes_attempt" '
    '("lesson_id", "learner_id", "submitted_at", "score", "total")'
)
ANSWER = (
    'CREATE INDEX IF NOT EXISTS "answer_report_cover" ON "quizzes_attemptanswer" '
    '("attempt_id", "question_id", "credit", "attempt_score", "attempt_total", "chosen")'
)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0008_fill_report_copies")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(ATTEMPT, 'DROP INDEX IF EXISTS "attempt_report_cover"'),
                migrations.RunSQL(ANSWER, 'DROP INDEX IF EXISTS "answer_report_cover"'),
            ],
            state_operations=[
                migrations.AddIndex(
                    model_name="attempt",
                    index=models.Index(
                        fields=["lesson", "learner", "submitted_at", "score", "total"],
                        name="attempt_report_cover",
                    ),
                ),
                migrations.AddIndex(
                    model_name="attemptanswer",
                    index=models.Index(
                        fields=[
                            "attempt",
                            "question",
                            "credit",
                            "attempt_score",
                            "attempt_total",
                            "chosen",
                        ],
                        name="answer_report_cover",
                    ),
                ),
            ],
        )
    ]
