"""Where mdit-py-plugins' GFM autolinks fall short of cmark-gfm, two core rules close the gap.

The plugin finds bare links while the inline rules run, so it sees the source around a link
before emphasis is resolved. cmark-gfm (GitHub's parser) links what is left as text after
emphasis, so two things GitHub links came out as text here:

- a '_' inside an address's local part goes to the emphasis rule first, and the plugin, which
  reads the local part back from the text pending before '@', links only what follows it:
  `a.b-c_d@a.b` linked `d@a.b` (GFM spec example 631);
- the '_' that closes an emphasis right after a link is read as part of the domain, which
  makes the domain invalid: `_see https://example.org_` linked nothing.

Both rules work on the finished token stream, after emphasis, as cmark-gfm does, and reuse
the plugin's own matchers, so what counts as a link stays the plugin's decision. Those live
in its `_match` module, which the package does not export: an upgrade that moves them fails
at import, and tests/test_gfm_spec.py checks the behaviour.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.gfm_autolink._match import check_prev, match_email, match_http, match_www

_EMAIL_LOCAL_TAIL_RE = re.compile(r"[A-Za-z0-9.+_-]+$")
# Where a link may start inside the last word of a text: its start, or after * _ ~ (.
_LINK_START_RE = re.compile(r"(?:^|(?<=[\s*_~(]))(?=www\.|https?://|[A-Za-z0-9.+_-]+@)")
# Tokens after which a text token's start counts as a link's start (GFM: line start, space,
# or one of * _ ~ ( ).
_OPENERS = frozenset({"em_open", "strong_open", "s_open", "softbreak", "hardbreak"})


def gfm_autolink_fixes(md: MarkdownIt) -> None:
    md.core.ruler.push("glassbox_whole_email_autolinks", _whole_email_autolinks)
    md.core.ruler.push("glassbox_links_before_underscores", _links_before_underscores)


def _whole_email_autolinks(state: StateCore) -> None:
    """A bare e-mail link takes back the start of its local part that '_' split off, as
    cmark-gfm does: the address runs back over every letter, digit, '.', '+', '-', '_'."""
    for block in state.tokens:
        if block.type != "inline" or "@" not in block.content or not block.children:
            continue
        children = block.children
        for index in range(1, len(children) - 1):
            link, before, label = children[index], children[index - 1], children[index + 1]
            if link.type != "link_open" or link.info != "auto" or before.type != "text":
                continue
            href = str(link.attrGet("href") or "")
            if href != f"mailto:{label.content}":  # only bare addresses, not 'mailto:…' ones
                continue
            tail = _EMAIL_LOCAL_TAIL_RE.search(before.content)
            if tail is None:
                continue
            address = tail[0] + label.content
            url = state.md.normalizeLink(f"mailto:{address}")
            if not state.md.validateLink(url):
                continue
            before.content = before.content[: tail.start()]
            label.content = address
            link.attrSet("href", url)


def _links_before_underscores(state: StateCore) -> None:
    """Text that ends where a '_' emphasis closes is checked again for a link at its end."""
    for block in state.tokens:
        if block.type != "inline" or "_" not in block.content or not block.children:
            continue
        children = block.children
        replaced: list[Token] = []
        in_link = 0
        for index, token in enumerate(children):
            if token.type == "link_open":
                in_link += 1
            elif token.type == "link_close":
                in_link -= 1
            after = children[index + 1] if index + 1 < len(children) else None
            if (
                token.type == "text"
                and not in_link
                and after is not None
                and after.type in {"em_close", "strong_close"}
                and after.markup.startswith("_")
            ):
                previous = children[index - 1] if index else None
                replaced.extend(_link_at_end(state, token, previous))
            else:
                replaced.append(token)
        block.children = replaced


def _link_at_end(state: StateCore, text: Token, previous: Token | None) -> list[Token]:
    content = text.content
    word_start = len(content) - len(content.split()[-1]) if content.strip() else len(content)
    for match in _LINK_START_RE.finditer(content, word_start):
        start = match.start()
        if start == 0 and not (previous is None or previous.type in _OPENERS):
            continue
        if start > 0 and not check_prev(content[start - 1]):
            continue
        rest = content[start:]
        found = match_www(rest) or match_http(rest) or match_email(rest)
        if found is None:
            continue
        url = state.md.normalizeLink(found[0])
        if not state.md.validateLink(url):
            continue
        link_open = Token("link_open", "a", 1, attrs={"href": url}, markup="autolink", info="auto")
        link_open.level = text.level
        end = start + found[1]  # trailing punctuation stays outside, as the plugin leaves it
        label = Token("text", "", 0, content=state.md.normalizeLinkText(content[start:end]))
        link_close = Token("link_close", "a", -1, markup="autolink", info="auto")
        before = Token("text", "", 0, content=content[:start])
        after = Token("text", "", 0, content=content[end:])
        return [before, link_open, label, link_close, after]
    return [text]
