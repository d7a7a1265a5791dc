"""The lesson renderer against the GFM 0.29 spec's extension examples (before sanitising).

tests/data/gfm/extensions-0.29.json holds every example the GitHub Flavored Markdown spec
marks as an extension's: tables, task list items, strikethrough, extended autolinks and the
disallowed-raw-HTML tag filter (its CommonMark examples are covered, at a newer version, by
test_commonmark_spec.py). All five are supported, and each example goes through the real
parser and renderer (`render_unsafe`), compared after the spec's own normaliser, as there.

The tag filter is ours, not mdit-py-plugins' (which does not implement it): raw `<script>`,
`<style>`, `<iframe>`, `<title>`, `<textarea>`, `<xmp>`, `<noembed>`, `<noframes>` and
`<plaintext>` have their `<` written as `&lt;`, so the page shows them as text the way
GitHub's preview does. nh3 still sanitises the result; the filter is not what makes a lesson
safe, it only decides what a learner sees.

Two differences are by design, and the comparison states them as rules over the whole
output, never per example:

- a task-list tick keeps the class names github.com gives it (`contains-task-list`,
  `task-list-item`, `task-list-item-checkbox`; the site stylesheet uses them) and says what
  it is to a screen reader (`aria-label="Done"` / `"Not done"`); exactly those attribute
  values are removed before comparing;
- a bare `ftp://` address stays text: the sanitizer lets only http, https and mailto links
  through (browsers no longer open ftp: URLs), so a spec link with any other scheme is
  expected as its plain text.

A few inputs the examples do not cover are checked against cmark-gfm's own output
(BEYOND_THE_EXAMPLES); known differences from github.com that no spec example shows are
listed in docs/authoring.md ("Where GitHub's preview differs").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from courses.content.rendering import render_unsafe
from courses.content.sanitize import url_is_allowed
from tests.commonmark_normalize import normalize_html
from tests.test_commonmark_spec import comparable

SPEC = Path(__file__).parent / "data" / "gfm" / "extensions-0.29.json"
EXAMPLES = json.loads(SPEC.read_text(encoding="utf-8"))

_TASK_LIST_ATTRIBUTE_RE = re.compile(
    r' (?:class="(?:contains-task-list|task-list-item|task-list-item-checkbox)"'
    r'|aria-label="(?:Done|Not done)")'
)
_LINK_RE = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def ours(html: str) -> str:
    return _TASK_LIST_ATTRIBUTE_RE.sub("", comparable(html))


def expected(html: str) -> str:
    """The spec's HTML with links the sanitizer would not keep written as their text."""
    return normalize_html(_LINK_RE.sub(lambda m: m[0] if url_is_allowed(m[1]) else m[2], html))


def test_the_vendored_examples_are_every_extension_example():
    assert Counter(example["section"] for example in EXAMPLES) == {
        "Tables (extension)": 8,
        "Task list items (extension)": 2,
        "Strikethrough (extension)": 2,
        "Autolinks (extension)": 11,
        "Disallowed Raw HTML (extension)": 1,
    }
    numbers = [example["example"] for example in EXAMPLES]
    assert numbers == sorted(set(numbers))
    assert numbers[0] == 198 and numbers[-1] == 652


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: str(example["example"]))
def test_spec_example(example):
    assert ours(render_unsafe(example["markdown"])) == expected(example["html"])


# Our autolink and tag-filter rules on input the spec's examples do not cover; the expected
# HTML is cmark-gfm's (cmarkgfm 2025.10.22 from PyPI, GitHub's parser).
BEYOND_THE_EXAMPLES = {
    "_Read more at https://example.org_": (
        '<p><em>Read more at <a href="https://example.org">https://example.org</a></em></p>'
    ),
    "_foo@bar.com_": '<p><em><a href="mailto:foo@bar.com">foo@bar.com</a></em></p>',
    "_www.x.org_": '<p><em><a href="http://www.x.org">www.x.org</a></em></p>',
    "_https://x.org._": '<p><em><a href="https://x.org">https://x.org</a>.</em></p>',
    "_www.x_y.org_": "<p><em>www.x_y.org</em></p>",
    "[_www.x.org_](https://y.org)": '<p><a href="https://y.org"><em>www.x.org</em></a></p>',
    "`code`_www.x.org_": (
        '<p><code>code</code><em><a href="http://www.x.org">www.x.org</a></em></p>'
    ),
    "a_b_c@x.org": '<p><a href="mailto:a_b_c@x.org">a_b_c@x.org</a></p>',
    "Write to first.last_name+tag@mail.example.org.": (
        '<p>Write to <a href="mailto:first.last_name+tag@mail.example.org">'
        "first.last_name+tag@mail.example.org</a>.</p>"
    ),
    "*em*_x@y.org": '<p><em>em</em><a href="mailto:_x@y.org">_x@y.org</a></p>',
    "mailto:first_last@x.org": (
        '<p><a href="mailto:first_last@x.org">mailto:first_last@x.org</a></p>'
    ),
    "see <script>x</script> and <scripts> and </style >": (
        "<p>see &lt;script>x&lt;/script> and <scripts> and &lt;/style ></p>"
    ),
    "<p><textarea/></p>": "<p>&lt;textarea/></p>",
}


@pytest.mark.parametrize("markdown", BEYOND_THE_EXAMPLES)
def test_as_cmark_gfm_renders_it(markdown):
    assert ours(render_unsafe(markdown)) == expected(BEYOND_THE_EXAMPLES[markdown])


def test_the_comparison_removes_only_what_it_says():
    ticked = '<li class="task-list-item"><input aria-label="Done" checked="" disabled="">'
    assert ours(ticked) == '<li><input checked="" disabled="">'
    assert ours('<li class="footnote-item">') == '<li class="footnote-item">'
    assert ours('<input aria-label="Tick">') == '<input aria-label="Tick">'
    assert expected('<a href="ftp://x.org">ftp://x.org</a>') == "ftp://x.org"
    assert expected('<a href="mailto:a@b.c">a@b.c</a>') == normalize_html(
        '<a href="mailto:a@b.c">a@b.c</a>'
    )
