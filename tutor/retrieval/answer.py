"""Answering a message from one lesson: read it (`message.py`), rank, decide answerability,
compose.

Nothing here catches exceptions: a bug must surface as an error, never pass as a decline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import compose, tuning
from .answerability import LEXICAL_FEATURES, Model, features, load_model, similarity
from .comparisons import Side
from .index import LessonIndex
from .lexicon import looks_foreign, script, tokenize
from .message import is_big_idea, message_kind, message_parts
from .ranking import (
    NAME,
    NUMBER,
    TIME,
    Query,
    definition_match,
    has_answer_type,
    max_score,
    rank,
    read_query,
    wanted,
)
from .units import BIG_IDEA_ANCHOR, NOT_SECTIONS

MAX_QUESTION_CHARS = 2000
ANSWER = "answer"
DECLINED = "declined"


@dataclass(frozen=True)
class Citation:
    """Where a quote lives: section heading, its anchor, the quote."""

    section: str
    anchor: str
    quote: str


def _citation(index: LessonIndex, uid: int) -> Citation:
    return Citation(*index.place(uid), index.units[uid].text)


@dataclass(frozen=True)
class TutorAnswer:
    """The tutor's reply. `kind`: "answer", "declined", "greeting", "thanks" or "overview".

    `confidence`: the model's probability that the quotes answer (a multi-part question's least
    sure part). `best_score`: the best unit's BM25 score over an ideal unit's, roughly 0..1.
    """

    answer: str
    grounded: bool
    citations: tuple[Citation, ...] = ()
    best_score: float = 0.0
    kind: str = ANSWER
    confidence: float = 0.0


@dataclass(frozen=True)
class Assessment:
    """One question part: its query, ranking, the units to quote and their probability."""

    query: Query
    ranked: list[tuple[float, int]]
    chosen: list[int]  # the units quoted: `judged` and the best unit's next sentence
    judged: list[int]  # the units the answerability model judges
    features: list[float | None]
    probability: float
    best_score: float  # the best unit's score over an ideal unit's


_SLOT_FEATURES = [LEXICAL_FEATURES.index(f) for f in ("kind_missing", "origin_missing")]


def _gives_own_ask(index: LessonIndex, said: str, part: Assessment) -> bool:
    """Whether the passage judged for a part asked with an earlier part's subject gives what
    the part's own question word (in `said`, the learner's wording) asks for: the borrowed words
    make a passage about that subject look like an answer to "..., and who proved it?".

    A name for "who" (not "where": a place is often told without one), a date for "when", a
    number for "how many" (`has_answer_type`); no slot `kind_missing` or `origin_missing` finds
    empty; for "how", a word the part names ("how do I install it?"). A reason, a yes or no or
    a "what" asks for nothing a passage can be checked for: the model's decision stands.
    """
    if any(part.features[i] for i in _SLOT_FEATURES):
        return False
    opening = tokenize(said)[:2]
    kind = wanted(" ".join(opening))
    if kind in (TIME, NUMBER) or (kind == NAME and opening[0] != "where"):
        asked = replace(part.query, answer_type=kind)
        return any(has_answer_type(index, uid, asked) for uid in part.judged)
    if opening[:1] == ["how"]:
        own = set(index.terms_of(said))
        return any(own & index.unit_terms(uid) for uid in part.judged)
    return True


def assess(
    index: LessonIndex,
    text: str,
    model: Model | None = None,
    *,
    with_semantic: bool = False,
    exact_below: float | None = None,
) -> Assessment:
    """Reads, ranks and chooses the passage for one question part; `model` (if given) judges it.
    The semantic feature is computed when the model uses it (or `with_semantic`, for `fit`).

    With `exact_below`, the probability is exact only below it (or below the model's threshold,
    if higher): the quoted units are encoded best-ranked first, and once the closest so far
    makes the probability reach that line the others are not encoded, since a closer one could
    only raise it (`Model.rises_with_semantic`). The decision is the same; the probability, and
    the semantic feature, are then lower bounds at or above the line.
    """
    query = read_query(index, text)
    ranked = rank(index, query) if query.terms else []
    complete = bool(ranked and query.subject) and definition_match(index, ranked[0][1], query) == 1
    judged = compose.choose_units(index, ranked, query.terms, complete=complete) if ranked else []
    # The model judges the ranked passage; the quote also carries the sentence after the best
    # unit, which often says what the best unit only sets up.
    chosen = compose.with_continuation(index, judged, ranked[0][1]) if ranked else []
    # A question asking for a list gets all of a list that a heading introduces (or of a
    # table whose rows an announcing sentence introduces), not the item that ranked best; the
    # model judges the passage without the other items.
    if ranked and query.asks_list:
        chosen = compose.with_heading_list(index, chosen, ranked[0][1], query.terms)
    x = features(index, query, ranked, judged)
    if with_semantic or (model and model.semantic):
        settled = None
        if model and exact_below is not None and model.rises_with_semantic:
            line = max(exact_below, model.threshold)
            lexical = list(x)

            def settled(cosine: float) -> bool:
                return model.probability([*lexical, cosine]) >= line

        first = ranked[0][1] if ranked else None
        x.append(similarity(index, query, judged, first=first, settled=settled))
    probability = model.probability(x) if chosen and model else 0.0
    best = ranked[0][0] / max_score(index, query) if ranked else 0.0
    return Assessment(query, ranked, chosen, judged, x, probability, best)


def _decline(index: LessonIndex, question: str, parts: list[Assessment]) -> TutorAnswer:
    """Says why nothing is quoted, naming the closest section only when it really relates."""
    best = max(parts, key=lambda a: a.probability)
    reason, heading = "not_covered", ""
    if looks_foreign(question, frozenset(index.postings)):
        # A lesson in Latin script is read as English.
        english = script(" ".join(index.postings)) == "LATIN"
        reason = "foreign_english" if english else "foreign"
    elif not best.query.terms:
        reason = "no_content"
    elif best.chosen and best.probability >= tuning.RELATED_PROBABILITY:
        heading, anchor = index.place(best.ranked[0][1])
        if heading and anchor not in NOT_SECTIONS:
            reason = "related"
    message = compose.reply(index, reason, heading=heading)
    return TutorAnswer(
        message, False, best_score=best.best_score, kind=DECLINED, confidence=best.probability
    )


def _unranked_reply(index: LessonIndex, question: str) -> TutorAnswer | None:
    """The reply to a message answered without ranking (small talk, a steer, one with no words,
    a request for the big idea of a lesson that has one), else None."""
    kind = message_kind(question)
    if kind == "injection":
        return TutorAnswer(compose.reply(index, kind), False, kind=DECLINED)
    if kind in ("greeting", "thanks"):
        return TutorAnswer(compose.reply(index, kind), True, kind=kind)
    if kind == "overview":
        cites = tuple(Citation(h, a, h) for h, a in index.places if a not in NOT_SECTIONS)
        return TutorAnswer(compose.overview(index), True, cites, kind=kind, confidence=1.0)
    if not tokenize(question):
        return TutorAnswer(compose.reply(index, "no_content"), False, kind=DECLINED)
    if is_big_idea(index, question):
        units = [u for u in range(index.n) if index.place(u)[1] == BIG_IDEA_ANCHOR]
        if units:
            cites = tuple(_citation(index, u) for u in units)
            text = compose.quote_text(index, units)
            return TutorAnswer(text, True, cites, best_score=1.0, confidence=1.0)
    return None


def answer_question(
    index: LessonIndex, question: str, *, low_confidence: float = tuning.LOW_CONFIDENCE
) -> TutorAnswer:
    """Answer from the lesson only, quoting it, or decline and say why.

    An answer's `confidence` is exact below `low_confidence` (the tutor-gaps report's line,
    `TUTOR_LOW_CONFIDENCE`), which is all that report reads; at or above it, it may be a lower
    bound that is itself at or above the line (`assess`, `exact_below`). Declines are exact.
    """
    question = question[:MAX_QUESTION_CHARS]
    if (reply := _unranked_reply(index, question)) is not None:
        return reply
    model = load_model()
    asks = message_parts(index, question)

    def judged(text: str) -> Assessment:
        return assess(index, text, model, exact_below=low_confidence)

    # A question has one assessment; a comparison one per side, none for a side the lesson
    # never names (there is nothing of it to look for).
    found = [
        [judged(ask)]
        if isinstance(ask, str)
        else [judged(s.question) if s.known else None for s in ask]
        for ask in asks
    ]
    assessed = [part for parts in found for part in parts if part is not None]

    def answers(ask: str | tuple[Side, Side], part: Assessment | None) -> bool:
        # A part asked with an earlier part's subject is still its own question.
        return (
            part is not None
            and bool(part.query.terms)
            and part.probability >= model.threshold
            and (not getattr(ask, "borrowed", False) or _gives_own_ask(index, ask.said, part))
        )

    answered = [
        part for ask, parts in zip(asks, found, strict=True) for part in parts if answers(ask, part)
    ]
    if not answered:
        return _decline(index, question, assessed)
    return _quoted(index, asks, found, answered)


def _quoted(
    index: LessonIndex,
    asks: list[str | tuple[Side, Side]],
    found: list[list[Assessment | None]],
    answered: list[Assessment],
) -> TutorAnswer:
    """The answer that quotes each answered part (`found` holds each ask's assessments, `None`
    for a side the lesson never names) and names the parts and sides left unanswered."""
    lines: list[str] = []
    citations: list[Citation] = []
    missing_parts: list[str] = []
    missing_sides: list[str] = []
    for ask, parts in zip(asks, found, strict=True):
        # A comparison is one answer: one frame, then what the lesson says of each side.
        names = [ask] if isinstance(ask, str) else [side.name for side in ask]
        chosen: list[int] = []
        for name, part in zip(names, parts, strict=True):
            if not any(part is p for p in answered):
                said = getattr(name, "said", name)  # a reworded part as the learner wrote it
                (missing_parts if isinstance(ask, str) else missing_sides).append(said)
                continue
            # A unit quoted for an earlier part is not quoted again, and a part whose best unit
            # is already quoted is answered (the two sides of a comparison often share units).
            quoted = {c.quote for c in citations} | {index.units[u].text for u in chosen}
            if index.units[part.ranked[0][1]].text in quoted:
                continue
            chosen += [u for u in part.chosen if index.units[u].text not in quoted]
        if chosen:
            lines.append(compose.quote_text(index, chosen, first=len(citations) + 1))
            citations += [_citation(index, u) for u in chosen]
    if missing_parts:
        lines.append(compose.part_not_covered(missing_parts))
    if missing_sides:
        lines.append(compose.side_not_covered(missing_sides))
    return TutorAnswer(
        answer="\n".join(lines),
        grounded=True,
        citations=tuple(citations),
        best_score=max(p.best_score for p in answered),
        confidence=min(p.probability for p in answered),
    )


def closest_anchor(index: LessonIndex, text: str) -> str | None:
    """The anchor of the lesson section whose units best match `text`, if any does.

    Used to point a quiz question at the section that teaches it; key terms and the big idea
    are not sections, so they are skipped.
    """
    anchors = (index.place(u)[1] for _, u in rank(index, read_query(index, text)))
    return next((anchor for anchor in anchors if anchor not in NOT_SECTIONS), None)
