"""Lists that a heading introduces (no sentence announces them), quoted whole when a question
asks for the list: the lesson is rendered from Markdown as the importer renders it."""

from __future__ import annotations

import json

import pytest

from courses.content.rendering import html_to_text, line_kinds, render_markdown
from tutor.retrieval import LessonIndex, LessonText, SectionText, answer_question, build_index

KITES = {
    "Flying a kite": (
        "Kites fly because moving air pushes on a tilted surface. A steady breeze of 10 to 25 km/h "
        "suits most single-line kites, and gusty wind near trees makes them dive.\n\n"
        "### Parts of a kite\n\n"
        "- The sail is the fabric surface that catches the wind.\n"
        "- The spine is the stiff rod that runs from nose to tail.\n"
        "- The bridle is the set of lines that sets the sail's angle to the wind.\n"
        "- The tail adds drag at the back and keeps the nose pointing up.\n\n"
        "Check each part before every flight, since a torn sail or a loose bridle spoils it."
    ),
    "Launching safely": (
        "1. Stand with your back to the wind and hold the kite up by its bridle.\n"
        "2. Let out a few metres of line while a helper walks the kite downwind.\n"
        "3. Pull the line in sharply when the helper lets go, so the kite climbs.\n"
        "4. Let the line out slowly once the kite holds steady in smooth air.\n\n"
        "Never fly near power lines, roads or airports, whatever the weather."
    ),
}


def _section(heading: str, markdown: str) -> SectionText:
    html = render_markdown(markdown)
    anchor = heading.lower().replace(" ", "-")
    return SectionText(heading, anchor, html_to_text(html), line_kinds(html))


LESSON = LessonText(
    "Kites", "", tuple(_section(heading, markdown) for heading, markdown in KITES.items()), ()
)
INDEX = build_index(LESSON)
PARTS = [line.removeprefix("- ") for line in KITES["Flying a kite"].split("\n") if line[:2] == "- "]
STEPS = [line[3:] for line in KITES["Launching safely"].split("\n") if line[:1].isdigit()]


def quotes(question: str) -> list[str]:
    answer = answer_question(INDEX, question)
    assert answer.kind == "answer" and answer.grounded, answer.answer
    return [citation.quote for citation in answer.citations]


def test_line_kinds_say_which_lines_are_headings_and_list_items() -> None:
    html = render_markdown("Intro.\n\n### Parts\n\n- One\n- Two\n  - Nested\n\n1. First\n\nAfter.")
    lines = ["Intro.", "Parts", "One", "Two", "Nested", "First", "After."]
    assert html_to_text(html).split("\n") == lines
    assert line_kinds(html) == ("", "heading", "item", "item", "item", "item", "")


@pytest.mark.parametrize(
    "question",
    ["What are the parts of a kite?", "List the parts of a kite.", "name the parts of a kite"],
)
def test_a_list_question_quotes_the_list_a_sub_heading_introduces_whole(question: str) -> None:
    quoted = quotes(question)
    assert all(part in quoted for part in PARTS), quoted
    # Verbatim lesson text, in lesson order, nothing invented before the items.
    assert [q for q in quoted if q in PARTS] == PARTS
    assert all(q in LESSON.sections[0].text.split("\n") or q == "Parts of a kite" for q in quoted)


def test_a_list_question_quotes_the_steps_a_section_heading_introduces_whole() -> None:
    quoted = quotes("What are the steps for launching a kite?")
    assert [q for q in quoted if q in STEPS] == STEPS, quoted


def test_a_question_about_one_item_still_quotes_that_item_alone() -> None:
    """Only a question asking for the list gets the list: "what does the bridle do?" does not."""
    quoted = quotes("What does the bridle set?")
    assert PARTS[2] in quoted
    assert PARTS[0] not in quoted and PARTS[3] not in quoted


def test_the_list_is_cited_to_its_own_section() -> None:
    answer = answer_question(INDEX, "What are the parts of a kite?")
    assert {c.anchor for c in answer.citations} == {"flying-a-kite"}


def test_a_list_kept_without_its_line_kinds_reads_as_before() -> None:
    """An index built from plain text alone (no line kinds) knows no heading lists."""
    plain = LessonText(
        "Kites", "", tuple(SectionText(s.heading, s.anchor, s.text) for s in LESSON.sections), ()
    )
    assert all(unit.listed is None for unit in build_index(plain).units)


def test_a_heading_that_counts_the_items_introduces_the_list_after_its_opening_paragraph() -> None:
    """ "Packing a kite bag in three steps": the paragraph under the heading announces nothing,
    and the numbered list after it is the heading's; a question for the steps gets them all."""
    markdown = (
        "Packing well is quick once it is a habit. Most damage happens in the car, not the air.\n\n"
        "1. Roll the sail loosely around the spine, never folding it along a crease.\n"
        "2. Wind the flying line onto its reel and clip the end so it cannot unwind.\n"
        "3. Slide the rolled kite and reel into a long bag with the tail coiled at the bottom.\n\n"
        "A dry bag keeps mould off a wet sail."
    )
    lesson = LessonText("Kites", "", (_section("Packing a kite bag in three steps", markdown),), ())
    index = build_index(lesson)
    steps = [line[3:] for line in markdown.split("\n") if line[:1].isdigit()]
    answer = answer_question(index, "What are the three steps for packing a kite bag?")
    quoted = [citation.quote for citation in answer.citations]
    assert [q for q in quoted if q in steps] == steps, answer.answer
    # Without the count in the heading, the paragraph before the list is not the list's.
    other = build_index(LessonText("Kites", "", (_section("Packing a kite bag", markdown),), ()))
    assert all(unit.listed is None for unit in other.units)


def test_an_index_keeps_its_heading_lists_when_stored_and_read_back() -> None:
    stored = LessonIndex.from_dict(json.loads(INDEX.to_json()))
    assert [u.listed for u in stored.units] == [u.listed for u in INDEX.units]
    assert any(u.listed is not None for u in stored.units)


def test_a_section_without_text_gives_no_unit_and_the_others_are_read() -> None:
    # A section holding only an image has no text line at all; its lines' units are none.
    lesson = LessonText(
        "Maps",
        "",
        (
            SectionText("Map", "map", "", ()),
            SectionText("Legend", "legend", "A legend explains the symbols.", ("",)),
        ),
        (),
    )
    index = build_index(lesson)
    assert [u.text for u in index.units] == ["A legend explains the symbols."]
