"""The one place where HTML from a lesson file is made safe.

Everything rendered from Markdown passes through `sanitize_html` before it is stored. nh3
(Python bindings to the Rust crate ammonia, which parses with html5ever the way a browser
does and writes its own serialisation) keeps only what is on the allowlist below.

The allowlist stays clear of every precondition of bleach's published advisories: no svg,
style, noscript, script, iframe, textarea, xmp, noframes, title, object, embed or form tags;
no style or on* attributes; comments always stripped. MathML is allowed because math is
rendered to it at import time; the mutation-XSS advisories that involved `math` also needed a
raw-text element (style, noscript, title, …) allowed beside it and comments kept, and none of
those is. No MathML element that can carry HTML or run anything is allowed (no
annotation-xml, maction, mglyph, semantics) and no MathML element may have `href`.

Only http, https and mailto URLs survive besides relative ones; a URL's scheme is read after
removing whitespace and control characters, as a browser does, so `java\\tscript:` is caught.
"""

from __future__ import annotations

import re

import nh3
from pygments.token import STANDARD_TYPES

from .markup import ALERT_KINDS, HIGHLIGHT_CLASS_PREFIX

MATHML_TAGS = frozenset(
    {
        "math", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
        "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle",
        "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
    }
)  # fmt: skip

HTML_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
        "dl", "dt", "em", "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "section",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_TAGS = HTML_TAGS | MATHML_TAGS

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_MATHML_ATTRIBUTES = frozenset(
    {
        "accent", "accentunder", "columnalign", "columnlines", "columnspacing", "depth",
        "display", "displaystyle", "fence", "form", "frame", "height", "largeop", "linethickness",
        "lspace", "mathcolor", "mathvariant", "maxsize", "minsize", "movablelimits", "notation",
        "rowalign", "rowlines", "rowspacing", "rspace", "scriptlevel", "separator", "stretchy",
        "symmetric", "voffset", "width",
    }
)  # fmt: skip

# Attributes per tag. `id` comes from heading anchors and footnotes; `class` only with the
# values our renderer itself produces (checked in `_filter_attribute`).
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "id", "class"}),
    "abbr": frozenset({"title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "code": frozenset({"class"}),
    "span": frozenset({"class"}),
    "div": frozenset({"class", "role"}),
    "p": frozenset({"class"}),
    "figure": frozenset({"class"}),
    "section": frozenset({"class"}),
    "hr": frozenset({"class"}),
    "ol": frozenset({"start", "class"}),
    "ul": frozenset({"class"}),
    "li": frozenset({"id", "class"}),
    "input": frozenset({"type", "class", "checked", "disabled", "aria-label"}),
    "sup": frozenset({"id", "class"}),
    "th": frozenset({"align", "colspan", "rowspan", "scope"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "h3": frozenset({"id"}),
    "h4": frozenset({"id"}),
    "h5": frozenset({"id"}),
    "h6": frozenset({"id"}),
    "details": frozenset({"open"}),
    **{tag: _MATHML_ATTRIBUTES for tag in MATHML_TAGS},
    "math": _MATHML_ATTRIBUTES | {"alttext"},
}

_HIGHLIGHT_CLASSES = frozenset(
    HIGHLIGHT_CLASS_PREFIX + short for short in STANDARD_TYPES.values() if short
)
_ALERT_CLASSES = frozenset(f"markdown-alert-{kind}" for kind in ALERT_KINDS) | {"markdown-alert"}
_CLASSES: dict[str, frozenset[str]] = {
    "span": _HIGHLIGHT_CLASSES,
    "div": _ALERT_CLASSES,
    "p": frozenset({"markdown-alert-title"}),
    "figure": frozenset({"pull-quote"}),
    "section": frozenset({"footnotes"}),
    "hr": frozenset({"footnotes-sep"}),
    "ol": frozenset({"footnotes-list"}),
    "ul": frozenset({"contains-task-list"}),
    "li": frozenset({"task-list-item", "footnote-item"}),
    "input": frozenset({"task-list-item-checkbox"}),
    "a": frozenset({"footnote-backref"}),
    "sup": frozenset({"footnote-ref"}),
    "code": frozenset({"math-error"}),
}
_LANGUAGE_CLASS_RE = re.compile(r"^language-[\w+#.-]{1,40}$")
_ID_VALUE_RE = re.compile(r"^[^\W\d_][\w:.-]{0,190}$")
_NUMBER_RE = re.compile(r"^\d{1,4}$")
_LENGTH_RE = re.compile(r"^-?[\d.]{1,8}(em|ex|px|pt|%|mu)?$|^(true|false|0)$")
_MATH_WORD_RE = re.compile(r"^[\w #.,-]{1,40}$")
_UNSEEN_RE = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_is_allowed(value: str) -> bool:
    """Relative URLs and http, https and mailto ones; the scheme read as a browser reads it."""
    compact = _UNSEEN_RE.sub("", value)
    scheme = _SCHEME_RE.match(compact)
    return scheme is None or scheme[1].lower() in ALLOWED_PROTOCOLS


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "a" and name == "rel":  # ammonia's own link_rel, filtered after it is set
        return value
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return None
    if name in {"href", "src"}:
        return value if url_is_allowed(value) else None
    if name == "class":
        if tag == "code" and _LANGUAGE_CLASS_RE.match(value):
            return value
        allowed = _CLASSES.get(tag, frozenset())
        kept = [part for part in value.split() if part in allowed]
        return " ".join(kept) or None
    if name == "id":
        return value if _ID_VALUE_RE.match(value) else None
    if name in {"colspan", "rowspan", "start"} or (name in {"width", "height"} and tag == "img"):
        return value if _NUMBER_RE.match(value) else None
    if name == "align":
        return value if value in {"left", "right", "center"} else None
    if name == "role":
        return value if value == "note" else None
    if name == "type":
        return value if value == "checkbox" else None
    if name == "aria-label":
        return value if value in {"Done", "Not done"} else None
    if tag == "math" and name == "alttext":
        return value  # the TeX source, as text
    if tag in MATHML_TAGS:
        return value if _LENGTH_RE.match(value) or _MATH_WORD_RE.match(value) else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(ALLOWED_PROTOCOLS),
    strip_comments=True,
    link_rel="noopener noreferrer",
    # A task-list tick can never be ticked by the reader or submitted with a form.
    set_tag_attribute_values={"input": {"disabled": "disabled"}},
)


def sanitize_html(html: str) -> str:
    """Returns ``html`` with everything outside the allowlist removed."""
    return _cleaner.clean(html)
