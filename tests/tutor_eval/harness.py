"""Scoring the lesson tutor on question files (Django-free).

A question file is a YAML list of cases (see ``tests/tutor_eval/README.md``)::

    - lesson: <course-slug>/<lesson-slug>
      question: "What causes a spring tide?"
      expect: "Sun and Moon line up"        # or a list of acceptable answers
    - lesson: <course-slug>/<lesson-slug>
      question: "How tall was the tallest tide ever recorded?"   # no expect: unanswerable

* An **answerable** case (it has ``expect``) passes when the tutor gives a grounded answer whose
  quoted text contains one of the acceptable answers, case and whitespace normalised. Only the
  quotes count, not the frame line that names a section, so a heading that happens to hold the
  phrase cannot pass a wrong answer.
* An **unanswerable** case passes when the tutor declines (``grounded`` is false); a greeting or
  an overview is not a decline.

Every case also belongs to a split fixed by its question text: the first hex digit of
``sha256(question)`` is 0-7 for the tuning half and 8-f for the held-out half. The tutor may be
tuned on the first half only; both are reported.

The tutor is passed in as a callable ``answer_for(lesson, question)``, so this module needs no
database. Exceptions are never caught: a crash stops the evaluation instead of passing for an
honest decline.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TUNING = "tuning"
HELD_OUT = "held-out"
ALL = "all"
_LESSON_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = frozenset({"lesson", "question", "expect"})


def split_of(question: str) -> str:
    """The half a question belongs to, from the first hex digit of its SHA-256."""
    digit = hashlib.sha256(question.encode("utf-8")).hexdigest()[0]
    return TUNING if digit in "01234567" else HELD_OUT


def normalise(text: str) -> str:
    """Case-folded, whitespace collapsed: how answers are compared."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class EvalCase:
    """One question about one lesson; ``expect`` is empty for an unanswerable case."""

    lesson: str
    question: str
    expect: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.expect)

    @property
    def split(self) -> str:
        return split_of(self.question)

    @property
    def course_slug(self) -> str:
        return self.lesson.split("/", 1)[0]

    @property
    def lesson_slug(self) -> str:
        return self.lesson.split("/", 1)[1]


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    passed: bool
    grounded: bool
    kind: str
    #: The tutor's confidence when its answer carries one, else None.
    confidence: float | None
    #: Why a case failed, in a few words ("" when it passed).
    reason: str
    #: The quoted text (answers) or the reply (anything else), for the failure list.
    shown: tuple[str, ...]


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


class QuestionFileError(ValueError):
    """A malformed question file, with the file and case number in the message."""


def load_questions(path: Path | str) -> list[EvalCase]:
    """Read a question file; a malformed case raises so a typo never shrinks a set silently."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise QuestionFileError(f"{path}: expected a YAML list of cases")
    cases = [_case(path, n, item) for n, item in enumerate(data, 1)]
    seen: set[tuple[str, str]] = set()
    for n, case in enumerate(cases, 1):
        key = (case.lesson, normalise(case.question))
        if key in seen:
            raise QuestionFileError(f"{path}: case {n} repeats a question about {case.lesson}")
        seen.add(key)
    return cases


def _case(path: Path, n: int, item: Any) -> EvalCase:
    if not isinstance(item, dict):
        raise QuestionFileError(f"{path}: case {n} is not a mapping")
    extra = set(item) - _KEYS
    if extra:
        raise QuestionFileError(f"{path}: case {n} has unknown keys {sorted(extra)}")
    lesson, question = item.get("lesson"), item.get("question")
    if not isinstance(lesson, str) or not _LESSON_RE.match(lesson):
        raise QuestionFileError(f"{path}: case {n} needs lesson: <course-slug>/<lesson-slug>")
    if not isinstance(question, str) or not question.strip():
        raise QuestionFileError(f"{path}: case {n} needs a question")
    expect = item.get("expect")
    if expect is None:
        answers: tuple[str, ...] = ()
    elif isinstance(expect, str | int | float) and not isinstance(expect, bool):
        answers = (str(expect),)
    elif isinstance(expect, list) and expect:
        answers = tuple(str(a) for a in expect if isinstance(a, str | int | float))
        if len(answers) != len(expect):
            raise QuestionFileError(f"{path}: case {n}: every acceptable answer must be text")
    else:
        raise QuestionFileError(f"{path}: case {n}: expect must be text or a list of texts")
    if any(not a.strip() for a in answers):
        raise QuestionFileError(f"{path}: case {n}: an acceptable answer is empty")
    return EvalCase(lesson=lesson, question=question, expect=answers)


# --------------------------------------------------------------------------
# Judging
# --------------------------------------------------------------------------


def answer_text(answer: Any) -> str:
    """The reply's text, whichever name the answer object gives it."""
    text = getattr(answer, "text", None)
    return text if isinstance(text, str) else str(getattr(answer, "answer", ""))


def quoted_text(answer: Any) -> tuple[str, ...]:
    """What a grounded answer quotes from the lesson (its citations' quotes, else its text)."""
    quotes = tuple(c.quote for c in getattr(answer, "citations", ()) if getattr(c, "quote", ""))
    return quotes or (answer_text(answer),)


