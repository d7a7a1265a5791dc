"""Markdown to safe HTML, done once at import time and stored.

markup.py's parser (CommonMark plus the GitHub pieces, math as MathML, highlighted code)
renders; then `sanitize.sanitize_html` removes anything not on the allowlist: raw HTML in a
lesson is sanitized, never trusted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser

from .markup import parser
from .sanitize import sanitize_html
from .table_text import CELL_SEPARATOR

_ABSOLUTE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^/|^#")
_ID_ATTRIBUTE_RE = re.compile(r'\bid="([^"]+)"')
_PARAGRAPH_RE = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


def render_unsafe(text: str, *, asset_base_url: str = "", doc_id: str = "") -> str:
    """The renderer's HTML before sanitising (what the CommonMark conformance test checks)."""
    md = parser()
    env: dict = {"docId": doc_id} if doc_id else {}
    tokens = md.parse(text, env)
    if asset_base_url:
        _point_images_at(tokens, asset_base_url)
    return md.renderer.render(tokens, md.options, env)


def _point_images_at(tokens, base_url: str) -> None:
    """Relative image paths point at the course's asset URL."""
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                src = str(child.attrGet("src") or "")
                if src and not _ABSOLUTE_URL_RE.match(src):
                    child.attrSet("src", base_url + src.removeprefix("./"))


def render_markdown(text: str, *, asset_base_url: str = "", doc_id: str = "") -> str:
    """Renders block Markdown (a section, an explanation) to sanitized HTML.

    ``doc_id`` keeps footnote ids of one section apart from another's on the same page.
    """
    return sanitize_html(render_unsafe(text, asset_base_url=asset_base_url, doc_id=doc_id)).strip()


def render_inline(text: str) -> str:
    """Renders one line of Markdown (an option, a key term) without a wrapping paragraph."""
    html = render_markdown(text).strip()
    match = _PARAGRAPH_RE.match(html)
    if match and "<p>" not in match[1]:
        return match[1]
    return html


def make_ids_unique(
    html: str, used: set[str], reserved: Callable[[str], bool] = lambda value: False
) -> str:
    """Suffixes every id in ``html`` already in ``used`` or ``reserved`` (and records the new ones).

    Each section is rendered on its own, so two sections may both have a '### Example'; the
    page needs every id once, and none may equal an id of the page itself.
    """

    def replace(match: re.Match[str]) -> str:
        candidate = original = match[1]
        counter = 2
        while candidate in used or reserved(candidate):
            candidate = f"{original}-{counter}"
            counter += 1
        used.add(candidate)
        return f'id="{candidate}"'

    return _ID_ATTRIBUTE_RE.sub(replace, html)


