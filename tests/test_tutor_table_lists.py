"""Lists whose items are a table's rows: a table straight after the sentence that announces it
("Dynamic ropes come in three kinds:") or opening a section whose heading counts its rows
("Three knots worth knowing"). A question asking for the list gets the rows; the answerability
model judges the passage without them (composition only)."""

from __future__ import annotations

import json

from tests.test_tutor_heading_lists import _section  # rendered as the importer renders it
from tutor.retrieval import LessonIndex, LessonText, SectionText, answer_question, build_index
from tutor.retrieval.answer import assess
from tutor.retrieval.answerability import load_model
from tutor.retrieval.units import ROW

ROPES = {
    "Ropes and their kinds": (
        "A climbing rope is a nylon core inside a woven sheath. A dynamic rope stretches to "
        "catch a fall; a static rope barely stretches and is used for hauling.\n\n"
        "Dynamic ropes come in three kinds:\n\n"
        "| rope type | how it is used | usual diameter |\n"
        "| --- | --- | --- |\n"
        "| single | one strand clipped into every piece of protection | 9 to 11 millimetres |\n"
        "| half | two strands clipped alternately on wandering routes | about 8 millimetres |\n"
        "| twin | two thin strands always clipped together | about 7 millimetres |\n\n"
        "Most ropes sold for sport climbing are 60 or 70 metres long. A thinner rope weighs "
        "less, but it wears out sooner and gives the belay device less to grip."
    ),
    "Three knots worth knowing": (
        "| knot | kind | good for |\n"
        "| --- | --- | --- |\n"
        "| figure-eight | stopper | tying the rope into the harness |\n"
        "| clove hitch | hitch | fastening the rope to an anchor quickly |\n"
        "| prusik | friction hitch | backing up an abseil on the rope |\n\n"
        "Practise tying each one until you can do it with your eyes closed."
    ),
    "Belay devices": (
        "Belay devices come in two main designs.\n\n"
        "| feature | tube device | assisted-braking device |\n"
        "| --- | --- | --- |\n"
        "| weight | light | heavier |\n"
        "| locks on a fall | only with the brake hand | by itself, with a cam |\n"
        "| feeding slack | smooth | can snag when fed fast |\n"
        "| price | cheap | several times dearer |\n\n"
        "Whatever the device, the brake hand never leaves the rope."
    ),
}


LESSON = LessonText(
    "Climbing ropes", "", tuple(_section(heading, md) for heading, md in ROPES.items()), ()
)
INDEX = build_index(LESSON)


def _rows(section: int) -> list[str]:
    return [u.text for u in INDEX.units if u.kind == ROW and u.section == section]


ROPE_ROWS, KNOT_ROWS, DEVICE_ROWS = _rows(0), _rows(1), _rows(2)


def quotes(question: str) -> list[str]:
    answer = answer_question(INDEX, question)
    assert answer.kind == "answer" and answer.grounded, answer.answer
    return [citation.quote for citation in answer.citations]


def test_the_rows_read_as_text_with_their_header() -> None:
    assert ROPE_ROWS[0] == (
        "rope type: single. how it is used: one strand clipped into every piece of protection. "
        "usual diameter: 9 to 11 millimetres."
    )
    assert (len(ROPE_ROWS), len(KNOT_ROWS), len(DEVICE_ROWS)) == (3, 3, 4)


def test_a_list_question_gets_the_rows_of_the_table_its_announcer_introduces() -> None:
    quoted = quotes("What kinds of dynamic rope are there?")
    assert "Dynamic ropes come in three kinds:" in quoted
    assert [q for q in quoted if q in ROPE_ROWS] == ROPE_ROWS, quoted


def test_a_heading_that_counts_the_rows_introduces_the_table_that_opens_its_section() -> None:
    rows = [u for u in INDEX.units if u.section == 1 and u.kind == ROW]
    assert all(u.listed is not None for u in rows)
    quoted = quotes("Which three knots are worth knowing?")
    assert [q for q in quoted if q in KNOT_ROWS] == KNOT_ROWS, quoted
    # The sentence after the table is no row: not part of the list.
    after = [u for u in INDEX.units if u.section == 1 and u.kind != ROW]
    assert [u.listed for u in after] == [None]


def test_the_model_judges_the_passage_without_the_rows() -> None:
    """Composition only: the rows are added after the model's passage (`judged`)."""
    part = assess(INDEX, "What kinds of dynamic rope are there?", load_model())
    texts = {INDEX.units[u].text for u in part.chosen} - {INDEX.units[u].text for u in part.judged}
    assert set(ROPE_ROWS) <= texts


def test_a_question_about_one_row_still_gets_that_row_alone() -> None:
    quoted = quotes("What is a twin rope?")
    assert ROPE_ROWS[2] in quoted
    assert ROPE_ROWS[0] not in quoted and ROPE_ROWS[1] not in quoted


