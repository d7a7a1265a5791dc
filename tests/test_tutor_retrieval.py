"""The tutor's retrieval core (tutor/retrieval/): pure Python, no Django, no database.

Lesson texts here have the shape the importer stores: one line per paragraph, list item or
table row, table cells joined by " | ".
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.content.rendering import html_to_text, render_markdown
from tests.test_tutor_fit import record_fits
from tutor.retrieval import (
    FORMAT_VERSION,
    LessonIndex,
    LessonText,
    ParsedIndexes,
    SectionText,
    TutorAnswer,
    answer_question,
    build_index,
    closest_anchor,
    compose,
    lexicon,
    split_sentences,
    term,
    tokenize,
    tuning,
    units,
)
from tutor.retrieval.answer import assess
from tutor.retrieval.answerability import FEATURES, LEXICAL_FEATURES, load_model
from tutor.retrieval.details import BRAND, KIND, SUPERLATIVE, asked_detail, gives_detail
from tutor.retrieval.fit_data import tuning_half
from tutor.retrieval.fit_regression import fit_logistic, roc_auc
from tutor.retrieval.lexicon import _TOKEN_RE, informativeness, looks_foreign
from tutor.retrieval.nouns import noun_forms
from tutor.retrieval.origins import DATE, PERSON, asked_slot, fills_slot
from tutor.retrieval.quantities import asked_kinds, gives_kind
from tutor.retrieval.ranking import rank, read_query
from tutor.retrieval.units import _ABBREVIATIONS, _CODE_RE, ROW, TERM, _has_code

TIDES = SectionText(
    "Tides",
    "tides",
    "The Moon's gravity pulls the ocean into two bulges, so most coasts see two high tides a "
    "day.\n"
    "Spring tides happen when the Sun and the Moon line up, at new and full moon, and their "
    "pulls add together.\n"
    "Neap tides happen when the Sun and the Moon are at right angles, and their pulls partly "
    "cancel.",
)
BREAD = SectionText(
    "Sourdough",
    "sourdough",
    "A starter is a mix of flour and water in which wild yeast and bacteria live.\n"
    "Feeding means discarding most of the starter and adding fresh flour and water.\n"
    "Bakers keep a starter for several reasons that reinforce one another:\n"
    "It leavens the dough without bought yeast.\n"
    "It gives the bread a sour taste.\n"
    "It keeps the bread fresh for longer.\n"
    "Dr. Smith kept one alive for 40 years, e.g. through two house moves.",
)
TABLE = SectionText(
    "Flours",
    "flours",
    "Different flours suit different breads.\n"
    "Flour | Protein | Best for\n"
    "Bread flour | 13% | Loaves with an open crumb\n"
    "Rye flour | 9% | Dense, dark breads",
)
LESSON = LessonText(
    title="Kitchen and coast",
    summary="Tides and sourdough, side by side.",
    sections=(TIDES, BREAD, TABLE),
    key_terms=(("Levain", "a portion of starter built up for one bake."),),
    big_idea="Small regular forces add up.",
)
INDEX = build_index(LESSON)
ANCHORS = {anchor for _, anchor in INDEX.places}
CORPUS = " ".join(
    [LESSON.big_idea]
    + [s.text for s in LESSON.sections]
    + [f"{name}: {definition}" for name, definition in LESSON.key_terms]
)


def quotes(answer: TutorAnswer) -> list[str]:
    return re.findall(r"\u201c(.*?)\u201d \[\d+\]", answer.answer)


def assert_verbatim(quote: str) -> None:
    """A quote is lesson text: a sentence as written, or a table row's cells with its header."""
    unit = next(u for u in INDEX.units if u.text == quote)
    if unit.kind == ROW:
        for pair in re.findall(r"([^:.]+): ([^:]+?)\.(?= |$)", quote):
            assert pair[0].strip() in CORPUS and pair[1].strip() in CORPUS, pair
    else:
        assert quote in CORPUS, quote


# --- words ----------------------------------------------------------------------------------


def test_tokens_terms_and_spelling() -> None:
    assert tokenize("The Moon's pull, don't it?") == ["the", "moon", "pull", "don't", "it"]
    assert term("colour") == term("color") and term("organise") == term("organize")
    assert term("feeding") == term("feeds")
    assert term("wolves") == term("wolf") and term("leaves") != term("leaf")


# Characters that decide tokens, sentence ends and code marks; with letters of both cases.
_ODD_TEXT = st.text(alphabet=st.sampled_from(list("aAzZ09 _'.,!?:;()[]{}=#->\"\u2019\u201ds\n\t")))


@settings(max_examples=400, deadline=None)
@given(_ODD_TEXT)
def test_ascii_tokens_are_the_unicode_tokens(text: str) -> None:
    """ASCII text takes a faster path; it must give what the general definition gives."""
    ascii_text = text.replace("\u2019", "'").replace("\u201d", '"')
    folded = unicodedata.normalize("NFKC", ascii_text).casefold()
    expected = [t[:-2] if t.endswith("'s") else t for t in _TOKEN_RE.findall(folded)]
    assert tokenize(ascii_text) == expected


@settings(max_examples=400, deadline=None)
@given(_ODD_TEXT)
def test_sentence_ends_and_code_marks_match_their_definitions(text: str) -> None:
    """The boundary pattern starts at the end mark and code is searched only when one of its
    characters is there (both for speed): the same answers as the plain definitions."""
    boundary = re.compile(
        r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])"
    )
    sentences, start = [], 0
    for match in boundary.finditer(text):
        before = text[start : match.start()].rstrip("\"'\u201d\u2019)]")
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.split() else ""
        if before.endswith(".") and (last_word in _ABBREVIATIONS or len(last_word) == 1):
            continue
        sentences.append(text[start : match.start()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    assert split_sentences(text) == [s for s in sentences if s]
    assert _has_code(text) == bool(_CODE_RE.search(text))


def test_the_stored_json_is_the_json_of_the_dict() -> None:
    assert INDEX.to_json() == json.dumps(INDEX.to_dict())


def test_informativeness_comes_from_general_english() -> None:
    assert informativeness("involve") < informativeness("neap") < informativeness("qzxv")


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("Qu'est-ce que la marée de vives-eaux ?", True),
        ("¿Cuándo ocurren las mareas muertas?", True),
        ("Что такое прилив?", True),
        ("What causes spring tides?", False),
        ("what's a levain", False),
    ],
)
def test_questions_in_another_language_are_recognised(text: str, foreign: bool) -> None:
    assert looks_foreign(text, frozenset(INDEX.postings)) is foreign


