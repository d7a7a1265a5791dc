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
from .text_lines import HEADING, ITEM

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
_HEADING_TAGS = frozenset({"h3", "h4", "h5", "h6"})


class _LineExtractor(HTMLParser):
    """Python's HTMLParser reading of rendered HTML: its lines of text and what each line is
    written in (`line_kinds`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.kinds: list[str] = [""]
        self.skip_depth = 0
        self.cells = 0  # the cells opened on the current line
        self.open_headings = 0
        self.open_items = 0
        self.inline_math = False  # inside an inline formula, read as its text (`html_to_text`)
        self.back_link = False  # inside a footnote's link back to its marker, which is skipped

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._count(tag, 1)
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
        elif tag == "a" and _is_back_link(dict(attrs).get("class")):
            self.back_link = True
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self._new_line()
        elif tag in _CELL_TAGS:
            if self.cells:  # an empty cell keeps its place in the row
                self.lines[-1] += CELL_SEPARATOR
            self.cells += 1

    def handle_endtag(self, tag: str) -> None:
        self._count(tag, -1)
        if tag == "math" and self.inline_math:
            self.inline_math = False
        elif tag == "a" and self.back_link:
            self.back_link = False
            self.skip_depth -= 1
        elif tag in {"sup", "math"} and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self._new_line()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.lines[-1] += data
        if not self.kinds[-1] and self.lines[-1].strip():
            self.kinds[-1] = _kind(self.open_headings, self.open_items)

    def _new_line(self) -> None:
        self.lines.append("")
        self.kinds.append("")
        self.cells = 0

    def _count(self, tag: str, step: int) -> None:
        if tag == "li":
            self.open_items = max(0, self.open_items + step)
        elif tag in _HEADING_TAGS:
            self.open_headings = max(0, self.open_headings + step)


def _is_back_link(classes: str | None) -> bool:
    """Whether an <a> is a footnote's "↩︎" link back to its marker: navigation, not text."""
    return classes is not None and "footnote-backref" in classes.split()


def _kind(open_headings: int, open_items: int) -> str:
    """What a line is written in, from the headings and list items open where its text
    begins: a heading, a list item (nested and loose lists included), or anything else."""
    return HEADING if open_headings else ITEM if open_items else ""


def text_and_kinds(html: str) -> tuple[str, tuple[str, ...]]:
    """`html_to_text(html)` and `line_kinds(html)` from one reading of the HTML (an import
    reads each section once for both)."""
    lines, kinds = _read_lines(html)
    text: list[str] = []
    text_kinds: list[str] = []
    for line, kind in zip(lines, kinds, strict=True):
        if collapsed := " ".join(line.split()):
            text.append(collapsed)
            text_kinds.append(kind)
    return "\n".join(text), tuple(text_kinds)


def html_to_text(html: str) -> str:
    """Plain text of rendered HTML: one line per paragraph, list item or table row.

    An inline formula is read as the text the page shows for it, its MathML's text content
    ("x^" for $\\hat{x}$, "λ" for $\\lambda$), so a sentence that holds one is quoted as the
    learner sees it (and as the citation's highlight finds it); a displayed formula, a block of
    its own that no one quotes, as its TeX source, which search reads better."""
    stripped = (" ".join(line.split()) for line in _read_lines(html)[0])
    return "\n".join(line for line in stripped if line)


def line_kinds(html: str) -> tuple[str, ...]:
    """What each line of `html_to_text(html)` is in the source: `HEADING` (a sub-heading),
    `ITEM` (a list item's text) or "" (a paragraph, a table row, a quote...). The tutor reads
    a list that a heading introduces from it; the plain text alone cannot tell."""
    return text_and_kinds(html)[1]


def _read_lines(html: str) -> tuple[list[str], list[str]]:
    """The lines of `html` before whitespace is collapsed, and each one's kind."""
    read = _serialised_lines(html)
    if read is None:
        extractor = _LineExtractor()
        extractor.feed(html)
        extractor.close()
        read = extractor.lines, extractor.kinds
    return read


