"""Creates the "Instructors" group, which may view reports but not change learner data."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"


def create_group(apps, schema_editor):
    # Permissions are normally created after migrations run; create them now to attach one.
    for app_label in ("quizzes", "lessons", "tutor", "courses"):
        config = apps.get_app_config(app_label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quizzes", codename__in=["view_reports", "view_attempt"]
        )
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0003_reports_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("lessons", "0003_lesson_retired_anchors"),
        ("tutor", "0002_tutorquestion_section_anchor"),
        ("courses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
