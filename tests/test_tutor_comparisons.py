"""Comparison questions ("how does A differ from B?"): read as what A is and what B is.

The lesson is written here, in the shape the importer stores (one line per paragraph).
"""

from __future__ import annotations

import pytest

from tutor.retrieval import LessonText, SectionText, TutorAnswer, answer_question, build_index
from tutor.retrieval.message import question_parts

ROCKS = LessonText(
    title="Rocks from fire",
    summary="How molten rock becomes stone.",
    sections=(
        SectionText(
            "Cooling",
            "cooling",
            "Rock that melts deep underground rises towards the surface.\n"
            "Granite is a pale rock that forms when magma cools slowly deep underground, so its "
            "crystals grow large enough to see.\n"
            "Quarries cut granite into blocks for kerbs, worktops and monuments.\n"
            "Basalt is a dark rock that forms when lava cools quickly at the surface, so its "
            "crystals stay too small to see.\n"
            "Most of the ocean floor is basalt, laid down by eruptions along the ridges.\n"
            "Both granite and basalt are hard enough to last for centuries in a wall.",
        ),
        SectionText(
            "Stone in the town",
            "town",
            "Sculptors have long preferred marble to granite, and the town hall has marble "
            "steps.\n"
            "Crushed basalt makes a strong base for roads, laid over a layer of sand.",
        ),
    ),
    key_terms=(("Pumice", "a light rock full of gas bubbles that can float on water."),),
)
INDEX = build_index(ROCKS)
UNIT_TEXTS = {unit.text for unit in INDEX.units}
ANCHORS = {anchor for _, anchor in INDEX.places}


def assert_quoted_and_cited(answer: TutorAnswer) -> None:
    assert answer.grounded and answer.kind == "answer"
    assert len({c.quote for c in answer.citations}) == len(answer.citations)  # each once
    for n, citation in enumerate(answer.citations, 1):
        assert citation.quote in UNIT_TEXTS  # verbatim
        assert citation.anchor in ANCHORS
        assert f"\u201c{citation.quote}\u201d [{n}]" in answer.answer


#: One comparison in each wording the tutor reads as one.
BASALT_AND_PUMICE = (
    "How does basalt differ from pumice?",
    "How is basalt different from pumice?",
    "What's the difference between basalt and pumice?",
    "basalt vs pumice",
    "Compare basalt and pumice.",
    "How do basalt and pumice differ?",
    "How are basalt and pumice different?",
    "In what way do basalt and pumice differ?",
    "In what ways are basalt and pumice different from each other?",
)


@pytest.mark.parametrize("question", BASALT_AND_PUMICE)
def test_a_comparison_quotes_what_each_side_is(question: str) -> None:
    answer = answer_question(INDEX, question)
    assert_quoted_and_cited(answer)
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("Basalt is") for q in quotes), quotes
    assert any(q.startswith("Pumice:") for q in quotes), quotes
    assert "doesn't cover" not in answer.answer


def test_a_comparison_prefers_what_each_side_is_to_a_sentence_naming_both() -> None:
    # The whole question's best unit is "Both granite and basalt are hard enough...", which
    # tells them apart in nothing.
    answer = answer_question(INDEX, "What's the difference between granite and basalt?")
    assert_quoted_and_cited(answer)
    assert [c.quote.split()[:2] for c in answer.citations] == [["Granite", "is"], ["Basalt", "is"]]


def test_parts_answered_by_the_same_sentence_quote_it_once() -> None:
    answer = answer_question(INDEX, "What is pumice? And can pumice float?")
    assert_quoted_and_cited(answer)
    assert [c.anchor for c in answer.citations] == ["key-terms"]
    assert answer.answer.count("Pumice:") == 1


def test_a_comparison_reply_has_one_frame_for_both_sides() -> None:
    answer = answer_question(INDEX, "What's the difference between basalt and pumice?")
    assert_quoted_and_cited(answer)
    assert answer.answer.count("Here's what the lesson says") == 1
    assert answer.answer.startswith("Here's what the lesson says:\n")


