"""core.reads.instances: model instances from a hand-written SELECT, exactly as raw() builds them
(each column converted as the ORM converts it, other columns as plain attributes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.utils import timezone

from accounts.backends import _user_sql
from core.reads import instances
from courses.importer import import_content
from courses.models import Lesson
from lessons.models import LessonProgress
from lessons.services import _VISIT_COLUMNS, _VISIT_ROWS_SQL
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {key: value for key, value in vars(instance).items() if key != "_state"}


def _same(ours: list, raw) -> None:
    raw = list(raw)
    assert [type(row) for row in ours] == [type(row) for row in raw]
    assert [_fields(row) for row in ours] == [_fields(row) for row in raw]
    assert all(not row._state.adding and row._state.db == "default" for row in ours)


def test_a_user_reads_as_raw_reads_it():
    user = make_user("ada")
    user.last_login = timezone.now()
    user.save()
    sql = 'SELECT * FROM "auth_user" WHERE "id" = %s'
    ours = instances(get_user_model(), sql, [user.pk])
    _same(ours, get_user_model().objects.raw(sql, [user.pk]))
    assert ours[0].last_login == user.last_login and ours[0].last_login.tzinfo is not None
    assert ours[0].check_password("correct horse battery staple")
    assert instances(get_user_model(), sql, [user.pk + 1]) == []


def test_progress_with_json_datetimes_and_extra_columns(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    user = make_user("ada")
    now = timezone.now()
    for lesson in Lesson.objects.all():
        LessonProgress.objects.create(
            learner=user, lesson=lesson, sections_read=["a", "b"], started_at=now, best_score=2.5
        )
    # Columns in another order than the model's, one left out, and two that are not fields.
    sql = """
        SELECT lesson.course_id AS lesson_course_id, progress.sections_read, progress.id,
               progress.learner_id, progress.lesson_id, progress.started_at,
               progress.best_score, lesson.is_published AS published
        FROM lessons_lessonprogress progress
        JOIN lessons_lesson lesson ON lesson.id = progress.lesson_id
        WHERE progress.learner_id = %s AND progress.started_at <= %s ORDER BY progress.id
    """
    ours = instances(LessonProgress, sql, [user.pk, now])  # a datetime parameter, adapted
    _same(ours, LessonProgress.objects.raw(sql, [user.pk, now]))
    assert len(ours) == 2
    assert ours[0].sections_read == ["a", "b"] and ours[0].started_at == now
    assert ours[0].lesson_course_id == Lesson.objects.get(pk=ours[0].lesson_id).course_id
    assert "completed_at" not in vars(ours[0])  # deferred, as raw() leaves it


def test_a_select_without_the_primary_key_is_refused():
    make_user("ada")
    with pytest.raises(FieldDoesNotExist):
        instances(get_user_model(), 'SELECT "username" FROM "auth_user"', [])


def test_the_lesson_pages_reads_name_their_columns_as_the_cursor_describes_them(content_root):
    """The user and progress reads pass their column lists (no cursor description read): each
    must match its SELECT, or a value would land in another field."""
    make_tree(content_root, lessons=2)
    import_content(content_root)
    user = make_user("ada")
    user.last_login = timezone.now()
    user.save()
    first, second = Lesson.objects.order_by("pk")
    now = timezone.now()
    LessonProgress.objects.create(
        learner=user,
        lesson=first,
        sections_read=["a"],
        started_at=now,
        best_score=2.5,
        best_total=4,
        latest_score=1.0,
        latest_total=3,
        latest_attempt_at=now - timedelta(seconds=3),
        last_visited_at=now - timedelta(seconds=1),
        completed_at=now - timedelta(seconds=2),
    )
    LessonProgress.objects.create(learner=user, lesson=second, last_visited_at=now, started_at=now)

    user_sql, user_columns = _user_sql(get_user_model(), "default")
    ours = instances(get_user_model(), user_sql, [user.pk], columns=user_columns)
    _same(ours, get_user_model().objects.raw(user_sql, [user.pk]))
    assert _fields(ours[0]) == _fields(get_user_model().objects.get(pk=user.pk))

    horizon = connection.ops.adapt_datetimefield_value(now - timedelta(minutes=5))
    params = [user.pk, first.pk, first.course_id, horizon]
    ours = instances(LessonProgress, _VISIT_ROWS_SQL, params, columns=_VISIT_COLUMNS)
    ours = sorted(ours, key=lambda row: row.pk)
    raw = sorted(LessonProgress.objects.raw(_VISIT_ROWS_SQL, params), key=lambda row: row.pk)
    _same(ours, raw)
    # By repr too: a boolean column read under an integer one's name would compare equal.
    assert [repr(_fields(row)) for row in ours] == [repr(_fields(row)) for row in raw]
    assert len(ours) == 2
    stored = {row.pk: row for row in LessonProgress.objects.all()}
    for row in ours:
        for field in LessonProgress._meta.concrete_fields:
            assert getattr(row, field.attname) == getattr(stored[row.pk], field.attname)
