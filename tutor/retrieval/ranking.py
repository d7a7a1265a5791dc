"""Ranking units for a question: Okapi BM25 over each unit's own and inherited terms.

Two general nudges sit on top: a unit that defines what a "what is X?" question asks about
is scaled up, and so is a unit holding the kind of thing a who/when/how-many question wants
(a name, a date, a number).
"""

from __future__ import annotations

import heapq
import math
import re

from . import tuning
from .index import LessonIndex
from .lexicon import content_terms
from .query import LIST, NAME, NUMBER, TIME, Query

_NUMBER_RE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|billion|trillion|dozen|half|twice|several)\b",
    re.IGNORECASE,
)
_TIME_RE = re.compile(
    r"\b(?:1\d{3}|20\d{2}|\d{1,2}(?:st|nd|rd|th)|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|century|centuries|decade|\d{2,4}s|"
    r"when|whenever|during|after|before|until|once)\b",
    re.IGNORECASE,
)
# A capitalised word that does not open the sentence: a name of a person, place or thing.
_NAME_RE = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'-]+")


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


def rank(index: LessonIndex, query: Query) -> list[tuple[float, int]]:
    """(score, unit) pairs of the best `CANDIDATES` units, best first; ties keep lesson order."""
    scores: dict[int, float] = {}
    avg = index.avg_len
    for t in query.terms:
        postings = index.postings.get(t)
        if not postings:
            continue
        weight = idf(index.n, len(postings) // 2)
        for uid, tf in zip(postings[::2], postings[1::2], strict=True):
            norm = tuning.K1 * (1 - tuning.B + tuning.B * index.lengths[uid] / avg)
            scores[uid] = scores.get(uid, 0.0) + weight * tf * (tuning.K1 + 1) / (tf + norm)
    # Only the best candidates can reach the top after a boost; checking every unit that
    # shares a common word would cost more than the ranking itself.
    top = heapq.nlargest(tuning.CANDIDATES, scores.items(), key=lambda p: (p[1], -p[0]))
    ranked = []
    for uid, score in top:
        if query.subject and (match := definition_match(index, uid, query)):
            score *= 1 + tuning.DEFINITION_BOOST * match
        elif query.answer_type and has_answer_type(index, uid, query):
            score *= 1 + tuning.ANSWER_TYPE_BOOST
        ranked.append((score, uid))
    return sorted(ranked, key=lambda p: (-p[0], p[1]))


def max_score(index: LessonIndex, query: Query) -> float:
    """The score of an average-length unit holding every question term once."""
    return sum(idf(index.n, len(index.postings.get(t, ())) // 2) for t in query.terms) or 1.0
