"""Sync a parsed content tree into the database, all or nothing.

`import_content` validates the whole tree first and writes nothing while any problem exists.
Then, inside one transaction, it matches courses and lessons by slug, rewrites only files whose
content hash changed, unpublishes (never deletes) what left the tree, and recomputes each
lesson's position in the catalog. Learner data points at rows that are never deleted here, so
an import cannot lose anyone's progress.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from courses.caching import forget_content_version
from courses.content.parser import (
    RESERVED_PAGE_IDS,
    ContentProblem,
    CourseSource,
    LessonSource,
    QuestionSource,
    is_reserved_page_id,
    load_content,
)
from courses.content.rendering import html_to_text, make_ids_unique, render_inline, render_markdown
from courses.models import Course, Lesson, Option, Question, Section
from courses.signals import lesson_imported

# Part of every stored hash: bump it when rendering changes, so the next import re-renders
# every lesson even though no file changed.
# 2: the tutor stores each question's fallback "Re-read" section; 3: markdown-it-py, MathML,
# Pygments, nh3.
RENDERER_VERSION = "3"


class ContentInvalid(Exception):
    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.restored or self.removed)

    def lines(self) -> list[str]:
        lines = []
        for label in ("added", "updated", "restored", "removed"):
            for name in getattr(self, label):
                lines.append(f"  {label:<9} {name}")
        summary = ", ".join(
            f"{len(getattr(self, label))} {label}"
            for label in ("added", "updated", "restored", "unchanged", "removed")
        )
        return [*lines, summary]


def stored_hash(source_hash: str) -> str:
    return hashlib.sha256(f"{RENDERER_VERSION}:{source_hash}".encode()).hexdigest()


def source_path(path: Path, root: Path) -> str:
    """Where a file lives, relative to the content root, so the working directory of an import
    never changes what is stored."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()


def import_content(root: Path) -> ImportReport:
    """Validates ``root`` and syncs it into the database; raises ContentInvalid on problems."""
    tree, problems = load_content(root)
    if problems:
        raise ContentInvalid(problems)
    now = timezone.now()
    report = ImportReport()
    with transaction.atomic():
        courses = {course.slug: course for course in Course.objects.select_for_update()}
        lessons = {
            (lesson.course.slug, lesson.slug): lesson
            for lesson in Lesson.objects.select_related("course").select_for_update(of=("self",))
        }
        written: list[tuple[Lesson, LessonSource]] = []
        for course_source in tree.courses:
            course = _sync_course(course_source, root, courses.get(course_source.slug), now, report)
            courses[course.slug] = course
            for lesson_source in course_source.lessons:
                if lesson_source.draft:
                    continue  # validated, never published; unpublished below if it was live
                key = (course.slug, lesson_source.slug)
                lesson = _sync_lesson(lesson_source, root, course, lessons.get(key), now, report)
                if lesson is not None:
                    lessons[key] = lesson
                    written.append((lesson, lesson_source))
        _link_related(tree, lessons, written)
        _unpublish_missing(tree.courses, courses, lessons, report, now)
        _renumber_catalog()
        transaction.on_commit(forget_content_version)
    forget_content_version()  # also when an outer transaction (a test) holds the commit back
    return report


def _sync_course(
    source: CourseSource, root: Path, course: Course | None, now, report: ImportReport
) -> Course:
    path = source_path(source.path, root)
    digest = stored_hash(source.source_hash)
    name = f"course {source.slug}"
    if course is not None and course.is_published and course.source_hash == digest:
        if course.source_path != path:
            course.source_path = path
            course.save(update_fields=["source_path"])
        report.unchanged.append(name)
        return course
    if course is None:
        course = Course(slug=source.slug)
        report.added.append(name)
    elif not course.is_published:
        report.restored.append(name)
    else:
        report.updated.append(name)
    course.title = source.title
    course.summary = source.summary
    course.track = source.track
    course.order = source.order
    course.report_basis = source.report_basis
    course.multiple_select_scoring = source.multiple_select_scoring
    course.completion = source.completion
    course.pass_mark = source.pass_mark
    course.description_html = render_markdown(source.description) if source.description else ""
    course.is_published = True
    course.source_path = path
    course.source_hash = digest
    course.imported_at = now
    course.save()
    return course


