"""The renderer and its sanitizer: hostile input loses its teeth, legitimate Markdown survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from courses.content import sanitize
from courses.content.rendering import render_inline, render_markdown

XSS_DIR = Path(__file__).parent / "data" / "xss"


def payloads() -> list[str]:
    lines: list[str] = []
    for path in sorted(XSS_DIR.glob("*.txt")):
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


class _DangerFinder(HTMLParser):
    """Parses output the way a browser tokenizer would and records anything executable."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in sanitize.ALLOWED_TAGS:
            self.dangers.append(f"tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.dangers.append(f"attribute {name}")
            if name in {"href", "src", "action", "xlink:href"} and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if re.match(r"^[a-z][a-z0-9+.-]*:", scheme) and not scheme.startswith(
                    ("http:", "https:", "mailto:")
                ):
                    self.dangers.append(f"url {value!r}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.dangers.append("comment")


def dangers_in(html: str) -> list[str]:
    finder = _DangerFinder()
    finder.feed(html)
    finder.close()
    return finder.dangers


# ---------------------------------------------------------------------------------------------
# The allowlist itself is locked out of bleach's known-vulnerable configurations
# ---------------------------------------------------------------------------------------------
# Raw-text and embedding elements: every mutation-XSS advisory against bleach
# (CVE-2020-6802, CVE-2020-6816, CVE-2021-23980) needed one of them allowed.
RAW_TEXT_TAGS = {
    "style", "noscript", "script", "iframe", "textarea", "xmp", "noframes", "noembed",
    "plaintext", "title", "object", "embed", "form", "template",
}  # fmt: skip
# MathML elements that can hold HTML or act (href, actions, images); never allowed.
ACTIVE_MATHML = {"annotation-xml", "annotation", "semantics", "maction", "mglyph", "malignmark"}


def test_allowlist_has_none_of_the_tags_behind_bleach_advisories():
    assert not RAW_TEXT_TAGS & sanitize.ALLOWED_TAGS
    assert "svg" not in sanitize.ALLOWED_TAGS
    assert not ACTIVE_MATHML & sanitize.ALLOWED_TAGS


def test_mathml_is_allowed_only_without_the_other_preconditions_of_its_advisory():
    """CVE-2021-23980 needed math/svg AND p/br AND a raw-text tag AND comments kept; math is
    allowed (import-time MathML), so the raw-text tags stay out and comments are stripped."""
    assert "math" in sanitize.ALLOWED_TAGS
    assert not RAW_TEXT_TAGS & sanitize.ALLOWED_TAGS
    assert "<!--" not in sanitize.sanitize_html("<math><mi>x</mi><!-- c --></math><p><!--x--></p>")
    for tag in sanitize.MATHML_TAGS:
        assert "href" not in sanitize.ALLOWED_ATTRIBUTES[tag]
    html = sanitize.sanitize_html('<math><mrow href="javascript:alert(1)"><mi>x</mi></mrow></math>')
    assert "href" not in html and "<mi>x</mi>" in html


def test_allowlist_has_no_style_or_event_handler_attribute():
    for tag, names in sanitize.ALLOWED_ATTRIBUTES.items():
        assert tag in sanitize.ALLOWED_TAGS
        assert "style" not in names
        assert not [name for name in names if name.startswith("on")]


def test_only_http_https_and_mailto_urls_are_allowed():
    assert sanitize.ALLOWED_PROTOCOLS == {"http", "https", "mailto"}


def test_comments_are_stripped():
    assert "<!--" not in render_markdown("Hello <!-- secret --> world")


# ---------------------------------------------------------------------------------------------
# Public payload lists, in every position an author can put text
# ---------------------------------------------------------------------------------------------
PAYLOADS = payloads()

POSITIONS = {
    "paragraph": lambda p: p,
    "list item": lambda p: f"- {p}\n- second",
    "table cell": lambda p: f"| a | b |\n| --- | --- |\n| {p} | x |",
    "link target": lambda p: f"[click]({p})",
    "link text": lambda p: f"[{p}](https://example.org)",
    "image": lambda p: f"![{p}]({p})",
    "block quote": lambda p: f"> {p}",
}


def test_payload_lists_are_present():
    assert len(PAYLOADS) > 6000


@pytest.mark.parametrize("position", POSITIONS)
def test_no_payload_survives_rendering(position):
    wrap = POSITIONS[position]
    failures = []
    for payload in PAYLOADS:
        html = render_markdown(wrap(payload))
        found = dangers_in(html)
        if found:
            failures.append((payload, found, html))
    assert failures == []


def test_no_payload_survives_as_inline_text():
    """Options, prompts and key-term definitions are rendered inline."""
    failures = [p for p in PAYLOADS if dangers_in(render_inline(p))]
    assert failures == []


def test_script_urls_are_removed_even_when_obfuscated():
    for href in ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
                 "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)",
                 "&#106;avascript:alert(1)"]:  # fmt: skip
        html = render_markdown(f'[x]({href}) <a href="{href}">y</a>')
        assert "href" not in html, html


# ---------------------------------------------------------------------------------------------
# Golden table: what authors need comes through intact
# ---------------------------------------------------------------------------------------------
GOLDEN = [
    ("### A subheading", '<h3 id="a-subheading">A subheading</h3>'),
    ("Some *emphasis*, **strong** and `code`.",
     "<p>Some <em>emphasis</em>, <strong>strong</strong> and <code>code</code>.</p>"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("| a | b |\n|:--|--:|\n| 1 | 2 |",
     '<table>\n<thead>\n<tr>\n<th align="left">a</th>\n<th align="right">b</th>\n</tr>\n'
     '</thead>\n<tbody>\n<tr>\n<td align="left">1</td>\n<td align="right">2</td>\n</tr>\n'
     "</tbody>\n</table>"),
    ("```python\nx = 1 < 2\n```",
     '<pre><code class="language-python"><span class="hl-n">x</span> <span class="hl-o">=</span> '
     '<span class="hl-mi">1</span> <span class="hl-o">&lt;</span> <span class="hl-mi">2</span>\n'
     '</code></pre>'),
    ("```\nplain < code\n```", "<pre><code>plain &lt; code\n</code></pre>"),
    ("[Anthropic](https://www.anthropic.com)",
     '<p><a href="https://www.anthropic.com" rel="noopener noreferrer">Anthropic</a></p>'),
    ("[next](../other/)", '<p><a href="../other/" rel="noopener noreferrer">next</a></p>'),
    ("[mail](mailto:a@example.org)",
     '<p><a href="mailto:a@example.org" rel="noopener noreferrer">mail</a></p>'),
    ("![A diagram](https://example.org/d.png)",
     '<p><img src="https://example.org/d.png" alt="A diagram"></p>'),
    ("> A quote.", "<blockquote>\n<p>A quote.</p>\n</blockquote>"),
    ("Term\n: Definition", "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"),
    ("H~2~O and x<sup>2</sup>", "<p>H~2~O and x<sup>2</sup></p>"),
    ("a &amp; b < c", "<p>a &amp; b &lt; c</p>"),
]  # fmt: skip


@pytest.mark.parametrize(("markdown_text", "expected"), GOLDEN)
def test_golden_markdown(markdown_text, expected):
    assert render_markdown(markdown_text) == expected


def test_relative_images_point_at_the_course_asset_url():
    html = render_markdown("![Map](images/map.png)", asset_base_url="/courses/c/files/")
    assert html == '<p><img src="/courses/c/files/images/map.png" alt="Map"></p>'


def test_bare_urls_become_safe_links():
    html = render_markdown("See https://www.example.org/paper for more.")
    assert 'href="https://www.example.org/paper"' in html and 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "href",
    ["javascript:x", " javascript:x", "\x01javascript:x", "java\x00script:x", "java\nscript:x",
     "JAVA\tSCRIPT:x", "data:text/html,x", "vbscript:x", "\x7fjavascript:x"],
)  # fmt: skip
def test_url_schemes_are_read_after_removing_whitespace_and_control_characters(href):
    assert not sanitize.url_is_allowed(href)
    html = sanitize.sanitize_html(f'<a href="{href}">x</a><img src="{href}">')
    # The parser turns a NUL into U+FFFD, which no scheme may hold: a harmless relative URL.
    assert dangers_in(html) == []
    assert ("href" not in html and "src" not in html) or "\ufffd" in html


@pytest.mark.parametrize("href", ["https://a.example/x", "mailto:a@b.org", "../rel", "#frag", "/p"])
def test_allowed_urls_survive(href):
    assert sanitize.url_is_allowed(href)
    assert f'href="{href}"' in sanitize.sanitize_html(f'<a href="{href}">x</a>')
