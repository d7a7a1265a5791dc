"""The app re-cut moved Lesson, Section, Question and Option into `courses` without moving data.

A database is taken back to the schema from before the move (the old leaf migrations), filled
through the historical models with learners, progress, attempts and tutor questions, then
migrated to the latest schema: every row of every table is still there, unchanged, and the
current models read it through their new apps.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from courses.models import Lesson, Question
from lessons.models import LessonProgress
from quizzes.models import Attempt, AttemptAnswer
from tutor.models import TutorQuestion

BEFORE_RECUT = [
    ("courses", "0001_initial"),
    ("lessons", "0003_lesson_retired_anchors"),
    ("quizzes", "0004_instructors_group"),
    ("tutor", "0002_tutorquestion_section_anchor"),
]
TABLES = [
    "auth_user",
    "courses_course",
    "lessons_lesson",
    "lessons_lesson_related",
    "lessons_section",
    "lessons_lessonprogress",
    "quizzes_question",
    "quizzes_option",
    "quizzes_attempt",
    "quizzes_attemptanswer",
    "quizzes_attemptanswer_selected_options",
    "tutor_tutorindex",
    "tutor_tutorquestion",
    "auth_permission",
    "auth_group_permissions",
]
AT = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def table_rows(columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of each table, on the given columns, in primary-key order."""
    quote = connection.ops.quote_name
    rows = {}
    with connection.cursor() as cursor:
        for table, names in columns.items():
            cursor.execute(f"SELECT {', '.join(map(quote, names))} FROM {quote(table)} ORDER BY 1")  # noqa: S608 (names from introspection)
            rows[table] = cursor.fetchall()
    return rows


def table_columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            table: [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for table in TABLES
        }


def fill_old_schema(apps) -> None:
    """Learners, a course with two lessons, a quiz, progress, attempts and tutor questions."""
    User = apps.get_model("auth", "User")
    Course = apps.get_model("courses", "Course")
    OldLesson = apps.get_model("lessons", "Lesson")
    OldSection = apps.get_model("lessons", "Section")
    OldProgress = apps.get_model("lessons", "LessonProgress")
    OldQuestion = apps.get_model("quizzes", "Question")
    OldOption = apps.get_model("quizzes", "Option")
    OldAttempt = apps.get_model("quizzes", "Attempt")
    OldAnswer = apps.get_model("quizzes", "AttemptAnswer")
    OldIndex = apps.get_model("tutor", "TutorIndex")
    OldTutorQuestion = apps.get_model("tutor", "TutorQuestion")

    ada = User.objects.create(username="ada", email="ada@example.org", password="x")
    bob = User.objects.create(username="bob", email="bob@example.org", password="x")
    source = {"source_hash": "h" * 64, "imported_at": AT}
    course = Course.objects.create(
        slug="black-box", title="Black box", summary="S", track="T", source_path="c", **source
    )
    first, second = (
        OldLesson.objects.create(
            course=course,
            slug=f"lesson-{n}",
            number=n,
            title=f"Lesson {n}",
            summary="S",
            key_terms=[{"term": "Probe", "definition_html": "<p>A classifier</p>"}],
            retired_anchors=["gone"],
            catalog_position=n,
            source_path=f"c/0{n}-lesson.md",
            **source,
        )
        for n in (1, 2)
    )
    second.related.add(first)
    for lesson, anchor in ((first, "fog"), (second, "grown")):
        OldSection.objects.create(
            lesson=lesson,
            anchor=anchor,
            heading=anchor,
            position=1,
            html="<p>x</p>",
            text="x",
            source_line=3,
        )
    old_version = OldQuestion.objects.create(
        lesson=first,
        position=1,
        prompt_html="Old?",
        fingerprint="a",
        is_current=False,
        source_line=9,
        created_at=AT,
    )
    question = OldQuestion.objects.create(
        lesson=first,
        position=1,
        prompt_html="What?",
        see_anchor="fog",
        is_multiple=True,
        fingerprint="b",
        source_line=12,
        created_at=AT,
    )
    options = [
        OldOption.objects.create(question=q, position=p, text_html=f"O{p}", is_correct=p == 1)
        for q in (old_version, question)
        for p in (1, 2)
    ]
    OldProgress.objects.create(
        learner=ada,
        lesson=first,
        sections_read=["fog", "gone"],
        started_at=AT,
        completed_at=AT,
        last_visited_at=AT,
        best_score=1,
        best_total=1,
        latest_score=0,
        latest_total=1,
        latest_attempt_at=AT,
    )
    OldProgress.objects.create(learner=bob, lesson=second, sections_read=[], started_at=AT)
    for learner, score, chosen, asked in (
        (ada, 1, options[:1], old_version),
        (ada, 0, options[2:], question),
        (None, 1, options[2:3], question),
    ):
        attempt = OldAttempt.objects.create(
            public_id=uuid.uuid4(),
            token_nonce=uuid.uuid4().hex,
            learner=learner,
            lesson=first,
            score=score,
            total=1,
            snapshot=[{"question": asked.pk, "reread_anchor": "fog"}],
            submitted_at=AT,
        )
        answer = OldAnswer.objects.create(attempt=attempt, question=asked, is_correct=bool(score))
        answer.selected_options.set(chosen)
    OldIndex.objects.create(lesson=first, data={"version": 1}, built_at=AT)
    OldTutorQuestion.objects.create(
        lesson=first,
        learner=ada,
        question="What is fog?",
        grounded=True,
        best_score=2.5,
        anchors=["fog"],
        section_anchor="fog",
        asked_at=AT,
    )
    OldTutorQuestion.objects.create(
        lesson=second, learner=None, question="Why?", grounded=False, best_score=0.1, asked_at=AT
    )


