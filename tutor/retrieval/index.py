"""A lesson's index: its units and an inverted index over their terms, storable as JSON.

A unit's terms are its own words, plus, at `CONTEXT_TF`, the words of its section heading
and of the sentence announcing it, and at `ANAPHOR_TF` those of the sentence it refers back to
("They add bitterness..." after a sentence about hops).
The index also says which lesson word a question's word stands for (`match`): itself, the
same noun in the other number ("cactus" for "cacti"), the lesson word it misspells, or one of
its word family.
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_left
from collections import Counter, OrderedDict
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, takewhile
from typing import Any

from . import tuning
from .lexicon import (
    GREEK_LETTERS,
    cached_tokens,
    content_terms,
    content_words,
    edit_distance,
    query_terms,
    term,
    word_term,
    zipf,
)
from .nouns import lesson_nouns
from .units import LessonText, Unit, build_units

#: Bump when the stored shape or the meaning of a unit changes: older indexes rebuild.
FORMAT_VERSION = 16

_ENCODER = json.JSONEncoder(check_circular=False)


@dataclass
class LessonIndex:
    title: str
    summary: str
    places: list[tuple[str, str]]  # (heading, anchor) of sections, key terms, big idea
    units: list[Unit]
    # term -> [unit, tf, unit, tf, ...]: flat, because a JSON list of thousands of small pairs
    # costs the garbage collector more than the parsing, and the index is loaded per request.
    postings: dict[str, list[Any]]
    lengths: list[int]  # own terms per unit
    words: dict[str, str]  # every lesson word -> its term, for matching misspellings
    # a word whose term the lesson lacks -> its other number the lesson has ("cacti" ->
    # "cactus"), from `nouns.lesson_nouns` at import: a question never loads lemminflect.
    nouns: dict[str, str]

    @property
    def n(self) -> int:
        return len(self.units)

    def place(self, uid: int) -> tuple[str, str]:
        """The (heading, anchor) of a unit's section."""
        return self.places[self.units[uid].section]

    def unit_terms(self, uid: int) -> set[str]:
        """The terms a unit holds or inherits (its heading's, its context's)."""
        unit = self.units[uid]
        terms = set(content_terms(unit.text)) | set(content_terms(self.places[unit.section][0]))
        if unit.context is not None:
            terms |= set(content_terms(self.units[unit.context].text))
        return terms

    @cached_property
    def length_norms(self) -> list[float]:
        """Each unit's BM25 length normalisation, K1 * (1 - B + B * length / average length),
        computed once per index rather than once per posting of every question."""
        avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        return [tuning.K1 * (1 - tuning.B + tuning.B * length / avg) for length in self.lengths]

    @cached_property
    def sorted_terms(self) -> list[str]:
        """The lesson's terms in order (for word-family lookups)."""
        return sorted(self.postings)

    def match(self, token: str) -> tuple[str, str]:
        """The (word, term) a question's word stands for in this lesson: itself when the lesson
        uses its term; else the Greek letter it names, if the lesson writes it ("λ" for
        "lambda", as a formula shows it); else another number of it that the lesson uses
        ("leaf" for "leaves"); else the lesson word it misspells; else a lesson term of its
        family; else itself, unmatched."""
        t = term(token)
        if t in self.postings:
            return token, t
        if (letter := GREEK_LETTERS.get(token)) is not None and term(letter) in self.postings:
            return letter, term(letter)
        if (form := self.nouns.get(token)) is not None:
            return form, term(form)
        if fixed := self._corrected(token):
            return fixed, self.words[fixed]
        return token, self._relative(t) or t

    def terms_of(self, text: str) -> list[str]:
        """The terms a text's content words stand for in this lesson (`match`)."""
        return [self.match(word)[1] for word in content_words(text)]

    def _corrected(self, token: str) -> str | None:
        """The lesson word a misspelt rare word most likely meant, if one is close enough."""
        if len(token) < tuning.MIN_TYPO or zipf(token) >= tuning.TYPO_MAX_ZIPF:
            return None
        limit = tuning.MAX_EDITS + (len(token) >= tuning.LONG_WORD)
        near = (
            (edit_distance(token, word, limit), word)
            for word in self.words
            if word[0] == token[0] and abs(len(word) - len(token)) <= limit
        )
        return min(((d, w) for d, w in near if d <= limit), default=(0, None))[1]

    def _relative(self, t: str) -> str | None:
        """A lesson term of the same word family: one is a prefix of the other ("accur" and
        "accuraci", "decod" and "decodabl"), the shorter at least `MIN_STEM` letters long."""
        if len(t) < tuning.MIN_STEM:
            return None
        start = bisect_left(self.sorted_terms, t)
        family = list(takewhile(lambda w: w.startswith(t), self.sorted_terms[start:]))
        family += [t[:n] for n in range(tuning.MIN_STEM, len(t)) if t[:n] in self.postings]
        return min(family, key=lambda w: (abs(len(w) - len(t)), w), default=None)

    def section_terms(self, section: int) -> set[str]:
        """Every term of one section (its heading and units), computed once per index."""
        cache = self.__dict__.setdefault("_section_terms", {})
        if section not in cache:
            texts = [self.places[section][0], *(u.text for u in self.units if u.section == section)]
            cache[section] = {t for text in texts for t in content_terms(text)}
        return cache[section]

    def to_dict(self) -> dict[str, Any]:
        return self._data() | {"postings": {t: list(p) for t, p in self.postings.items()}}

    def to_json(self) -> str:
        """`json.dumps(self.to_dict())`, the same text, without copying every posting list
        first (nothing keeps the dict) or tracking containers for cycles (there are none):
        an import serialises thousands of indexes."""
        return _ENCODER.encode(self._data())

    def _data(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "title": self.title,
            "summary": self.summary,
            "places": [list(p) for p in self.places],
            "units": [
                [u.text, u.section, u.kind, u.context, u.items, u.defines, u.continues, u.listed]
                for u in self.units
            ],
            "postings": self.postings,
            "lengths": self.lengths,
            "words": self.words,
            "nouns": self.nouns,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LessonIndex:
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"tutor index format {data.get('version')!r}, not {FORMAT_VERSION}")
        return cls(
            title=data["title"],
            summary=data["summary"],
            places=[(h, a) for h, a in data["places"]],
            units=[Unit(t, s, k, c, list(i), d, n, h) for t, s, k, c, i, d, n, h in data["units"]],
            postings=data["postings"],
            lengths=data["lengths"],
            words=data["words"],
            nouns=data["nouns"],
        )


