"""The Django side of the tutor: turn stored lessons into retrieval indexes, answer, log."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from courses.content.rendering import inline_formulas, line_kinds
from courses.models import Lesson, Option, Question, Section
from courses.rows import db_value, insert_rows

from . import indexing, retrieval
from .models import TutorIndex, TutorQuestion
from .question_log import wording_key


def lesson_text(lesson: Lesson, sections: Iterable[Section]) -> retrieval.LessonText:
    """What the tutor may quote from a stored lesson (`indexing.lesson_text`)."""
    return indexing.lesson_text(
        title=lesson.title,
        summary=lesson.summary,
        sections=(
            (s.heading, s.anchor, s.text, line_kinds(s.html), inline_formulas(s.html))
            for s in sections
        ),
        key_terms=lesson.key_terms,
        big_idea=lesson.big_idea,
    )


def index_lessons(
    written: list[tuple[Lesson, list[Section]]], prepared: list[indexing.PreparedIndex]
) -> None:
    """Stores the index of every lesson an import wrote, as its worker built it, and each quiz
    question's fallback "Re-read" section (the one whose sentences best match its prompt and
    right answers) when its `See:` names no section. A few statements per table, however many
    lessons; no retrieval runs here unless a kept question holds an older rendering."""
    results = {lesson.pk: result for (lesson, _), result in zip(written, prepared, strict=True)}
    anchors = {lesson.pk: {section.anchor for section in sections} for lesson, sections in written}
    # Plain rows, not model instances: an import can hold tens of thousands of questions.
    questions: list[tuple[int, int, int, str, str, str]] = []
    for chunk in _chunks(list(results)):
        questions += (
            Question.objects.current()
            .values_list(
                "pk", "lesson_id", "position", "see_anchor", "prompt_html", "fallback_anchor"
            )
            .filter(lesson_id__in=chunk)
        )
    unplaced = [row for row in questions if row[3] not in anchors[row[1]]]
    correct: dict[int, list[str]] = {}
    for chunk in _chunks([row[0] for row in unplaced]):
        for question_id, text_html in (
            Option.objects.filter(question_id__in=chunk, is_correct=True)
            .order_by("question_id", "position")
            .values_list("question_id", "text_html")
        ):
            correct.setdefault(question_id, []).append(text_html)
    fallbacks: dict[int, str] = {}
    reread: dict[int, retrieval.LessonIndex] = {}  # a lesson's index, read back once at most
    for pk, lesson_id, position, _, prompt_html, _ in unplaced:
        topic = indexing.question_topic(prompt_html, correct.get(pk, []))
        worker_topic, anchor = results[lesson_id].fallbacks.get(position, ("", ""))
        if worker_topic != topic:
            if lesson_id not in reread:
                data = json.loads(results[lesson_id].data_json)
                reread[lesson_id] = retrieval.LessonIndex.from_dict(data)
            anchor = retrieval.closest_anchor(reread[lesson_id], topic) or ""
        fallbacks[pk] = anchor

    for chunk in _chunks(list(results)):
        TutorIndex.objects.filter(lesson_id__in=chunk).delete()
    built_at = db_value(TutorIndex, "built_at", timezone.now())
    # The JSON text as the workers wrote it, no model instances (courses/rows.py).
    insert_rows(
        TutorIndex,
        ("lesson", "data", "built_at"),
        [(lesson_id, result.data_json, built_at) for lesson_id, result in results.items()],
    )
    changed = [
        Question(pk=pk, fallback_anchor=fallbacks.get(pk, ""))
        for pk, _, _, _, _, stored in questions
        if stored != fallbacks.get(pk, "")
    ]
    Question.objects.bulk_update(changed, ["fallback_anchor"], batch_size=500)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def index_lesson(lesson: Lesson, sections: Iterable[Section]) -> retrieval.LessonIndex:
    """Builds and stores one lesson's index (when the stored one is missing or outdated)."""
    index = retrieval.build_index(lesson_text(lesson, sections))
    TutorIndex.objects.update_or_create(
        lesson=lesson, defaults={"data": index.to_json(), "built_at": timezone.now()}
    )
    return index


#: Each process keeps the lessons' indexes it has parsed (docs/tutor.md, "Speed"): a 10,000-word
#: lesson's stored text is about 200,000 characters and about 1 MB once parsed, so this holds
#: some 20 such lessons, or 60 of the shipped ones, in about 25 MB.
INDEX_CACHE_CHARS = 4_000_000
_parsed = retrieval.ParsedIndexes(INDEX_CACHE_CHARS)


def index_for(lesson: Lesson) -> retrieval.LessonIndex:
    """The stored index, rebuilt from the stored sections if missing or of another format.

    Read as text and parsed only when it differs from the text this process parsed last for
    the lesson, so a re-import (or any write) is seen by the next request. Only the format
    version decides: an index of the current format that cannot be read is a bug, raised
    here, not rebuilt on every request."""
    stored = TutorIndex.objects.filter(lesson=lesson).values_list("data", flat=True).first()
    index = _parsed.load(lesson.pk, stored) if stored is not None else None
    return index if index is not None else index_lesson(lesson, lesson.sections.all())


def ask(*, lesson: Lesson, question: str, learner=None, visitor: str = "") -> retrieval.TutorAnswer:
    """Answers from this lesson only, and logs the question for instructors.

    A ``visitor`` (tutor.question_log.visitor_key) who asks the same wording again is logged
    once: the unique constraint drops the repeat, whoever wins a race.
    """
    # Confidences below the report's line are exact (`answer_question`): pass the line in use.
    answer = retrieval.answer_question(
        index_for(lesson), question, low_confidence=settings.TUTOR_LOW_CONFIDENCE
    )
    signed_in = learner is not None and learner.is_authenticated
    TutorQuestion.objects.bulk_create(
        [
            TutorQuestion(
                lesson=lesson,
                learner=learner if signed_in else None,
                question=question,
                grounded=answer.grounded,
                best_score=answer.best_score,
                anchors=[citation.anchor for citation in answer.citations],
                section_anchor=answer.citations[0].anchor if answer.citations else "",
                confidence=answer_confidence(answer),
                visitor=visitor,
                wording_key=wording_key(question),
                asked_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
    return answer


def answer_confidence(answer: retrieval.TutorAnswer) -> float | None:
    """The tutor's confidence in an answer; None for anything that is not an answer (a decline,
    greeting or overview has nothing to be unsure about) or a tutor that reports none."""
    confidence = getattr(answer, "confidence", None)
    if confidence is None or not answer.grounded or getattr(answer, "kind", "answer") != "answer":
        return None
    return float(confidence)


# ``grounded=False`` compiles to ``NOT grounded``, which SQLite cannot look up in an index;
# ``grounded IN (false)`` is an equality the tutor_q_gaps index serves on both databases.
def declined_questions(lesson: Lesson):
    """Questions on this lesson the tutor declined: what the lesson does not answer."""
    return TutorQuestion.objects.filter(lesson=lesson, grounded__in=[False])


def low_confidence_answers(lesson: Lesson):
    """Questions on this lesson the tutor answered less surely than ``TUTOR_LOW_CONFIDENCE``."""
    return TutorQuestion.objects.filter(
        lesson=lesson, grounded__in=[True], confidence__lt=settings.TUTOR_LOW_CONFIDENCE
    )