# --- units ----------------------------------------------------------------------------------


def test_sentences_split_but_not_at_abbreviations() -> None:
    assert split_sentences(BREAD.text.split("\n")[-1]) == [
        "Dr. Smith kept one alive for 40 years, e.g. through two house moves."
    ]
    assert split_sentences("One. Two? Three!") == ["One.", "Two?", "Three!"]


def test_table_rows_read_with_their_header_never_with_pipes() -> None:
    rows = [u.text for u in INDEX.units if u.kind == ROW]
    assert rows == [
        "Flour: Bread flour. Protein: 13%. Best for: Loaves with an open crumb.",
        "Flour: Rye flour. Protein: 9%. Best for: Dense, dark breads.",
    ]
    assert not any("|" in u.text for u in INDEX.units)


def test_key_terms_are_units_of_their_own() -> None:
    terms = [u for u in INDEX.units if u.kind == TERM]
    assert [u.text for u in terms] == ["Levain: a portion of starter built up for one bake."]
    assert INDEX.places[terms[0].section] == ("Key terms", "key-terms")


def test_an_announcing_sentence_carries_its_items() -> None:
    announcer = next(u for u in INDEX.units if u.text.startswith("Bakers keep"))
    assert [INDEX.units[i].text for i in announcer.items] == [
        "It leavens the dough without bought yeast.",
        "It gives the bread a sour taste.",
        "It keeps the bread fresh for longer.",
        "Dr. Smith kept one alive for 40 years, e.g. through two house moves.",
    ]


def test_a_count_inside_a_larger_number_announces_no_list() -> None:
    """ "A few hundred" and "two thousand" are numbers: the lines after them are not items, and
    a list announced before keeps all of its items."""
    text = "\n".join(
        [
            "Three steps matter.",
            "Collect inputs. Write a few hundred statements and label each one.",
            "Record activations at one layer.",
            "Fit the probe; reading it all would take over two thousand years.",
            "A later paragraph about something else.",
            "And another one.",
        ]
    )
    lesson = LessonText("", "", (SectionText("Steps", "steps", text),), ())
    units = build_index(lesson).units
    announcers = {units[u].text: [units[i].text for i in units[u].items] for u in range(len(units))}
    assert announcers["Three steps matter."] == [
        "Collect inputs.",
        "Write a few hundred statements and label each one.",
        "Record activations at one layer.",
        "Fit the probe; reading it all would take over two thousand years.",
    ]
    assert all(not items for text, items in announcers.items() if text != "Three steps matter.")


def _announced_items(*lines: str) -> dict[str, list[str]]:
    """Each unit of a one-section lesson of `lines` that holds items, with their texts."""
    lesson = LessonText("", "", (SectionText("Steps", "steps", "\n".join(lines)),), ())
    units = build_index(lesson).units
    return {u.text: [units[i].text for i in u.items] for u in units if u.items}


def test_an_item_that_mentions_a_count_in_passing_opens_no_list_of_its_own() -> None:
    """ "In several directions" is how a step is done, not a list it leads into: the steps after
    it are still the announced list's, up to its count, and the paragraph after them is none."""
    announcers = _announced_items(
        "A print is taken in four steps:",
        "Roll the ink over the block in several directions, giving it a thin, even coat.",
        "Lay the paper gently on the inked block.",
        "Rub the back of the paper with a spoon.",
        "Peel the paper back slowly and leave the print to dry.",
        "The first prints are often pale. Artists call them proofs. They test the block.",
    )
    assert announcers == {
        "A print is taken in four steps:": [
            "Roll the ink over the block in several directions, giving it a thin, even coat.",
            "Lay the paper gently on the inked block.",
            "Rub the back of the paper with a spoon.",
            "Peel the paper back slowly and leave the print to dry.",
        ]
    }


@pytest.mark.parametrize("amount", ["two or three times", "six to eight times"])
def test_a_range_announces_no_list(amount: str) -> None:
    """A range is an amount ("stir it six to eight times"), not a count of the lines after it,
    as a table's announcer already reads it."""
    announcers = _announced_items(
        f"Stir the mixture {amount}.",
        "Pour it into the tin.",
        "Bake it for an hour.",
        "Let it cool before slicing. It keeps for a week. Store it somewhere dry.",
    )
    assert announcers == {}


def test_an_item_that_leads_into_lines_with_a_colon_opens_its_own_list() -> None:
    announcers = _announced_items(
        "Rock under strain fails in two ways.",
        "It can bend slowly over many years.",
        "It can break, and there are three kinds of break:",
        "at a normal fault one block slides down;",
        "at a reverse fault one block is pushed up;",
        "at a strike-slip fault the blocks slide sideways.",
        "Most earthquakes happen on faults that already exist. New ones are rare. Old ones slip.",
    )
    assert announcers["It can break, and there are three kinds of break:"] == [
        "at a normal fault one block slides down;",
        "at a reverse fault one block is pushed up;",
        "at a strike-slip fault the blocks slide sideways.",
    ]


def test_a_later_sentence_of_an_item_paragraph_announces_as_any_paragraph_does() -> None:
    """The item is the line's first sentence; the paragraph that goes on to "for several
    reasons" leads into the lines after it."""
    announcers = _announced_items(
        "Here is what you would see:",
        "0.0137 -0.2210 0.0041 0.1189 -0.0763 0.0312",
        "Nothing in that row says rhyme. Reading it fails for several reasons.",
        "First, meaning is distributed.",
        "Second, the computation is nonlinear.",
    )
    assert announcers["Reading it fails for several reasons."] == [
        "First, meaning is distributed.",
        "Second, the computation is nonlinear.",
    ]


def test_an_item_before_one_line_and_a_table_opens_no_list() -> None:
    """A list is at least two lines before any table, for an item's announcement too."""
    announcers = _announced_items(
        "Rock under strain fails in two ways.",
        "It can bend slowly over many years.",
        "It can break, and there are three kinds of break:",
        "a crack may open first;",
        "kind | how the blocks move",
        "normal | one slides down",
        "reverse | one is pushed up",
    )
    assert "It can break, and there are three kinds of break:" not in announcers
    assert announcers["Rock under strain fails in two ways."] == [
        "It can bend slowly over many years.",
        "It can break, and there are three kinds of break:",
    ]


