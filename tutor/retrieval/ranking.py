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
    content_terms,
    content_words,
    informativeness,
    names_beyond,
    tokenize,
)
from .units import TERM

NAME = "name"  # who / where: a proper name
TIME = "time"  # when / what year: a date
NUMBER = "number"  # how many / how much / how long: a quantity
LIST = "list"  # what are the four X / list the X / why (reasons): a unit announcing items

# "the four rules", "several main kinds": a count before a plural.
_COUNTED_PLURAL = (
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|several|main)\s+(?:[\w-]+\s+)?[\w-]+s\b"
)
# What a question wants, from its wording (the first that matches)...
_TYPE_PATTERNS = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (TIME, r"\b(when|what (year|date|century|decade|time)|which (year|century))\b"),
        (NUMBER, r"\bhow (many|much|long|old|far|big|large|often)\b|\bwhat (percent|number)"),
        (NAME, r"\b(who|whom|whose|where)\b"),
        (LIST, r"^(?:what are the|list|name the|which are the)\b|^why\b|" + _COUNTED_PLURAL),
    )
)
# A question that asks for a set of things by name: "list the...", "name the...", "what are
# the (main) parts/steps of...", "what kinds of...", "the four rules". "Which kind of X..." in
# the singular asks for one kind. It reads whether a list that a heading or a table introduces
# is quoted whole (`compose.with_heading_list`), never the ranking.
_ASKS_LIST_RE = re.compile(
    r"^(?:list|name|give|enumerate)\b"
    r"|^(?:what|which) (?:are|were) (?:the|some|all the) (?:[\w-]+ ){0,2}?[\w-]+s\b"
    r"|\b(?:what|which) (?:kinds|types|sorts|steps|stages|parts|ways|phases|rules)\b|"
    + _COUNTED_PLURAL
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

# A question that opens with an auxiliary or a modal verb asks yes or no ("Can I open the kiln
# when it is hot?"): a "when" or "how far" inside it is a conjunction, not what it asks for. A
# request to the tutor ("can you tell me when...", "do you know who...") asks what its wh-word
# asks.
_YES_NO_RE = re.compile(
    r"^(?:am|is|are|was|were|do|does|did|have|has|had|can|could|may|might|must|shall|should|"
    r"will|would|need|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|haven't|hasn't|can't|"
    r"couldn't|mustn't|shouldn't|won't|wouldn't)\b(?! you (?:know|tell|explain|give|show|list|"
    r"describe|say|name|help)\b)"
)
# A second question after a yes/no one asks for its own kind of thing ("..., and how much
# warning do people get?").
_LATER_QUESTION_RE = re.compile(
    r"(?:,|\b(?:and|or|also|plus|then)\b)\s*(?=(?:what|why|how|when|where|who|which)\b)"
)

_DEFINITION_RE = re.compile(
    r"^(?:so |ok |and |but )?(?:what|who)(?:'s| exactly is| is| are| was| were)\s+"
    r"(?:an?\s+|the\s+)?(?P<x>[^?]+?)\??$"
    r"|^what does\s+(?:an?\s+|the\s+)?(?P<y>[^?]+?)\s+(?:mean|do)\??$"
    r"|^(?:define|meaning of)\s+(?:an?\s+|the\s+)?(?P<z>[^?]+?)\??$",
    re.IGNORECASE,
)


def wanted(text: str) -> str | None:
    """What a question's wording wants: NAME, TIME, NUMBER, LIST (the first that matches) or
    None."""
    return next((kind for kind, pattern in _TYPE_PATTERNS if pattern.search(text)), None)


def _defined(text: str) -> str:
    """X in "what is X?" (before any comma), as `text` writes it; "" for another question."""
    match = _DEFINITION_RE.match(text.split(",")[0].strip())
    return (match["x"] or match["y"] or match["z"]) if match else ""


def asked_subject(text: str) -> str:
    """X in "what is X?" as the learner wrote it (before any comma), or "" when the question
    asks for no one thing or names more of it than a query keeps as a subject."""
    x = _defined(text).strip()
    return x if 0 < len(content_words(x)) <= tuning.MAX_SUBJECT_TERMS else ""


@dataclass(frozen=True)
class Query:
    """One question part, as the lesson's terms with their general-English weights."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    answer_type: str | None
    subject: tuple[str, ...]  # terms of X in "what is X?", else ()
    negated: bool
    numbers: tuple[str, ...]
    text: str  # the question part as asked (for the sentence encoder)
    asks_list: bool  # asks for a set of things by name ("what are the parts of X?")


def read_query(index: LessonIndex, text: str) -> Query:
    """One question part as a query. In "what is X, in plain words?" only X is asked about:
    the words after its comma frame the question."""
    tokens = tokenize(text)
    lowered = " ".join(re.sub(r"[^\w'\s,-]", " ", text.casefold().replace("\u2019", "'")).split())
    asked = lowered
    if _YES_NO_RE.match(lowered):
        later = _LATER_QUESTION_RE.split(lowered, maxsplit=1)
        asked = later[1] if len(later) > 1 else ""
    wants = wanted(asked)
    x = _defined(lowered)
    # Matched as the query's words are, so a plural, a misspelling or a relative of a lesson
    # word asks about the word the lesson defines.
    subject = tuple(index.match(t)[1] for t in x.split() if t not in STOP_WORDS)
    if len(subject) > tuning.MAX_SUBJECT_TERMS:
        subject = ()
    weights: dict[str, float] = {}  # lesson term -> weight of the question's word
    for token in tokenize(text.split(",")[0]) if subject else tokens:
        if len(weights) >= tuning.MAX_QUERY_TERMS:
            break
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
        asks_list=bool(_ASKS_LIST_RE.search(asked)),
    )


def _idf(index: LessonIndex, t: str) -> float:
    """BM25's inverse document frequency of a term over the lesson's units."""
    doc_freq = len(index.postings.get(t, ())) // 2
    return math.log(1 + (index.n - doc_freq + 0.5) / (doc_freq + 0.5))


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
        return names_beyond(_NAME_RE.findall(text), set(query.terms))
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
        weight = _idf(index, t)
        for uid, tf in zip(postings[::2], postings[1::2], strict=True):
            scores[uid] = scores.get(uid, 0.0) + weight * tf * saturation / (tf + norms[uid])
    # Only the best candidates can reach the top after a boost; checking every unit that
    # shares a common word would cost more than the ranking itself.
    top = heapq.nlargest(tuning.CANDIDATES, scores.items(), key=lambda p: (p[1], -p[0]))
    defining = _definitions(index, [uid for uid, _ in top], query)
    ranked = []
    for uid, score in top:
        if match := defining.get(uid):
            score *= 1 + tuning.DEFINITION_BOOST * match
        elif query.answer_type and has_answer_type(index, uid, query):
            score *= 1 + tuning.ANSWER_TYPE_BOOST
        ranked.append((score, uid))
    return sorted(ranked, key=lambda p: (-p[0], p[1]))


def max_score(index: LessonIndex, query: Query) -> float:
    """The score of an average-length unit holding every question term once."""
    return sum(_idf(index, t) for t in query.terms) or 1.0