def _sync_lesson(
    source: LessonSource,
    root: Path,
    course: Course,
    lesson: Lesson | None,
    now,
    report: ImportReport,
) -> Lesson | None:
    """Writes one lesson if its file changed; returns it then, or None when it was unchanged."""
    path = source_path(source.path, root)
    digest = stored_hash(source.source_hash)
    name = f"lesson {source.ref}"
    if (
        lesson is not None
        and lesson.is_published
        and lesson.source_hash == digest
        and lesson.source_path == path
    ):
        report.unchanged.append(name)
        return None
    if lesson is None:
        lesson = Lesson(course=course, slug=source.slug)
        report.added.append(name)
    elif not lesson.is_published:
        report.restored.append(name)
    else:
        report.updated.append(name)

    asset_base_url = reverse("lessons:asset", kwargs={"course": course.slug, "path": "x"})[:-1]
    lesson.number = source.number
    lesson.title = source.title
    lesson.summary = source.summary
    lesson.minutes = source.minutes
    lesson.concepts = list(source.concepts)
    lesson.big_idea = source.big_idea
    lesson.key_terms = [
        {"term": term.term, "definition_html": render_inline(term.definition)}
        for term in source.key_terms
    ]
    lesson.is_published = True
    lesson.source_path = path
    lesson.source_hash = digest
    lesson.imported_at = now
    current_anchors = {section.anchor for section in source.sections}
    if lesson.pk is not None:  # remember anchors this version drops, for progress on them
        previous = set(lesson.sections.values_list("anchor", flat=True))
        lesson.retired_anchors = sorted((set(lesson.retired_anchors) | previous) - current_anchors)
    lesson.save()

    used_ids = set(RESERVED_PAGE_IDS) | {section.anchor for section in source.sections}
    lesson.sections.all().delete()
    sections = []
    for position, section in enumerate(source.sections, start=1):
        html = make_ids_unique(
            render_markdown(section.markdown, asset_base_url=asset_base_url, doc_id=section.anchor),
            used_ids,
            is_reserved_page_id,
        )
        sections.append(
            Section(
                lesson=lesson,
                anchor=section.anchor,
                heading=section.heading,
                position=position,
                html=html,
                text=html_to_text(html),
                source_line=section.line,
            )
        )
    Section.objects.bulk_create(sections)
    _sync_questions(lesson, source.questions, now)
    lesson_imported.send(sender=Lesson, lesson=lesson, sections=sections)
    return lesson


def _link_related(
    tree, lessons: dict[tuple[str, str], Lesson], written: list[tuple[Lesson, LessonSource]]
) -> None:
    """Sets each written lesson's related lessons, and an unchanged lesson's when one it names
    was written or is a draft now (a draft is valid but never published: no link to it)."""
    drafts = {source.ref for source in tree.lessons if source.draft}
    written_refs = {source.ref for _, source in written}
    todo = {source.ref: (lesson, source) for lesson, source in written}
    for source in tree.lessons:
        if source.draft or source.ref in todo:
            continue
        if set(source.related) & (written_refs | drafts):
            todo[source.ref] = (lessons[(source.course_slug, source.slug)], source)
    for lesson, source in todo.values():
        refs = [ref for ref in source.related if ref not in drafts]
        lesson.related.set([lessons[tuple(ref.split("/", 1))] for ref in refs])