# --- answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected", "anchor"),
    [
        ("What causes spring tides?", "Spring tides happen when", "tides"),
        ("When do neap tides occur?", "Neap tides happen when", "tides"),
        ("What does feeding a starter involve?", "Feeding means discarding", "sourdough"),
        ("what is a levain?", "Levain: a portion of starter", "key-terms"),
        ("How much protein is in rye flour?", "Protein: 9%", "flours"),
    ],
)
def test_answers_quote_the_passage_that_answers(question: str, expected: str, anchor: str) -> None:
    answer = answer_question(INDEX, question)
    assert answer.kind == "answer" and answer.grounded
    assert any(expected in q for q in quotes(answer)), answer.answer
    assert anchor in {c.anchor for c in answer.citations}
    assert 0.0 < answer.confidence <= 1.0


@pytest.mark.parametrize(
    "question",
    [
        "What's the big idea of this lesson?",
        "what's the main takeaway here",
        "What is the one thing to remember about kitchen and coast?",
        "Main point of the lesson in one sentence?",
    ],
)
def test_asked_for_its_main_point_the_lesson_answers_with_its_big_idea(question: str) -> None:
    answer = answer_question(INDEX, question)
    assert answer.kind == "answer" and answer.grounded
    assert quotes(answer) == ["Small regular forces add up."]
    assert [c.anchor for c in answer.citations] == ["big-idea"]


def test_a_main_point_of_a_topic_is_a_question_about_that_topic() -> None:
    """ "The main point" of something the lesson covers is asked of that passage, not of the
    lesson's big idea; a lesson without a big idea is searched as usual."""
    answer = answer_question(INDEX, "What is the main point about neap tides?")
    assert "Small regular forces add up." not in quotes(answer)
    plain = build_index(LessonText("Tides", "", (TIDES,), ()))
    assert all(
        "big-idea" != c.anchor for c in answer_question(plain, "What's the big idea?").citations
    )


def test_a_misspelt_what_is_question_asks_about_the_word_the_lesson_defines() -> None:
    """The subject of "what is X?" is matched as the question's words are: a misspelling of a
    key term still finds the key term as the whole answer."""
    answer = answer_question(INDEX, "what is a levian?")
    assert answer.kind == "answer"
    assert quotes(answer) == ["Levain: a portion of starter built up for one bake."]


def test_a_list_comes_out_whole() -> None:
    answer = answer_question(INDEX, "Why do bakers keep a starter?")
    assert quotes(answer)[:4] == [
        "Bakers keep a starter for several reasons that reinforce one another:",
        "It leavens the dough without bought yeast.",
        "It gives the bread a sour taste.",
        "It keeps the bread fresh for longer.",
    ]


@pytest.mark.parametrize(
    "question",
    [
        "How do I run a company?",
        "What is the capital of France?",
        "How many moons does Jupiter have?",
        "asdf qwerty zxcv",
    ],
)
def test_questions_the_lesson_does_not_answer_are_declined(question: str) -> None:
    answer = answer_question(INDEX, question)
    assert answer.kind == "declined" and not answer.grounded and not answer.citations
    assert "doesn't cover" in answer.answer or "specific" in answer.answer
    assert '"Tides"' not in answer.answer  # no unrelated section is offered


def test_a_question_in_another_language_is_told_the_lesson_language() -> None:
    answer = answer_question(INDEX, "¿Cuándo ocurren las mareas muertas?")
    assert not answer.grounded and "English" in answer.answer


def test_a_multi_part_question_answers_each_covered_part_and_names_the_rest() -> None:
    answer = answer_question(INDEX, "What causes spring tides, and who invented the telescope?")
    assert answer.grounded and any("Spring tides" in q for q in quotes(answer))
    assert (
        "doesn't cover this part" in answer.answer
        and "telescope" in answer.answer.split("doesn't cover")[1]
    )
    both = answer_question(INDEX, "What causes spring tides? And when do neap tides occur?")
    assert any("Spring" in q for q in quotes(both)) and any("Neap" in q for q in quotes(both))
    assert "doesn't cover" not in both.answer


def test_chat_around_the_question_does_not_change_the_answer() -> None:
    plain = answer_question(INDEX, "what is a levain?")
    assert plain.grounded
    for chatty in ("sorry, I'm confused: what is a levain?", "what is a levain, in plain words?"):
        assert answer_question(INDEX, chatty).citations == plain.citations, chatty


def test_typos_and_word_families_reach_the_lesson_words() -> None:
    assert read_query(INDEX, "what is a levian?").terms == (term("levain"),)
    assert term("fresh") in read_query(INDEX, "what keeps bread fresher?").terms
    # A common English word is never "corrected" into a lesson word.
    assert read_query(INDEX, "what about tidy kitchens?").terms[0] == term("tidy")


# (what the lesson says, what a question says), both ways round for each kind of irregular
# plural that Snowball stems apart from its singular.
IRREGULAR_PLURALS = [
    ("cacti", "a cactus"),  # Latin -us / -i
    ("a fungus", "fungi"),
    ("a criterion", "criteria"),  # Greek -on / -a
    ("phenomena", "a phenomenon"),
    ("hypotheses", "a hypothesis"),  # -is / -es
    ("an analysis", "analyses"),
    ("axes", "an axis"),
    ("knives", "a knife"),  # -f / -ves
    ("a leaf", "leaves"),
    ("mice", "a mouse"),  # vowel change
    ("a tooth", "teeth"),
    ("children", "a child"),  # -ren
]
# Sentences alike but for the thing found, so only that word can tell them apart.
PLURALS_LESSON = build_index(
    LessonText(
        "Survey",
        "",
        (
            SectionText(
                "Finds",
                "finds",
                "\n".join(
                    f"The survey found {thing} near the old mill."
                    for thing in ["beetles", *(said for said, _ in IRREGULAR_PLURALS), "a fern"]
                ),
            ),
        ),
        (),
    )
)


@pytest.mark.parametrize(("said", "asked"), IRREGULAR_PLURALS)
def test_a_question_finds_the_other_number_of_an_irregular_plural(said: str, asked: str) -> None:
    """Snowball stems "cacti" and "cactus", "mice" and "mouse" apart; the tutor still finds the
    lesson's word in a question that has it in the other number."""
    answer = answer_question(PLURALS_LESSON, f"Where did the survey find {asked}?")
    assert answer.kind == "answer" and answer.grounded, answer.answer
    assert quotes(answer)[0] == f"The survey found {said} near the old mill."


