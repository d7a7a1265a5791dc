"""Questions that ask for several things ("what are the four parts of a lamp?", "what kinds of
lock are there?"): read as list questions, not definitions, and answered with the list."""

from __future__ import annotations

import pytest

from tutor.retrieval import LessonText, SectionText, answer_question, build_index
from tutor.retrieval.ranking import LIST, counts_match, read_query

LANTERNS = build_index(
    LessonText(
        "Lanterns",
        "",
        (
            SectionText(
                "How lanterns are made",
                "made",
                "\n".join(
                    [
                        "Lantern makers have worked in four broad ways. They differ in what they"
                        " trust to keep the wind away from the flame.",
                        "Tin lanterns are punched with patterns of small holes that let the"
                        " light out.",
                        "Paper lanterns stretch oiled paper over a frame of split bamboo.",
                        "Glass lanterns set panes of glass in a metal cage.",
                        "Horn lanterns use thin sheets of boiled cow horn instead of glass.",
                    ]
                ),
            ),
            SectionText(
                "Lanterns today",
                "today",
                "The rest of this lesson takes each kind in turn. A lantern with two or four"
                " wicks burns brighter but needs more care.",
            ),
        ),
        (),
    )
)


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("What are the four parts of a lamp?", (4, "part")),
        ("what are the 2 types of lock", (2, "type")),
        ("Which six tools does a joiner need?", (6, "tool")),
        ("What are the different styles of roof?", None),
        ("What are the steps for hanging a door?", None),
        ("What kinds of hinge are there?", None),
    ],
)
def test_a_question_asking_for_several_things_is_a_list_question(question, count) -> None:
    query = read_query(LANTERNS, question)
    assert query.answer_type == LIST and query.several
    assert query.subject == ()  # not "what is X?": no definition of X is asked for
    assert query.count == count


@pytest.mark.parametrize(
    "question",
    ["What was the Hundred Years War?", "What are tin lanterns?", "What are lanterns for?"],
)
def test_a_name_with_a_count_or_a_plural_is_still_a_definition_question(question) -> None:
    query = read_query(LANTERNS, question)
    assert query.subject and not query.several and query.count is None


def test_a_why_question_names_no_count_of_things() -> None:
    query = read_query(LANTERNS, "Why do lanterns with two wicks smoke?")
    assert query.answer_type == LIST and not query.several and query.count is None


def test_a_unit_gives_as_many_things_as_asked_by_its_list_or_its_words() -> None:
    units = {unit.text.split()[0]: uid for uid, unit in enumerate(LANTERNS.units)}
    asked = read_query(LANTERNS, "What are the four kinds of lantern?")
    # Four items announced in words, though the announcement says "ways", not "kinds".
    assert counts_match(LANTERNS, units["Lantern"], asked)
    # "four" beside other things ("wicks") and without a list of four is no answer.
    assert not counts_match(LANTERNS, units["A"], asked)
    # The count, then the question's word for the things, within three words.
    assert counts_match(LANTERNS, units["A"], read_query(LANTERNS, "Which two wicks burn?"))


TWO_KINDS = build_index(
    LessonText(
        "Lanterns",
        "",
        (
            SectionText(
                "Two kinds of lantern",
                "kinds",
                "A lantern is a case that shields a flame from the wind. Lanterns come in two"
                " main kinds, and they burn very differently.\n"
                "An oil lantern draws paraffin up a cotton wick, and its flame is steady for"
                " hours.\n"
                "A candle lantern holds a single candle on a spring, which pushes it up as it"
                " burns down.",
            ),
            SectionText(
                "Safety",
                "safety",
                "Rule 2 of lantern safety: never leave a lit lantern of any type alone. A lantern"
                " should hang from a hook, not stand on a table.",
            ),
        ),
        (),
    )
)


def test_a_count_in_digits_finds_the_list_the_lesson_counts_in_words() -> None:
    # The "2" of the question is the lesson's "two", not the "2" of a rule's number.
    answer = answer_question(TWO_KINDS, "what are the 2 types of lantern")
    assert answer.kind == "answer", answer.answer
    assert "Lanterns come in two main kinds" in answer.answer
    assert "An oil lantern" in answer.answer and "A candle lantern" in answer.answer
    assert "Rule 2" not in answer.answer


def test_a_list_question_with_its_count_in_digits_is_answered_with_the_whole_list() -> None:
    answer = answer_question(LANTERNS, "what are the 4 kinds of lanterns")
    assert answer.kind == "answer", answer.answer
    assert "Lantern makers have worked in four broad ways." in answer.answer
    for kind in ("Tin", "Paper", "Glass", "Horn"):
        assert f"{kind} lanterns" in answer.answer
