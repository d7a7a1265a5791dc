"""Ranking units for a question: the question read as weighted lesson terms, then Okapi BM25
over each unit's own and inherited terms.

A question's terms are its words that say what it is about, each matched to the lesson's
words (`LessonIndex.match`) and weighted by how informative it is in general English. Two
general nudges sit on top of BM25: a unit that defines what a "what is X?" question asks about
is scaled up, and so is a unit holding the kind of thing a who/when/how-many/list question
wants (a name, a date, a number, a list it announces).
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass

from . import tuning
from .index import LessonIndex
from .lexicon import (
    CARDINALS,
    NEGATIONS,
    STOP_WORDS,
    cached_tokens,
    content_terms,
    informativeness,
    number_word,
    term,
    tokenize,
)
from .units import COUNT_WORDS, TERM

NAME = "name"  # who / where: a proper name
TIME = "time"  # when / what year: a date
NUMBER = "number"  # how many / how much / how long: a quantity
LIST = "list"  # what are the four X / list the X / why (reasons): a unit announcing items

# What a question wants, from its wording (the first that matches)...
_TYPE_PATTERNS = (
    (TIME, re.compile(r"\b(when|what (year|date|century|decade|time)|which (year|century))\b")),
    (
        NUMBER,
        re.compile(r"\bhow (many|much|long|old|far|big|large|often)\b|\bwhat (percent|number)"),
    ),
    (NAME, re.compile(r"\b(who|whom|whose|where)\b")),
    (
        LIST,
        re.compile(
            r"^(?:what are the|list|name the|which are the)\b|^why\b|\b(?:two|three|four|five"
            r"|six|seven|eight|nine|ten|several|main)\s+(?:[\w-]+\s+)?[\w-]+s\b"
            r"|^(?:what|which) (?:kinds|types|sorts) of\b"  # also _KINDS_OF_RE
        ),
    ),
)
# ... and what a unit must hold to give it.
_COUNTS = "|".join(sorted(CARDINALS | {"dozen", "half", "twice", "several"}))
_NUMBER_RE = re.compile(rf"\d|\b(?:{_COUNTS})\b", re.IGNORECASE)
_TIME_RE = re.compile(
    r"\b(?:1\d{3}|20\d{2}|\d{1,2}(?:st|nd|rd|th)|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|century|centuries|decade|\d{2,4}s|"
    r"when|whenever|during|after|before|until|once)\b",
    re.IGNORECASE,
)
# A capitalised word that does not open the sentence: a name of a person, place or thing.
_NAME_RE = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'-]+")

# X in "what are X?" that names several things, by a count ("the four parts of a lamp", "the 2
# types of lock") or a word for kinds, ways or steps ("the different styles of roof", "the steps
# for..."): the question asks for those things, a list, not for a definition of X.
_COUNT = rf"(?:\d+|{'|'.join(COUNT_WORDS)})"
_LIST_SUBJECT_RE = re.compile(
    rf"^(?:(?:{_COUNT}|several|different|various)\s+(?:[\w-]+\s+)??[\w-]+s"
    r"|kinds|types|sorts|ways|steps|stages|parts|phases)(?:\s+(?P<next>[\w'-]+)|$)"
)
_KINDS_OF_RE = re.compile(r"^(?:what|which) (?:kinds|types|sorts) of\b")
# How many things a list question asks for: a count before a plural among its first words
# ("what are the three kinds", "which six tools"; not "why join two boards?").
_ASKED_COUNT_RE = re.compile(
    rf"^(?:what|which|name|list)\b(?:\s+[\w']+){{0,2}}?\s+({_COUNT})\s+(?:[\w-]+\s+)??([\w-]+s)\b"
)

_DEFINITION_RE = re.compile(
    r"^(?:so |ok |and |but )?(?:what|who)(?:'s| exactly is| is| are| was| were)\s+"
    r"(?:an?\s+|the\s+)?(?P<x>[^?]+?)\??$"
    r"|^what does\s+(?:an?\s+|the\s+)?(?P<y>[^?]+?)\s+(?:mean|do)\??$"
    r"|^(?:define|meaning of)\s+(?:an?\s+|the\s+)?(?P<z>[^?]+?)\??$"
)


@dataclass(frozen=True)
class Query:
    """One question part, as the lesson's terms with their general-English weights."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    answer_type: str | None
    subject: tuple[str, ...]  # terms of X in "what is X?", else ()
    negated: bool
    numbers: tuple[str, ...] = ()
    text: str = ""  # the question part as asked (for the sentence encoder)
    count: tuple[int, str] | None = None  # a list question's count and things: (4, "part")
    several: bool = False  # it asks for several things: a count, kinds, steps ("the four parts")