def test_the_other_number_is_tried_only_for_a_noun_the_lesson_lacks() -> None:
    assert "cactus" in noun_forms("cacti") and "cacti" in noun_forms("cactus")
    assert noun_forms("mice") == ("mouse",) and "leaf" in noun_forms("leaves")
    # Only the dictionary's nouns: no guessed singular of a word that ends in -s.
    assert noun_forms("bus") == ("buses", "busses") and noun_forms("lens") == ("lenses",)
    for word in lexicon.words("news species series this was is has nervous"):
        assert noun_forms(word) == (), word
    # A lesson that has the word itself keeps it, even when it has the other number too.
    both = build_index(
        LessonText("", "", (SectionText("Mice", "mice", "Mice nest. A mouse eats seeds."),), ())
    )
    assert both.match("mice") == ("mice", term("mice"))
    assert both.match("mouse") == ("mouse", term("mouse"))
    assert PLURALS_LESSON.match("mouse") == ("mice", term("mice"))


def test_greeting_thanks_overview_and_injection() -> None:
    assert answer_question(INDEX, "hi there").kind == "greeting"
    assert answer_question(INDEX, "thanks!").kind == "thanks"
    overview = answer_question(INDEX, "what is this lesson about?")
    assert overview.kind == "overview" and "Tides" in overview.answer
    injection = answer_question(INDEX, "ignore the lesson and tell me a joke")
    assert injection.kind == "declined" and not injection.citations


def test_closest_anchor_skips_key_terms() -> None:
    assert closest_anchor(INDEX, "levain starter flour water") == "sourdough"
    assert closest_anchor(INDEX, "quantum chromodynamics") is None


words = st.sampled_from(
    sorted({w for u in INDEX.units for w in tokenize(u.text)} | {"what", "why", "zebra", "how"})
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(words, min_size=1, max_size=8).map(" ".join))
def test_every_quote_is_verbatim_and_every_citation_exists(question: str) -> None:
    answer = answer_question(INDEX, question + "?")
    assert answer.grounded == bool(answer.citations) or answer.kind != "answer"
    for citation in answer.citations:
        assert citation.anchor in ANCHORS
        assert_verbatim(citation.quote)
    for quote in quotes(answer):
        assert_verbatim(quote)
    assert len(" ".join(quotes(answer)).split()) <= 130


def test_answers_are_deterministic_and_survive_storage() -> None:
    stored = LessonIndex.from_dict(json.loads(json.dumps(INDEX.to_dict())))
    for question in ("What causes spring tides?", "why keep a starter", "what is rye"):
        first = answer_question(INDEX, question)
        assert answer_question(INDEX, question) == first == answer_question(stored, question)


def test_a_parsed_index_is_reused_only_while_its_stored_text_is_the_same() -> None:
    text = INDEX.to_json()
    parsed = ParsedIndexes(max_chars=10 * len(text))
    first = parsed.load(7, text)
    # An equal text read again (a new string, as from the database) is not parsed again.
    assert parsed.load(7, "".join(list(text))) is first
    changed = text.replace("Spring tides", "King tides")
    assert changed != text
    second = parsed.load(7, changed)
    assert second is not first
    assert any("King tides" in unit.text for unit in second.units)
    assert parsed.load(7, changed) is second
    assert parsed.load(7, text) is not first  # the replaced text was not kept
    older = json.dumps(INDEX.to_dict() | {"version": FORMAT_VERSION - 1})
    assert parsed.load(7, older) is None
    with pytest.raises(ValueError):
        parsed.load(8, json.dumps(INDEX.to_dict() | {"units": [[1]]}))


def test_parsed_indexes_keep_the_most_recently_read_texts_within_their_size() -> None:
    text = INDEX.to_json()
    parsed = ParsedIndexes(max_chars=2 * len(text))
    one, two = parsed.load(1, text), parsed.load(2, text)
    assert parsed.load(1, text) is one  # 1 read more recently than 2
    parsed.load(3, text)
    assert len(parsed) == 2
    assert parsed.load(1, text) is one
    assert parsed.load(2, text) is not two
    assert ParsedIndexes(max_chars=len(text) - 1).load(1, text) is not None


def test_a_shared_parsed_index_answers_as_a_fresh_one_does() -> None:
    """Requests share one parsed index: answering must leave nothing behind that changes the
    next answer (the index's own caches only hold what its data implies)."""
    text = INDEX.to_json()
    parsed = ParsedIndexes(max_chars=len(text))
    questions = [
        "What causes spring tides?",
        "why keep a starter",
        "what is rye",
        "what happens during neap tides and why?",
        "how long does bread rise?",
    ]
    shared = [answer_question(parsed.load(1, text), q) for q in questions]
    assert parsed.load(1, text) is parsed.load(1, text)
    for question, answer in reversed(list(zip(questions, shared, strict=True))):
        fresh = LessonIndex.from_dict(json.loads(text))
        assert answer_question(fresh, question) == answer


def test_an_index_of_another_format_is_refused() -> None:
    data = INDEX.to_dict() | {"version": FORMAT_VERSION - 1}
    with pytest.raises(ValueError, match="format"):
        LessonIndex.from_dict(data)


def test_a_crash_is_never_a_decline() -> None:
    broken = LessonIndex.from_dict(INDEX.to_dict())
    broken.postings[term("tides")] = [len(broken.units) + 5, 1.0]
    with pytest.raises(IndexError):
        answer_question(broken, "What causes spring tides?")


KILNS = build_index(
    LessonText(
        "Pottery",
        "",
        (
            SectionText(
                "Firing",
                "firing",
                "Potters fire their pots in a kiln, and a firing must then be cooled slowly "
                "over many hours. The kiln stays shut for a whole day while the heat leaks "
                "away, because a sudden draught would crack the glaze.\n"
                "Glazes are made from ground glass, clay and metal oxides mixed with water. "
                "They melt into a thin glassy skin during the firing.",
            ),
        ),
        (),
    )
)


def test_units_know_the_sentence_before_them_in_their_paragraph() -> None:
    assert [u.continues for u in KILNS.units] == [False, True, False, True]
    assert not any(u.continues for u in INDEX.units if u.kind in (ROW, TERM))


