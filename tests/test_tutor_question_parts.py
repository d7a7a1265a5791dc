"""How a learner's message is cut into the questions the tutor answers (`question_parts`).

Chat around a question is dropped at a sentence end or a colon; a period that closes an
abbreviation, a title or an initial ("Rev.", "No. 13", "J. Smith") ends nothing, so the
question keeps the words before it ("in what year", "who"). A statement before a question stays
when the question needs it: it refers back to it, or names nothing of the lesson on its own.
"""

from __future__ import annotations

import pytest

from tutor.retrieval import LessonText, SectionText, answer_question, build_index
from tutor.retrieval.message import question_parts

CHAPEL = LessonText(
    title="The harbour chapel",
    summary="A small chapel and the people who ran it.",
    sections=(
        SectionText(
            "History",
            "history",
            "Rev. Ann Hale became the pastor of the harbour chapel in 1887.\n"
            "Ann Hale, the pastor of the harbour chapel, wrote hymns for the chapel choir and "
            "the pastor of the chapel school.\n"
            "The lifeboat No. 13 was kept in a shed beside the chapel from 1902.\n"
            "Mt. Elder rises behind the harbour and shelters the chapel from the west wind.",
        ),
    ),
    key_terms=(),
)
INDEX = build_index(CHAPEL)


@pytest.mark.parametrize(
    "question",
    [
        "In what year did Rev. Ann Hale become the pastor of the harbour chapel?",
        "When was lifeboat No. 13 kept beside the chapel?",
        "What does Mt. Elder shelter the chapel from?",
        "Who was J. R. Hale's chapel named after?",
        "Why do people write e.g. in notes?",
    ],
)
def test_a_period_that_closes_an_abbreviation_or_initial_does_not_cut_the_question(
    question: str,
) -> None:
    assert question_parts(INDEX, question) == [question]


def test_chat_before_a_question_is_still_dropped() -> None:
    assert question_parts(INDEX, "Hi. When did Ann Hale become pastor?") == [
        "When did Ann Hale become pastor?"
    ]
    assert question_parts(INDEX, "sorry, quick one: who wrote hymns for the choir?") == [
        "who wrote hymns for the choir?"
    ]


def test_a_question_with_a_title_is_answered_with_what_it_asks_for() -> None:
    # Cut at "Rev.", the question loses "in what year" and the sentence with the most of its
    # words (the hymns) comes first; whole, the year's sentence does.
    reply = answer_question(
        INDEX, "In what year did Rev. Ann Hale become the pastor of the harbour chapel?"
    )
    assert reply.kind == "answer"
    assert "1887" in reply.citations[0].quote


def test_a_lesson_sentence_with_a_title_is_one_unit() -> None:
    texts = [unit.text for unit in INDEX.units]
    assert "Rev. Ann Hale became the pastor of the harbour chapel in 1887." in texts
    assert "Mt. Elder rises behind the harbour and shelters the chapel from the west wind." in texts
    assert not any(text in ("Rev.", "Mt.") for text in texts)


@pytest.mark.parametrize(
    ("message", "statement"),
    [
        ("The chapel choir sang hymns at night. What causes that?", True),  # refers back
        ("I saw the lifeboat shed was empty. What went wrong?", True),  # names no lesson term
        ("My aunt loves old buildings. Who wrote hymns for the choir?", False),  # neither
    ],
)
def test_a_statement_is_kept_when_the_question_needs_it(message: str, statement: bool) -> None:
    _statement, question = message.split(". ")
    assert question_parts(INDEX, message) == ([message] if statement else [question])


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "Who was Ann Hale, and what did she write?",
            ["Who was Ann Hale", "what did Ann Hale write?"],
        ),
        (
            "What is the harbour chapel and who ran it?",
            ["What is the harbour chapel", "who ran harbour chapel?"],
        ),
        (
            "What is lifeboat No. 13, and where was its shed?",
            ["What is lifeboat No. 13", "where was lifeboat No. 13's shed?"],
        ),
    ],
)
def test_a_later_part_that_refers_back_is_asked_about_the_earlier_parts_subject(
    message: str, parts: list[str]
) -> None:
    """ "What is X, and why does it ...?": the second part's "it" is X, which it needs to be
    found."""
    assert question_parts(INDEX, message) == parts


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "When did Rev. Ann Hale become pastor, and what did she write?",
            ["When did Rev. Ann Hale become pastor", "what did rev ann hale pastor write?"],
        ),
        (
            "Where was lifeboat No. 13 kept, and how long was that?",
            ["Where was lifeboat No. 13 kept", "how long was lifeboat 13 kept?"],
        ),
        (
            "What is the harbour chapel, and what's the point?",
            ["What is the harbour chapel", "what's the point harbour chapel?"],
        ),
        (
            "What is the harbour chapel, and what's the lifeboat?",
            ["What is the harbour chapel", "what's the lifeboat?"],
        ),
    ],
)
def test_a_later_part_that_refers_back_takes_the_lesson_terms_of_the_part_before(
    message: str, parts: list[str]
) -> None:
    """When the earlier part does not ask "what is X?", what it is about is the lesson terms it
    names that the later part does not; they stand in for the later part's pronoun (or a final
    "that"), or follow a later part that names nothing of the lesson. A later part with lesson
    terms of its own and nothing that refers back keeps its words."""
    assert question_parts(INDEX, message) == parts