def read_query(index: LessonIndex, text: str) -> Query:
    """One question part as a query. In "what is X, in plain words?" only X is asked about:
    the words after its comma frame the question."""
    tokens = tokenize(text)
    lowered = " ".join(re.sub(r"[^\w'\s,-]", " ", text.casefold().replace("\u2019", "'")).split())
    wants = next((kind for kind, pattern in _TYPE_PATTERNS if pattern.search(lowered)), None)
    match = _DEFINITION_RE.match(lowered.split(",")[0].strip())
    x = match["x"] or match["y"] or match["z"] if match else ""
    several = lowered.startswith(("what", "which")) and _lists_things(x)
    if several:
        x, wants = "", LIST
    subject = tuple(term(t) for t in x.split() if t not in STOP_WORDS)
    if len(subject) > tuning.MAX_SUBJECT_TERMS:
        subject = ()
    count = _asked_count(lowered) if wants == LIST and not subject else None
    weights: dict[str, float] = {}  # lesson term -> weight of the question's word
    for token in tokenize(text.split(",")[0]) if subject else tokens:
        if len(weights) >= tuning.MAX_QUERY_TERMS:
            break
        if count and token.isdigit() and _count_value(token) == count[0]:
            token = number_word(token) or token  # "the 2 types": a lesson writes "two kinds"
        if token not in STOP_WORDS:
            word, t = index.match(token)
            weights.setdefault(t, informativeness(word))
    return Query(
        terms=tuple(weights),
        weights=tuple(weights.values()),
        answer_type=None if subject else wants,
        subject=subject,
        # "Why can't X?" asks for reasons, which a lesson states positively.
        negated=bool(tokens) and tokens[0] != "why" and any(t in NEGATIONS for t in tokens),
        numbers=tuple(t for t in tokens if t[0].isdigit()),
        text=text,
        count=count,
        several=several or count is not None or bool(_KINDS_OF_RE.match(lowered)),
    )


#: Words for kinds name the same things: "two types" are "two kinds".
_KINDS = frozenset(map(term, ("kinds", "types", "sorts")))


def _lists_things(x: str) -> bool:
    """Whether X of "what are X?" names several things rather than one ("the four parts of a
    lamp", not "the Hundred Years War"): the plural ends X or a word of no content follows it."""
    match = _LIST_SUBJECT_RE.match(x)
    return match is not None and (match["next"] is None or match["next"] in STOP_WORDS)


def _asked_count(lowered: str) -> tuple[int, str] | None:
    """How many things a list question asks for, and the term of the word naming them
    ("the four parts": 4, "part"), if it says."""
    match = _ASKED_COUNT_RE.search(lowered)
    count = _count_value(match[1]) if match else None
    return None if count is None else (count, term(match[2]))


def _count_value(word: str) -> int | None:
    """The value of a count in words or digits, from two to twelve ("four", "4")."""
    word = number_word(word) or "" if word.isdigit() else word
    return COUNT_WORDS.index(word) + 2 if word in COUNT_WORDS else None


def counts_match(index: LessonIndex, uid: int, query: Query) -> bool:
    """Whether a unit gives as many things as a list question asks for: it announces a list of
    that many items in words ("the four traditions" and "...in four broad ways." with its four
    items), or says the count with the question's word for the things within the next three
    words ("the two groups" and "Gardeners sort weeds into two rough groups.")."""
    if query.count is None:
        return False
    count, things = query.count
    unit = index.units[uid]
    tokens = cached_tokens(unit.text)
    counts = [n for n, token in enumerate(tokens) if _count_value(token) == count]
    if counts and len(unit.items) == count:
        return True
    names = _KINDS if things in _KINDS else {things}
    return any(not names.isdisjoint(map(term, tokens[n + 1 : n + 4])) for n in counts)