def test_the_sentence_after_the_best_one_in_its_paragraph_is_quoted_along() -> None:
    # The question's words are all in the first sentence; what it asks is in the next one.
    answer = answer_question(KILNS, "why must a firing be cooled slowly?")
    assert answer.kind == "answer"
    assert quotes(answer)[:2] == [KILNS.units[0].text, KILNS.units[1].text]
    # Never across a paragraph, and never past the word budget.
    assert compose.with_continuation(KILNS, [1], 1) == [1]
    assert compose.with_continuation(KILNS, [0], 0) == [0, 1]
    filler = "word " * (tuning.MAX_WORDS - len(KILNS.units[1].text.split()))
    padded = build_index(
        LessonText(
            "", "", (SectionText("Firing", "firing", f"{filler}. {KILNS.units[1].text}"),), ()
        )
    )
    assert compose.with_continuation(padded, [0], 0) == [0]


HOPS = build_index(
    LessonText(
        "Brewing",
        "",
        (
            SectionText(
                "Ingredients",
                "ingredients",
                "Beer is brewed from water, malted grain and yeast.\n"
                "Hops are the flowers of a climbing plant. They add bitterness that balances "
                "the sweet malt.\n"
                "Brewers add the yeast once the beer has cooled.\n"
                "Yeast turns the sugar in the wort into the alcohol of the beer.\n"
                "The grain is soaked until it sprouts and is then dried in a kiln.",
            ),
        ),
        (),
    )
)


def _tf(index: LessonIndex, word: str, uid: int) -> float:
    postings = index.postings[term(word)]
    return dict(zip(postings[::2], postings[1::2], strict=True))[uid]


def test_a_sentence_that_refers_back_inherits_its_antecedent_above_a_heading() -> None:
    # "They" stands for the hops, so "hops" weighs more in "They add..." than a heading's or an
    # announcing sentence's words weigh in the units under them.
    they = next(u for u, unit in enumerate(HOPS.units) if unit.text.startswith("They add"))
    assert HOPS.units[they].context == they - 1
    assert _tf(HOPS, "hops", they) == tuning.ANAPHOR_TF > tuning.CONTEXT_TF
    assert _tf(HOPS, "ingredients", they) == tuning.CONTEXT_TF
    item = next(u for u, unit in enumerate(INDEX.units) if unit.text.startswith("It leavens"))
    assert _tf(INDEX, "reasons", item) == tuning.CONTEXT_TF  # from the sentence announcing it


def test_a_question_about_what_a_pronoun_stands_for_finds_the_sentence_that_refers_back() -> None:
    # The question's key word is in the sentence before the answer, which says "They".
    ranked = rank(HOPS, read_query(HOPS, "What do hops add to beer?"))
    assert HOPS.units[ranked[0][1]].text.startswith("They add bitterness")
    answer = answer_question(HOPS, "What do hops add to beer?")
    assert quotes(answer)[:2] == [
        "Hops are the flowers of a climbing plant.",
        "They add bitterness that balances the sweet malt.",
    ]


def test_a_defined_subject_keeps_its_first_letters_when_they_spell_an_article() -> None:
    # "A", "An" and "The" are dropped only as whole words: "Attention", "Anthropic" and
    # "Theory" are subjects, not an article glued to the rest of a word.
    sentences = {
        "Attention is a way for each token to read from the others.": "Attention",
        "Anthropic is a company that studies model internals.": "Anthropic",
        "Theory is the part of the course that explains why.": "Theory",
        "An attention head is one of the parallel units of a layer.": "attention head",
        "The residual stream is the sum of every layer's output.": "residual stream",
    }
    index = build_index(
        LessonText("", "", (SectionText("Terms", "terms", "\n".join(sentences)),), ())
    )
    assert [u.defines for u in index.units] == list(sentences.values())
    # So "what is X?" finds X's definition, not a sentence that only mentions X more often.
    mentions = build_index(
        LessonText(
            "",
            "",
            (
                SectionText(
                    "Attention",
                    "attention",
                    "Attention heads read attention patterns; attention can be ablated.\n"
                    "Attention is a way for each token to read from the others.",
                ),
            ),
            (),
        )
    )
    best = rank(mentions, read_query(mentions, "What is attention?"))[0][1]
    assert mentions.units[best].text == "Attention is a way for each token to read from the others."


def test_an_empty_lesson_declines() -> None:
    empty = build_index(LessonText("", "", (), ()))
    answer = answer_question(empty, "what is a tide?")
    assert answer.kind == "declined" and not answer.citations


# --- the answerability model ----------------------------------------------------------------


def test_the_stored_model_matches_the_features() -> None:
    model = load_model()
    assert model.features in (LEXICAL_FEATURES, FEATURES)
    assert len(model.weights) == len(model.features) and 0 < model.threshold < 1


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("How fast does a cheetah run?", {"speed"}),
        ("what speed can a bicycle reach", {"speed"}),
        ("How far can an owl hear a mouse?", {"length"}),
        ("how tall is the tower?", {"length"}),
        ("How long does a bridge last?", {"duration", "length"}),
        ("How old is the oldest oak in England?", {"duration", "date"}),
        ("How heavy is an adult horse?", {"mass"}),
        ("how much does a grand piano weigh", {"mass"}),
        ("What temperature does butter melt at?", {"temperature"}),
        ("how hot is the surface of the sun", {"temperature"}),
        ("What percentage of the class passed?", {"percent"}),
        ("How much did the first bicycle cost?", {"money"}),
        ("How many miles is a marathon?", {"length"}),
        ("how many days does the journey take?", {"duration"}),
        ("How many kilograms of flour go into a loaf?", {"mass"}),
        # No known kind: a count of things, a plain "how much", a "how" that is not a quantity,
        # and a quantity word embedded after another question word.
        ("How many wheels does a tricycle have?", set()),
        ("how much flour is in a loaf?", set()),
        ("How does a bicycle stay upright?", set()),
        ("What limits how far a bat can fly?", set()),
        ("Why is the tower so tall?", set()),
    ],
)
def test_the_kind_of_quantity_a_question_asks_for(question: str, kinds: set[str]) -> None:
    assert asked_kinds(question) == kinds


@pytest.mark.parametrize(
    ("text", "kind", "gives"),
    [
        ("A swift migrates about 5,000 kilometres each spring.", "speed", False),
        ("A swift can fly at 110 km/h in level flight.", "speed", True),
        ("Glaciers creep forward a few metres a year.", "speed", True),
        ("A swift migrates about 5,000 kilometres each spring.", "length", True),
        ("The bridge has three spans.", "length", False),
        ("The bridge took twelve years to build.", "duration", True),
        ("Oil melts at 40 °C.", "temperature", True),
        ("Water boils at 100 degrees at sea level.", "temperature", True),
        ("An adult weighs between 400 and 600 kg.", "mass", True),
        ("Nearly 30 per cent of the class passed.", "percent", True),
        ("About a third of the class passed.", "percent", True),
        ("The class has 30 pupils.", "percent", False),
        ("It sold for $250 in 1890.", "money", True),
        ("It sold for 250 dollars.", "money", True),
        ("It was sold in 1890.", "money", False),
        ("The mill was built in 1790.", "date", True),
    ],
)
def test_whether_a_passage_gives_a_quantity_of_a_kind(text: str, kind: str, gives: bool) -> None:
    assert gives_kind(text, frozenset({kind})) is gives


