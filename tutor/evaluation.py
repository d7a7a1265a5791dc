"""Offline evaluation of the lesson tutor (Django-free).

An evaluation set is two YAML lists of cases, one per half:

* **answerable** cases ``{lesson: "<course>/<lesson>", question: ..., expect: ...}``: the
  lesson answers the question, and a correct answer quoting it must contain ``expect``
  (case-insensitive).  A case passes when the tutor gives a grounded answer of kind
  ``"answer"`` whose *quoted sentences* contain ``expect``.  Matching only the quotes (not the
  frame line, which names the section heading) keeps a heading that happens to contain the
  phrase from passing a wrong answer.
* **unanswerable** cases ``{lesson: ..., question: ...}``: the lesson does not answer the
  question (another lesson's topic, general knowledge, nonsense, prompt injection).  A case
  passes when the tutor declines (``grounded`` is False); a greeting, thanks or overview
  counts as *not* declining.

:func:`evaluate` runs every case through ``answer_for(lesson, question)`` and returns an
:class:`EvalReport` with per-half accuracy and the failures; :meth:`EvalReport.format_report`
renders it for a terminal.  The tutor itself is passed in as a callable, so this module needs
neither Django nor a database and can evaluate any answering function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .retrieval import TutorAnswer

__all__ = [
    "CaseResult",
    "EvalCase",
    "EvalReport",
    "HalfReport",
    "evaluate",
    "judge",
    "load_cases",
]

ANSWERABLE = "answerable"
UNANSWERABLE = "unanswerable"


@dataclass(frozen=True)
class EvalCase:
    """One question about one lesson; ``expect`` is ``None`` for an unanswerable case."""

    lesson: str
    question: str
    expect: str | None = None

    @property
    def half(self) -> str:
        return ANSWERABLE if self.expect is not None else UNANSWERABLE

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
    kind: str
    grounded: bool
    #: Why a case failed, in a few words ("" when it passed).
    reason: str
    #: The quoted sentences (answers) or the reply text (anything else), for the report.
    shown: tuple[str, ...]


@dataclass
class HalfReport:
    """Results of one half (answerable or unanswerable) of the evaluation set."""

    name: str
    results: list[CaseResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.passed]

    def summary_line(self) -> str:
        return f"{self.name}: {self.passed}/{self.total} ({100 * self.accuracy:.1f}%)"


@dataclass
class EvalReport:
    answerable: HalfReport
    unanswerable: HalfReport

    def format_report(self, *, show_failures: bool = True) -> str:
        lines = [self.answerable.summary_line(), self.unanswerable.summary_line()]
        if not show_failures:
            return "\n".join(lines)
        for half in (self.answerable, self.unanswerable):
            if not half.failures:
                continue
            lines.append("")
            lines.append(f"{half.name} failures ({len(half.failures)}):")
            for r in half.failures:
                lines.append(f"- [{r.case.lesson}] {r.case.question!r}")
                lines.append(f"    {r.reason}")
                for text in r.shown:
                    lines.append(f"    > {_clip(text)}")
        return "\n".join(lines)


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def load_cases(path: Path | str, *, answerable: bool) -> list[EvalCase]:
    """Read one half of an evaluation set from a YAML list of mappings.

    Raises ``ValueError`` on a malformed case so a typo in the set fails loudly instead of
    silently shrinking it.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a YAML list of cases")
    cases: list[EvalCase] = []
    for n, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: case {n} is not a mapping")
        lesson, question = item.get("lesson"), item.get("question")
        if not isinstance(lesson, str) or lesson.count("/") != 1:
            raise ValueError(f"{path}: case {n} needs lesson: <course-slug>/<lesson-slug>")
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"{path}: case {n} needs a question")
        expect = item.get("expect")
        if answerable:
            if not isinstance(expect, str) or not expect.strip():
                raise ValueError(f"{path}: answerable case {n} needs expect: <phrase>")
        elif expect is not None:
            raise ValueError(f"{path}: unanswerable case {n} must not have expect")
        extra = set(item) - {"lesson", "question", "expect"}
        if extra:
            raise ValueError(f"{path}: case {n} has unknown keys {sorted(extra)}")
        cases.append(EvalCase(lesson=lesson, question=question, expect=expect))
    return cases


# --------------------------------------------------------------------------
# Judging and evaluating
# --------------------------------------------------------------------------


def judge(case: EvalCase, answer: TutorAnswer) -> CaseResult:
    """Decide whether ``answer`` is a pass for ``case`` (see the module docstring)."""
    quotes = tuple(c.quote for c in answer.citations) if answer.kind == "answer" else ()
    shown = quotes or (answer.answer,)
    if case.expect is None:
        passed = not answer.grounded
        reason = "" if passed else f"not declined (kind={answer.kind})"
    elif not answer.grounded or answer.kind != "answer":
        passed, reason = False, f"no grounded answer (kind={answer.kind})"
    else:
        passed = case.expect.casefold() in " ".join(quotes).casefold()
        reason = "" if passed else f"answered, but without {case.expect!r}"
    return CaseResult(
        case=case,
        passed=passed,
        kind=answer.kind,
        grounded=answer.grounded,
        reason=reason,
        shown=shown,
    )


def evaluate(
    cases: Iterable[EvalCase], answer_for: Callable[[str, str], TutorAnswer]
) -> EvalReport:
    """Answer every case with ``answer_for(lesson, question)`` and score both halves."""
    report = EvalReport(HalfReport(ANSWERABLE), HalfReport(UNANSWERABLE))
    for case in cases:
        result = judge(case, answer_for(case.lesson, case.question))
        half = report.answerable if case.half == ANSWERABLE else report.unanswerable
        half.results.append(result)
    return report


def lessons_in(cases: Sequence[EvalCase]) -> list[str]:
    """The distinct lessons the cases ask about, in first-seen order."""
    return list(dict.fromkeys(c.lesson for c in cases))
