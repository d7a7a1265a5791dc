"""Markdown to safe HTML, done once at import time and stored.

Python-Markdown renders (tables, fenced code, footnotes, definition lists, abbreviations,
heading ids; not attr_list, which would let authors write arbitrary attributes), then
`sanitize.sanitize_html` removes anything not on the allowlist: raw HTML in a lesson is
sanitized, never trusted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .sanitize import sanitize_html

_ABSOLUTE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^/|^#")
_ID_ATTRIBUTE_RE = re.compile(r'\bid="([^"]+)"')
_PARAGRAPH_RE = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


class _AssetUrls(Treeprocessor):
    """Points relative image paths at the course's asset URL."""

    base_url = ""

    def run(self, root: Element) -> None:
        if not self.base_url:
            return
        for image in root.iter("img"):
            src = image.get("src", "")
            if src and not _ABSOLUTE_URL_RE.match(src):
                image.set("src", self.base_url + src.removeprefix("./"))


class _AssetUrlExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        self.processor = _AssetUrls(md)
        md.treeprocessors.register(self.processor, "glassbox_asset_urls", 1)


_local = threading.local()


def _converter() -> tuple[markdown.Markdown, _AssetUrls]:
    """One Markdown instance per thread: building one costs far more than a conversion."""
    if not hasattr(_local, "md"):
        asset_urls = _AssetUrlExtension()
        _local.md = markdown.Markdown(
            extensions=[
                "abbr",
                "def_list",
                "fenced_code",
                "footnotes",
                "tables",
                "sane_lists",
                "toc",
                asset_urls,
            ],
            extension_configs={
                "tables": {"use_align_attribute": True},
                "toc": {"permalink": False},
                "footnotes": {"UNIQUE_IDS": True},
            },
            output_format="html",
        )
        _local.asset_urls = asset_urls.processor
    return _local.md, _local.asset_urls


def render_markdown(text: str, *, asset_base_url: str = "") -> str:
    """Renders block Markdown (a section, an explanation) to sanitized HTML."""
    md, asset_urls = _converter()
    md.reset()
    asset_urls.base_url = asset_base_url
    return sanitize_html(md.convert(text))


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
     "caption", "table", "ul", "ol", "div", "br", "hr"}
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "sup":  # footnote markers are noise in running text
            self.skip_depth += 1
        if tag in _BLOCK_TAGS:
            self.lines.append("")
        elif tag in _CELL_TAGS and self.lines[-1].strip():
            self.lines[-1] += " | "

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" and self.skip_depth:
            self.skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self.lines.append("")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.lines[-1] += data


def html_to_text(html: str) -> str:
    """Plain text of rendered HTML: one line per paragraph, list item or table row."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(line.split()) for line in extractor.lines)
    return "\n".join(line for line in lines if line)
