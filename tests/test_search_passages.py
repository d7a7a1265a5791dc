"""The passage of a result card (search.passages), as plain Python: which words match, which
paragraph is chosen, where it is cut, and that everything is escaped."""

from __future__ import annotations

import html
import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from search.passages import FIRST_BLOCK, LEAD_WORDS, PASSAGE_WORDS, Matcher, passage, stem
from search.query import terms


def marked(text: str, q: str, **kw) -> str:
    matcher = Matcher.for_words(terms(q))
    assert matcher is not None
    return passage(text, matcher, **kw)


def test_the_text_is_escaped_before_it_is_marked():
    assert marked("<b>x</b> & x<", "x") == (
        "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; <mark>x</mark>&lt;"
    )


def test_words_with_the_same_stem_match_and_the_last_word_as_a_prefix():
    text = "Probing the models: a probe reads features, and the featured circuits."
    assert marked(text, "models probes") == (
        "<mark>Probing</mark> the <mark>models</mark>: a <mark>probe</mark> reads features, "
        "and the featured circuits."
    )
    assert marked(text, "circu") == (
        "Probing the models: a probe reads features, and the featured <mark>circuits</mark>."
    )


def test_the_last_word_as_typed_marks_the_words_it_begins_whatever_their_stems():
    # "probing" and "interpretability" stem to "probe" and "interpret", which the words as
    # typed do not begin; the search finds them (search.engine), so the passage marks them.
    text = "Probing a model; a probe; interpretability."
    assert marked(text, "probin") == "<mark>Probing</mark> a model; a probe; interpretability."
    assert marked(text, "interpretabil") == (
        "Probing a model; a probe; <mark>interpretability</mark>."
    )


def test_a_shared_beginning_is_not_a_match():
    # "problem" starts like "probe" but has another stem.
    assert "<mark>" not in marked("A problem of sorts, nothing else here.", "probes other")


def test_the_paragraph_with_most_search_words_is_chosen_the_first_among_equals():
    text = "Alpha only.\nNeither word.\nAlpha and omega together.\nOmega and alpha again."
    assert marked(text, "alpha omega") == "<mark>Alpha</mark> and <mark>omega</mark> together."
    assert marked(text, "omega") == "Alpha and <mark>omega</mark> together."


def test_a_long_paragraph_is_cut_around_its_first_match_with_ellipses():
    before = " ".join(f"w{i}" for i in range(40))
    after = " ".join(f"v{i}" for i in range(40))
    text = f"{before} target {after}"
    out = marked(text, "target")
    assert out.startswith("… w34 ") and out.endswith(" …")
    assert "<mark>target</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "").split()) == PASSAGE_WORDS + 2


def test_a_match_near_the_end_shows_a_full_window_ending_the_paragraph():
    text = " ".join(f"w{i}" for i in range(60)) + " target"
    out = marked(text, "target")
    assert out.endswith("<mark>target</mark>") and out.startswith("… ")
    assert len(out.split()) == PASSAGE_WORDS + 1


def test_without_a_match_in_the_text_the_passage_is_its_start():
    text = "\n  \nFirst real line <b>here</b>.\nSecond."
    assert marked(text, "zebra") == "First real line &lt;b&gt;here&lt;/b&gt;."


def test_search_words_are_never_read_as_patterns():
    text = "a.b matches nothing here, a+b neither (c)."
    assert marked(text, "a.b (c") == (
        "<mark>a</mark>.<mark>b</mark> matches nothing here, <mark>a</mark>+<mark>b</mark> "
        "neither (<mark>c</mark>)."
    )


def test_a_word_is_matched_at_its_beginning_only():
    assert marked("remodel, premodel, then models.", "model") == (
        "remodel, premodel, then <mark>models</mark>."
    )


def test_letters_that_lower_case_to_two_keep_the_marks_in_place():
    # "İ".lower() is two characters; the offsets of the text must not shift.
    assert marked("İİİ İstanbul models here", "model") == "İİİ İstanbul <mark>models</mark> here"


def test_a_word_glued_to_punctuation_counts_from_its_own_beginning():
    before = " ".join(f"w{i}" for i in range(40))
    after = " ".join(f"v{i}" for i in range(40))
    out = marked(f"{before} (target) {after}", "target")
    assert out.startswith("… w34 w35 w36 w37 w38 w39 (<mark>target</mark>) v0 ")


def test_spaces_of_every_kind_separate_the_words_counted():
    words = [f"w{i}" for i in range(40)]
    text = "\t".join(words[:20]) + "\u00a0\u2003" + " ".join(words[20:]) + " target"
    out = marked(text, "target")
    assert out.startswith("… w13\tw14") and out.endswith("<mark>target</mark>")
    assert "w19\u00a0\u2003w20" in out
    assert len(out.split()) == PASSAGE_WORDS + 1


def test_the_first_paragraph_with_every_word_ends_the_reading():
    text = "alpha alone\n" + "beta alone\n" * 50 + "alpha and beta\nbeta and alpha too"
    assert marked(text, "alpha beta") == "<mark>alpha</mark> and <mark>beta</mark>"


# --- passage() against a straightforward reference ------------------------------------------
# passage() reads as little of the text as it can (search.passages explains how). The reference
# below reads all of it, plainly: every line, every word, every word of the chosen paragraph.


