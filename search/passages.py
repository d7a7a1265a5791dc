"""A result card's passage: the paragraph of a lesson's text that best matches a search, cut to
a few dozen words, escaped, each match in <mark>. Plain Python, without Django.

The engines' own highlighters (FTS5's snippet(), PostgreSQL's ts_headline) tokenise a lesson's
whole text for every hit, and cost more than ranking the catalog did. Here the text is read a
paragraph at a time: each is searched lower-cased (str.find, in C) for the beginnings the
search's words could have, only the words found there are stemmed, and the reading stops at
the first paragraph holding every search word. A passage costs a few microseconds, and the
same code serves both databases, so a card reads the same on each.

A word matches a search word when both have the same English (Snowball) stem, as the engines
match them; the search's last word also matches as a prefix, as results follow typing: of the
word's stem, or of the word as written ("probin" marks "probing", whose stem is "probe").
"""

from __future__ import annotations

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

    def __init__(self, stems: tuple[str, ...], *, typed: str = "") -> None:
        self.stems = stems  # the stems of the search's words, the last one a prefix
        self.typed = typed  # the last word as typed, lower-case: a prefix of words as written
        # A stem is a prefix of its words except for a rewritten ending ("happi" of "happy"),
        # so a word whose lower-cased form begins with all but the stem's last letter is a
        # candidate, and its stem decides; so is a word beginning with the last word as typed.
        starts = {s[:-1] if len(s) > 3 else s for s in stems}
        if typed and not any(typed.startswith(start) for start in starts):
            starts.add(typed)
        self.starts = tuple(sorted(starts))
        self._known: dict[str, int | None] = {}

    @classmethod
    def for_words(cls, words: Sequence[str]) -> Matcher | None:
        """``words`` as `search.query.terms` gives them: lower-case, the last one a prefix."""
        return cls(tuple(stem(word) for word in words), typed=words[-1]) if words else None

    def which(self, word: str) -> int | None:
        """Which search word ``word`` matches (an index into the search's words), if any."""
        if word in self._known:
            return self._known[word]
        word_stem = stem(word)
        *whole, prefix = self.stems
        index = next((i for i, s in enumerate(whole) if s == word_stem), None)
        if index is None and (
            word_stem.startswith(prefix) or (self.typed and word.lower().startswith(self.typed))
        ):
            index = len(whole)
        self._known[word] = index
        return index


_UNKNOWN = object()  # a word `Matcher.which` has not been asked about yet
# The text is lower-cased a block of lines at a time, as far as the reading goes: the first
# block about this long (to its line's end), each next one four times the last.
FIRST_BLOCK = 256


def passage(text: str, matcher: Matcher, *, words: int = PASSAGE_WORDS) -> str:
    """HTML: the paragraph (a line of ``text``) matching the most distinct search words (the
    first such), about ``words`` words of it around its first match, escaped, each match in
    <mark>. With no match in the text (a lesson found by its title or key terms), its start.

    The lower-cased text is searched for each of `Matcher.starts` with str.find (in C), each
    occurrence once, and only as far as the reading goes: it stops at the first paragraph
    holding every search word, and neither lower-cases nor reads in Python the lines past it
    (nor a line without a start, nor one with too few to hold more search words than the best
    so far). In a line read, each start found costs a few lines of Python: is it the beginning
    of a word, and which search word does that word match.
    """
    starts = matcher.starts
    wanted = len(matcher.stems)
    known, which = matcher._known, matcher.which
    best: tuple[int, int, list[tuple[int, int, int]]] | None = None  # a line and its matches
    best_distinct = 0
    for offset, lowered in _lowered_blocks(text):
        # The next occurrence of each start, or past the block.
        upcoming = [lowered.find(start) for start in starts]
        upcoming = [len(lowered) if position < 0 else position for position in upcoming]
        while best_distinct < wanted:
            at = min(upcoming)
            if at >= len(lowered):
                break
            begin = lowered.rfind("\n", 0, at) + 1
            end = lowered.find("\n", at)
            if end < 0:
                end = len(lowered)
            beginnings: list[int] = []  # where a start occurs in the line
            for i, start in enumerate(starts):
                position = upcoming[i]
                if position >= end:
                    continue
                while position >= 0:  # (a start is a word's letters, so never runs past a line)
                    beginnings.append(position)
                    position = lowered.find(start, position + 1, end)
                position = lowered.find(start, end)
                upcoming[i] = len(lowered) if position < 0 else position
            # Each match is a distinct beginning: a line with no more than the best holds
            # cannot hold more distinct search words.
            if len(beginnings) <= best_distinct:
                continue
            if len(starts) > 1:
                beginnings = sorted(set(beginnings))  # in order, two starts at one place once
            found: list[tuple[int, int, int]] = []  # (start, end, search word), in the line
            for position in beginnings:
                if position > begin:
                    previous = lowered[position - 1]
                    if previous.isalnum() or previous == "_":  # \w: inside a word
                        continue
                word = _WORD_RE.match(text, offset + position)
                if word is None:
                    continue
                index = known.get(word[0], _UNKNOWN)
                if index is _UNKNOWN:
                    index = which(word[0])
                if index is not None:
                    found.append((position - begin, word.end() - offset - begin, index))
            if not found:
                continue
            distinct = len({index for _start, _end, index in found}) if wanted > 1 else 1
            if distinct > best_distinct:
                best, best_distinct = (offset + begin, offset + end, found), distinct
        if best_distinct == wanted:
            break  # no later paragraph can hold more
    if best is None:  # the first line that is not blank
        first = _NON_SPACE.search(text)
        if first is None:
            return ""
        begin = text.rfind("\n", 0, first.start()) + 1
        end = text.find("\n", first.start())
        return _cut(text[begin : len(text) if end < 0 else end], [], words)
    begin, end, found = best
    return _cut(text[begin:end], found, words)