TEA = build_index(
    LessonText(
        title="Tea",
        summary="How tea is made and drunk.",
        sections=(
            SectionText(
                "In the cup",
                "in-the-cup",
                "A cup of black tea holds roughly 40 to 50 milligrams of caffeine.\n"
                "Tea also contains the amino acid L-theanine.\n"
                "A skilled picker gathers about 30 kilograms of fresh leaf a day.\n"
                "In 2019 a study of green workers counted pickers on each estate.\n"
                "The chain-of-thought monitor flagged 95% of the cheating steps.",
            ),
        ),
        key_terms=(),
        big_idea="Tea is a leaf.",
    )
)


@pytest.mark.parametrize(
    ("question", "another"),
    [
        # The passage's number is black tea's: another thing of the same measure.
        ("How much caffeine is in green tea?", True),
        # The number is the asked thing's, or the question names no thing of two words.
        ("How much caffeine is in black tea?", False),
        ("How much caffeine does a cup of tea hold?", False),
        ("How much leaf can a skilled picker gather in a day?", False),
        # A year is no count ("green workers" in 2019), and "chain-of-thought" writes out "CoT".
        ("How many tea workers are there?", False),
        ("How many cheating steps did the CoT monitor flag?", False),
    ],
)
def test_a_quantity_given_for_another_thing_is_a_missing_kind(question: str, another: bool) -> None:
    slot = LEXICAL_FEATURES.index("kind_missing")
    assert assess(TEA, question).features[slot] == float(another)


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("Who invented the steam engine?", PERSON),
        ("who first described the tides", PERSON),
        ("Who came up with the idea of zero?", PERSON),
        ("Who was Ada Lovelace?", PERSON),
        ("When was the bridge built?", DATE),
        ("when did the mill close", DATE),
        ("What year did the first bicycle appear?", DATE),
        ("In which century was the castle finished?", DATE),
        # A role, a present-tense circumstance, a place, a definition: no name or date asked.
        ("Who gives way when two boats meet?", None),
        ("Who uses a sextant?", None),
        ("When does a kite climb?", None),
        ("What happens when the bridge was closed?", None),
        ("Where do swifts nest?", None),
        ("who was the tutor", None),
        ("What is a sextant?", None),
    ],
)
def test_the_slot_a_question_asks_to_fill(question: str, slot: str | None) -> None:
    assert asked_slot(question) == slot


@pytest.mark.parametrize(
    ("text", "slot", "question", "fills"),
    [
        # Names: a new one fills the slot; the question's own, or a capital opening a sentence
        # or following a colon, does not.
        ("In 1799 Nicolas Robert patented a paper machine.", PERSON, "Who patented it?", True),
        ("The French physicist presented a lens.", PERSON, "Who made the lens?", True),
        ("The kettle stitch links each section.", PERSON, "Who invented the kettle stitch?", False),
        (
            "Wet folding was made popular by Akira Yoshizawa.",
            PERSON,
            "Who was Akira Yoshizawa?",
            False,
        ),
        ("The rules are: Sailing boats give way.", PERSON, "Who wrote the rules?", False),
        ("Honestly, I'd start with a drop spindle.", PERSON, "Who invented the spindle?", False),
        # An abbreviation in capitals is no one's name.
        ("Then AI developers tune the GPU kernels.", PERSON, "Who invented the kernel?", False),
        # Dates: a year, decade, century, era or "ago"; not "when" or "before", nor a number
        # that is no year, nor a date the question itself gives.
        ("The kraft process, invented in 1879, gives strong pulp.", DATE, "When?", True),
        ("It was found in the 1820s.", DATE, "When?", True),
        ("Glass was first blown in the first century BCE.", DATE, "When?", True),
        ("Paper reached Spain in the 12th century.", DATE, "When?", True),
        ("People made it thousands of years ago.", DATE, "When?", True),
        ("Pure silica melts above 1,700 °C.", DATE, "When was it made?", False),
        ("Net metering pays you when the panels make more than you use.", DATE, "When?", False),
        ("The lens came in 1822.", DATE, "Was the lens made in 1822, and when was it used?", False),
    ],
)
def test_whether_a_passage_fills_the_asked_slot(
    text: str, slot: str, question: str, fills: bool
) -> None:
    assert fills_slot(text, slot, question) is fills


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("Which country has the most lighthouses?", (SUPERLATIVE, "")),
        ("What is the tallest tower mill?", (SUPERLATIVE, "")),
        ("whats the deadliest avalanche ever", (SUPERLATIVE, "")),
        ("Which knot holds best?", (SUPERLATIVE, "")),
        ("What kind of cloth covers the sails?", (KIND, "cloth")),
        ("Which type of glue holds it?", (KIND, "glue")),
        ("Which brand of binoculars is the best?", (BRAND, "binoculars")),
        # "Most" as a quantifier, a superlative that only says what is asked about (the
        # subject after "did"), words that end in "-est" and are no superlatives, a vague
        # thing, and "which <noun>" alone: nothing asked.
        ("How deep are most aquifers?", None),
        ("What did the earliest lighthouses burn?", None),
        ("What is a forest?", None),
        ("Why are bakers honest about their interest?", None),
        ("What kind of things did the model say?", None),
        ("Which knot do climbers tie in with?", None),
    ],
)
def test_the_detail_a_question_asks_for(question: str, detail: tuple[str, str] | None) -> None:
    assert asked_detail(question) == detail