_BLOCK_TAGS = frozenset(
    {"p", "li", "tr", "pre", "blockquote", "h3", "h4", "h5", "h6", "dt", "dd", "figcaption",
     "caption", "table", "ul", "ol", "div", "br", "hr", "details", "summary", "section",
     "figure"}
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip_depth = 0
        self.cells = 0  # the cells opened on the current line
        self.inline_math = False  # inside an inline formula, read as its text (`html_to_text`)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "math":
            values = dict(attrs)
            if values.get("display") != "block":
                self.inline_math = True
                return
            self.lines[-1] += f" {values.get('alttext') or ''} "
            self.skip_depth += 1
            return
        if tag == "sup":  # footnote markers are noise in running text
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self.lines.append("")
            self.cells = 0
        elif tag in _CELL_TAGS:
            if self.cells:  # an empty cell keeps its place in the row
                self.lines[-1] += CELL_SEPARATOR
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "math" and self.inline_math:
            self.inline_math = False
        elif tag in {"sup", "math"} and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self.lines.append("")
            self.cells = 0

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.lines[-1] += data


def html_to_text(html: str) -> str:
    """Plain text of rendered HTML: one line per paragraph, list item or table row.

    An inline formula is read as the text the page shows for it, its MathML's text content
    ("x^" for $\\hat{x}$, "λ" for $\\lambda$), so a sentence that holds one is quoted as the
    learner sees it (and as the citation's highlight finds it); a displayed formula, a block of
    its own that no one quotes, as its TeX source, which search reads better."""
    lines = _serialised_lines(html)
    if lines is None:
        extractor = _TextExtractor()
        extractor.feed(html)
        extractor.close()
        lines = extractor.lines
    stripped = (" ".join(line.split()) for line in lines)
    return "\n".join(line for line in stripped if line)


# What the sanitizer writes (sanitize.py): text with every "<" escaped, start tags whose
# attribute values are double-quoted, plain end tags; no comments, doctypes or raw-text
# elements. Such HTML is tokenised here by one regular expression and read the way
# `_TextExtractor` (Python's HTMLParser) reads it, in a third of the time: an import turns
# every section of every lesson into text. Anything the grammar does not cover goes to
# `_TextExtractor`; tests/test_rendering.py checks that both give the same text.
_ATTRIBUTES = r'(?:[ \t\n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*'
_TOKEN_RE = re.compile(
    rf"<([a-zA-Z][a-zA-Z0-9]*)({_ATTRIBUTES})[ \t\n]*(/?)>|</([a-zA-Z][a-zA-Z0-9]*)>|([^<]+)"
)
_ATTRIBUTE_RE = re.compile(r'[ \t\n]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_RAW_TEXT_TAGS = frozenset({"script", "style"})


def _serialised_lines(html: str) -> list[str] | None:
    """`_TextExtractor`'s lines, or None for HTML outside the sanitizer's grammar."""
    lines = [""]
    skip_depth = 0
    cells = 0  # the cells opened on the current line
    inline_math = False
    end = 0
    for match in _TOKEN_RE.finditer(html):
        if match.start() != end:
            return None  # a token the grammar does not cover
        end = match.end()
        tag, attributes, closed, end_tag, data = match.groups()
        if data is not None:
            if not skip_depth:
                lines[-1] += unescape(data) if "&" in data else data
            continue
        if tag is not None:
            tag = tag.lower()
            if tag in _RAW_TEXT_TAGS:
                return None
            if tag == "math":
                values = {name.lower(): value for name, value in _ATTRIBUTE_RE.findall(attributes)}
                if values.get("display") != "block":
                    inline_math = not closed
                    continue
                lines[-1] += f" {unescape(values.get('alttext') or '')} "
                skip_depth += 1
            else:
                if tag == "sup":
                    skip_depth += 1
                if tag in _BLOCK_TAGS:
                    lines.append("")
                    cells = 0
                elif tag in _CELL_TAGS:
                    if cells:  # an empty cell keeps its place in the row
                        lines[-1] += CELL_SEPARATOR
                    cells += 1
            if not closed:
                continue
            end_tag = tag  # "<br/>": HTMLParser sends a start and an end
        end_tag = end_tag.lower()
        if end_tag == "math" and inline_math:
            inline_math = False
        elif end_tag in {"sup", "math"} and skip_depth:
            skip_depth -= 1
        if end_tag in _BLOCK_TAGS:
            lines.append("")
            cells = 0
    if end != len(html):
        return None
    return lines


HEADING = "heading"
ITEM = "item"
_HEADING_TAGS = frozenset({"h3", "h4", "h5", "h6"})


class _KindExtractor(_TextExtractor):
    """`_TextExtractor` that also records what each line is written in: a heading, a list
    item (nested and loose lists included), or anything else ("")."""

    def __init__(self) -> None:
        super().__init__()
        self.kinds: list[str] = [""]
        self.open = {"li": 0, "h": 0}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        super().handle_starttag(tag, attrs)
        self._count(tag, 1)
        self.kinds += [""] * (len(self.lines) - len(self.kinds))

    def handle_endtag(self, tag: str) -> None:
        super().handle_endtag(tag)
        self._count(tag, -1)
        self.kinds += [""] * (len(self.lines) - len(self.kinds))

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if not self.kinds[-1] and self.lines[-1].strip():
            self.kinds[-1] = HEADING if self.open["h"] else ITEM if self.open["li"] else ""

    def _count(self, tag: str, step: int) -> None:
        key = "li" if tag == "li" else "h" if tag in _HEADING_TAGS else None
        if key:
            self.open[key] = max(0, self.open[key] + step)


def line_kinds(html: str) -> tuple[str, ...]:
    """What each line of `html_to_text(html)` is in the source: `HEADING` (a sub-heading),
    `ITEM` (a list item's text) or "" (a paragraph, a table row, a quote...). The tutor reads
    a list that a heading introduces from it; the plain text alone cannot tell."""
    extractor = _KindExtractor()
    extractor.feed(html)
    extractor.close()
    pairs = zip(extractor.lines, extractor.kinds, strict=True)
    return tuple(kind for line, kind in pairs if line.split())


_INLINE_MATH_RE = re.compile(r"<math\b([^>]*)>(.*?)</math>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def inline_formulas(html: str) -> tuple[str, ...]:
    """The text `html_to_text` reads for each inline formula of `html`, in order: the tutor
    takes a formula for words of its sentence, never for code ("f(x)=x2")."""
    found = []
    for match in _INLINE_MATH_RE.finditer(html):
        if 'display="block"' not in match[1].lower():
            text = " ".join(unescape(_TAG_RE.sub("", match[2])).split())
            if text:
                found.append(text)
    return tuple(found)
