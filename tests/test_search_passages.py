"""The passage of a result card (search.passages), as plain Python: which words match, which
paragraph is chosen, where it is cut, and that everything is escaped."""

from __future__ import annotations

from search.passages import PASSAGE_WORDS, Matcher, passage
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
