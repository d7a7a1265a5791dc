"""The lesson renderer: a golden file per construct, and the shipped course unchanged by the
switch to markdown-it-py except where the change was intended."""

from __future__ import annotations

import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from courses.content import rendering
from courses.content.imported import RENDERER_VERSION
from courses.content.markup import contrast, highlight_css
from courses.content.parser import load_content
from courses.content.rendering import (
    html_to_text,
    line_kinds,
    render_inline,
    render_markdown,
    text_and_kinds,
)
from courses.content.table_text import row_cells
from tests.test_sanitize import dangers_in

DATA = Path(__file__).parent / "data" / "rendering"
CONSTRUCTS = sorted((DATA / "constructs").glob("*.md"))


@pytest.mark.parametrize("source", CONSTRUCTS, ids=lambda path: path.stem)
def test_construct_renders_as_its_golden_file(source):
    """The .html beside each .md is what a learner's browser gets (sanitised)."""
    expected = source.with_suffix(".html").read_text(encoding="utf-8")
    html = render_markdown(source.read_text(encoding="utf-8"), doc_id="s")
    assert html + "\n" == expected
    assert dangers_in(html) == []


def test_every_construct_has_a_golden_file():
    assert len(CONSTRUCTS) >= 15
    assert all(source.with_suffix(".html").is_file() for source in CONSTRUCTS)


def _golden_digest() -> str:
    digest = hashlib.sha256()
    for source in CONSTRUCTS:
        golden = source.with_suffix(".html")
        digest.update(golden.name.encode() + b"\0" + golden.read_bytes() + b"\0")
    return digest.hexdigest()


def test_a_rendering_change_comes_with_a_new_renderer_version():
    """A re-import skips lessons whose file and renderer version are unchanged, so output that
    changes under the same version would leave stale HTML in every existing site."""
    recorded = json.loads((DATA / "renderer-versions.json").read_text(encoding="utf-8"))
    digest = _golden_digest()
    assert recorded.get(RENDERER_VERSION) == digest, (
        f"the golden HTML is not the one recorded for RENDERER_VERSION {RENDERER_VERSION!r}: "
        "if rendering changed on purpose, bump RENDERER_VERSION in courses/content/imported.py "
        f"and record it in tests/data/rendering/renderer-versions.json with {digest}"
    )
    # A version bumped for a body check or the search documents keeps the same output, so two
    # versions may share a digest; the current one is always the newest recorded.
    assert RENDERER_VERSION == max((v for v in recorded if v.isdigit()), key=int)


# ---------------------------------------------------------------------------------------------
# The shipped course before and after the renderer switch
# ---------------------------------------------------------------------------------------------
_CODE_RE = re.compile(r"(<pre><code[^>]*>)(.*?)(</code></pre>)", re.DOTALL)
_HIGHLIGHT_SPAN_RE = re.compile(r'<span class="hl-[\w-]+">|</span>')


def without_intended_changes(html: str) -> str:
    """Highlighting only wraps code in spans, and nh3 writes '"' where bleach wrote &quot;
    inside code: undo both, so any other difference fails."""
    return _CODE_RE.sub(
        lambda m: (
            m[1]
            + unescape(_HIGHLIGHT_SPAN_RE.sub("", m[2])).replace("<", "&lt;").replace(">", "&gt;")
            + m[3]
        ),
        html,
    )


def current_rendering() -> dict[str, tuple[str, str]]:
    tree, problems = load_content(Path(settings.BASE_DIR) / "content")
    assert problems == []
    out: dict[str, tuple[str, str]] = {}
    for lesson in tree.lessons:
        base = f"/courses/{lesson.course_slug}/files/"
        for s in lesson.sections:
            html = render_markdown(s.markdown, asset_base_url=base)
            out[f"{lesson.ref}#{s.anchor}"] = (s.markdown, html)
        for i, term in enumerate(lesson.key_terms):
            out[f"{lesson.ref}/term/{i}"] = (term.definition, render_inline(term.definition))
        for i, q in enumerate(lesson.questions, start=1):
            key = f"{lesson.ref}/q{i}"
            out[f"{key}/prompt"] = (q.prompt, render_inline(q.prompt))
            out[f"{key}/explanation"] = (q.explanation, render_markdown(q.explanation))
            for j, option in enumerate(q.options, start=1):
                out[f"{key}/o{j}"] = (option.text, render_inline(option.text))
                if option.feedback:
                    feedback = render_inline(option.feedback)
                    out[f"{key}/o{j}/feedback"] = (option.feedback, feedback)
    for course in tree.courses:
        html = render_markdown(course.description) if course.description else ""
        out[f"course/{course.slug}"] = (course.description, html)
    return out


