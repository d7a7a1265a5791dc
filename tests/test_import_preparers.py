"""What the import's worker processes compute beside rendering (courses.prerender preparers):
the same results as computing them from the stored rows, and a failure there changes nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from courses import prerender
from courses.importer import import_content
from courses.models import Lesson, Question
from courses.prerender import LessonFailed
from tests.factories import make_tree, write_course, write_lesson
from tests.test_importer import database_state
from tutor import indexing, retrieval
from tutor.models import TutorIndex
from tutor.services import lesson_text

pytestmark = pytest.mark.django_db


def index_from_stored_rows(lesson: Lesson) -> retrieval.LessonIndex:
    return retrieval.build_index(lesson_text(lesson, lesson.sections.all()))


def fallback_from_stored_rows(question: Question, index: retrieval.LessonIndex) -> str:
    if question.see_anchor in {section.anchor for section in question.lesson.sections.all()}:
        return ""
    correct = question.options.filter(is_correct=True).order_by("position")
    topic = indexing.question_topic(question.prompt_html, [o.text_html for o in correct])
    return retrieval.closest_anchor(index, topic) or ""


def test_tutor_indexes_built_in_the_workers_equal_those_built_from_the_stored_rows(
    content_root, tmp_path
):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from textgen import generate_catalog

    generate_catalog(content_root, 2, 6)
    make_tree(content_root, lessons=2)  # quiz questions without `See:` among them
    report = import_content(content_root, workers=2)
    assert len(report.added) == 2 + 12 + 1 + 2
    lessons = Lesson.objects.all()
    unplaced = 0
    for lesson in lessons:
        index = index_from_stored_rows(lesson)
        stored = json.loads(TutorIndex.objects.get(lesson=lesson).data)
        assert stored == json.loads(json.dumps(index.to_dict())), lesson.slug
        for question in lesson.questions.current():
            assert question.fallback_anchor == fallback_from_stored_rows(question, index)
            unplaced += question.fallback_anchor != ""
    assert unplaced >= 2


def test_a_kept_question_with_an_older_rendering_gets_the_fallback_of_what_it_stores(
    content_root,
):
    """A question whose text did not change keeps its row, and with it the HTML it was first
    rendered to; its fallback section is chosen from that, as the page shows it."""
    make_tree(content_root, lessons=1)
    import_content(content_root)
    question = Question.objects.current().get(position=2)
    assert question.see_anchor == "" and question.fallback_anchor == "a-trillion-parameters-of-fog"
    Question.objects.filter(pk=question.pk).update(
        prompt_html="How does training grow a model by gradient descent?"
    )
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(path.read_text() + "\n")
    report = import_content(content_root)
    assert report.updated == ["lesson black-box/lesson-1"]
    question.refresh_from_db()
    assert question.is_current and question.fallback_anchor == "grown-not-built"
    index = index_from_stored_rows(question.lesson)
    assert question.fallback_anchor == fallback_from_stored_rows(question, index)


def test_a_lesson_failing_in_a_worker_stops_the_import_names_its_file_and_changes_nothing(
    content_root, monkeypatch
):
    make_tree(content_root, lessons=3)
    import_content(content_root)
    for path in sorted((content_root / "black-box").glob("0*.md")):
        path.write_text(path.read_text().replace("Lesson", "Renamed"))
    before = database_state()
    index_rows = list(TutorIndex.objects.order_by("pk").values())

    def fails_on_lesson_2(source, rendered):
        if source.slug == "lesson-2":
            raise ValueError("no index for you")
        return None

    monkeypatch.setitem(prerender._PREPARERS, "failing", fails_on_lesson_2)
    with pytest.raises(LessonFailed) as error:
        import_content(content_root, workers=2)
    assert error.value.path.endswith("black-box/02-lesson-2.md")
    assert "ValueError: no index for you" in str(error.value)
    assert database_state() == before
    assert list(TutorIndex.objects.order_by("pk").values()) == index_rows


def test_preparers_run_in_the_workers_and_reach_the_receivers_beside_their_lessons(
    content_root, monkeypatch
):
    import gc
    import os

    from courses.signals import lessons_imported

    make_tree(content_root, lessons=3)
    write_course(content_root, "methods", title="Methods", order=2)  # two courses: two workers
    write_lesson(content_root, "methods", "01-probing.md", title="Probing")
    monkeypatch.setitem(
        prerender._PREPARERS,
        "probe",
        lambda source, rendered: (source.slug, len(rendered.sections), os.getpid(), gc.isenabled()),
    )
    received = []

    def receiver(sender, *, lessons, prepared, **kwargs):
        received.extend(
            (lesson.slug, len(sections), *result["probe"])
            for (lesson, sections), result in zip(lessons, prepared, strict=True)
        )

    lessons_imported.connect(receiver, dispatch_uid="test.probe")
    try:
        import_content(content_root, workers=2)
    finally:
        lessons_imported.disconnect(dispatch_uid="test.probe")
    assert [row[:4] for row in received] == [
        *((f"lesson-{n}", 2, f"lesson-{n}", 2) for n in (1, 2, 3)),
        ("probing", 2, "probing", 2),
    ]
    assert all(pid != os.getpid() for *_, pid, _ in received)
    assert all(collects for *_, collects in received)  # the importer's pause stays here
    assert gc.isenabled()
