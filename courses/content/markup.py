"""The one Markdown dialect of a lesson: CommonMark plus the GitHub pieces authors expect.

markdown-it-py parses CommonMark 0.31.2 exactly; mdit-py-plugins add GFM tables,
strikethrough, autolinks, task lists (shown as disabled ticks), alerts (`> [!NOTE]`),
footnotes and `$…$` / `$$…$$` math. The section splitter (body.py) and the renderer
(rendering.py) use the same parser, so what splits a lesson into sections is exactly what
renders a heading.

Our own additions, each a small rule on the token stream or in the renderer:

- GFM's tag filter (mdit-py-plugins leaves it out): raw `<script>`, `<style>`, `<iframe>`,
  `<title>`, `<textarea>`, `<xmp>`, `<noembed>`, `<noframes>` and `<plaintext>` have their
  `<` escaped, so they show as text, as in GitHub's preview (sanitize.py still cleans all);
- struck-through text is `<del>`, as GFM writes it, not markdown-it's `<s>`;
- bare links that mdit-py-plugins' autolinks miss next to a `_` are found (autolinks.py);
- alerts become `role="note"` regions with their visible title;
- a block quote whose last paragraph starts with an em dash (`— Someone`) becomes a pull
  quote: `<figure class="pull-quote"><blockquote>…</blockquote><figcaption>…`;
- a paragraph `Table: caption` right after a table becomes that table's `<caption>`.

Math is converted to MathML and code is highlighted with Pygments here, at import time, so a
page needs no script and the strict Content-Security-Policy stays as it is.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from html import escape

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm import gfm_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .autolinks import gfm_autolink_fixes

HIGHLIGHT_CLASS_PREFIX = "hl-"
ALERT_KINDS = ("note", "tip", "important", "warning", "caution")
_ATTRIBUTION_RE = re.compile(r"^(?:—|―|--)\s*(?=\S)")
_CAPTION_RE = re.compile(r"^Table:\s*(?=\S)")
# GFM's disallowed raw HTML: these names after '<' or '</', then whitespace, '>' or '/>'.
_DISALLOWED_RAW_TAG_RE = re.compile(
    r"<(?=/?(?:title|textarea|style|xmp|iframe|noembed|noframes|script|plaintext)"
    r"(?:[ \t\n\v\f\r>]|/>))",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Anchors
# ---------------------------------------------------------------------------------------------
def _ascii_slug(value: str) -> str:
    """The slug every shipped anchor was made with (Python-Markdown's toc), kept byte for byte."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def _is_latin(value: str) -> bool:
    """True when dropping accents leaves every letter and digit ASCII (so the ASCII slug loses
    nothing an author wrote)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return all(
        char.isascii() or unicodedata.combining(char) or not (char.isalnum() or char == "_")
        for char in decomposed
    )


def slugify(value: str) -> str:
    """A heading's anchor: ASCII for Latin text (as before), Unicode letters for any other script.

    "Grown, not built" -> "grown-not-built"; "Café crème" -> "cafe-creme";
    "Что такое признак" -> "что-такое-признак"; "稀疏自编码器" -> "稀疏自编码器".
    """
    if _is_latin(value):
        return _ascii_slug(value)
    value = unicodedata.normalize("NFKC", value)
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


# ---------------------------------------------------------------------------------------------
# Math and code, rendered at import time
# ---------------------------------------------------------------------------------------------
class MathError(ValueError):
    """TeX that cannot be turned into MathML."""


@lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for ``tex``; raises MathError when the TeX is not understood."""
    try:
        mathml = latex_to_mathml(tex.strip(), display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many types; all mean "bad TeX"
        raise MathError(str(error) or type(error).__name__) from None
    if "<mi>&</mi>" in mathml:  # latex2mathml passes an alignment '&' it cannot place through
        raise MathError(
            "'&' alignment is only understood inside \\begin{array}{rcl} … \\end{array}"
        )
    # The TeX source rides along as alttext: read by assistive technology and by the tutor.
    return mathml.replace(
        ' xmlns="http://www.w3.org/1998/Math/MathML"', f' alttext="{escape(tex.strip())}"', 1
    )


def _render_math(content: str, options: dict) -> str:
    display = bool(options.get("display_mode"))
    try:
        return tex_to_mathml(content, display)
    except MathError:
        # Validation reports the problem at its line; a preview still shows the source.
        return f'<code class="math-error">{escape(content)}</code>'


def _task_list_item_open(self, tokens, index, options, env) -> str:
    """markdown-it's task-list tick, read-only and named, so a screen reader says what it is."""
    token = tokens[index]
    html = self.renderToken(tokens, index, options, env)
    if token.meta and "checked" in token.meta:
        checked = token.meta["checked"]
        state = ' checked="" aria-label="Done"' if checked else ' aria-label="Not done"'
        html += f'<input class="task-list-item-checkbox" disabled="" type="checkbox"{state}> '
    return html


def _raw_html(self, tokens, index, options, env) -> str:
    """Raw HTML as written, except the tags GFM's tag filter disallows, which become text."""
    return _DISALLOWED_RAW_TAG_RE.sub("&lt;", tokens[index].content)


def _deleted(self, tokens, index, options, env) -> str:
    return "<del>" if tokens[index].nesting == 1 else "</del>"


def _math_rule(*, display: bool, block: bool = False):
    def render(self, tokens, index, options, env) -> str:
        html = _render_math(tokens[index].content, {"display_mode": display})
        return f"{html}\n" if block else html

    return render


_formatter = HtmlFormatter(nowrap=True, classprefix=HIGHLIGHT_CLASS_PREFIX)


@lru_cache(maxsize=256)
def _lexer(language: str):
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def highlight(code: str, language: str, attrs: str) -> str:
    """Pygments token spans for a fenced block in a language it knows; '' leaves it plain."""
    lexer = _lexer(language.lower()) if language else None
    if lexer is None:
        return ""
    html = pygments_highlight(code, lexer, _formatter)
    # markdown-it wraps the result in <pre><code class="language-…">; keep the final newline
    # exactly as CommonMark would.
    return html if html.endswith("\n") == code.endswith("\n") else html.rstrip("\n")


# ---------------------------------------------------------------------------------------------
# Our core rules
# ---------------------------------------------------------------------------------------------
def _heading_ids(state: StateCore) -> None:
    """Sub-headings inside a section (### and below) get anchors, as sections do."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in {"h3", "h4", "h5", "h6"}:
            inline = tokens[index + 1]
            text = "".join(
                child.content for child in inline.children or () if child.type in _TEXT_TYPES
            )
            anchor = slugify(text)
            if anchor:
                token.attrSet("id", anchor)


_TEXT_TYPES = frozenset({"text", "code_inline", "math_inline", "math_inline_double"})


def _alert_roles_and_cell_alignment(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "alert_open":
            token.attrSet("role", "note")
        elif token.type in {"th_open", "td_open"} and token.attrs:
            # align= rather than style=: the sanitizer never lets a style attribute through.
            style = str(token.attrs.pop("style", ""))
            if style.startswith("text-align:"):
                token.attrSet("align", style.removeprefix("text-align:"))


def _pull_quotes(state: StateCore) -> None:
    """`> quote` whose last paragraph starts '— Name' -> figure, blockquote and figcaption."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "blockquote_close":
            index += 1
            continue
        # The last three tokens before the close are paragraph_open, inline, paragraph_close.
        if index < 3 or tokens[index - 3].type != "paragraph_open":
            index += 1
            continue
        inline = tokens[index - 2]
        opening = _matching_open(tokens, index)
        match = _ATTRIBUTION_RE.match(inline.content)
        if not match or opening is None or opening == index - 4:
            index += 1
            continue
        _strip_prefix(inline, match.end())
        level = token.level
        caption_open = Token("figcaption_open", "figcaption", 1, level=level + 1)
        caption_close = Token("figcaption_close", "figcaption", -1, level=level + 1)
        figure_open = Token("figure_open", "figure", 1, level=level)
        figure_open.attrSet("class", "pull-quote")
        figure_open.map = inline.map  # where the attribution is written
        figure_close = Token("figure_close", "figure", -1, level=level)
        for new in (figure_open, figure_close, caption_close):
            new.block = True
        # Move the attribution paragraph's inline out of the quote, into the caption.
        del tokens[index - 3 : index]
        close_at = index - 3
        tokens[close_at + 1 : close_at + 1] = [caption_open, inline, caption_close, figure_close]
        tokens.insert(opening, figure_open)
        index = close_at + 6


def _matching_open(tokens: list[Token], close_index: int) -> int | None:
    level = tokens[close_index].level
    for index in range(close_index - 1, -1, -1):
        if tokens[index].type == "blockquote_open" and tokens[index].level == level:
            return index
    return None


def _strip_prefix(inline: Token, length: int) -> None:
    inline.content = inline.content[length:]
    if inline.children and inline.children[0].type == "text":
        first = inline.children[0]
        first.content = _ATTRIBUTION_RE.sub("", first.content, count=1)


def _table_captions(state: StateCore) -> None:
    """A `Table: …` paragraph right after a table becomes that table's caption."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        if tokens[index].type != "table_close" or index + 3 >= len(tokens):
            index += 1
            continue
        para, inline = tokens[index + 1], tokens[index + 2]
        match = _CAPTION_RE.match(inline.content) if inline.type == "inline" else None
        if para.type != "paragraph_open" or para.level != tokens[index].level or not match:
            index += 1
            continue
        opening = next(
            i for i in range(index - 1, -1, -1)
            if tokens[i].type == "table_open" and tokens[i].level == tokens[index].level
        )  # fmt: skip
        inline.content = inline.content[match.end() :]
        if inline.children and inline.children[0].type == "text":
            inline.children[0].content = _CAPTION_RE.sub("", inline.children[0].content, count=1)
        level = tokens[index].level + 1
        caption = [
            Token("caption_open", "caption", 1, level=level),
            inline,
            Token("caption_close", "caption", -1, level=level),
        ]
        caption[-1].block = True
        caption[0].map = para.map
        del tokens[index + 1 : index + 4]
        tokens[opening + 1 : opening + 1] = caption
        index += 3


# ---------------------------------------------------------------------------------------------
# The configured parser
# ---------------------------------------------------------------------------------------------
def build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight})
    gfm_plugin(md)
    md.options["strikethrough_single_tilde"] = False  # one '~' stays literal, as in CommonMark
    md.use(dollarmath_plugin, allow_labels=False, allow_digits=False, double_inline=True)
    md.use(deflist_plugin)
    # MathML straight into the text: <math> is phrasing content, so no wrapper is needed (the
    # plugin's own <div> for $$…$$ inside a paragraph would break the paragraph).
    md.add_render_rule("list_item_open", _task_list_item_open)
    md.add_render_rule("html_block", _raw_html)
    md.add_render_rule("html_inline", _raw_html)
    md.add_render_rule("s_open", _deleted)
    md.add_render_rule("s_close", _deleted)
    md.add_render_rule("math_inline", _math_rule(display=False))
    md.add_render_rule("math_inline_double", _math_rule(display=True))
    md.add_render_rule("math_block", _math_rule(display=True, block=True))
    gfm_autolink_fixes(md)
    md.core.ruler.push("glassbox_heading_ids", _heading_ids)
    md.core.ruler.push("glassbox_alerts_and_cells", _alert_roles_and_cell_alignment)
    md.core.ruler.push("glassbox_pull_quotes", _pull_quotes)
    md.core.ruler.push("glassbox_table_captions", _table_captions)
    return md


_local = threading.local()


def parser() -> MarkdownIt:
    """One parser per thread: building one costs far more than parsing a section."""
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = build_parser()
    return md


def block_parser() -> MarkdownIt:
    """The same dialect without the inline pass: enough to split a body into sections, at a
    fraction of the cost (body.py parses the inline content it checks itself)."""
    md = getattr(_local, "block_md", None)
    if md is None:
        md = _local.block_md = build_parser()
        md.disable("inline")
    return md


def highlight_css(style: str, background: str, *, scope: str = "") -> str:
    """CSS for highlighted code in Pygments' ``style``, every colour made to reach 4.5:1
    against ``background`` (WCAG AA); static/css/site.css holds its output (a test checks)."""
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES

    rules = []
    for token, spec in get_style_by_name(style):
        short = STANDARD_TYPES.get(token)
        if not short or not (spec["color"] or spec["bold"] or spec["italic"]):
            continue
        declarations = []
        if spec["color"]:
            declarations.append(f"color: #{_readable(spec['color'], background)}")
        if spec["bold"]:
            declarations.append("font-weight: 600")
        if spec["italic"]:
            declarations.append("font-style: italic")
        rules.append(f"{scope}.{HIGHLIGHT_CLASS_PREFIX}{short} {{ {'; '.join(declarations)}; }}")
    return "\n".join(rules)


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first.lstrip("#")), _luminance(second.lstrip("#"))))[::-1]
    return (high + 0.05) / (low + 0.05)


def _readable(colour: str, background: str) -> str:
    """``colour`` moved towards black or white (away from ``background``) until it reads."""
    colour = colour.lstrip("#").lower()
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    target = 0 if _luminance(background.lstrip("#")) > 0.4 else 255
    while contrast(colour, background) < 4.5:
        colour = "".join(
            f"{round(int(colour[i : i + 2], 16) * 0.92 + target * 0.08):02x}" for i in (0, 2, 4)
        )
    return colour
