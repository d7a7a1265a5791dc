from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0007_fill_report_copies")]

    operations = [
        migrations.AddIndex(
            model_name='attempt',
            index=models.Index(fields=['lesson', 'learner', 'submitted_at', 'score', 'total'], name='attempt_report_cover'),
        ),
        migrations.AddIndex(
            model_name='attemptanswer',
            index=models.Index(fields=['attempt', 'question', 'credit', 'attempt_score', 'attempt_total', 'chosen'], name='answer_report_cover'),
        ),
    ]
