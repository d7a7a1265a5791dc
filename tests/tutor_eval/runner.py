"""The Django side of the evaluation: import lessons with the real importer, answer with the
real tutor, and compute the baselines on the same imported text.

Needs a configured Django with a migrated database; ``tests/tutor_eval/run.py`` makes a
throwaway one, and the suite's tests use pytest-django's test database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from courses.importer import import_content
from courses.models import Lesson
from tutor import retrieval, services

from . import bm25
from .harness import (
    ALL,
    HELD_OUT,
    TUNING,
    EvalCase,
    EvalReport,
    Score,
    contains_any,
    evaluate,
)

BM25_DEPTHS = (1, 3)


def import_lessons(content: Path) -> Any:
    """Validates and imports a content tree exactly as ``manage.py import_content`` does."""
    return import_content(Path(content))


def _lesson(lesson: str) -> Lesson:
    course_slug, lesson_slug = lesson.split("/", 1)
    found = (
        Lesson.objects.published()
        .filter(course__slug=course_slug, slug=lesson_slug)
        .select_related("course")
        .first()
    )
    if found is None:
        raise LookupError(f"no published lesson {lesson!r} in the imported content")
    return found


def tutor() -> Callable[[str, str], Any]:
    """``answer_for(lesson, question)`` through the stored index, loaded once per lesson."""
    indexes: dict[str, Any] = {}

    def answer_for(lesson: str, question: str) -> Any:
        if lesson not in indexes:
            indexes[lesson] = services.index_for(_lesson(lesson))
        return retrieval.answer_question(indexes[lesson], question)

    return answer_for


def lesson_sentences(lesson: str) -> list[str]:
    """The imported sections' text as sentences: what a plain retriever would search."""
    texts = _lesson(lesson).sections.order_by("position").values_list("text", flat=True)
    return [s for text in texts for s in bm25.split_sentences(text)]


def check_lessons(cases: Iterable[EvalCase]) -> None:
    """Fails early, naming the lesson, when a question file asks about a lesson not imported."""
    for lesson in dict.fromkeys(c.lesson for c in cases):
        _lesson(lesson)


def baselines(cases: Sequence[EvalCase]) -> dict[str, dict[str, Score]]:
    """Always declining, and plain BM25 quoting its top 1 and top 3 sentences, per split."""
    rankers: dict[str, bm25.BM25] = {}
    passed: dict[str, list[tuple[EvalCase, bool]]] = {"always decline": []}
    for k in BM25_DEPTHS:
        passed[f"BM25 top-{k} sentence{'s' if k > 1 else ''}"] = []
    for case in cases:
        passed["always decline"].append((case, not case.answerable))
        if case.lesson not in rankers:
            rankers[case.lesson] = bm25.BM25(lesson_sentences(case.lesson))
        ranker = rankers[case.lesson]
        for k, name in zip(BM25_DEPTHS, list(passed)[1:], strict=True):
            # BM25 never declines: an unanswerable question always fails.
            hit = case.answerable and contains_any(ranker.top(case.question, k), case.expect)
            passed[name].append((case, hit))
    return {name: _split_scores(rows) for name, rows in passed.items()}


def _split_scores(rows: list[tuple[EvalCase, bool]]) -> dict[str, Score]:
    def of(split: str | None) -> Score:
        return _score_rows([(c, p) for c, p in rows if split is None or c.split == split])

    return {TUNING: of(TUNING), HELD_OUT: of(HELD_OUT), ALL: of(None)}


def _score_rows(rows: list[tuple[EvalCase, bool]]) -> Score:
    answerable = [p for c, p in rows if c.answerable]
    unanswerable = [p for c, p in rows if not c.answerable]
    return Score(sum(answerable), len(answerable), sum(unanswerable), len(unanswerable))


def run(name: str, cases: Sequence[EvalCase]) -> tuple[EvalReport, dict[str, dict[str, Score]]]:
    """The tutor's report and the baselines' scores on ``cases`` (lessons already imported)."""
    check_lessons(cases)
    return evaluate(name, cases, tutor()), baselines(cases)