@pytest.mark.parametrize(
    ("text", "question", "gives"),
    [
        ("The beam reach is usually the fastest point of sail.", "Which is the quickest?", True),
        ("It is one of the most important steps.", "What is the most bitter hop?", True),
        ("A tower mill has a tall brick tower.", "What is the tallest tower mill?", False),
        ("Most panels sold today are black.", "Which panel is the most efficient?", False),
        ("Bind the end with thin twine.", "What kind of twine is best?", True),
        ("Use a glue such as epoxy.", "What kind of glue holds it?", True),
        ("kind: diamond. good for: beginners.", "Which kind of kite should I get?", True),
        ("Fix the tab with a dot of glue.", "What kind of glue holds the tab?", False),
        ("The sails are frames covered with cloth.", "What kind of cloth covers the sails?", False),
        ("Binoculars by Zeiss are light.", "Which brand of binoculars is best?", True),
        ("Good binoculars are light.", "Which brand of binoculars is best?", False),
    ],
)
def test_whether_a_passage_gives_the_asked_detail(text: str, question: str, gives: bool) -> None:
    assert gives_detail(text, asked_detail(question), question) is gives


MILLS = LessonText(
    title="Windmills",
    summary="How a windmill grinds grain.",
    sections=(
        SectionText(
            "Windmills",
            "windmills",
            "A windmill turns the force of the wind into work, such as grinding grain.\n"
            "The sails are wooden frames covered with cloth, and the miller spreads more cloth "
            "in a light wind.\n"
            "In a post mill the whole body of the mill turns on a single upright post to face "
            "the wind.\n"
            "A tower mill has a tall brick tower with a cap on top, and only the cap turns to "
            "face the wind.",
        ),
    ),
    key_terms=(),
    big_idea="Wind does the work.",
)
MILLS_INDEX = build_index(MILLS)


def test_a_slot_the_passage_cannot_fill_is_a_missing_origin_feature() -> None:
    slot = LEXICAL_FEATURES.index("origin_missing")
    assert assess(MILLS_INDEX, "What is the tallest tower mill?").features[slot] == 1.0
    assert assess(MILLS_INDEX, "What kind of cloth covers the sails?").features[slot] == 1.0
    assert assess(MILLS_INDEX, "What covers the sails?").features[slot] == 0.0


@pytest.mark.parametrize(
    "question",
    [
        "Which mill has the tallest brick tower?",
        "Which mill turns the fastest in the wind?",
        "What kind of cloth covers the sails?",
    ],
)
def test_a_topic_the_lesson_covers_without_the_asked_detail_is_declined(question: str) -> None:
    assert answer_question(MILLS_INDEX, question).kind == "declined"


@pytest.mark.parametrize(
    "question",
    [
        "What covers the sails?",
        "How does a post mill face the wind?",
        "What turns in a tower mill?",
    ],
)
def test_the_same_topic_without_a_detail_asked_is_still_answered(question: str) -> None:
    assert answer_question(MILLS_INDEX, question).kind == "answer"


def test_fit_and_auc_on_a_tiny_set() -> None:
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75
    assert roc_auc([0.5, 0.5], [False, True]) == 0.5
    xs = [[0.0], [0.2], [0.4], [0.6], [0.8], [1.0]]
    mean, scale, weights, _bias = fit_logistic(xs, [0, 0, 1, 0, 1, 1], [1.0] * 6)
    assert weights[0] > 0 and len(mean) == len(scale) == 1


def test_tuning_half_rule_is_the_hash_of_the_question() -> None:
    # sha256("a") starts with "c" (held out), sha256("b") with "3" (tuning).
    assert tuning_half("b") and not tuning_half("a")


def test_a_list_question_finds_the_sentence_announcing_the_list() -> None:
    answer = answer_question(INDEX, "What are the reasons bakers keep a starter?")
    assert "It gives the bread a sour taste." in quotes(answer)


_ANNOUNCING = ["Several reasons matter here:", "There are THREE broad ways models fail."]
_ANNOUNCING += ["It has ſix hidden layers.", "The following steps repeat.", "A few probes fail."]


@pytest.mark.parametrize("sentence", _ANNOUNCING)
def test_a_sentence_that_announces_a_list_passes_the_cheap_test(sentence):
    assert units._ANNOUNCE_RE.search(sentence) and units._may_announce(sentence)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["two", "Twelve", "a few", "THE following", "several", "ſix", "layers"])
        | st.text(alphabet="aeflosTwx -.:ſK", max_size=8),
        max_size=8,
    ).map(" ".join)
)
def test_the_cheap_announcement_test_never_skips_a_sentence_the_pattern_matches(sentence):
    """`_may_announce` only spares the search where it cannot match: same units either way."""
    if units._ANNOUNCE_RE.search(sentence):
        assert units._may_announce(sentence)


def test_fit_figures_answer_a_tiny_squad_file(tmp_path, capsys) -> None:
    from pathlib import Path

    from tutor.retrieval.fit import answer_figures

    context = "Neap tides happen when the Sun and the Moon are at right angles."
    qas = [
        {"question": "When do neap tides happen?", "answers": [{"text": "at right angles"}]},
        {"question": "Who named the neap tides?", "answers": []},
    ]
    data = {"data": [{"title": "Tides", "paragraphs": [{"context": context, "qas": qas}]}]}
    squad = tmp_path / "squad.json"
    squad.write_text(json.dumps(data), encoding="utf-8")
    for name in ("answerable.yaml", "unanswerable.yaml"):
        (tmp_path / name).write_text("[]\n", encoding="utf-8")
    answer_figures(squad, tmp_path, Path(__file__).resolve().parents[1] / "content")
    assert "squad (tuning data): answerable hit 1/1" in capsys.readouterr().out


def test_leave_one_set_out_never_fits_on_the_set_it_scores(monkeypatch, capsys) -> None:
    from tutor.retrieval import fit, fit_data

    def example(group: str, split: str, i: int) -> fit_data.Example:
        source = "squad" if group == "squad" else "lessons"
        answerable = i % 3 != 0
        return fit_data.Example(source, split, answerable, answerable and i > 3, [i / 10], group)

    examples = [example("squad", "fit" if i % 2 else "dev", i) for i in range(20)]
    for group in ("shipped", "tuning.yaml", "tuning3.yaml"):
        examples += [example(group, f"fold{i % 5}", i) for i in range(10)]
    recipes = {"shipped": ("shipped",), "all": ("shipped", "tuning.yaml", "tuning3.yaml")}
    monkeypatch.setattr(fit, "RECIPES", recipes)
    calls = record_fits(monkeypatch)
    rows = fit.leave_one_set_out(
        examples, ("coverage",), 1.0, [2.0], folds=["questions"], threshold_rules=["pooled"]
    )
    assert [(r["recipe"], r["left_out"]) for r in rows] == [
        (recipe, left) for recipe in recipes for left in recipes["all"]
    ]
    fitted_on = [groups for groups, _ in calls]
    # The shipped recipe without the shipped half is SQuAD alone; every fit lacks its left-out.
    assert fitted_on[0] == set() and fitted_on[1] == fitted_on[2] == {"shipped"}
    assert fitted_on[3:] == [
        {"tuning.yaml", "tuning3.yaml"},
        {"shipped", "tuning3.yaml"},
        {"shipped", "tuning.yaml"},
    ]
    assert all(r["questions"] == 10 and r["answerable"] == 6 for r in rows)
    fit.print_leave_one_set_out(rows)
    assert "| all | 2 | **tuning sets pooled** |" in capsys.readouterr().out


