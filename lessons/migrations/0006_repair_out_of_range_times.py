"""Repairs progress times a browser stored before sync checked them (issue #16).

A time outside 2000-01-01 .. now is clamped into that window: an earlier one becomes
2000-01-01 00:00 UTC, a later one the time of this migration. Clamping, not nulling, keeps a
completed lesson completed. The rows are updated in the database without being read, because
psycopg cannot read a timestamptz outside Python's range.
"""

from datetime import UTC, datetime

from django.db import migrations
from django.utils import timezone

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def repair(apps, schema_editor):
    progress = apps.get_model("lessons", "LessonProgress")
    now = timezone.now()
    for field in ("started_at", "completed_at"):
        progress.objects.filter(**{f"{field}__lt": EARLIEST}).update(**{field: EARLIEST})
        progress.objects.filter(**{f"{field}__gt": now}).update(**{field: now})


class Migration(migrations.Migration):
    dependencies = [("lessons", "0005_fractional_scores")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
