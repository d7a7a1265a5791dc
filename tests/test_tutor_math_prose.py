"""What the tutor may quote from a paragraph with inline math.

Inline math is read as the text the page shows for it (the MathML's text content, which the
citation's highlight matches in the browser), not as its TeX source; a formula is never taken
for code; and a learner may name a formula's Greek letter ("lambda" for "λ").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from courses.content.rendering import (
    html_to_text,
    inline_formulas,
    render_markdown,
    text_and_kinds,
)
from tutor.indexing import lesson_text
from tutor.retrieval import LessonText, SectionText, answer_question, build_index


def _index(text: str, formulas: tuple[str, ...] = ()):
    section = SectionText("Firing", "firing", text, formulas=formulas)
    return build_index(LessonText("Kilns", "", (section,), ()))


def test_a_formula_is_never_code() -> None:
    """f(x) in a formula is mathematics; the same marks in running text are code (and a
    paragraph with code is not quoted)."""
    html = render_markdown("The curve $f(x) = x^2$ rises fast. A glaze melts at 1200 degrees.")
    text = html_to_text(html)
    assert text == "The curve f(x)=x2 rises fast. A glaze melts at 1200 degrees."
    assert inline_formulas(html) == ("f(x)=x2",)
    index = _index(text, inline_formulas(html))
    assert [u.text for u in index.units] == [
        "The curve f(x)=x2 rises fast.",
        "A glaze melts at 1200 degrees.",
    ]
    assert [u.text for u in _index(text).units] == []


class _TextContent(HTMLParser):
    """Each paragraph's `textContent`, as the browser has it: every text node, MathML's too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "p":
            self.depth += 1
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.paragraphs[-1] += data


def _sae_section() -> tuple[str, str]:
    path = Path(settings.BASE_DIR) / "content/inside-the-black-box"
    markdown = (path / "03-features-and-sparse-autoencoders.md").read_text(encoding="utf-8")
    body = markdown.split("## How a sparse autoencoder works\n", 1)[1].split("\n## ", 1)[0]
    return "how-a-sparse-autoencoder-works", render_markdown(body)


def test_the_sae_explanation_is_quoted_as_the_page_shows_it() -> None:
    anchor, html = _sae_section()
    lesson = lesson_text(
        title="Features and Sparse Autoencoders",
        summary="",
        sections=[
            (
                "How a sparse autoencoder works",
                anchor,
                *text_and_kinds(html),
                inline_formulas(html),
            )
        ],
        key_terms=(),
        big_idea="",
    )
    index = build_index(lesson)
    parser = _TextContent()
    parser.feed(html)
    shown = [" ".join(p.split()) for p in parser.paragraphs]
    texts = [u.text for u in index.units]
    explained = (
        "Here x is one activation vector, f holds the feature activations (mostly zero) and x^ "
        "is the activation rebuilt from the active features."
    )
    assert explained in texts
    assert "The number λ sets the trade-off." in texts
    # Every unit is what the page shows, inside one paragraph; no TeX source is quoted.
    assert all(any(text in paragraph for paragraph in shown) for text in texts), texts
    assert not [text for text in texts if re.search(r"\\[a-z]+", text)]

    second = answer_question(index, "what is the second term of the loss?")
    assert second.grounded
    assert any("the second is the L1 sparsity penalty" in c.quote for c in second.citations)
    trade_off = answer_question(index, "what does lambda set?")
    assert "The number λ sets the trade-off." in [c.quote for c in trade_off.citations]
    for answer in (second, trade_off):
        assert {c.anchor for c in answer.citations} == {anchor}
        assert all(any(c.quote in paragraph for paragraph in shown) for c in answer.citations)


def test_a_greek_letter_is_asked_for_by_its_name() -> None:
    """A formula shows "λ"; a learner types "lambda"."""
    text = "A large λ gives sparse recipes but poor reconstructions. Kilns reach high heat."
    index = _index(text)
    assert index.match("lambda") == ("λ", "λ")
    assert index.match("Lambda".lower()) == index.match("λ")
    answer = answer_question(index, "What does a large lambda give?")
    assert [c.quote for c in answer.citations][:1] == [text.split(". ")[0] + "."]
