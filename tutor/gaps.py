"""Grouping the questions the tutor declined by similar wording (no Django).

Two questions belong together when their content words (stemmed, stop words removed) overlap
enough (Jaccard similarity), so "what is RLHF?" and "what's rlhf" and "explain RLHF please"
land in one group that tells an instructor what the lesson should cover.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .retrieval import query_terms, tokenize

SIMILARITY = 0.5


@dataclass
class GapGroup:
    terms: frozenset[str]
    wordings: Counter = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.wordings.values())

    @property
    def wording(self) -> str:
        """The most common wording; the earliest seen on a tie."""
        return self.wordings.most_common(1)[0][0]

    @property
    def examples(self) -> list[str]:
        return [text for text, _ in self.wordings.most_common(4)[1:]]


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def group_questions(
    questions: Iterable[str | tuple[str, int]], threshold: float = SIMILARITY
) -> list[GapGroup]:
    """Groups wordings; each item is a question, or (wording, times asked) already counted."""
    groups: list[GapGroup] = []
    # Only groups sharing a term can reach the threshold, so look those up by term instead of
    # comparing with every group.
    by_term: dict[str, list[int]] = {}
    for item in questions:
        question, times = (item, 1) if isinstance(item, str) else item
        text = " ".join(question.split())
        terms = frozenset(query_terms(tokenize(text)))
        candidates = {index for term in terms for index in by_term.get(term, ())}
        if not terms and groups:
            candidates = {index for index, group in enumerate(groups) if not group.terms}
        best = max(
            sorted(candidates), key=lambda i: _similarity(groups[i].terms, terms), default=None
        )
        if best is not None and _similarity(groups[best].terms, terms) >= threshold:
            groups[best].wordings[text] += times
        else:
            groups.append(GapGroup(terms=terms, wordings=Counter({text: times})))
            for term in terms:
                by_term.setdefault(term, []).append(len(groups) - 1)
    return sorted(groups, key=lambda group: -group.count)