def question_fingerprint(question: QuestionSource) -> str:
    """What the learner is asked; explanation and feedback may change without a new version."""
    asked = {
        "prompt": question.prompt,
        "options": [[option.text, option.is_correct] for option in question.options],
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def _sync_questions(lesson: Lesson, sources: tuple[QuestionSource, ...], now) -> None:
    """Keeps, restores or creates one current question per position.

    A question is a new version only when what the learner is asked changed: one whose text
    matches a question this lesson had before (moved to another position, or back after a
    save that briefly dropped it) gets that question back, statistics and all.
    """
    fingerprints = [question_fingerprint(source) for source in sources]
    kept: dict[int, Question] = {}
    retired: list[int] = []
    for question in lesson.questions.current().prefetch_related("options"):
        position = question.position
        if position <= len(sources) and fingerprints[position - 1] == question.fingerprint:
            kept[position] = question
        else:
            retired.append(question.pk)
    # Retired first, so each position is free for the question that takes it.
    Question.objects.filter(pk__in=retired).update(is_current=False)
    earlier: dict[str, Question] = {}
    for question in (
        lesson.questions.filter(is_current=False, fingerprint__in=fingerprints)
        .prefetch_related("options")
        .order_by("created_at", "pk")
    ):
        earlier[question.fingerprint] = question  # the latest version with this text wins

    new_options: list[Option] = []
    changed_feedback: list[Option] = []
    for position, (source, fingerprint) in enumerate(zip(sources, fingerprints, strict=True), 1):
        explanation_html = render_markdown(source.explanation) if source.explanation else ""
        question = kept.get(position) or earlier.pop(fingerprint, None)
        if question is not None:
            question.explanation_html = explanation_html
            question.see_anchor = source.see_anchor
            question.source_line = source.line
            question.position = position
            question.is_current = True
            question.save(
                update_fields=[
                    "explanation_html", "see_anchor", "source_line", "position", "is_current"
                ]
            )  # fmt: skip
            for option, option_source in zip(question.options.all(), source.options, strict=True):
                feedback_html = (
                    render_inline(option_source.feedback) if option_source.feedback else ""
                )
                if option.feedback_html != feedback_html:
                    option.feedback_html = feedback_html
                    changed_feedback.append(option)
            continue
        question = Question.objects.create(
            lesson=lesson,
            position=position,
            prompt_html=render_inline(source.prompt),
            explanation_html=explanation_html,
            see_anchor=source.see_anchor,
            is_multiple=source.is_multiple,
            fingerprint=fingerprint,
            source_line=source.line,
            created_at=now,
        )
        new_options.extend(
            Option(
                question=question,
                position=option_position,
                text_html=render_inline(option.text),
                is_correct=option.is_correct,
                feedback_html=render_inline(option.feedback) if option.feedback else "",
            )
            for option_position, option in enumerate(source.options, start=1)
        )
    Option.objects.bulk_create(new_options)
    Option.objects.bulk_update(changed_feedback, ["feedback_html"])


def _unpublish_missing(
    course_sources: tuple[CourseSource, ...],
    courses: dict[str, Course],
    lessons: dict[tuple[str, str], Lesson],
    report: ImportReport,
    now,
) -> None:
    present_courses = {course.slug for course in course_sources}
    present_lessons = {
        (course.slug, lesson.slug)
        for course in course_sources
        for lesson in course.lessons
        if not lesson.draft
    }
    gone_courses = [
        course
        for slug, course in courses.items()
        if slug not in present_courses and course.is_published
    ]
    gone_lessons = [
        lesson
        for key, lesson in lessons.items()
        if key not in present_lessons and lesson.is_published
    ]
    report.removed.extend(f"course {course.slug}" for course in gone_courses)
    report.removed.extend(f"lesson {lesson.course.slug}/{lesson.slug}" for lesson in gone_lessons)
    # imported_at moves too, so the content version (and every cached page) changes.
    Course.objects.filter(pk__in=[course.pk for course in gone_courses]).update(
        is_published=False, imported_at=now
    )
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in gone_lessons]).update(
        is_published=False, catalog_position=None, imported_at=now
    )


def _renumber_catalog() -> None:
    """Gives every published lesson its 1-based place in the catalog; writes only changes."""
    changed = []
    published = Lesson.objects.published().order_by("course__order", "course__slug", "number")
    for position, lesson in enumerate(published.only("pk", "catalog_position"), start=1):
        if lesson.catalog_position != position:
            lesson.catalog_position = position
            changed.append(lesson)
    Lesson.objects.filter(is_published=False, catalog_position__isnull=False).update(
        catalog_position=None
    )
    Lesson.objects.bulk_update(changed, ["catalog_position"], batch_size=500)
