"""The shipped course: it validates, and it has the shape the course issue promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from courses.content.parser import load_content
from courses.importer import import_content
from courses.models import Lesson, Question

CONTENT = Path(settings.BASE_DIR) / "content"


@pytest.fixture(scope="module")
def loaded():
    return load_content(CONTENT)


@pytest.fixture(scope="module")
def tree(loaded):
    return loaded[0]


def prose_words(lesson) -> int:
    text = " ".join(section.markdown for section in lesson.sections)
    text += " ".join(f"{term.term} {term.definition}" for term in lesson.key_terms)
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text))


def test_every_shipped_file_validates(loaded):
    tree, problems = loaded
    assert [str(problem) for problem in problems] == []
    # Every file in the tree was read: a course.md per folder, and every NN-slug.md as a lesson.
    folders = sorted(path.parent.name for path in CONTENT.glob("*/course.md"))
    assert sorted(course.slug for course in tree.courses) == folders and len(folders) >= 3
    lesson_files = sorted(CONTENT.glob("*/[0-9][0-9]-*.md"))
    assert sorted(lesson.path.resolve() for lesson in tree.lessons) == [
        path.resolve() for path in lesson_files
    ]


@pytest.mark.django_db
def test_the_shipped_course_imports(tree):
    report = import_content(CONTENT)
    assert len(report.added) == len(tree.courses) + len(tree.lessons)
    assert Lesson.objects.published().count() == len(tree.lessons)
    assert Question.objects.current().count() == 15 * len(tree.lessons)


def test_at_least_twelve_lessons_in_tracks(tree):
    assert len(tree.lessons) >= 12
    assert len({course.track for course in tree.courses}) >= 2


def test_each_lesson_has_the_promised_shape(tree):
    for lesson in tree.lessons:
        name = lesson.ref
        assert 1200 <= prose_words(lesson) <= 2600, (name, prose_words(lesson))
        assert 4 <= len(lesson.sections) <= 7, name
        assert len(lesson.key_terms) >= 5, name
        assert lesson.big_idea and lesson.concepts and lesson.related and lesson.minutes, name
        for section in lesson.sections:
            prose = [
                line for line in section.markdown.splitlines() if re.match(r"^[A-Za-z*\"“(]", line)
            ]
            assert prose, f"{name}#{section.anchor} has no prose"


def test_each_quiz_has_fifteen_explained_questions_of_both_kinds(tree):
    anchors = {lesson.ref: {s.anchor for s in lesson.sections} for lesson in tree.lessons}
    for lesson in tree.lessons:
        assert len(lesson.questions) == 15, lesson.ref
        assert all(q.explanation for q in lesson.questions), lesson.ref
        assert all(q.see_anchor in anchors[lesson.ref] for q in lesson.questions), lesson.ref
        kinds = {q.is_multiple for q in lesson.questions}
        assert kinds == {True, False}, f"{lesson.ref} needs single-answer and multiple-select"
        for question in lesson.questions:
            assert len(question.options) >= 3, (lesson.ref, question.prompt)


def test_every_related_lesson_resolves(tree):
    refs = {lesson.ref for lesson in tree.lessons}
    for lesson in tree.lessons:
        assert set(lesson.related) <= refs, lesson.ref


def test_the_course_covers_the_promised_topics(tree):
    text = " ".join(
        f"{lesson.title} {' '.join(s.markdown for s in lesson.sections)}" for lesson in tree.lessons
    ).lower()
    for topic in [
        "superposition", "sparse autoencoder", "golden gate", "induction head",
        "indirect object", "linear probe", "attribution graph", "banana", "emergent misalignment",
        "persona", "chain of thought", "reward hacking", "steering", "red-teaming", "capstone",
    ]:  # fmt: skip
        assert topic in text, topic