def idf(n_units: int, doc_freq: int) -> float:
    return math.log(1 + (n_units - doc_freq + 0.5) / (doc_freq + 0.5))


def has_answer_type(index: LessonIndex, uid: int, query: Query) -> bool:
    """Whether a unit holds what the question wants: a list it announces, or a number, date or
    name the question does not itself contain."""
    text = index.units[uid].text
    if query.answer_type == LIST:
        return _announces(index, uid)
    if query.answer_type == NUMBER:
        return bool(_NUMBER_RE.search(text))
    if query.answer_type == TIME:
        return bool(_TIME_RE.search(text))
    if query.answer_type == NAME:
        asked = set(query.terms)
        return any(not set(content_terms(name)) <= asked for name in _NAME_RE.findall(text))
    return False


def _announces(index: LessonIndex, uid: int) -> bool:
    """Whether a unit announces a list, or refers back to a sentence that does."""
    unit = index.units[uid]
    return bool(unit.items) or (
        unit.context is not None
        and bool(index.units[unit.context].items)
        and uid not in index.units[unit.context].items
    )


def definition_match(index: LessonIndex, uid: int, query: Query) -> float:
    """How much of what the question asks about a unit defines (0 if it defines other things).

    What a question asks about is X in "what is X?", else all its terms.
    """
    defined = set(content_terms(index.units[uid].defines))
    subject = set(query.subject or query.terms)
    if not defined or not subject or not defined <= subject:
        return 0.0
    return len(defined) / len(subject)


def _definitions(index: LessonIndex, uids: list[int], query: Query) -> dict[int, float]:
    """The candidates that define what a "what is X?" question asks about, with
    `definition_match`. A key-term entry is the lesson's own definition, while a sentence
    counts as one by its wording alone ("A probe is a learner, and..." reads like one): when
    a key term defines X as fully as any sentence does, only key terms do."""
    if not query.subject:
        return {}
    matches = {uid: m for uid in uids if (m := definition_match(index, uid, query))}
    terms = {uid: m for uid, m in matches.items() if index.units[uid].kind == TERM}
    return terms if terms and max(terms.values()) >= max(matches.values()) else matches


def rank(index: LessonIndex, query: Query) -> list[tuple[float, int]]:
    """(score, unit) pairs of the best `CANDIDATES` units, best first; ties keep lesson order."""
    scores: dict[int, float] = {}
    norms, saturation = index.length_norms, tuning.K1 + 1
    for t in query.terms:
        postings = index.postings.get(t)
        if not postings:
            continue
        weight = idf(index.n, len(postings) // 2)
        for uid, tf in zip(postings[::2], postings[1::2], strict=True):
            scores[uid] = scores.get(uid, 0.0) + weight * tf * saturation / (tf + norms[uid])
    if query.several:
        # A list is read as a whole: the sentence announcing it scores as well as the best of
        # the lines that refer back to it, so the list, not one of its lines, is quoted.
        for uid, score in list(scores.items()):
            announcer = index.units[uid].context
            if announcer is not None and index.units[announcer].items:
                scores[announcer] = max(scores.get(announcer, 0.0), score)
    # Only the best candidates can reach the top after a boost; checking every unit that
    # shares a common word would cost more than the ranking itself.
    top = heapq.nlargest(tuning.CANDIDATES, scores.items(), key=lambda p: (p[1], -p[0]))
    defining = _definitions(index, [uid for uid, _ in top], query)
    ranked = []
    for uid, score in top:
        if match := defining.get(uid):
            score *= 1 + tuning.DEFINITION_BOOST * match
        elif counts_match(index, uid, query):
            score *= 1 + tuning.LIST_COUNT_BOOST
        elif query.answer_type and has_answer_type(index, uid, query):
            score *= 1 + tuning.ANSWER_TYPE_BOOST
        ranked.append((score, uid))
    return sorted(ranked, key=lambda p: (-p[0], p[1]))


def max_score(index: LessonIndex, query: Query) -> float:
    """The score of an average-length unit holding every question term once."""
    return sum(idf(index.n, len(index.postings.get(t, ())) // 2) for t in query.terms) or 1.0