def _lowered_blocks(text: str) -> Iterator[tuple[int, str]]:
    """``text`` lower-cased (as `_lower`) in blocks of whole lines: (offset, lowered block).

    Lower-casing a line on its own gives what lower-casing the whole text gives there: the
    only characters str.lower reads in context (a capital sigma's neighbours) stop at a line
    break. "İ", the only character whose lower case is two, makes `_lower` lower-case each
    character on its own, so a text holding one is lowered as a whole.
    """
    if "\u0130" in text:
        yield 0, _lower(text)
        return
    start, size = 0, FIRST_BLOCK
    while start < len(text):
        stop = text.find("\n", start + size)
        if stop < 0:
            stop = len(text)
        yield start, text[start:stop].lower()
        start, size = stop + 1, size * 4


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
    near its end. A paragraph can run to hundreds of words: those before the match are only
    counted (by str.split, in C), and regular expressions read no more than the window and the
    words before it that it shows (backwards, in the reversed text, for those)."""
    start = 0  # the window's first word, counted from 0
    begin = len(paragraph) - len(paragraph.lstrip())  # and where it begins
    if found:
        before = paragraph[: found[0][0]]
        # Words wholly before the match; a word running into it (no space before) is its own.
        first_match = len(before.split()) - (bool(before) and not before[-1].isspace())
        if first_match > LEAD_WORDS:
            start = first_match - LEAD_WORDS
            begin = len(before) - _back_to_lead(before[::-1]).end()
    window = _words_then_word(words - 1).match(paragraph, begin)
    if window is not None:  # ``words`` words from the start: the window is cut there
        end = window.end()
        more = _NON_SPACE.search(paragraph, end) is not None
    else:  # fewer: the window ends the paragraph, and starts earlier to be as long
        total = start + len(paragraph[begin:].split())
        if not total:
            return ""
        end = len(paragraph.rstrip())
        if total - words < start:
            start = max(0, total - words)
            if start:  # the last ``words`` words, read backwards
                begin = end - _words_then_word(words - 1).match(paragraph[end - 1 :: -1]).end()
            else:
                begin = len(paragraph) - len(paragraph.lstrip())
        more = False
    plain = (
        paragraph.find("&", begin, end) < 0
        and paragraph.find("<", begin, end) < 0
        and paragraph.find(">", begin, end) < 0
    )
    escape = str if plain else _escape
    out = [f"{ELLIPSIS} "] if start > 0 else []
    position = begin
    for match_start, match_end, _index in found:
        if match_start < begin or match_end > end:
            continue
        out += [escape(paragraph[position:match_start]), "<mark>"]
        out += [escape(paragraph[match_start:match_end]), "</mark>"]
        position = match_end
    out.append(escape(paragraph[position:end]))
    if more:
        out.append(f" {ELLIPSIS}")
    return "".join(out)


def _escape(text: str) -> str:
    """As html.escape(text, quote=False), without its call."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_NON_SPACE = re.compile(r"\S")


# In a reversed text ending at a match: the rest of the match's word, then LEAD_WORDS words.
_back_to_lead = re.compile(rf"\S*+(?:\s++\S++){{{LEAD_WORDS}}}").match


@lru_cache(maxsize=512)
def _words_then_word(count: int) -> re.Pattern[str]:
    """Matches from a word's beginning to the end of the word ``count`` words after it."""
    return re.compile(rf"(?:\S++\s++){{{count}}}\S++")
