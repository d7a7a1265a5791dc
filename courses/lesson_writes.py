"""Writing an import's changed lessons into the tables: a few statements per table, however
many lessons (`courses.importer` decides what changed and calls these inside its transaction).

Sections, questions and options go in as plain rows (`courses.rows`); a question keeps its
row, and with it its statistics, while what the learner is asked stays the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from courses.content.imported import relative_source_path, stored_hash
from courses.content.parser import LessonSource
from courses.models import Course, Lesson, Option, Question, Section
from courses.prerender import RenderedLesson
from courses.rows import db_value, insert_rows

if TYPE_CHECKING:
    from courses.importer import ImportReport

# Rows per INSERT/UPDATE statement: well inside SQLite's and PostgreSQL's parameter limits.
BATCH = 500


_LESSON_FIELDS = [
    "number",
    "title",
    "summary",
    "minutes",
    "concepts",
    "big_idea",
    "key_terms",
    "is_published",
    "source_path",
    "source_hash",
    "imported_at",
    "retired_anchors",
]


def write_lessons(
    changed: list[tuple[LessonSource, Course, Lesson | None]],
    rendered: list[RenderedLesson],
    real_root: Path,
    now,
    report: ImportReport,
) -> list[tuple[Lesson, list[Section]]]:
    """Writes every changed lesson with its sections and quiz: a few statements per table."""
    if not changed:
        return []
    previous_anchors: dict[int, set[str]] = {}
    existing_ids = [lesson.pk for _, _, lesson in changed if lesson is not None]
    for lesson_id, anchor in Section.objects.filter(lesson_id__in=existing_ids).values_list(
        "lesson_id", "anchor"
    ):
        previous_anchors.setdefault(lesson_id, set()).add(anchor)

    new_lessons: list[Lesson] = []
    old_lessons: list[Lesson] = []
    ordered: list[Lesson] = []
    for (source, course, lesson), result in zip(changed, rendered, strict=True):
        name = f"lesson {source.ref}"
        if lesson is None:
            lesson = Lesson(course=course, slug=source.slug)
            report.added.append(name)
            new_lessons.append(lesson)
        else:
            if not lesson.is_published:
                report.restored.append(name)
            else:
                report.updated.append(name)
            current = {section.anchor for section in source.sections}
            # Anchors this version drops, so progress on them stays on record.
            lesson.retired_anchors = sorted(
                (set(lesson.retired_anchors) | previous_anchors.get(lesson.pk, set())) - current
            )
            old_lessons.append(lesson)
        lesson.number = source.number
        lesson.title = source.title
        lesson.summary = source.summary
        lesson.minutes = source.minutes
        lesson.concepts = list(source.concepts)
        lesson.big_idea = source.big_idea
        lesson.key_terms = [dict(term) for term in result.key_terms]
        lesson.is_published = True
        lesson.source_path = relative_source_path(source.path, real_root)
        lesson.source_hash = stored_hash(source.source_hash)
        lesson.imported_at = now
        ordered.append(lesson)
    Lesson.objects.bulk_create(new_lessons, batch_size=BATCH)
    Lesson.objects.bulk_update(old_lessons, _LESSON_FIELDS, batch_size=BATCH)

    for chunk in in_chunks(existing_ids):
        Section.objects.filter(lesson_id__in=chunk).delete()
    sections_of: dict[int, list[Section]] = {}
    for lesson, result in zip(ordered, rendered, strict=True):
        sections_of[lesson.pk] = [
            Section(
                lesson=lesson,
                anchor=section.anchor,
                heading=section.heading,
                position=position,
                html=section.html,
                text=section.text,
                source_line=section.line,
            )
            for position, section in enumerate(result.sections, start=1)
        ]
    # Plain rows (rows.py); the receivers of `lessons_imported` read the instances' text only.
    insert_rows(
        Section,
        _SECTION_COLUMNS,
        [
            (lesson_id, s.anchor, s.heading, s.position, s.html, s.text, s.source_line)
            for lesson_id, sections in sections_of.items()
            for s in sections
        ],
    )
    write_questions(
        [
            (lesson, source, result)
            for lesson, (source, _, _), result in zip(ordered, changed, rendered, strict=True)
        ],
        existing_ids,
        now,
    )
    return [(lesson, sections_of[lesson.pk]) for lesson in ordered]


_SECTION_COLUMNS = ("lesson", "anchor", "heading", "position", "html", "text", "source_line")


def in_chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def link_related(
    tree, lessons: dict[tuple[str, str], Lesson], written: list[tuple[Lesson, LessonSource]]
) -> None:
    """Sets each written lesson's related lessons, and an unchanged lesson's when one it names
    was written or is a draft now (a draft is valid but never published: no link to it).
    One delete and one insert, however many lessons."""
    drafts = {source.ref for source in tree.lessons if source.draft}
    written_refs = {source.ref for _, source in written}
    todo = {source.ref: (lesson, source) for lesson, source in written}
    for source in tree.lessons:
        if source.draft or source.ref in todo:
            continue
        if set(source.related) & (written_refs | drafts):
            todo[source.ref] = (lessons[(source.course_slug, source.slug)], source)
    related = Lesson.related.through
    for chunk in in_chunks([lesson.pk for lesson, _ in todo.values()]):
        related.objects.filter(from_lesson_id__in=chunk).delete()
    related.objects.bulk_create(
        [
            related(from_lesson_id=lesson.pk, to_lesson_id=lessons[tuple(ref.split("/", 1))].pk)
            for lesson, source in todo.values()
            for ref in source.related
            if ref not in drafts
        ],
        batch_size=BATCH,
    )


_QUESTION_COLUMNS = (
    "lesson",
    "position",
    "prompt_html",
    "explanation_html",
    "see_anchor",
    "fallback_anchor",
    "is_multiple",
    "fingerprint",
    "is_current",
    "source_line",
    "created_at",
)
_OPTION_COLUMNS = ("question", "position", "text_html", "is_correct", "feedback_html")


def write_questions(
    lessons: list[tuple[Lesson, LessonSource, RenderedLesson]], existing_ids: list[int], now
) -> None:
    """Keeps, restores or creates one current question per position, for every changed lesson.

    A question is a new version only when what the learner is asked changed: one whose text
    matches a question its lesson had before (moved to another position, or back after a save
    that briefly dropped it) gets that question back, statistics and all. Everything else
    current is retired (kept for its attempts), never deleted.
    """
    current: dict[int, list[Question]] = {}
    earlier: dict[int, list[Question]] = {}
    for chunk in in_chunks(existing_ids):
        for question in (
            Question.objects.filter(lesson_id__in=chunk)
            .prefetch_related("options")
            .order_by("created_at", "pk")
        ):
            group = current if question.is_current else earlier
            group.setdefault(question.lesson_id, []).append(question)
    new_questions: list[tuple] = []  # _QUESTION_COLUMNS
    new_options: list[list[tuple]] = []  # _OPTION_COLUMNS but the first, per new question
    created_at = db_value(Question, "created_at", now)
    updated: list[Question] = []
    changed_feedback: list[Option] = []
    retired: list[int] = []
    for lesson, source, result in lessons:
        fingerprints = [question.fingerprint for question in result.questions]
        kept: dict[int, Question] = {}
        candidates: list[Question] = list(earlier.get(lesson.pk, []))
        for question in current.get(lesson.pk, []):
            position = question.position
            if position <= len(fingerprints) and fingerprints[position - 1] == question.fingerprint:
                kept[position] = question
            else:
                retired.append(question.pk)
                candidates.append(question)
        # The latest version with a text wins.
        by_fingerprint = {
            q.fingerprint: q for q in sorted(candidates, key=lambda q: (q.created_at, q.pk))
        }
        for position, (question_source, html, fingerprint) in enumerate(
            zip(source.questions, result.questions, fingerprints, strict=True), start=1
        ):
            question = kept.get(position) or by_fingerprint.pop(fingerprint, None)
            if question is not None:
                fields = (
                    html.explanation_html,
                    question_source.see_anchor,
                    question_source.line,
                    position,
                    True,
                )
                if question.pk in retired or fields != (
                    question.explanation_html,
                    question.see_anchor,
                    question.source_line,
                    question.position,
                    question.is_current,
                ):
                    (
                        question.explanation_html,
                        question.see_anchor,
                        question.source_line,
                        question.position,
                        question.is_current,
                    ) = fields
                    updated.append(question)
                for option, (_, feedback_html) in zip(
                    question.options.all(), html.options, strict=True
                ):
                    if option.feedback_html != feedback_html:
                        option.feedback_html = feedback_html
                        changed_feedback.append(option)
                continue
            new_questions.append(
                (
                    lesson.pk,
                    position,
                    html.prompt_html,
                    html.explanation_html,
                    question_source.see_anchor,
                    "",
                    question_source.is_multiple,
                    fingerprint,
                    True,
                    question_source.line,
                    created_at,
                )
            )
            new_options.append(
                [
                    (option_position, text_html, option_source.is_correct, feedback_html)
                    for option_position, (option_source, (text_html, feedback_html)) in enumerate(
                        zip(question_source.options, html.options, strict=True), start=1
                    )
                ]
            )
    # Retired first, so each position is free for the question that takes it (a question moved
    # within its quiz is retired for a moment and made current again by the update below).
    for chunk in in_chunks(retired):
        Question.objects.filter(pk__in=chunk).update(is_current=False)
    Question.objects.bulk_update(
        updated,
        ["explanation_html", "see_anchor", "source_line", "position", "is_current"],
        batch_size=BATCH,
    )
    # Plain rows, not model instances: a big catalog brings 30,000 questions and 120,000
    # options at once (rows.py).
    question_ids = insert_rows(Question, _QUESTION_COLUMNS, new_questions, returning_pks=True)
    insert_rows(
        Option,
        _OPTION_COLUMNS,
        [
            (question_id, *option)
            for question_id, options in zip(question_ids, new_options, strict=True)
            for option in options
        ],
    )
    Option.objects.bulk_update(changed_feedback, ["feedback_html"], batch_size=BATCH)
