"""Grouping the questions the tutor declined by similar wording (no Django).

Two questions belong together when their content words (stemmed, stop words removed) overlap
enough (Jaccard similarity), so "what is RLHF?" and "what's rlhf" and "explain RLHF please"
land in one group that tells an instructor what the lesson should cover.
"""

from __future__ import annotations

from collections import Counter
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


def group_questions(questions: list[str], threshold: float = SIMILARITY) -> list[GapGroup]:
    groups: list[GapGroup] = []
    for question in questions:
        text = " ".join(question.split())
        terms = frozenset(query_terms(tokenize(text)))
        best = max(groups, key=lambda g: _similarity(g.terms, terms), default=None)
        if best is not None and _similarity(best.terms, terms) >= threshold:
            best.wordings[text] += 1
        else:
            groups.append(GapGroup(terms=terms, wordings=Counter({text: 1})))
    return sorted(groups, key=lambda group: -group.count)
