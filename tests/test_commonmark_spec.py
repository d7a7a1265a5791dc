"""The lesson renderer against every CommonMark 0.31.2 spec example (before sanitising).

Each example goes through the real parser and renderer (`render_unsafe`) and is compared with
the spec's HTML after the spec's own normaliser (tests/commonmark_normalize.py). Three of our
GitHub extensions change CommonMark's output by design, and the comparison says exactly how:

- headings below `##` carry an `id` (their anchor), so `id` on h1-h6 is ignored;
- bare URLs and e-mail addresses become links (GFM's autolink extension), so the three
  examples that show them staying text are checked against GitHub's rendering instead;
- GFM's tag filter writes the `<` of raw `<script>`, `<style>`, `<textarea>` (and six more)
  as `&lt;`; it is applied, as the GFM spec words it, to the spec's expected HTML, where every
  such tag is raw HTML passed through (test_gfm_spec.py checks the filter on its own example).

Highlighted code is compared with its Pygments spans removed: the text is the spec's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from courses.content.rendering import render_unsafe
from tests.commonmark_normalize import normalize_html

SPEC = Path(__file__).parent / "data" / "commonmark" / "spec-0.31.2.json"
EXAMPLES = json.loads(SPEC.read_text(encoding="utf-8"))

# GFM's autolink extension links these, as github.com does.
GFM_AUTOLINKED = {
    608: '<p>&lt; <a href="https://foo.bar">https://foo.bar</a> &gt;</p>\n',
    611: '<p><a href="https://example.com">https://example.com</a></p>\n',
    612: '<p><a href="mailto:foo@bar.example.com">foo@bar.example.com</a></p>\n',
}
# GFM's disallowed raw HTML: the tag name after '<' or '</', then whitespace, '>' or '/>'.
_TAG_FILTER_RE = re.compile(
    r"<(/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)"
    r"(?:[ \t\n\v\f\r>]|/>))",
    re.IGNORECASE,
)
_HEADING_ID_RE = re.compile(r'(<h[1-6]) id="[^"]*"')
_CODE_RE = re.compile(r"(<pre><code[^>]*>)(.*?)(</code></pre>)", re.DOTALL)
_HIGHLIGHT_SPAN_RE = re.compile(r'<span class="hl-[\w-]+">|</span>')


def comparable(html: str) -> str:
    html = _HEADING_ID_RE.sub(r"\1", html)
    html = _CODE_RE.sub(lambda m: m[1] + _HIGHLIGHT_SPAN_RE.sub("", m[2]) + m[3], html)
    return normalize_html(html)


def test_the_vendored_spec_is_complete():
    assert len(EXAMPLES) == 652
    assert [example["example"] for example in EXAMPLES] == list(range(1, 653))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: str(example["example"]))
def test_spec_example(example):
    expected = GFM_AUTOLINKED.get(example["example"], example["html"])
    expected = _TAG_FILTER_RE.sub(r"&lt;\1", expected)
    assert comparable(render_unsafe(example["markdown"])) == normalize_html(expected)


def test_the_normaliser_keeps_what_matters():
    assert normalize_html("<p>a  \t\nb</p>") == "<p>a b</p>"
    assert normalize_html("\n<p>a</p>\n") == "<p>a</p>"
    assert normalize_html('<a title="t" href="/x y">&amp;&copy;</a>') == (
        '<a href="/x%20y" title="t">&amp;©</a>'
    )
    assert normalize_html("<p>a</p>") != normalize_html("<p>b</p>")
    assert normalize_html("<pre>a  b</pre>") == "<pre>a  b</pre>"