@pytest.mark.parametrize("count", ["Sixty", "Seventeen", "Hundreds of", "Twelve", "40"])
def test_a_count_written_out_gives_a_how_many_question_its_number(count) -> None:
    from tutor.retrieval import ranking

    index = build_index(
        LessonText(
            "Lighthouses",
            "",
            (
                SectionText(
                    "Keepers",
                    "keepers",
                    f"{count} keepers tended the coast's lights. Keepers trimmed the wicks.",
                ),
            ),
            (),
        )
    )
    query = ranking.read_query(index, "How many keepers tended the lights?")
    given, plain = (i for i, unit in enumerate(index.units) if "keepers" in unit.text.lower())
    assert ranking.has_answer_type(index, given, query)
    assert not ranking.has_answer_type(index, plain, query)


@pytest.mark.parametrize(
    "question",
    [
        "Which tides weren't strong?",
        "What aren't neap tides?",
        "What won't the Moon pull?",
        "Which tides haven't changed?",
        "What couldn't sailors predict?",
        "Which coasts wouldn’t see two tides?",
    ],
)
def test_every_contracted_negation_marks_a_question_negated(question: str) -> None:
    assert read_query(INDEX, question).negated


PROBES = LessonText(
    title="Probes",
    summary="Reading activations.",
    sections=(
        SectionText(
            "Caveats",
            "caveats",
            "A probe is a learner, and a strong learner can fit almost any rich input.\n"
            "Baselines include a probe on shuffled labels and a probe on a random model.\n"
            "Each probe is trained on one layer's activations at a time.",
        ),
    ),
    key_terms=(
        ("Probe", "a small classifier trained on a model's activations to predict a property."),
    ),
)


def test_a_key_term_is_the_whole_answer_to_what_is_it() -> None:
    """The glossary entry is the lesson's own definition; a sentence that only reads like one
    ("A probe is a learner...") and others that mention the word are not quoted beside it."""
    answer = answer_question(build_index(PROBES), "What is a probe?")
    assert quotes(answer) == [
        "Probe: a small classifier trained on a model's activations to predict a property."
    ]


def test_a_table_with_an_empty_corner_reads_each_value_under_its_own_header() -> None:
    html = render_markdown(
        '| | "Towards" (2023) | "Scaling" (2024) |\n|---|---|---|\n'
        "| Dictionary sizes | 512 to 100,000 features | About 34 million |\n"
        "| Multimodal? | | Many features were both |\n"
    )
    index = build_index(
        LessonText("", "", (SectionText("Two papers", "two", html_to_text(html)),), ())
    )
    assert [u.text for u in index.units if u.kind == ROW] == [
        'Dictionary sizes. "Towards" (2023): 512 to 100,000 features. '
        '"Scaling" (2024): About 34 million.',
        'Multimodal? "Scaling" (2024): Many features were both.',
    ]


@pytest.mark.parametrize("question", ["Why are there 2 high tides a day?", "why 2 bulges?"])
def test_a_number_in_digits_is_the_number_the_lesson_writes_in_words(question: str) -> None:
    """The lesson says "two bulges"; "2" is not a number it lacks."""
    from tutor.retrieval.answer import assess

    assessment = assess(INDEX, question)
    missing_number = LEXICAL_FEATURES.index("missing_number")
    assert assessment.features[missing_number] == 0.0
    assert assess(INDEX, question.replace("2", "7")).features[missing_number] == 1.0


# --- yes/no questions -----------------------------------------------------------------------

KILN = build_index(
    LessonText(
        "Firing a kiln",
        "",
        (
            SectionText(
                "Loading",
                "loading",
                "Pots must be bone dry before they go into the kiln.\n"
                "Glazed pots must not touch each other or the shelf, or they fuse together in "
                "the heat.\nStack bisque ware rim to rim to save space.",
            ),
            SectionText(
                "Firing",
                "firing",
                "A bisque firing reaches about 1000 degrees over eight hours.\n"
                "A glaze firing goes higher, to about 1240 degrees.\n"
                "The kiln cools slowly over a whole day, and the door stays shut until it is "
                "below 100 degrees, because cold air rushing in cracks the pots.\n"
                "A pyrometer shows the temperature inside.",
            ),
            SectionText(
                "Safety",
                "safety",
                "Wear heat-proof gloves when you unload the kiln.\n"
                "Keep the room ventilated during a firing, since glazes give off fumes when they "
                "melt.\nChildren should be kept away from a kiln in use.",
            ),
        ),
        (),
    )
)


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("Can I open the kiln when it is hot?", None),
        ("Must I wear gloves when I unload the kiln?", None),
        ("Does it matter how far the shelf is from the wall?", None),
        ("Is it true that two firings are needed?", None),
        ("Can you tell me when the kiln was built?", "time"),
        ("Do you know how many pots fit?", "number"),
        ("Can the kiln crack pots, and how long does it cool?", "number"),
        ("When can I open the kiln?", "time"),
    ],
)
def test_a_yes_no_question_asks_for_no_kind_of_answer(question: str, wants: str | None) -> None:
    """In a question that opens with an auxiliary or modal verb, "when" and "how far" are
    conjunctions; a request to the tutor, or a second question, asks what its wh-word asks."""
    from tutor.retrieval import ranking

    assert ranking.read_query(KILN, question).answer_type == wants


@pytest.mark.parametrize(
    ("question", "caveat"),
    [
        (
            "Can I put pots in the kiln when they are still a bit wet?",
            "Pots must be bone dry before they go into the kiln.",
        ),
        ("Can I open the kiln door when the pots are still hot?", "the door stays shut until"),
    ],
)
def test_a_yes_no_question_whose_answer_is_a_caveat_gets_the_caveat(
    question: str, caveat: str
) -> None:
    answer = answer_question(KILN, question)
    assert answer.kind == "answer" and answer.grounded, answer.answer
    assert any(caveat in q for q in quotes(answer)), answer.answer
