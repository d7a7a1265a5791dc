"""The tutor's error decomposition (`bench/tutor_errors.py`): each question lands in the row
its passage and decision say, the gold unit's rank is where the ranking put it, and the script
runs on any question file in the documented format."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from tutor.retrieval import LessonText, SectionText, build_index
from tutor.retrieval.answer import assess
from tutor.retrieval.answerability import LEXICAL_FEATURES, Model

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("tutor_errors", ROOT / "bench" / "tutor_errors.py")
tutor_errors = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tutor_errors)

KILNS = LessonText(
    "Kilns",
    "",
    (
        SectionText(
            "Firing",
            "firing",
            "A kiln is an oven that fires clay at high temperature.\n"
            "A stoneware firing reaches about 1,250 degrees Celsius.\n"
            "The kiln stays shut for a whole day while it cools.",
        ),
        SectionText(
            "Glazes",
            "glazes",
            "A glaze is a thin coat of glass fused to the surface of a pot.\n"
            "Potters dip or brush the glaze on before the second firing.",
        ),
    ),
    (),
)


def _model(bias: float) -> Model:
    """A lexical model whose probability is the same for every question: always answers
    (bias +5) or always declines (bias -5), whatever the threshold of 0.5 sees."""
    n = len(LEXICAL_FEATURES)
    return Model(LEXICAL_FEATURES, (0.0,) * n, (1.0,) * n, (0.0,) * n, bias, 0.5)


ANSWERS, DECLINES = _model(5.0), _model(-5.0)


def test_each_question_lands_in_the_row_its_passage_and_decision_say():
    index = build_index(KILNS)
    question = "how hot does a stoneware firing get?"
    assert tutor_errors.classify(index, question, ["1,250 degrees"], ANSWERS)["row"] == "hit"
    declined = tutor_errors.classify(index, question, ["1,250 degrees"], DECLINES)
    assert declined["row"] == "(a) declined, right passage"
    # The expected phrase is in a unit the passage for this question does not quote.
    wrong = tutor_errors.classify(index, question, ["second firing"], ANSWERS)
    assert wrong["row"] == "(b) wrong passage, answered"
    assert wrong["rank"] in tutor_errors.RANKS
    assert tutor_errors.classify(index, question, ["second firing"], DECLINES)["row"] == (
        "(b) wrong passage, declined"
    )
    unanswerable = "how much does a stoneware kiln cost?"
    assert tutor_errors.classify(index, unanswerable, [], ANSWERS)["row"] == "(c) answered"
    assert tutor_errors.classify(index, unanswerable, [], DECLINES)["row"] == "declined"


def test_the_gold_rank_is_where_the_ranking_put_the_first_unit_holding_the_answer():
    index = build_index(KILNS)
    ranked = assess(index, "what does a potter do with a glaze before the firing?").ranked
    units = [u for _, u in ranked]
    assert len(units) >= 4
    # Every unit of this lesson is a different sentence, so a unit's text is held by it alone.
    for position, uid in enumerate(units[1:10], start=1):
        expected = "2nd-3rd" if position < 3 else "4th-5th" if position < 5 else "6th-10th"
        assert tutor_errors.gold_rank(index, ranked, [index.units[uid].text]) == expected
    assert tutor_errors.gold_rank(index, ranked[:1], [index.units[units[1]].text]) == (
        "below 10th or not ranked"
    )
    assert tutor_errors.gold_rank(index, ranked, ["no lesson says this"]) == (
        "no single unit holds it"
    )


def test_the_table_counts_every_question_once_per_file_and_pooled():
    rows = [{"row": "hit", "rank": ""}, {"row": "(c) answered", "rank": ""}]
    missed = [{"row": "(b) wrong passage, declined", "rank": "4th-5th"}]
    text = tutor_errors.table({"a.yaml": rows, "b.yaml": missed})
    lines = {line.split(" | ")[0][2:]: line.split(" | ")[1:] for line in text.splitlines()[2:]}
    assert lines["hit"] == ["1", "0", "1 |"]
    assert lines["(c) answered"] == ["1", "0", "1 |"]
    assert lines["(b) first gold unit: 4th-5th"] == ["0", "1", "1 |"]
    assert lines["(b) gold unit within the top 3"] == ["0", "0", "0 |"]
    assert lines["(b) gold unit within the top 5"] == ["0", "1", "1 |"]
    assert lines["(b) gold unit within the top 10"] == ["0", "1", "1 |"]


def test_it_runs_on_any_question_file_in_the_documented_format(tmp_path, capsys):
    questions = tmp_path / "mine.yaml"
    lesson = "everyday-science/lighthouses"
    cases = [
        {"lesson": lesson, "question": "when did Fresnel present his lens?", "expect": "1822"},
        {"lesson": lesson, "question": "Which country has the most lighthouses?"},
    ]
    questions.write_text(yaml.safe_dump(cases), encoding="utf-8")
    content = ROOT / "tests" / "tutor_eval" / "tuning_content"
    assert tutor_errors.main(["--content", str(content), "--questions", str(questions)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| row | `mine.yaml` | pooled |")
    counts = {
        line.split(" | ")[0][2:]: int(line.split(" | ")[1])
        for line in out.splitlines()[2:]
        if not line.startswith("| (b) first") and not line.startswith("| (b) gold")
    }
    assert sum(counts.values()) == 2
    assert counts["declined"] + counts["(c) answered"] == 1


def test_a_question_naming_no_lesson_of_the_folder_is_a_clear_error(tmp_path):
    questions = tmp_path / "mine.yaml"
    questions.write_text(yaml.safe_dump([{"lesson": "nope/none", "question": "What?"}]))
    content = ROOT / "tests" / "tutor_eval" / "tuning_content"
    with pytest.raises(SystemExit, match=r"mine.yaml: question 1 names lesson 'nope/none'"):
        tutor_errors.main(["--content", str(content), "--questions", str(questions)])
