"""The one place where HTML from a lesson file is made safe.

Everything rendered from Markdown passes through `sanitize_html` before it is stored, with an
explicit allowlist. The allowlist deliberately avoids every precondition of bleach's published
vulnerabilities (no svg/math/style/noscript/script/iframe/textarea/xmp/noframes/title/object/embed/
form tags, no style or on* attributes), and only http, https and mailto URLs survive besides
relative ones. bleach is in security-fix-only maintenance; swapping it (for nh3, say) means
rewriting this module only, and tests/test_sanitize.py says what must still hold.
"""

from __future__ import annotations

import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
        "em", "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
        "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# Attributes per tag. `id` comes from heading anchors and footnotes; `class` only with the
# values Python-Markdown itself produces (checked in `_allow_attribute`).
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "id", "class", "rel"}),
    "abbr": frozenset({"title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "code": frozenset({"class"}),
    "div": frozenset({"class"}),
    "ol": frozenset({"start"}),
    "li": frozenset({"id"}),
    "sup": frozenset({"id"}),
    "th": frozenset({"align", "colspan", "rowspan", "scope"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "h3": frozenset({"id"}),
    "h4": frozenset({"id"}),
    "h5": frozenset({"id"}),
    "h6": frozenset({"id"}),
}

_CLASS_VALUE_RE = re.compile(r"^(language-[\w+#.-]{1,40}|footnote|footnote-ref|footnote-backref)$")
_ID_VALUE_RE = re.compile(r"^[A-Za-z][\w:.-]{0,120}$")
_NUMBER_RE = re.compile(r"^\d{1,4}$")


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return bool(_CLASS_VALUE_RE.match(value))
    if name == "id":
        return bool(_ID_VALUE_RE.match(value))
    if name in {"width", "height", "colspan", "rowspan", "start"}:
        return bool(_NUMBER_RE.match(value))
    if name == "align":
        return value in {"left", "right", "center"}
    return True


def _link_rel(attrs: dict, new: bool = False) -> dict:
    """Every link gets rel="noopener"; an absolute one also "noreferrer"."""
    href = attrs.get((None, "href"), "")
    attrs[(None, "rel")] = (
        "noopener noreferrer" if href.startswith(("http:", "https:")) else "noopener"
    )
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code"})],
)


def sanitize_html(html: str) -> str:
    """Returns ``html`` with everything outside the allowlist removed."""
    return _cleaner.clean(html)