def test_the_shipped_course_renders_as_before_where_its_markdown_did_not_change():
    before = json.loads((DATA / "shipped-course-before-markdown-it.json").read_text("utf-8"))
    now = current_rendering()
    compared = [key for key in before if key in now and now[key][0] == before[key]["markdown"]]
    # Only lessons rewritten on purpose (math in the SAE lesson) are left out.
    assert len(compared) >= len(before) - 10
    changed = [
        key
        for key in compared
        if without_intended_changes(now[key][1]) != without_intended_changes(before[key]["html"])
    ]
    assert changed == []
    highlighted = [key for key in compared if 'class="hl-' in now[key][1]]
    assert len(highlighted) == 3  # the three Python blocks of the course


def test_the_shipped_formulas_are_mathml_not_code():
    now = current_rendering()
    sae = now[
        "inside-the-black-box/features-and-sparse-autoencoders#how-a-sparse-autoencoder-works"
    ]
    toy = now["inside-the-black-box/superposition#toy-models-of-superposition"]
    for markdown, html in (sae, toy):
        assert "$$" in markdown and '<math alttext="' in html and 'display="block"' in html
        assert "<pre>" not in html
    assert "<mi>λ</mi>" in sae[1] and "<mtext>enc</mtext>" in sae[1]


def test_plain_text_for_the_tutor_reads_formulas_as_shown_and_keeps_blocks_apart():
    """An inline formula is read as the page's text of it (its MathML's text content, which
    the tutor quotes and the citation's highlight finds); a displayed one as its TeX."""
    html = render_markdown(
        "The loss is $\\lambda \\sum_i |f_i|$.\n\n<details><summary>Why</summary>\n\n"
        "Because.\n\n</details>\n\n> [!NOTE]\n> Mind it.\n\n$$\ny = \\hat{x}\n$$"
    )
    assert rendering.inline_formulas(html) == ("λ∑i|fi|",)
    assert html_to_text(html).splitlines() == [
        "The loss is λ∑i|fi|.",
        "Why",
        "Because.",
        "Note",
        "Mind it.",
        "y = \\hat{x}",
    ]


def _read_by_html_parser(html: str) -> tuple[str, tuple[str, ...]]:
    """The text and line kinds Python's HTMLParser reads (`line_kinds` read only this way
    before the one pass)."""
    extractor = rendering._LineExtractor()
    extractor.feed(html)
    extractor.close()
    pairs = zip(extractor.lines, extractor.kinds, strict=True)
    lines = [(" ".join(line.split()), kind) for line, kind in pairs]
    kept = [(line, kind) for line, kind in lines if line]
    return "\n".join(line for line, _ in kept), tuple(kind for _, kind in kept)


def _text_by_html_parser(html: str) -> str:
    return _read_by_html_parser(html)[0]


def test_plain_text_is_what_the_html_parser_reads_for_every_rendered_construct():
    """`html_to_text` tokenises sanitized HTML with a regular expression instead of Python's
    HTMLParser; both must give the same text for everything the renderer writes, and HTML
    outside its grammar must still be read by the parser."""
    htmls = [
        render_markdown(source.read_text(encoding="utf-8"), doc_id="s") for source in CONSTRUCTS
    ]
    tree, _ = load_content(settings.CONTENT_DIR)
    for lesson in tree.lessons:
        htmls += [render_markdown(s.markdown, doc_id=s.anchor) for s in lesson.sections]
        htmls += [render_inline(term.definition) for term in lesson.key_terms]
        htmls += [render_markdown(q.explanation) for q in lesson.questions]
    assert any("<math" in html for html in htmls) and any("<sup" in html for html in htmls)
    assert all(rendering._serialised_lines(html) is not None for html in htmls)
    odd = [
        '<p>a<math alttext="x &gt; y &amp; z>w" display="block"><mi>x</mi></math>b</p>',
        "<P>Up<BR/>per<Td>c</Td><tH>d</tH></P>",
        "<table><tr><td>1</td><td>2</td></tr>\n<tr><th>a</th><td></td><td>b</td></tr></table>",
        '<p>n<sup class="footnote-ref"><a href="#f">[1]</a></sup> &amp;c &nbsp; &lt;x&gt;</p>',
        '<math><mi>x</mi></math><math alttext><mi>y</mi></math><math alttext="">z</math>',
        "<p>a <!-- note --> b</p>",
        "<p>1 < 2 and <b >bold</b ></p>",
        "<style>p{}</style><script>x<y</script><p>after</p>",
        "<p>&amp</p><p>&#62;&#x3c;</p><p>tail &",
        "<br><hr/><img src='x' alt=y>text<input disabled>",
    ]
    odd += [  # where a line's kind depends on the tags open around its text
        "<h3>Steps</h3><ul><li>a<ul><li>nested</li></ul>tail</li><li><p>loose</p></li></ul>",
        '<h4>A <math alttext="x"><mi>x</mi></math></h4><ol><li><math alttext="y"></math></li>',
        "</li></h3><li>x</li></li><p>y</p><h3>h<br/>i</h3><li/>z<h5/>w",
        "<h3><sup>1</sup></h3><li> <sup>2</sup> t</li><table><tr><td><li>c</li></td></tr></table>",
    ]
    for html in htmls + odd:
        assert text_and_kinds(html) == _read_by_html_parser(html), html
        assert html_to_text(html) == _text_by_html_parser(html), html
    assert {"heading", "item", ""} <= {kind for html in odd for kind in line_kinds(html)}
    assert rendering._serialised_lines(odd[5]) is None  # a comment: the parser reads it
    assert rendering._serialised_lines(odd[7]) is None  # raw text elements too


