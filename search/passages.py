"""A result card's passage: the paragraph of a lesson's text that best matches a search, cut to
a few dozen words, escaped, each match in <mark>. Plain Python, without Django.

The engines' own highlighters (FTS5's snippet(), PostgreSQL's ts_headline) tokenise a lesson's
whole text for every hit, and cost more than ranking the catalog did. Here the text is read a
paragraph at a time: each is searched lower-cased (str.find, in C) for the beginnings the
search's words could have, only the words found there are stemmed, and the reading stops at
the first paragraph holding every search word. A passage costs a few microseconds, and the
same code serves both databases, so a card reads the same on each.

A word matches a search word when both have the same English (Snowball) stem, as the engines
match them; the search's last word also matches as a prefix, as results follow typing.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache

import snowballstemmer

PASSAGE_WORDS = 28
# Words shown before the first match, so it reads in context rather than at the very start.
LEAD_WORDS = 6
ELLIPSIS = "…"

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # a Snowball stemmer object is not thread-safe
_WORD_RE = re.compile(r"\w+")
_WORD_CHAR_RE = re.compile(r"\w")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    with _STEM_LOCK:
        return _STEMMER.stemWord(word.lower())


class Matcher:
    """The words of one search, ready to be found in any number of texts."""

    def __init__(self, stems: tuple[str, ...]) -> None:
        self.stems = stems  # the stems of the search's words, the last one a prefix
        # A stem is a prefix of its words except for a rewritten ending ("happi" of "happy"),
        # so a word whose lower-cased form begins with all but the stem's last letter is a
        # candidate, and its stem decides.
        self.starts = tuple(sorted({s[:-1] if len(s) > 3 else s for s in stems}))
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

    def paragraphs(self, text: str) -> Iterator[tuple[str, list[tuple[int, int, int]]]]:
        """Each line of ``text`` holding a matching word, in order, with its matches: (start,
        end, search word), offsets in the line.

        The lower-cased text is searched for each start with str.find, each occurrence once,
        and only as far as the caller reads: lines without a start are never split off or
        read in Python.
        """
        lowered = _lower(text)
        upcoming = {start: lowered.find(start) for start in self.starts}
        while True:
            at = min((position for position in upcoming.values() if position >= 0), default=-1)
            if at < 0:
                return
            begin = lowered.rfind("\n", 0, at) + 1
            end = lowered.find("\n", at)
            end = len(lowered) if end < 0 else end
            beginnings: set[int] = set()
            for start, position in upcoming.items():
                while 0 <= position < end:
                    beginnings.add(position)
                    position = lowered.find(start, position + 1)
                upcoming[start] = position
            line = text[begin:end]
            found = []
            for position in sorted(beginnings):
                at = position - begin
                if at and _WORD_CHAR_RE.match(line, at - 1):
                    continue  # inside a word, not at its beginning
                word = _WORD_RE.match(line, at)
                if word is not None and (index := self.which(word[0])) is not None:
                    found.append((at, word.end(), index))
            if found:
                yield line, found


def passage(text: str, matcher: Matcher, *, words: int = PASSAGE_WORDS) -> str:
    """HTML: the paragraph (a line of ``text``) matching the most distinct search words (the
    first such), about ``words`` words of it around its first match, escaped, each match in
    <mark>. With no match in the text (a lesson found by its title or key terms), its start."""
    best: tuple[int, str, list[tuple[int, int, int]]] | None = None
    for line, found in matcher.paragraphs(text):
        distinct = len({index for _start, _end, index in found})
        if best is None or distinct > best[0]:
            best = (distinct, line, found)
            if distinct == len(matcher.stems):
                break  # no later paragraph can hold more
    if best is None:
        first = next((line for line in text.split("\n") if line.strip()), "")
        return _cut(first, [], words)
    return _cut(best[1], best[2], words)


def _lower(text: str) -> str:
    """``text`` lower-cased, each character on its own, so offsets stay those of ``text``
    (``str.lower`` turns a few characters, such as "İ", into two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _cut(paragraph: str, found: list[tuple[int, int, int]], words: int) -> str:
    """About ``words`` words (runs of non-space) of ``paragraph`` from LEAD_WORDS before its
    first match, escaped, the matches marked; a window ending the paragraph when the match is
    near its end. Words are counted by str.split and skipped by one regular expression, both
    in C, rather than listed one by one: a paragraph can run to hundreds of words."""
    total = len(paragraph.split())
    if not total:
        return ""
    first_match = 0
    if found:
        before = paragraph[: found[0][0]]
        # Words wholly before the match; a word running into it (no space before) is its own.
        first_match = len(before.split()) - (bool(before) and not before[-1].isspace())
    start = max(0, min(first_match - LEAD_WORDS, total - words))
    stop = min(total, start + words)
    begin = _words_then_space(start).match(paragraph).end()
    end = _words_then_word(stop - start - 1).match(paragraph, begin).end()
    out = [f"{ELLIPSIS} "] if start > 0 else []
    position = begin
    for match_start, match_end, _index in found:
        if match_start < begin or match_end > end:
            continue
        out += [html.escape(paragraph[position:match_start], quote=False), "<mark>"]
        out += [html.escape(paragraph[match_start:match_end], quote=False), "</mark>"]
        position = match_end
    out.append(html.escape(paragraph[position:end], quote=False))
    if stop < total:
        out.append(f" {ELLIPSIS}")
    return "".join(out)


@lru_cache(maxsize=512)
def _words_then_space(count: int) -> re.Pattern[str]:
    """Matches from a text's start to the beginning of its word number ``count`` (from 0)."""
    return re.compile(rf"\s*(?:\S+\s+){{{count}}}")


@lru_cache(maxsize=512)
def _words_then_word(count: int) -> re.Pattern[str]:
    """Matches from a word's beginning to the end of the word ``count`` words after it."""
    return re.compile(rf"(?:\S+\s+){{{count}}}\S+")
