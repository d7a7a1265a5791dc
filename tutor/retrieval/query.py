"""Reading a learner's message: small talk, its question parts, and what each part asks for.

A message may open with chat ("sorry, I'm confused:") and may ask several things at once
("what is X, and why does Y happen?"). Chat that names nothing the lesson knows is dropped;
each remaining question is a part, answered on its own.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from . import tuning
from .index import LessonIndex
from .lexicon import (
    NEGATIONS,
    STOP_WORDS,
    content_terms,
    edit_distance,
    english_zipf,
    informativeness,
    term,
    tokenize,
    words,
)

NAME = "name"  # who / where: a proper name
TIME = "time"  # when / what year: a date
NUMBER = "number"  # how many / how much / how long: a quantity
LIST = "list"  # what are the four X / list the X / why (reasons): a unit announcing items

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
        ),
    ),
)
_DEFINITION_RE = re.compile(
    r"^(?:so |ok |and |but )?(?:what|who)(?:'s| exactly is| is| are| was| were)\s+"
    r"(?:an?\s+|the\s+)?(?P<x>[^?]+?)\??$"
    r"|^what does\s+(?:an?\s+|the\s+)?(?P<y>[^?]+?)\s+(?:mean|do)\??$"
    r"|^(?:define|meaning of)\s+(?:an?\s+|the\s+)?(?P<z>[^?]+?)\??$"
)
_QUESTION_START = frozenset(
    words(
        "what what's whats which who whom whose when where why how is are was were do does did "
        "can could should would will explain describe define tell list name compare give"
    )
)
# A new part starts after "?" or ";", or at "and"/"also" followed by a question word.
_PART_RE = re.compile(
    r"(?<=[?;])\s+|,?\s+(?:and|also|plus)\s+(?=(?:what|why|how|when|where|who|which)\b)",
    re.IGNORECASE,
)
_CHAT_RE = re.compile(r"(?<=[.!:])\s+")

_ANAPHORS = frozenset(words("it its they them their this these those he she his her"))
_GREETINGS = frozenset(words("hi hello hey hiya howdy greetings morning afternoon evening yo"))
_THANKS = frozenset(words("thanks thank thx ty cheers appreciated great perfect awesome"))
_SMALL_TALK = (
    _GREETINGS
    | _THANKS
    | frozenset(words("there tutor good you so much very lot that helps helped got it ok okay"))
)
_OVERVIEW_RE = re.compile(
    r"^(?:what(?:'s| is)\s+(?:this|the)\s+lesson\s+(?:about|on)|(?:give me\s+)?an? "
    r"(?:summary|overview)(?: of (?:this|the) lesson)?|summari[sz]e (?:this|the) lesson"
    r"|what (?:will|do|does|can) (?:i|we|this lesson) (?:learn|cover|teach)\w*(?: here)?)\W*$"
)
_INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|lesson|rules?|prompts?)\b"
    r"|\byour\s+(?:system\s+|initial\s+|hidden\s+)?(?:prompt|instructions|rules|programming)\b"
    r"|\b(?:you are now|pretend (?:to be|you are)|from now on|act as)\b"
    r"|\b(?:tell|write|give)\s+(?:me\s+)?(?:a|an|another)\s+(?:joke|poem|story|song|essay)\b"
)


@dataclass(frozen=True)
class Query:
    """One question part, as the lesson's terms with their general-English weights."""

    text: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    answer_type: str | None
    subject: tuple[str, ...]  # terms of X in "what is X?", else ()
    negated: bool
    numbers: tuple[str, ...] = ()


def message_kind(message: str) -> str | None:
    """ "greeting", "thanks", "overview", "injection" or None for a question."""
    text = " ".join(tokenize(message))
    words = text.split()
    if _INJECTION_RE.search(text):
        return "injection"
    if _OVERVIEW_RE.match(text):
        return "overview"
    if words and all(w in _SMALL_TALK for w in words):
        if any(w in _THANKS for w in words):
            return "thanks"
        if any(w in _GREETINGS for w in words):
            return "greeting"
    return None


