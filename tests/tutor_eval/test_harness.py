"""The evaluation harness without Django: question files, the hash split, judging, scores,
the BM25 baseline and the SQuAD conversion."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import bm25, squad
from .harness import (
    HELD_OUT,
    TUNING,
    EvalCase,
    QuestionFileError,
    evaluate,
    judge,
    load_questions,
    roc_auc,
    split_of,
    table,
)

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Quote:
    section: str
    anchor: str
    quote: str


@dataclass(frozen=True)
class Reply:
    """Shaped like tutor.retrieval.TutorAnswer, with an optional confidence."""

    answer: str
    grounded: bool
    citations: tuple[Quote, ...] = ()
    kind: str = "answer"
    confidence: float | None = None


def answered(*quotes: str, confidence: float | None = None) -> Reply:
    cites = tuple(Quote("Section", "section", q) for q in quotes)
    return Reply("Here's what the lesson says: ...", True, cites, confidence=confidence)


DECLINED = Reply("Sorry, this lesson doesn't cover that.", False, kind="declined")
OVERVIEW = Reply(
    "This lesson is about tides.", True, (Quote("Tides", "tides", "Tides"),), "overview"
)


def test_split_is_the_first_hex_digit_of_the_questions_sha256() -> None:
    for question in ["What causes tides?", "what causes tides?", "Wer bist du?", "é"]:
        digit = hashlib.sha256(question.encode("utf-8")).hexdigest()[0]
        assert split_of(question) == (TUNING if int(digit, 16) < 8 else HELD_OUT)
    # Fixed values, so a change to the rule cannot go unnoticed.
    assert hashlib.sha256(b"abc").hexdigest()[0] == "b" and split_of("abc") == HELD_OUT
    assert hashlib.sha256(b"a").hexdigest()[0] == "c" and split_of("a") == HELD_OUT
    assert hashlib.sha256(b"b").hexdigest()[0] == "3" and split_of("b") == TUNING


def test_both_shipped_halves_hold_answerable_and_unanswerable_cases() -> None:
    cases = load_questions(HERE / "answerable.yaml") + load_questions(HERE / "unanswerable.yaml")
    for split in (TUNING, HELD_OUT):
        half = [c for c in cases if c.split == split]
        assert sum(c.answerable for c in half) >= 40 and sum(not c.answerable for c in half) >= 20


def test_question_file_takes_one_or_several_acceptable_answers(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "- {lesson: c/l, question: 'one?', expect: Moon}\n"
        "- {lesson: c/l, question: 'several?', expect: [the Sun, 1969]}\n"
        "- {lesson: c/l, question: 'none?'}\n",
        encoding="utf-8",
    )
    one, several, none = load_questions(path)
    assert one.expect == ("Moon",) and one.answerable
    assert several.expect == ("the Sun", "1969")
    assert none.expect == () and not none.answerable


@pytest.mark.parametrize(
    "yaml_text",
    [
        "{lesson: c/l, question: q}",  # not a list
        "- {lesson: nolesson, question: q}",  # no course slug
        "- {lesson: C/L, question: q}",  # not slugs
        "- {lesson: c/l, question: ''}",
        "- {lesson: c/l, question: q, expect: ''}",
        "- {lesson: c/l, question: q, expect: []}",
        "- {lesson: c/l, question: q, expect: [ok, {a: 1}]}",
        "- {lesson: c/l, question: q, extra: 1}",
        "- just a string",
        "- {lesson: c/l, question: q}\n- {lesson: c/l, question: ' Q '}",  # repeated
    ],
)
def test_malformed_question_files_are_refused_with_the_case_number(
    tmp_path: Path, yaml_text: str
) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(QuestionFileError, match=str(path)):
        load_questions(path)


def test_answerable_case_needs_a_grounded_answer_quoting_an_acceptable_answer() -> None:
    case = EvalCase("c/l", "what pulls the sea?", ("the Moon", "lunar gravity"))
    assert judge(case, answered("Mostly  THE\nmoon pulls it.")).passed  # case and spaces
    assert judge(case, answered("It is lunar gravity.")).passed
    assert not judge(case, answered("The wind does.")).passed
    assert not judge(case, DECLINED).passed
    # Only quotes count: an overview that happens to name it is not an answer.
    assert not judge(EvalCase("c/l", "q", ("tides",)), OVERVIEW).passed


def test_unanswerable_case_needs_a_decline() -> None:
    case = EvalCase("c/l", "what is the capital of Peru?")
    assert judge(case, DECLINED).passed
    assert not judge(case, answered("Anything.")).passed
    assert not judge(case, OVERVIEW).passed  # greetings and overviews are not declines


def test_a_crash_is_never_a_decline() -> None:
    def broken(lesson: str, question: str) -> Reply:
        raise ZeroDivisionError("bug in the tutor")

    with pytest.raises(ZeroDivisionError):
        evaluate("set", [EvalCase("c/l", "off topic?")], broken)


def test_scores_per_split_and_the_table() -> None:
    cases = [
        EvalCase("c/l", "b", ("yes",)),  # tuning
        EvalCase("c/l", "abc", ("never",)),  # held-out
        EvalCase("c/l", "a"),  # held-out, unanswerable
    ]
    replies = {"b": answered("yes indeed"), "abc": answered("maybe"), "a": DECLINED}
    report = evaluate("set", cases, lambda lesson, question: replies[question])
    scores = report.by_split()
    assert (scores[TUNING].answered, scores[TUNING].answerable) == (1, 1)
    assert scores[TUNING].decline_rate is None
    held = scores[HELD_OUT]
    assert (held.answered, held.answerable, held.declined, held.unanswerable) == (0, 1, 1, 1)
    assert held.combined == 0.5 and scores["all"].combined == pytest.approx(2 / 3)
    text = table([("tutor: all", scores["all"]), ("tutor: tuning", scores[TUNING])])
    assert "50.0% (1/2)" in text and "100.0% (1/1)" in text and "66.7%" in text
    assert text.splitlines()[-1].split()[-2:] == ["100.0%", "1"]
    assert [r.case.question for r in report.failures] == ["abc"]


def test_confidence_auc_when_the_tutor_reports_one() -> None:
    assert roc_auc([(0.9, True), (0.1, False)]) == 1.0
    assert roc_auc([(0.5, True), (0.5, False)]) == 0.5
    assert roc_auc([(0.5, True)]) is None
    cases = [EvalCase("c/l", "x", ("yes",)), EvalCase("c/l", "y"), EvalCase("c/l", "z")]
    replies = {
        "x": answered("yes", confidence=0.8),
        "y": answered("no", confidence=0.3),
        "z": Reply("Sorry.", False, kind="declined", confidence=0.9),
    }
    assert evaluate("s", cases, lambda _l, q: replies[q]).auc() == 0.5
    no_confidence = {"x": answered("yes"), "y": answered("no"), "z": DECLINED}
    assert evaluate("s", cases, lambda _l, q: no_confidence[q]).auc() is None


def test_bm25_ranks_the_sentence_sharing_the_rarest_words_first() -> None:
    sentences = bm25.split_sentences(
        "The Moon pulls the sea. The Sun pulls it too. Spring tides come at new moon.\n"
        "Neap tides come at half moon."
    )
    assert len(sentences) == 4
    ranker = bm25.BM25(sentences)
    assert ranker.top("when do neap tides happen?", 1) == ["Neap tides come at half moon."]
    assert ranker.top("what pulls the sea", 2)[0] == "The Moon pulls the sea."
    assert ranker.top("xyzzy", 1) == ["The Moon pulls the sea."]  # never declines


def test_markdown_escaping_keeps_article_text(tmp_path: Path) -> None:
    text = "1. Not a list *or* _emphasis_ [link](x) | pipe # hash <b>tag</b> & co \\ back"
    escaped = squad.escape_markdown(text)
    assert escaped.startswith("1\\.") and "&lt;b&gt;" in escaped and "\\*or\\*" in escaped


def test_harness_baseline_and_conversion_need_no_django() -> None:
    code = (
        "import sys; import tests.tutor_eval.harness, tests.tutor_eval.bm25, "
        "tests.tutor_eval.squad; assert 'django' not in sys.modules, 'django imported'"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=HERE.parents[1], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
