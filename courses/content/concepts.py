"""Matching concept spellings across lessons, without Django.

A concept in a lesson's `concepts:` or a key term is written however its author wrote it:
"Sparse autoencoders", "sparse autoencoder", "chain-of-thought", "Chain of thought". Two
spellings name one concept when they have the same words, ignoring case, punctuation and
hyphenation ("non-linear" = "nonlinear"), and, for the last word, a plural whose singular the
catalog also uses ("features" = "feature", "biases" = "bias", "probabilities" = "probability").
Authors join any other two spellings with `aliases:` in course.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD_RE = re.compile(r"[^\W_]+")


def concept_words(spelling: str) -> list[str]:
    return _WORD_RE.findall(spelling.lower())


def concept_slug(spelling: str) -> str:
    """The URL part of a spelling's concept page ("" when it has no letters or digits)."""
    return "-".join(concept_words(spelling))


def _compact(slug: str) -> str:
    return slug.replace("-", "")


def _singulars(compact: str) -> list[str]:
    if compact.endswith("ies") and len(compact) > 4:
        return [compact[:-3] + "y"]
    if compact.endswith("es") and len(compact) > 3:
        return [compact[:-1], compact[:-2]]
    if compact.endswith("s") and not compact.endswith("ss") and len(compact) > 3:
        return [compact[:-1]]
    return []


@dataclass
class Mention:
    """One lesson using one spelling, as a concept of its cluster or as a key term."""

    lesson_id: int
    spelling: str
    is_key_term: bool


@dataclass
class Concept:
    key: str
    name: str
    slug: str
    lesson_ids: list[int] = field(default_factory=list)  # in the order mentions were given


@dataclass
class ConceptIndex:
    concepts: dict[str, Concept]  # by key
    by_slug: dict[str, str]  # any spelling's slug -> key

    def find(self, slug: str) -> Concept | None:
        key = self.by_slug.get(slug)
        return self.concepts.get(key) if key is not None else None


def build_index(mentions: Iterable[Mention], aliases: Iterable[tuple[str, str]]) -> ConceptIndex:
    """Groups mentions (given in catalog order) into concepts.

    Each concept is named by its most used spelling (the first one on a tie) and lists each
    lesson once, in the order of the mentions.
    """
    mentions = [m for m in mentions if concept_slug(m.spelling)]
    alias_of = {
        _compact(concept_slug(spelling)): _compact(concept_slug(meaning))
        for spelling, meaning in aliases
    }
    vocabulary = {_compact(concept_slug(m.spelling)) for m in mentions} | set(alias_of.values())

    def key_of(spelling: str) -> str:
        compact = _compact(concept_slug(spelling))
        seen = set()
        while compact not in seen:  # follow aliases and plurals to the end (no cycles)
            seen.add(compact)
            if compact in alias_of:
                compact = alias_of[compact]
                continue
            singular = next((s for s in _singulars(compact) if s in vocabulary), None)
            if singular is not None:
                compact = singular
        return compact

    spellings: dict[str, Counter[str]] = {}
    concepts: dict[str, Concept] = {}
    by_slug: dict[str, str] = {}
    for mention in mentions:
        key = key_of(mention.spelling)
        by_slug.setdefault(concept_slug(mention.spelling), key)
        spellings.setdefault(key, Counter())[mention.spelling] += 1
        concept = concepts.setdefault(key, Concept(key=key, name="", slug=""))
        if mention.lesson_id not in concept.lesson_ids:
            concept.lesson_ids.append(mention.lesson_id)
    for spelling, meaning in aliases:
        key = key_of(meaning)
        if key in concepts:
            by_slug.setdefault(concept_slug(spelling), key)
    for key, concept in concepts.items():
        name = spellings[key].most_common(1)[0][0]  # most_common keeps first-seen order on ties
        concept.name = name
        concept.slug = concept_slug(name)
        by_slug[concept.slug] = key
    return ConceptIndex(concepts=concepts, by_slug=by_slug)


def key_for(index: ConceptIndex, spelling: str) -> str | None:
    return index.by_slug.get(concept_slug(spelling))