def _corrected(index: LessonIndex, token: str) -> str | None:
    """The lesson word a misspelt rare word most likely meant, if one is close enough."""
    if len(token) < 5 or english_zipf(token) >= tuning.TYPO_MAX_ZIPF:
        return None
    limit = tuning.MAX_EDITS + (len(token) >= tuning.LONG_WORD)
    near = (
        (edit_distance(token, word, limit), word)
        for word in index.words
        if word[0] == token[0] and abs(len(word) - len(token)) <= limit
    )
    return min(((d, w) for d, w in near if d <= limit), default=(0, None))[1]


def _variant(index: LessonIndex, t: str) -> str | None:
    """A lesson term of the same word family: one is a prefix of the other ("accur" and
    "accuraci", "decod" and "decodabl"), the shorter at least `MIN_STEM` letters long."""
    if not tuning.MIN_STEM or len(t) < tuning.MIN_STEM:
        return None
    terms = index.sorted_terms
    start = bisect.bisect_left(terms, t)
    family = list(itertools.takewhile(lambda w: w.startswith(t), terms[start:]))
    family += [t[:n] for n in range(tuning.MIN_STEM, len(t)) if t[:n] in index.postings]
    return min(family, key=lambda w: (abs(len(w) - len(t)), w), default=None)


def _terms(index: LessonIndex, tokens: list[str]) -> tuple[list[str], list[float]]:
    """The lesson terms of a question's words, with their general-English weights."""
    terms: list[str] = []
    weights: list[float] = []
    for token in tokens:
        if token in STOP_WORDS or len(terms) >= tuning.MAX_QUERY_TERMS:
            continue
        t = term(token)
        if t not in index.postings and (fixed := _corrected(index, token)):
            token, t = fixed, index.words[fixed]
        elif t not in index.postings and (variant := _variant(index, t)):
            t = variant
        if t not in terms:
            terms.append(t)
            weights.append(informativeness(token))
    return terms, weights


def read_query(index: LessonIndex, text: str) -> Query:
    tokens = tokenize(text)
    # Commas stay: "what is X, in plain words?" asks about X, not about plain words.
    lowered = " ".join(re.sub(r"[^\w'\s,-]", " ", text.casefold().replace("\u2019", "'")).split())
    answer_type = next((kind for kind, p in _TYPE_PATTERNS if p.search(lowered)), None)
    match = _DEFINITION_RE.match(lowered.split(",")[0].strip())
    subject: tuple[str, ...] = ()
    if match:
        x = match["x"] or match["y"] or match["z"] or ""
        subject = tuple(term(t) for t in x.split() if t not in STOP_WORDS)
        if len(subject) > 4:
            subject = ()
    terms, weights = _terms(index, tokenize(text.split(",")[0]) if subject else tokens)
    return Query(
        text=text,
        terms=tuple(terms),
        weights=tuple(weights),
        answer_type=None if subject else answer_type,
        subject=subject,
        # "Why can't X?" asks for reasons, which a lesson states positively.
        negated=bool(tokens) and tokens[0] != "why" and any(t in NEGATIONS for t in tokens),
        numbers=tuple(t for t in tokens if t[0].isdigit()),
    )


def _is_question(segment: str) -> bool:
    words = tokenize(segment)
    return segment.rstrip().endswith("?") or bool(words and words[0] in _QUESTION_START)


def question_parts(index: LessonIndex, message: str) -> list[str]:
    """The message's questions, without the chat around them.

    A statement beside a question is kept only when the question refers back to it ("I read
    about neap tides. When do they occur?") and it names something the lesson knows.
    """
    segments = [s for s in _CHAT_RE.split(message.strip()) if s.strip()]
    questions = [s for s in segments if _is_question(s)]
    if questions:
        refers_back = any(_ANAPHORS & set(tokenize(q)) for q in questions)
        segments = [
            s
            for s in segments
            if s in questions
            or (refers_back and not index.postings.keys().isdisjoint(content_terms(s)))
        ]
    text = " ".join(segments) or message
    parts: list[str] = []
    for piece in _PART_RE.split(text):
        piece = piece.strip(" ,;")
        if not piece:
            continue
        # A part with no words of its own ("and why?") belongs to the part before it.
        if parts and not any(t not in STOP_WORDS for t in tokenize(piece)):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts[: tuning.MAX_PARTS] or [message]