def test_a_count_that_is_not_the_number_of_rows_announces_no_table() -> None:
    """ "two main designs" over four rows of features: the rows are not the two things."""
    section = [u for u in INDEX.units if u.section == 2]
    assert all(u.listed is None for u in section)


def test_a_table_list_is_known_from_the_plain_text_alone_and_kept_when_stored() -> None:
    plain = LessonText(
        "Climbing ropes",
        "",
        tuple(SectionText(s.heading, s.anchor, s.text) for s in LESSON.sections),
        (),
    )
    assert [u.listed for u in build_index(plain).units] == [u.listed for u in INDEX.units]
    stored = LessonIndex.from_dict(json.loads(INDEX.to_json()))
    assert [u.listed for u in stored.units] == [u.listed for u in INDEX.units]
    assert any(u.listed is not None for u in stored.units)


def _plain_index(heading: str, text: str) -> LessonIndex:
    return build_index(LessonText("Compost", "", (SectionText(heading, "s", text),), ()))


def test_a_range_announces_no_table() -> None:
    """ "two or three buckets" is an amount, not two items, though the table has two rows."""
    text = (
        "Add roughly two or three buckets of browns for every bucket of greens.\n"
        "group | examples\ngreens | grass clippings\nbrowns | dry leaves"
    )
    assert all(u.listed is None for u in _plain_index("Greens and browns", text).units)
    counted = text.replace("Add roughly two or three buckets", "Sort the heap into two groups")
    assert any(u.listed is not None for u in _plain_index("Greens and browns", counted).units)


def test_a_counting_heading_takes_the_table_but_not_an_item_of_another_list_before_it() -> None:
    text = (
        "Gardeners use two methods.\n"
        "Hot composting turns the heap every week.\n"
        "Cold composting leaves the heap alone.\n"
        "method | time\nhot | two months\ncold | a year"
    )
    units = _plain_index("Two methods of composting", text).units
    assert [u.text for u in units if u.listed is not None] == [
        "method: hot. time: two months.",
        "method: cold. time: a year.",
    ]


def test_a_question_naming_what_only_one_row_holds_gets_that_row_alone() -> None:
    """ "What are the usual diameters of twin ropes?" asks for one row's things: "twin" is in
    that row only, so the other rows do not come along."""
    quoted = quotes("What are the usual diameters of twin ropes?")
    assert ROPE_ROWS[2] in quoted
    assert "Dynamic ropes come in three kinds:" not in quoted and ROPE_ROWS[1] not in quoted


def test_which_kind_in_the_singular_asks_for_one_kind_not_the_list() -> None:
    from tutor.retrieval.ranking import read_query

    assert read_query(INDEX, "What kinds of dynamic rope are there?").asks_list
    assert read_query(INDEX, "what types of rope are there").asks_list
    assert not read_query(INDEX, "Which kind of rope is clipped alternately?").asks_list
    assert not read_query(INDEX, "what sort of rope is the thinnest").asks_list


def test_a_table_without_body_rows_is_no_list_and_no_crash() -> None:
    """A table of a header alone gives no unit; a range before it must not break the import."""
    for text in (
        "Add two or three buckets of browns:\ngroup | examples",
        "There are the following groups:\ngroup | examples",
    ):
        assert all(u.listed is None for u in _plain_index("Two groups", text).units)


WAVES = (
    "An earthquake sends out several kinds of waves, and they arrive at different times.\n"
    "wave | travels through | speed\n"
    "P wave | rock and water | fastest\n"
    "S wave | rock only | slower\n"
    "surface wave | the ground's surface | slowest\n"
    "The P wave arrives first and feels like a sharp jolt. The shaking that follows is the S "
    "wave.\n"
    "The gap between the P and S waves tells how far away the quake was."
)


def test_a_table_ends_the_list_its_announcer_opened() -> None:
    """The paragraphs after a table are not the items of a sentence before it: the table's rows
    are the announced list, and the text after the table goes on about them."""
    units = _plain_index("Waves through the ground", WAVES).units
    announcer = units[0]
    assert announcer.text.startswith("An earthquake sends out several kinds of waves")
    assert announcer.items == []
    after = [u for u in units if u.kind != ROW][1:]
    assert [u.context for u in after if u.text.startswith("The gap")] == [None]
    assert all(u.listed is None for u in after)
    assert [u.listed for u in units if u.kind == ROW] == [0, 0, 0]


def test_a_list_of_one_line_before_a_table_is_no_list() -> None:
    """A list is at least two lines in a row: a table between them ends it, so one paragraph
    before the table and two after it are no announced list."""
    text = (
        "The matrix squeezes the five features into two numbers.\n"
        "The results were striking.\n"
        "sparsity | what the model does\nlow | keeps two features\nhigh | keeps all five\n"
        "Dense features interfere all the time.\n"
        "Sparse features rarely do."
    )
    units = _plain_index("Toy models", text).units
    assert all(not u.items for u in units)
    assert all(u.context is None for u in units)