class ParsedIndexes:
    """Stored indexes parsed once per process, each kept beside the exact text it was parsed
    from: a request that reads the same text again gets the same `LessonIndex` without
    `json.loads` (about 3 ms of CPU for a 10,000-word lesson); any other text, whoever wrote
    it, is a miss and is parsed. Answering never changes an index (its only state is caches of
    what its data implies), so requests may share one.

    Kept while the texts held add up to at most `max_chars`, least recently read dropped first.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._held: OrderedDict[Any, tuple[str, LessonIndex]] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()  # a threaded server (runserver) shares the instance

    def load(self, key: Any, text: str) -> LessonIndex | None:
        """The index stored as `text` under `key` (a lesson), or None when it is of another
        format version (the caller rebuilds it). An index of this version that cannot be read
        raises, as `LessonIndex.from_dict` does."""
        with self._lock:
            held = self._held.get(key)
            if held is not None and held[0] == text:
                self._held.move_to_end(key)
                return held[1]
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            return None
        index = LessonIndex.from_dict(data)
        with self._lock:
            if (old := self._held.pop(key, None)) is not None:
                self._chars -= len(old[0])
            if len(text) <= self.max_chars:
                self._held[key] = (text, index)
                self._chars += len(text)
            while self._chars > self.max_chars:
                self._chars -= len(self._held.popitem(last=False)[1][0])
        return index

    def __len__(self) -> int:
        return len(self._held)


def build_index(lesson: LessonText) -> LessonIndex:
    places, units = build_units(lesson)
    heading_terms = [dict.fromkeys(content_terms(heading)) for heading, _ in places]
    # build_units tokenized most unit texts a moment ago; cached_tokens remembers them.
    tokens_of = [cached_tokens(unit.text) for unit in units]
    own = [Counter(query_terms(tokens)) for tokens in tokens_of]
    # A unit's terms go in as they first occur: its own (with their counts), then those of its
    # heading and its context that it lacks, at CONTEXT_TF, or ANAPHOR_TF for the words of a
    # sentence it refers back to ("It", "They"... stand for that sentence's subject). That
    # order fixes the order of `postings` and of the stored JSON.
    postings: dict[str, list[Any]] = {}
    posting = postings.get  # a big import builds thousands of indexes: the loop stays lean
    context_tf, anaphor_tf = float(tuning.CONTEXT_TF), float(tuning.ANAPHOR_TF)
    for uid, unit in enumerate(units):
        tfs = {t: float(tf) for t, tf in own[uid].items()}
        context = own[unit.context] if unit.context is not None else ()
        inherited = dict.fromkeys(chain(heading_terms[unit.section], context), context_tf)
        # A list item's context announces it; any other unit's context is the sentence it
        # refers back to.
        if context and uid not in units[unit.context].items:
            inherited.update(dict.fromkeys(context, anaphor_tf))
        for t, tf in inherited.items():
            tfs.setdefault(t, tf)
        for t, tf in tfs.items():
            entry = posting(t)
            if entry is None:
                postings[t] = [uid, tf]
            else:
                entry += (uid, tf)
    alphabetic = dict.fromkeys(filter(str.isalpha, chain.from_iterable(tokens_of)))
    return LessonIndex(
        title=lesson.title,
        summary=lesson.summary,
        places=places,
        units=units,
        postings=postings,
        lengths=[max(1, sum(c.values())) for c in own],
        words={w: t for w in alphabetic if (t := word_term(w))},
        nouns=lesson_nouns(postings),
    )
