"""Unit tests for tutor.evaluation: loading cases, judging answers, the report (no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.evaluation import EvalCase, evaluate, judge, load_cases
from tutor.retrieval import Citation, TutorAnswer

HERE = Path(__file__).resolve().parent


def answer(*quotes: str) -> TutorAnswer:
    cites = tuple(Citation("Section", "section", q) for q in quotes)
    text = "Here's what the lesson says:\n" + "\n".join(f"\u201c{q}\u201d [1]" for q in quotes)
    return TutorAnswer(answer=text, grounded=True, citations=cites, best_score=0.5, kind="answer")


DECLINED = TutorAnswer("Sorry, this lesson doesn't cover that.", False, (), 0.0, "declined")
OVERVIEW = TutorAnswer(
    "This lesson is about superposition.",
    True,
    (Citation("Superposition", "superposition", "Superposition"),),
    0.0,
    "overview",
)


def test_answerable_case_needs_a_grounded_answer_quoting_the_phrase() -> None:
    case = EvalCase("c/l", "what is interference?", "false signal")
    assert judge(case, answer("Interference is a small FALSE SIGNAL.")).passed
    assert not judge(case, answer("Interference adds noise.")).passed
    assert not judge(case, DECLINED).passed
    # Only the quotes count: an overview that happens to name it is not an answer.
    assert not judge(EvalCase("c/l", "q", "superposition"), OVERVIEW).passed


def test_unanswerable_case_needs_a_decline() -> None:
    case = EvalCase("c/l", "what is the capital of Peru?")
    assert judge(case, DECLINED).passed
    assert not judge(case, answer("Anything.")).passed
    assert not judge(case, OVERVIEW).passed  # greetings and overviews are not declines


def test_evaluate_reports_each_half_and_lists_failures() -> None:
    cases = [
        EvalCase("c/l", "good?", "yes"),
        EvalCase("c/l", "bad?", "never"),
        EvalCase("c/l", "off topic?"),
    ]

    def answer_for(lesson: str, question: str) -> TutorAnswer:
        assert lesson == "c/l"
        return answer("yes indeed") if question != "off topic?" else DECLINED

    report = evaluate(cases, answer_for)
    assert (report.answerable.passed, report.answerable.total) == (1, 2)
    assert (report.unanswerable.passed, report.unanswerable.total) == (1, 1)
    assert report.answerable.accuracy == 0.5
    text = report.format_report()
    assert text.splitlines()[:2] == ["answerable: 1/2 (50.0%)", "unanswerable: 1/1 (100.0%)"]
    assert "'bad?'" in text and "without 'never'" in text
    assert "'good?'" not in text
    assert report.format_report(show_failures=False).count("\n") == 1


@pytest.mark.parametrize(
    ("yaml_text", "answerable"),
    [
        ("{lesson: c/l, question: q}", True),  # not a list
        ("- {lesson: c/l, question: q}", True),  # answerable without expect
        ("- {lesson: c/l, question: q, expect: x}", False),  # unanswerable with expect
        ("- {lesson: nolesson, question: q, expect: x}", True),  # no course slug
        ("- {lesson: c/l, question: '', expect: x}", True),
        ("- {lesson: c/l, question: q, expect: x, extra: 1}", True),
        ("- just a string", True),
    ],
)
def test_load_cases_rejects_malformed_sets(
    tmp_path: Path, yaml_text: str, answerable: bool
) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ValueError):
        load_cases(path, answerable=answerable)


def test_shipped_sets_are_well_formed_and_big_enough() -> None:
    answerable = load_cases(HERE / "answerable.yaml", answerable=True)
    unanswerable = load_cases(HERE / "unanswerable.yaml", answerable=False)
    assert len(answerable) >= 96 and len(unanswerable) >= 48
    per_lesson: dict[str, int] = {}
    for case in answerable:
        per_lesson[case.lesson] = per_lesson.get(case.lesson, 0) + 1
        assert 1 <= len(case.expect.split()) <= 4  # type: ignore[union-attr]
    assert len(per_lesson) == 12 and min(per_lesson.values()) >= 8
    assert len({(c.lesson, c.question) for c in [*answerable, *unanswerable]}) == len(
        answerable
    ) + len(unanswerable)
