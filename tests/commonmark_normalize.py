"""Our port of the CommonMark spec's HTML normaliser (commonmark-spec test/normalize.py).

It removes output differences the spec does not care about, so two renderers can be compared:
runs of whitespace outside <pre> become one space, whitespace around block tags goes,
attributes are sorted, character references are decoded (except the four that HTML must keep
escaped), and self-closing tags lose their slash.
"""

from __future__ import annotations

import html
import re
from html.entities import name2codepoint
from html.parser import HTMLParser
from urllib.parse import quote, unquote

_WHITESPACE_RE = re.compile(r"\s+")
BLOCK_TAGS = frozenset(
    {
        "article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li",
        "map", "button", "object", "canvas", "ol", "caption", "output", "col", "p", "colgroup",
        "pre", "dd", "progress", "div", "section", "dl", "table", "td", "dt", "tbody", "embed",
        "textarea", "fieldset", "tfoot", "figcaption", "th", "figure", "thead", "footer", "tr",
        "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style",
    }
)  # fmt: skip
_KEEP_ESCAPED = {"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;"}


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out = ""
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in {"starttag", "endtag"}
        after_block = after_tag and self.last_tag in BLOCK_TAGS
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = _WHITESPACE_RE.sub(" ", data)
        if after_block and not self.in_pre:
            data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out += data
        self.last = "data"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in BLOCK_TAGS:
            self.out = self.out.rstrip()
        self.out += f"</{tag}>"
        self.last_tag, self.last = tag, "endtag"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in BLOCK_TAGS:
            self.out = self.out.rstrip()
        self.out += f"<{tag}"
        for name, value in sorted(attrs):
            self.out += f" {name}"
            if name in {"href", "src"} and value is not None:
                self.out += f'="{quote(unquote(value), safe="/")}"'
            elif value is not None:
                self.out += f'="{html.escape(value, quote=True)}"'
        self.out += ">"
        self.last_tag, self.last = tag, "starttag"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.last = "endtag"

    def handle_comment(self, data: str) -> None:
        self.out += f"<!--{data}-->"
        self.last = "comment"

    def handle_decl(self, data: str) -> None:
        self.out += f"<!{data}>"
        self.last = "decl"

    unknown_decl = handle_decl

    def handle_pi(self, data: str) -> None:
        self.out += f"<?{data}>"
        self.last = "pi"

    def handle_entityref(self, name: str) -> None:
        code = name2codepoint.get(name)
        self._char(chr(code) if code is not None else None, f"&{name};")

    def handle_charref(self, name: str) -> None:
        try:
            char = chr(int(name[1:], 16) if name[:1] in {"x", "X"} else int(name))
        except (ValueError, OverflowError):
            char = None
        self._char(char, f"&#{name};")

    def _char(self, char: str | None, fallback: str) -> None:
        self.out += fallback if char is None else _KEEP_ESCAPED.get(char, char)
        self.last = "ref"


def normalize_html(text: str) -> str:
    parser = _Normaliser()
    parser.feed(text)
    parser.close()
    return parser.out