def is_answer(answer: Any) -> bool:
    """A grounded reply that answers (not a greeting, thanks or lesson overview)."""
    return bool(answer.grounded) and getattr(answer, "kind", "answer") == "answer"


def contains_any(texts: Iterable[str], answers: Iterable[str]) -> bool:
    haystack = normalise(" ".join(texts))
    return any(normalise(a) in haystack for a in answers)


def judge(case: EvalCase, answer: Any) -> CaseResult:
    """Decide whether ``answer`` passes ``case`` (see the module docstring)."""
    kind = str(getattr(answer, "kind", "answer"))
    grounded = bool(answer.grounded)
    shown = quoted_text(answer) if grounded else (answer_text(answer),)
    if not case.answerable:
        passed = not grounded
        reason = "" if passed else f"not declined (kind={kind})"
    elif not is_answer(answer):
        passed, reason = False, f"no grounded answer (kind={kind})"
    else:
        passed = contains_any(quoted_text(answer), case.expect)
        reason = "" if passed else f"answered, but without {' / '.join(case.expect)!r}"
    confidence = getattr(answer, "confidence", None)
    return CaseResult(
        case=case,
        passed=passed,
        grounded=grounded,
        kind=kind,
        confidence=float(confidence) if confidence is not None else None,
        reason=reason,
        shown=shown,
    )


# --------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Answerable hits, unanswerable declines and their combined share, for one group."""

    answered: int = 0
    answerable: int = 0
    declined: int = 0
    unanswerable: int = 0

    @property
    def total(self) -> int:
        return self.answerable + self.unanswerable

    @property
    def hit_rate(self) -> float | None:
        return self.answered / self.answerable if self.answerable else None

    @property
    def decline_rate(self) -> float | None:
        return self.declined / self.unanswerable if self.unanswerable else None

    @property
    def combined(self) -> float | None:
        return (self.answered + self.declined) / self.total if self.total else None


def score(results: Iterable[CaseResult]) -> Score:
    answered = answerable = declined = unanswerable = 0
    for r in results:
        if r.case.answerable:
            answerable += 1
            answered += r.passed
        else:
            unanswerable += 1
            declined += r.passed
    return Score(answered, answerable, declined, unanswerable)


@dataclass
class EvalReport:
    """Every case's result, in the order asked."""

    name: str
    results: list[CaseResult] = field(default_factory=list)

    def by_split(self) -> dict[str, Score]:
        """Scores for the tuning half, the held-out half and all cases."""
        return {
            TUNING: score(r for r in self.results if r.case.split == TUNING),
            HELD_OUT: score(r for r in self.results if r.case.split == HELD_OUT),
            ALL: score(self.results),
        }

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    def auc(self, split: str = ALL) -> float | None:
        """ROC AUC of the tutor's confidence for "the lesson answers this question".

        How well the confidence separates answerable from unanswerable questions, over every
        case of ``split`` whose answer carries one; None when the tutor reports no confidence.
        """
        return roc_auc(
            [
                (r.confidence, r.case.answerable)
                for r in self.results
                if r.confidence is not None and split in (ALL, r.case.split)
            ]
        )


def roc_auc(pairs: Sequence[tuple[float, bool]]) -> float | None:
    """Probability that a random positive outranks a random negative (ties count half)."""
    positives = [s for s, label in pairs if label]
    negatives = [s for s, label in pairs if not label]
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(positives) * len(negatives))


def evaluate(
    name: str, cases: Iterable[EvalCase], answer_for: Callable[[str, str], Any]
) -> EvalReport:
    """Answer every case with ``answer_for(lesson, question)`` and judge it.

    Nothing is caught: an exception from the tutor ends the evaluation with that exception.
    """
    report = EvalReport(name)
    for case in cases:
        report.results.append(judge(case, answer_for(case.lesson, case.question)))
    return report


# --------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table(rows: Sequence[tuple[str, Score]], title: str = "set", *, markdown: bool = False) -> str:
    """A plain-text (or Markdown) table: one row per (label, score)."""
    header = (title, "answerable hit", "unanswerable declined", "combined", "n")
    body = [
        (
            label,
            f"{percent(s.hit_rate)} ({s.answered}/{s.answerable})",
            f"{percent(s.decline_rate)} ({s.declined}/{s.unanswerable})",
            percent(s.combined),
            str(s.total),
        )
        for label, s in rows
    ]
    if markdown:
        lines = [header, ("---",) * len(header), *body]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in body)])


def format_failures(report: EvalReport, limit: int | None = None, *, split: bool = True) -> str:
    lines = [f"{report.name}: {len(report.failures)} failure(s)"]
    for r in report.failures[:limit]:
        half = f"[{r.case.split}] " if split else ""
        lines.append(f"- {half}[{r.case.lesson}] {r.case.question!r}")
        lines.append(f"    {r.reason}")
        lines.extend(f"    > {_clip(text)}" for text in r.shown)
    return "\n".join(lines)


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
