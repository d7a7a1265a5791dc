from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tutor", "0005_fill_question_log_keys")]

    operations = [
        migrations.AddIndex(
            model_name='tutorquestion',
            index=models.Index(fields=['lesson', 'grounded', 'wording_key'], name='tutor_q_gap_wordings'),
        ),
        migrations.AddConstraint(
            model_name='tutorquestion',
            constraint=models.UniqueConstraint(condition=models.Q(('visitor', ''), _negated=True), fields=('lesson', 'visitor', 'wording_key'), name='one_question_per_visitor_and_wording'),
        ),
    ]