@pytest.mark.django_db(transaction=True)
def test_the_recut_keeps_every_row_and_every_link():
    migrate(BEFORE_RECUT)
    try:
        fill_old_schema(MigrationExecutor(connection).loader.project_state(BEFORE_RECUT).apps)
        old_columns = table_columns()
        before = table_rows(old_columns)
        lesson_type = ContentType.objects.get(app_label="lessons", model="lesson")
        types = dict(ContentType.objects.values_list("pk", "model"))
    finally:
        migrate(latest())
    ContentType.objects.clear_cache()

    assert table_rows(old_columns) == before  # not one row or value changed, in any table
    assert "fallback_anchor" in table_columns()["quizzes_question"]
    assert before["quizzes_attemptanswer_selected_options"] and before["lessons_lesson_related"]

    # The current models, now in their new apps, read the same rows.
    ada = get_user_model().objects.get(username="ada")
    progress = LessonProgress.objects.select_related("lesson__course").get(learner=ada)
    assert (progress.ref, progress.best_score, progress.sections_read) == (
        "black-box/lesson-1",
        1,
        ["fog", "gone"],
    )
    first = Lesson.objects.get(slug="lesson-1")
    assert [s.anchor for s in first.sections.all()] == ["fog"]
    assert list(Lesson.objects.get(slug="lesson-2").related.all()) == [first]
    assert first.questions.current().get().options.count() == 2
    answers = AttemptAnswer.objects.filter(attempt__learner=ada).order_by("attempt__score")
    assert [[o.text_html for o in a.selected_options.all()] for a in answers] == [
        ["O1", "O2"],
        ["O1"],
    ]
    assert Attempt.objects.filter(learner__isnull=True).get().lesson == first
    assert Question.objects.get(prompt_html="Old?").answers.get().attempt.learner == ada
    assert TutorQuestion.objects.filter(lesson__course__slug="black-box").count() == 2
    assert json.loads(first.tutor_index.data) == {"version": 1}

    # The reports' copies are filled in for answers and tutor questions recorded before them.
    for answer in AttemptAnswer.objects.select_related("attempt"):
        assert answer.credit == float(answer.is_correct)
        assert (answer.attempt_score, answer.attempt_total) == (
            answer.attempt.score,
            answer.attempt.total,
        )
        chosen = sorted(int(pk) for pk in answer.chosen.split(",") if pk)
        assert chosen == sorted(o.pk for o in answer.selected_options.all())
    assert all(q.visitor and q.wording_key for q in TutorQuestion.objects.all())

    # Content types moved with their models (same rows, new label), so permissions and admin
    # history stay attached.
    assert dict(ContentType.objects.values_list("pk", "model")) == types
    moved = ContentType.objects.get_for_model(Lesson)
    assert (moved.pk, moved.app_label) == (lesson_type.pk, "courses")
    assert Permission.objects.filter(content_type=moved, codename="view_lesson").exists()
    assert not ContentType.objects.filter(app_label="lessons", model="lesson").exists()