def reference_passage(text: str, q: str, words: int = PASSAGE_WORDS) -> str:
    stems = [stem(word) for word in terms(q)]
    *whole, prefix = stems
    typed = terms(q)[-1]  # the last word as typed is a prefix of words as written, too
    starts = {s[:-1] if len(s) > 3 else s for s in stems} | {typed}
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ": each character lowered on its own, as passage() does
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)

    def which(word: str) -> int | None:
        word_stem = stem(word)
        if word_stem in whole:
            return whole.index(word_stem)
        if word_stem.startswith(prefix) or word.lower().startswith(typed):
            return len(whole)
        return None

    best: tuple[int, str, list[tuple[int, int, int]]] | None = None
    offset = 0
    for line in text.split("\n"):
        lowered_line = lowered[offset : offset + len(line)]
        offset += len(line) + 1
        found = []
        for word in re.finditer(r"\w+", line):
            if any(lowered_line.startswith(start, word.start()) for start in starts):
                index = which(word[0])
                if index is not None:
                    found.append((word.start(), word.end(), index))
        distinct = len({index for _start, _end, index in found})
        if found and (best is None or distinct > best[0]):
            best = (distinct, line, found)
    if best is None:
        paragraph, found = next((line for line in text.split("\n") if line.strip()), ""), []
    else:
        _distinct, paragraph, found = best
    spans = [(word.start(), word.end()) for word in re.finditer(r"\S+", paragraph)]
    if not spans:
        return ""
    first = 0
    if found:
        first = next(i for i, (_start, end) in enumerate(spans) if end > found[0][0])
    start = max(0, min(first - LEAD_WORDS, len(spans) - words))
    stop = min(len(spans), start + words)
    begin, end = spans[start][0], spans[stop - 1][1]
    out = "… " if start else ""
    position = begin
    for match_start, match_end, _index in found:
        if begin <= match_start and match_end <= end:
            out += html.escape(paragraph[position:match_start], quote=False)
            out += f"<mark>{html.escape(paragraph[match_start:match_end], quote=False)}</mark>"
            position = match_end
    out += html.escape(paragraph[position:end], quote=False)
    return out + (" …" if stop < len(spans) else "")


VOCABULARY = [
    "model", "models", "Modeling", "remodel", "MODEL", "mode", "probe", "probes", "Probing",
    "problem", "feature", "features", "featured", "sparse", "Sparsity", "sparsely", "circuit",
    "circuits", "happy", "happiness", "dying", "die", "skies", "sky", "ΟΔΟΣ", "οδος", "İstanbul",
    "istanbul", "naïve", "Straße", "strasse", "ﬁne", "x", "x_y", "a1", "_",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2003", ", ", ". ", "-",
              "<", ">", "&", "&amp;", "<b>", "'", '"', "(", ")", " \n ", "\u0307"]  # fmt: skip
PIECES = st.one_of(
    st.sampled_from(VOCABULARY), st.text(alphabet="aeiouxyzΣσςİıK_<&\u0130", max_size=6)
)
TEXTS = st.lists(st.tuples(PIECES, st.sampled_from(SEPARATORS)), max_size=160).map(
    lambda parts: "".join(piece + separator for piece, separator in parts)
)
QUERIES = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(["mod", "pro", "spa", "fe", "ci"])),
    min_size=1,
    max_size=4,
).map(" ".join)


@settings(max_examples=1500, deadline=None)
@given(TEXTS, QUERIES, st.integers(min_value=1, max_value=40))
def test_passage_is_the_reference_passage(text, q, words):
    assert marked(text, q, words=words) == reference_passage(text, q, words)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, min_size=8, max_size=8).map("\n".join), QUERIES)
def test_passage_of_a_long_text_is_the_reference_passage(text, q):
    # Long enough to be lower-cased in several blocks (passages.FIRST_BLOCK).
    assert marked(text, q) == reference_passage(text, q)


# A search of one word found by one start reads the text in a way of its own (passages.
# `_first_line_passage`): its own share of examples, texts holding the word's beginning inside
# other words, across lines and past the first blocks.
ONE_WORD_TEXTS = st.lists(
    st.tuples(
        st.one_of(PIECES, st.sampled_from(["remodel", "premodel", "xmodels", "_model", "modem"])),
        st.sampled_from(SEPARATORS),
    ),
    max_size=400,
).map(lambda parts: "".join(piece + separator for piece, separator in parts))


@settings(max_examples=800, deadline=None)
@given(ONE_WORD_TEXTS, st.sampled_from([*VOCABULARY, "mod", "pro", "spa", "fe", "ci"]))
def test_one_word_passage_is_the_reference_passage(text, q):
    assert marked(text, q) == reference_passage(text, q)


def test_one_word_reads_past_starts_inside_words_to_the_first_line_that_matches():
    text = "a remodel and a premodel\nno match: modem, modes\nthe models and a model\nmodel again"
    assert marked(text, "model") == "the <mark>models</mark> and a <mark>model</mark>"
    assert marked("remodel\nxmodel", "model") == "remodel"  # no word matches: the first line


def test_the_chosen_paragraph_can_lie_past_the_first_blocks():
    filler = "\n".join(f"line {i} about a model and more" for i in range(400))
    text = f"{filler}\nthe sparse model at last\n{filler}"
    assert len(text) > 16 * FIRST_BLOCK
    out = marked(text, "model sparse")
    assert out == "the <mark>sparse</mark> <mark>model</mark> at last"
    assert out == reference_passage(text, "model sparse")


def test_i_with_a_dot_is_the_only_letter_that_lower_cases_to_two():
    # passage() lowers a text in blocks of lines unless it holds "İ" (search.passages).
    longer = [c for c in map(chr, range(sys.maxunicode + 1)) if len(c.lower()) != 1]
    assert longer == ["\u0130"]