def test_a_part_the_lesson_does_not_cover_is_named_in_the_learners_words() -> None:
    """The part is looked for with the earlier part's subject in place of its pronoun, but the
    reply quotes what the learner wrote."""
    answer = answer_question(INDEX, "What is the harbour chapel, and how much did it cost?")
    assert answer.kind == "answer"
    assert answer.answer.endswith(
        "The lesson doesn't cover this part of your question: \u201chow much did it cost?\u201d."
    )


LEMMAS = LessonText(
    title="Room in many dimensions",
    summary="Why a wide space holds more directions than it has axes.",
    sections=(
        SectionText(
            "Directions",
            "directions",
            "The packing lemma says that a space of many dimensions holds far more nearly "
            "orthogonal directions than it has dimensions.\n"
            "Because of the packing lemma, a model can store more features than it has neurons.\n"
            "Ann Hale proved the counting lemma in 1887 by counting the ways to place beads on a "
            "wire.\n"
            "The counting lemma bounds how many beads fit on a wire of a given length.",
        ),
        SectionText(
            "Tools",
            "tools",
            "The bead tracer is a small library that draws the directions a model stores.\n"
            "Researchers run the bead tracer on one layer at a time.",
        ),
    ),
    key_terms=(),
)
LEMMAS_INDEX = build_index(LEMMAS)
NOT_COVERED = "The lesson doesn't cover this part of your question: \u201c{}\u201d."


@pytest.mark.parametrize(
    ("message", "later"),
    [
        ("What is the packing lemma, and who found it?", "who found it?"),
        ("What does the packing lemma say, and when does it fail?", "when does it fail?"),
        ("What does the bead tracer do, and how do I install it?", "how do I install it?"),
    ],
)
def test_a_later_part_that_refers_back_is_judged_on_what_it_asks_itself(
    message: str, later: str
) -> None:
    """The later part is looked for with the earlier part's subject, whose words make the
    earlier part's passage look like its answer too; but that passage names no one who found
    the lemma, no time it fails, no way to install the tracer. The part is answered only when
    its passage gives the kind of thing its own question asks for, else named as not covered."""
    answer = answer_question(LEMMAS_INDEX, message)
    assert answer.kind == "answer"
    assert answer.answer.endswith(NOT_COVERED.format(later))


@pytest.mark.parametrize(
    ("message", "quoted"),
    [
        ("What does the counting lemma say, and who proved it?", "Ann Hale proved"),
        ("What is the counting lemma, and when was it proved?", "in 1887"),
        ("What does the bead tracer do, and how do I run it?", "Researchers run the bead tracer"),
        ("What is the packing lemma, and why does it matter?", "a model can store more"),
    ],
)
def test_a_later_part_that_refers_back_is_answered_when_its_passage_gives_what_it_asks(
    message: str, quoted: str
) -> None:
    """A name, a date or the doing a "how" asks about, or a reason, in the passage the part
    ranks first (here often the one already quoted for the earlier part): the part is
    answered, and no part is named as not covered."""
    answer = answer_question(LEMMAS_INDEX, message)
    assert answer.kind == "answer"
    assert "doesn't cover" not in answer.answer
    assert any(quoted in c.quote for c in answer.citations)
