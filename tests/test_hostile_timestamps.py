"""Times a browser reports (issue #16, finding 2): refused outside a sane window with a 400
naming the field, so nothing can store a value the database driver cannot read back; rows
stored before the check are repaired by a migration."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

from courses.importer import import_content
from lessons.models import LessonProgress
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.django_db
REF = "black-box/lesson-1"


@pytest.fixture
def learner(client, content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    user = make_user()
    client.force_login(user)
    return user


def sync(client: Client, entry: dict):
    body = json.dumps({"lessons": {REF: entry}})
    return client.post("/progress/sync/", body, content_type="application/json")


def assert_pages_still_work(client: Client) -> None:
    for url in ("/learning/", "/courses/black-box/lesson-1/", "/accounts/data/", "/admin/"):
        assert client.get(url).status_code in {200, 302}, url
    assert sync(client, {"sections_read": []}).status_code == 200


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"started_at": "0001-01-01T00:00:00+14:00"}, "started_at"),
        ({"completed_at": "9999-12-31T23:59:59-14:00"}, "completed_at"),
        ({"started_at": "1970-01-01T00:00:00Z"}, "started_at"),
        ({"completed_at": "2999-01-01T00:00:00Z"}, "completed_at"),
    ],
)
def test_out_of_range_times_are_refused_naming_the_field(client, learner, entry, field):
    response = sync(client, entry)
    assert response.status_code == 400
    assert (
        f"lessons['{REF}'].{field} must be a time between 2000-01-01 and now"
        in (response.json()["error"])
    )
    assert not LessonProgress.objects.filter(learner=learner).exists()
    assert_pages_still_work(client)


def test_staff_progress_list_survives_a_bad_sync(client, learner):
    learner.is_staff = learner.is_superuser = True
    learner.save()
    sync(client, {"started_at": "0001-01-01T00:00:00+14:00"})
    assert client.get("/admin/lessons/lessonprogress/").status_code == 200


def test_the_migration_repairs_times_already_stored(learner):
    assert sync_ok(learner)
    row = LessonProgress.objects.get(learner=learner)
    if connection.vendor == "postgresql":  # exactly what the old sync stored
        bad_start, bad_end = "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"
    else:
        bad_start, bad_end = "0000-12-31 10:00:00", "10000-01-01 13:59:59"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE lessons_lessonprogress SET started_at = %s, completed_at = %s WHERE id = %s",
            [bad_start, bad_end, row.pk],
        )
    migration = importlib.import_module("lessons.migrations.0006_repair_out_of_range_times")
    migration.repair(apps, None)
    row.refresh_from_db()  # readable again, and inside the window
    for moment in (row.started_at, row.completed_at):
        assert datetime(2000, 1, 1, tzinfo=UTC) <= moment <= timezone.now()


def sync_ok(user) -> bool:
    client = Client()
    client.force_login(user)
    return sync(client, {"started_at": "2026-01-01T00:00:00Z"}).status_code == 200
