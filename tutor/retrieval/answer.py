"""Answering a message from one lesson: read it, rank, decide answerability, compose.

Nothing here catches exceptions: a bug must surface as an error, never pass as a decline.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import compose, tuning
from .answerability import Model, features, load_model
from .index import LessonIndex
from .lexicon import looks_foreign, tokenize
from .query import Query, message_kind, question_parts, read_query
from .ranking import max_score, rank
from .units import NOT_SECTIONS

MAX_QUESTION_CHARS = 2000
ANSWER = "answer"
DECLINED = "declined"


@dataclass(frozen=True)
class Citation:
    """Where a quote lives: section heading, its anchor, the quote."""

    section: str
    anchor: str
    quote: str


@dataclass(frozen=True)
class TutorAnswer:
    """The tutor's reply. `kind`: "answer", "declined", "greeting", "thanks" or "overview".

    `confidence`: the model's probability that the quotes answer (a multi-part question's least
    sure part). `best_score`: the best unit's BM25 score over an ideal unit's, roughly 0..1.
    """

    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    best_score: float
    kind: str
    confidence: float = 0.0


@dataclass(frozen=True)
class Assessment:
    """One question part: its query, ranking, the units to quote and their probability."""

    query: Query
    ranked: list[tuple[float, int]]
    chosen: list[int]
    features: list[float]
    probability: float
    best_score: float  # the best unit's score over an ideal unit's


def assess(index: LessonIndex, text: str, model: Model | None = None) -> Assessment:
    """Reads, ranks and chooses the passage for one question part; `model` (if given) judges it."""
    query = read_query(index, text)
    ranked = rank(index, query) if query.terms else []
    chosen = compose.choose_units(index, ranked, query.terms) if ranked else []
    x = features(index, query, ranked, chosen)
    probability = model.probability(x) if chosen and model else 0.0
    best = ranked[0][0] / max_score(index, query) if ranked else 0.0
    return Assessment(query, ranked, chosen, x, probability, best)


def _reply(message: str, kind: str, grounded: bool) -> TutorAnswer:
    return TutorAnswer(answer=message, grounded=grounded, citations=(), best_score=0.0, kind=kind)


def _citations(index: LessonIndex, chosen: list[int]) -> list[Citation]:
    return [Citation(*index.places[index.units[u].section], index.units[u].text) for u in chosen]


def _decline(index: LessonIndex, question: str, parts: list[Assessment]) -> TutorAnswer:
    best = max(parts, key=lambda a: a.probability, default=None)
    if looks_foreign(question, frozenset(index.postings)):
        message = compose.foreign_language(index)
    elif best is None or not best.query.terms:
        message = compose.no_content(index)
    else:
        related = None
        if best.chosen and best.probability >= tuning.RELATED_PROBABILITY:
            heading, anchor = index.places[index.units[best.ranked[0][1]].section]
            related = heading if anchor not in NOT_SECTIONS else None
        message = compose.not_covered(index, related)
    score, probability = (best.best_score, best.probability) if best else (0.0, 0.0)
    return TutorAnswer(message, False, (), score, DECLINED, probability)


def answer_question(index: LessonIndex, question: str) -> TutorAnswer:
    """Answer from the lesson only, quoting it, or decline and say why."""
    question = question[:MAX_QUESTION_CHARS]
    kind = message_kind(question)
    if kind == "injection":
        return _reply(compose.injection(index), DECLINED, False)
    if kind in ("greeting", "thanks"):
        return _reply(getattr(compose, kind)(index), kind, True)
    if kind == "overview":
        cites = tuple(
            Citation(section=h, anchor=a, quote=h) for h, a in index.places if a not in NOT_SECTIONS
        )
        return TutorAnswer(compose.overview(index), True, cites, 0.0, "overview", 1.0)
    if not tokenize(question):
        return _reply(compose.no_content(index), DECLINED, False)

    model = load_model()
    texts = question_parts(index, question)
    parts = [assess(index, text, model) for text in texts]
    answered = [p for p in parts if p.query.terms and p.probability >= model.threshold]
    if not answered:
        return _decline(index, question, parts)

    lines: list[str] = []
    citations: list[Citation] = []
    for part in answered:
        lines.append(compose.quote_text(index, part.chosen, first=len(citations) + 1))
        citations += _citations(index, part.chosen)
    missing = [t for t, p in zip(texts, parts, strict=True) if p not in answered]
    if missing:
        lines.append(compose.part_not_covered(missing))
    return TutorAnswer(
        answer="\n".join(lines),
        grounded=True,
        citations=tuple(citations),
        best_score=max(p.best_score for p in answered),
        kind=ANSWER,
        confidence=min(p.probability for p in answered),
    )


def closest_anchor(index: LessonIndex, text: str) -> str | None:
    """The anchor of the lesson section whose units best match `text`, if any does.

    Used to point a quiz question at the section that teaches it; key terms and the big idea
    are not sections, so they are skipped.
    """
    anchors = (
        index.places[index.units[u].section][1] for _, u in rank(index, read_query(index, text))
    )
    return next((anchor for anchor in anchors if anchor not in NOT_SECTIONS), None)