# What the sanitizer writes (sanitize.py): text with every "<" escaped, start tags whose
# attribute values are double-quoted, plain end tags; no comments, doctypes or raw-text
# elements. Such HTML is tokenised here by one regular expression and read the way
# `_LineExtractor` (Python's HTMLParser) reads it, in a third of the time: an import turns
# every section of every lesson into text. Anything the grammar does not cover goes to
# `_LineExtractor`; tests/test_rendering.py checks that both give the same lines and kinds.
_ATTRIBUTES = r'(?:[ \t\n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*'
_TOKEN_RE = re.compile(
    rf"<([a-zA-Z][a-zA-Z0-9]*)({_ATTRIBUTES})[ \t\n]*(/?)>|</([a-zA-Z][a-zA-Z0-9]*)>|([^<]+)"
)
_ATTRIBUTE_RE = re.compile(r'[ \t\n]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_RAW_TEXT_TAGS = frozenset({"script", "style"})


def _serialised_lines(html: str) -> tuple[list[str], list[str]] | None:
    """`_LineExtractor`'s lines and kinds, or None for HTML outside the sanitizer's grammar."""
    lines = [""]
    kinds = [""]
    skip_depth = 0
    cells = 0  # the cells opened on the current line
    open_headings = open_items = 0
    inline_math = False
    back_link = False  # inside a footnote's link back to its marker
    end = 0
    for match in _TOKEN_RE.finditer(html):
        if match.start() != end:
            return None  # a token the grammar does not cover
        end = match.end()
        tag, attributes, closed, end_tag, data = match.groups()
        if data is not None:
            if not skip_depth:
                lines[-1] += unescape(data) if "&" in data else data
            if not kinds[-1] and lines[-1].strip():
                kinds[-1] = _kind(open_headings, open_items)
            continue
        if tag is not None:
            tag = tag.lower()
            if tag in _RAW_TEXT_TAGS:
                return None
            if tag == "li":
                open_items += 1
            elif tag in _HEADING_TAGS:
                open_headings += 1
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
                elif tag == "a" and "footnote-backref" in attributes and not closed:
                    values = dict(_ATTRIBUTE_RE.findall(attributes))
                    if _is_back_link(values.get("class")):
                        back_link = True
                        skip_depth += 1
                if tag in _BLOCK_TAGS:
                    lines.append("")
                    kinds.append("")
                    cells = 0
                elif tag in _CELL_TAGS:
                    if cells:  # an empty cell keeps its place in the row
                        lines[-1] += CELL_SEPARATOR
                    cells += 1
            if not closed:
                continue
            end_tag = tag  # "<br/>": HTMLParser sends a start and an end
        end_tag = end_tag.lower()
        if end_tag == "li":
            open_items = max(0, open_items - 1)
        elif end_tag in _HEADING_TAGS:
            open_headings = max(0, open_headings - 1)
        if end_tag == "math" and inline_math:
            inline_math = False
        elif end_tag == "a" and back_link:
            back_link = False
            skip_depth -= 1
        elif end_tag in {"sup", "math"} and skip_depth:
            skip_depth -= 1
        if end_tag in _BLOCK_TAGS:
            lines.append("")
            kinds.append("")
            cells = 0
    if end != len(html):
        return None
    return lines, kinds


_INLINE_MATH_RE = re.compile(r"<math\b([^>]*)>(.*?)</math>", re.DOTALL | re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def inline_formulas(html: str) -> tuple[str, ...]:
    """The text `html_to_text` reads for each inline formula of `html`, in order: the tutor
    takes a formula for words of its sentence, never for code ("f(x)=x2"). A section without
    math costs one substring test, so the import still reads most sections once."""
    if "<math" not in html:
        return ()
    found = []
    for match in _INLINE_MATH_RE.finditer(html):
        if 'display="block"' not in match[1].lower():
            text = " ".join(unescape(_TAG_RE.sub("", match[2])).split())
            if text:
                found.append(text)
    return tuple(found)