def test_one_reading_gives_every_lesson_the_text_and_line_kinds_of_two():
    """An import reads each section's HTML once for its plain text and for what each line is
    written in (`text_and_kinds`), where it read it twice: `html_to_text` (the fast tokeniser,
    else HTMLParser) and `line_kinds` (HTMLParser alone). On every lesson the tutor is tuned
    on, shipped and tuning sets (never the held-out ones), the one reading must give exactly
    what the HTMLParser reads, and one kind for each line of the text."""
    eval_dir = Path(settings.BASE_DIR) / "tests" / "tutor_eval"
    roots = [Path(settings.CONTENT_DIR), *sorted(eval_dir.glob("tuning*_content"))]
    sections = kinds_seen = 0
    for root in roots:
        tree, _ = load_content(root)
        assert tree.lessons, root
        for lesson in tree.lessons:
            for section in lesson.sections:
                html = render_markdown(section.markdown, doc_id=section.anchor)
                text, kinds = text_and_kinds(html)
                assert (text, kinds) == _read_by_html_parser(html), (lesson.ref, section.anchor)
                assert (text, kinds) == (html_to_text(html), line_kinds(html))
                assert len(kinds) == len(text.split("\n")) if text else kinds == ()
                sections += 1
                kinds_seen += kinds.count("item") + kinds.count("heading")
    assert len(roots) >= 12 and sections > 250 and kinds_seen > 100


def test_the_stylesheet_has_readable_highlighting_for_light_and_dark():
    css = (Path(settings.BASE_DIR) / "static/css/site.css").read_text(encoding="utf-8")
    light = css.split("/* highlight:light */\n", 1)[1].split("\n/* highlight:dark */", 1)[0]
    dark = css.split("/* highlight:dark */\n@media (prefers-color-scheme: dark) {\n", 1)[1]
    dark = dark.split("\n}\n/* highlight:end */", 1)[0]
    assert light == highlight_css("default", "#f2f0ea", scope=".prose ")
    assert dark == highlight_css("one-dark", "#242832", scope="  .prose ")
    for rules, background in ((light, "#f2f0ea"), (dark, "#242832")):
        colours = re.findall(r"color: (#[0-9a-f]{6})", rules)
        assert len(colours) > 30
        assert min(contrast(colour, background) for colour in colours) >= 4.5


if __name__ == "__main__":
    # Rewrites the golden files after an intended change; review the diff before committing:
    #   DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -m tests.test_rendering
    import django

    django.setup()
    for source in CONSTRUCTS:
        html = render_markdown(source.read_text(encoding="utf-8"), doc_id="s")
        source.with_suffix(".html").write_text(html + "\n", encoding="utf-8")


def test_a_table_keeps_its_empty_cells_in_plain_text():
    """A comparison table often leaves its corner cell empty; every row must keep one cell per
    column, or each value is read under the header of the column before it."""
    html = render_markdown(
        '| | "Towards" (2023) | "Scaling" (2024) |\n|---|---|---|\n'
        "| Model studied | A toy transformer | A production model |\n"
        "| Multimodal? | | Many features were |\n"
    )
    lines = html_to_text(html).splitlines()
    assert [row_cells(line) for line in lines] == [
        ["", '"Towards" (2023)', '"Scaling" (2024)'],
        ["Model studied", "A toy transformer", "A production model"],
        ["Multimodal?", "", "Many features were"],
    ]
    assert html_to_text(html) == _text_by_html_parser(html)


def test_a_footnote_reads_as_its_text_without_its_back_link():
    """A footnote's "↩︎" link back to its marker is navigation, not lesson text: the tutor must
    not quote it and search must not index it. Both readers (the fast tokeniser and the
    HTMLParser fallback) drop it, and the marker in the running text, and keep the note."""
    html = render_markdown(
        "A circuit computes things.[^1] More text.[^2] Again.[^1]\n\n"
        "[^1]: Olsson et al., Induction Heads.\n[^2]: A note with [a link](https://example.org).\n",
        doc_id="s",
    )
    assert "footnote-backref" in html
    expected = (
        "A circuit computes things. More text. Again.\n"
        "Olsson et al., Induction Heads.\n"
        "A note with a link."
    )
    assert html_to_text(html) == expected
    assert _text_by_html_parser(html) == expected
    assert "↩" not in " ".join(text_and_kinds(html)[0])
