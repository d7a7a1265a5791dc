"""A result card's passage: the paragraph of a lesson's text that best matches a search, cut to
a few dozen words, escaped, each match in <mark>. Plain Python, without Django.

The engines' own highlighters (FTS5's snippet(), PostgreSQL's ts_headline) tokenise a lesson's
whole text for every hit, and cost more than ranking the catalog did. Here one regular
expression over the stored text finds the words that could match, and only those are stemmed,
so a passage costs a few dozen microseconds; the same code serves both databases, so a card
reads the same on each.

A word matches a search word when both have the same English (Snowball) stem, as the engines
match them; the search's last word also matches as a prefix, as results follow typing.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

PASSAGE_WORDS = 28
# Words shown before the first match, so it reads in context rather than at the very start.
LEAD_WORDS = 6
ELLIPSIS = "…"

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # a Snowball stemmer object is not thread-safe
_SPACE_RE = re.compile(r"\S+")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    with _STEM_LOCK:
        return _STEMMER.stemWord(word.lower())


class Matcher:
    """The words of one search, ready to be found in any number of texts."""

    def __init__(self, stems: tuple[str, ...]) -> None:
        self.stems = stems  # the stems of the search's words, the last one a prefix
        # A stem is a prefix of its words except for a rewritten ending ("happi" of "happy"),
        # so a word sharing all but the stem's last letter is a candidate, and its stem decides.
        starts = {s[:-1] if len(s) > 3 else s for s in stems}
        alternatives = "|".join(re.escape(start) for start in sorted(starts, key=len))
        self.candidates = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE)
        self._known: dict[str, int | None] = {}

    @classmethod
    def for_words(cls, words: Sequence[str]) -> Matcher | None:
        """``words`` as `search.query.terms` gives them: lower-case, the last one a prefix."""
        return cls(tuple(stem(word) for word in words)) if words else None

    def which(self, word: str) -> int | None:
        """Which search word ``word`` matches (an index into the search's words), if any."""
        if word in self._known:
            return self._known[word]
        word_stem = stem(word)
        *whole, prefix = self.stems
        index = next((i for i, s in enumerate(whole) if s == word_stem), None)
        if index is None and word_stem.startswith(prefix):
            index = len(whole)
        self._known[word] = index
        return index


def passage(text: str, matcher: Matcher, *, words: int = PASSAGE_WORDS) -> str:
    """HTML: the paragraph (a line of ``text``) matching the most distinct search words (the
    first such), about ``words`` words of it around its first match, escaped, each match in
    <mark>. With no match in the text (a lesson found by its title or key terms), its start."""
    best: _Paragraph | None = None
    current: _Paragraph | None = None
    for match in matcher.candidates.finditer(text):
        index = matcher.which(match[0])
        if index is None:
            continue
        if current is None or match.start() > current.end:
            if current is not None and (best is None or current.distinct > best.distinct):
                best = current
                if best.distinct == len(matcher.stems):
                    break
            current = _Paragraph.around(text, match.start())
        current.add(match.start(), match.end(), index)
    else:
        if current is not None and (best is None or current.distinct > best.distinct):
            best = current
    if best is None:
        first = next((line for line in text.split("\n") if line.strip()), "")
        return _cut(first, [], words)
    return _cut(text[best.start : best.end], best.found, words)


@dataclass
class _Paragraph:
    """A line of a text, with the matches found in it (offsets from its start)."""

    start: int
    end: int
    found: list[tuple[int, int, int]]
    words: set[int]

    @classmethod
    def around(cls, text: str, position: int) -> _Paragraph:
        end = text.find("\n", position)
        return cls(text.rfind("\n", 0, position) + 1, len(text) if end < 0 else end, [], set())

    @property
    def distinct(self) -> int:
        return len(self.words)

    def add(self, start: int, end: int, index: int) -> None:
        self.found.append((start - self.start, end - self.start, index))
        self.words.add(index)


def _cut(paragraph: str, found: list[tuple[int, int, int]], words: int) -> str:
    spans = [match.span() for match in _SPACE_RE.finditer(paragraph)]
    if not spans:
        return ""
    first_match = next((i for i, (_s, end) in enumerate(spans) if found and end > found[0][0]), 0)
    start = max(0, min(first_match - LEAD_WORDS, len(spans) - words))
    stop = min(len(spans), start + words)
    begin, end = spans[start][0], spans[stop - 1][1]
    out = [f"{ELLIPSIS} "] if start > 0 else []
    position = begin
    for match_start, match_end, _index in found:
        if match_start < begin or match_end > end:
            continue
        out += [html.escape(paragraph[position:match_start], quote=False), "<mark>"]
        out += [html.escape(paragraph[match_start:match_end], quote=False), "</mark>"]
        position = match_end
    out.append(html.escape(paragraph[position:end], quote=False))
    if stop < len(spans):
        out.append(f" {ELLIPSIS}")
    return "".join(out)