def test_a_comparison_names_the_side_the_lesson_does_not_cover_as_the_learner_wrote_it() -> None:
    answer = answer_question(INDEX, "How is basalt different from Beach Sand?")
    assert_quoted_and_cited(answer)
    assert any(c.quote.startswith("Basalt is") for c in answer.citations)
    assert answer.answer.endswith("\nThe lesson doesn't explain Beach Sand.")
    assert "what is" not in answer.answer.casefold()


def test_a_comparison_with_a_side_the_lesson_never_names_answers_the_other_side() -> None:
    answer = answer_question(INDEX, "What's the difference between basalt and obsidian?")
    assert_quoted_and_cited(answer)
    assert any(c.quote.startswith("Basalt is") for c in answer.citations)
    assert answer.answer.endswith("\nThe lesson doesn't explain obsidian.")
    assert not any("Granite" in c.quote or "Pumice" in c.quote for c in answer.citations)
    answer = answer_question(INDEX, "How is basalt different from an opal?")
    assert answer.answer.endswith("\nThe lesson doesn't explain an opal.")


def test_a_comparison_of_two_things_the_lesson_never_names_is_declined() -> None:
    answer = answer_question(INDEX, "What's the difference between obsidian and chalk?")
    assert answer.kind == "declined" and not answer.citations


WEATHER = LessonText(
    title="Reading the weather",
    summary="What the sky and the barometer tell you.",
    sections=(
        SectionText(
            "Pressure",
            "pressure",
            "Air presses down on everything, and a barometer measures how hard.\n"
            "High pressure brings settled, dry weather, because sinking air warms and clouds "
            "dissolve.\n"
            "Low pressure brings cloud, wind and rain, because rising air cools and its water "
            "vapour condenses.",
        ),
        SectionText(
            "Clouds",
            "clouds",
            "The high clouds come first.\nThen high cirrus thickens into a grey sheet.\n"
            "Sleet is rain that freezes into ice pellets before it lands.\n"
            "Drizzle falls from low grey cloud in drops too small to see.",
        ),
        SectionText(
            "Fronts",
            "fronts",
            "Air that stays over a warm sea is warm and humid.\n"
            "A warm front is where warm air rides up over colder air.\n"
            "A cold front is where cold air wedges under warm air.",
        ),
    ),
    key_terms=(),
)
WEATHER_INDEX = build_index(WEATHER)


def test_a_shared_noun_goes_with_a_side_the_lesson_uses_only_as_a_modifier() -> None:
    # "high" is a lesson word, but the lesson uses it only before another word ("High
    # pressure", "The high clouds"), so "a high and a low pressure system" is two systems.
    answer = answer_question(
        WEATHER_INDEX, "What is the difference between a high and a low pressure system?"
    )
    quotes = [c.quote for c in answer.citations]
    assert any(q.startswith("High pressure brings") for q in quotes), answer.answer
    assert any(q.startswith("Low pressure brings") for q in quotes), answer.answer
    assert question_parts(WEATHER_INDEX, "How do high and low pressure systems differ?") == [
        "what is high pressure systems?",
        "what is low pressure systems?",
    ]


def test_a_shared_noun_goes_with_a_side_the_lesson_writes_before_it() -> None:
    # The lesson says "warm and humid" too, but it writes "warm front".
    assert question_parts(
        WEATHER_INDEX, "What's the difference between a warm and a cold front?"
    ) == ["what is warm front?", "what is cold front?"]


def test_a_side_the_lesson_uses_as_a_thing_keeps_its_own_name() -> None:
    # "Sleet is rain...": sleet is a thing of its own, so "freezing rain" is no shared noun.
    assert question_parts(
        WEATHER_INDEX, "What's the difference between sleet and freezing rain?"
    ) == [
        "what is sleet?",
        "what is freezing rain?",
    ]
