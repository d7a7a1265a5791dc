"""Does the passage the tutor would quote answer the question? A small logistic model decides.

Its inputs are general features of a (question, passage) pair, none about any one lesson:

* `coverage`: share of the question's words the passage holds (or inherits from its heading
  or context), each word weighted by how informative it is in general English, so a missing
  "involve" costs little and a missing "neap" a lot;
* `section_coverage`: the same share over the passage's whole section;
* `score`: the best unit's BM25 score over that of an ideal unit holding every question word;
* `answer_type`: a who/when/how-many/list question finds a name, date, number or announced
  list in the passage;
* `missing_number`: a number in the question is nowhere in the passage's section;
* `bigrams`: share of the question's adjacent word pairs found adjacent in the passage;
* `negation`: the question is negated but the passage is not;
* `definition`: the passage defines what the question asks about;
* `kind_missing`: the question asks for a quantity of a known kind (a speed, length, duration,
  mass, temperature, share or sum of money: `quantities.py`) and the passage gives none of it;
  since session 24 also a quantity question whose passage gives its numbers for another thing
  ("black tea" for "green tea": `quantities.quantity_missing`);
* `origin_missing`: the question asks for a slot the passage cannot fill: who made, found or
  named something, or when something happened, with no name or date in the passage beyond the
  question's own words (`origins.py`), or the top of a ranking ("the most", "tallest") with no
  superlative in the passage, or a kind or brand of a thing that the passage writes without a
  word that says which (`details.py`); the name predates `details.py`, kept so that a model
  fitted before stays loadable;
* `semantic` (only in a model fitted with `fit --semantic`): the cosine of the question's and
  the closest quoted unit's sentence vectors (`semantic.py`), which sees meaning shared without
  shared words. Without the encoder it is unknown and taken at its mean, where it moves nothing.

The coefficients live in `model.json` (fitted by `python -m tutor.retrieval.fit`); scoring is
plain Python.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .details import asked_detail, gives_detail
from .index import LessonIndex
from .lexicon import NEGATIONS, content_terms, number_word, term, tokenize
from .origins import asked_slot, fills_slot
from .quantities import quantity_missing
from .ranking import Query, definition_match, has_answer_type, max_score

MODEL_PATH = Path(__file__).with_name("model.json")

LEXICAL_FEATURES = (
    "coverage",
    "section_coverage",
    "score",
    "answer_type",
    "missing_number",
    "bigrams",
    "negation",
    "definition",
    "kind_missing",
    "origin_missing",
)
FEATURES = (*LEXICAL_FEATURES, "semantic")


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    @property
    def semantic(self) -> bool:
        return "semantic" in self.features

    @property
    def rises_with_semantic(self) -> bool:
        """Whether a closer passage can only raise the probability (a positive weight): then
        the cosine of any of the quoted units is a lower bound of the probability."""
        return self.semantic and self.weights[self.features.index("semantic")] > 0

    def probability(self, x: list[float | None]) -> float:
        """P(the passage answers); an unknown feature (None) is taken at its mean."""
        z = self.bias + sum(
            w * (v - m) / s
            for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True)
            if v is not None
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if names not in (LEXICAL_FEATURES, FEATURES):
        raise ValueError(f"{path} was fitted on other features; refit it")
    vectors = (tuple(data[key]) for key in ("mean", "scale", "weights"))
    return Model(names, *vectors, bias=data["bias"], threshold=data["threshold"])


def _bigram_share(query: Query, texts: list[str]) -> float:
    pairs = set(itertools.pairwise(query.terms))
    if not pairs:
        return 0.0
    found = {p for text in texts for p in itertools.pairwise(content_terms(text))}
    return len(found & pairs) / len(pairs)


def similarity(
    index: LessonIndex,
    query: Query,
    chosen: list[int],
    *,
    first: int | None = None,
    settled: Callable[[float], bool] | None = None,
) -> float | None:
    """Cosine of the question and the closest chosen unit; None without the encoder.

    The unit `first` (the best-ranked) is encoded first, then the others in reading order. With
    `settled`, encoding stops as soon as `settled(the closest cosine so far)` holds: the value
    is then the closest of the units encoded, a lower bound of the closest of all.
    """
    # Imported here, not at the top: `python -m tutor.retrieval.semantic build` (make install)
    # runs that module as a script, which must not be imported with the package first.
    from . import semantic

    encoder = semantic.encoder()
    if encoder is None:
        return None
    order = sorted(chosen, key=lambda uid: uid != first)  # stable: the rest keep their order
    closest = None
    for cosine in encoder.cosines(query.text, [index.units[uid].text for uid in order]):
        closest = cosine if closest is None else max(closest, cosine)
        if settled is not None and settled(closest):
            break
    return 0.0 if closest is None else closest


def _in_section(number: str, section: set[str]) -> bool:
    """Whether a section has a question's number, in digits or in words ("2", "two")."""
    word = number_word(number)
    return number in section or (word is not None and term(word) in section)


def features(
    index: LessonIndex, query: Query, ranked: list[tuple[float, int]], chosen: list[int]
) -> list[float | None]:
    """The model's lexical inputs, in the order of LEXICAL_FEATURES (`answer.assess` adds the
    semantic one, `similarity`)."""
    unit_terms = [index.unit_terms(uid) for uid in chosen]
    held = set().union(*unit_terms)
    section = index.section_terms(index.units[chosen[0]].section) if chosen else set()
    total = sum(query.weights) or 1.0
    pairs = list(zip(query.terms, query.weights, strict=True))
    texts = [index.units[uid].text for uid in chosen]
    passage_words = {w for text in texts for w in tokenize(text)}
    slot = asked_slot(query.text)
    detail = asked_detail(query.text)
    return [
        sum(w for t, w in pairs if t in held) / total,
        sum(w for t, w in pairs if t in section) / total,
        (ranked[0][0] if ranked else 0.0) / max_score(index, query),
        float(any(has_answer_type(index, uid, query) for uid in chosen)),
        float(any(not _in_section(number, section) for number in query.numbers)),
        _bigram_share(query, texts),
        float(query.negated and not passage_words & NEGATIONS),
        max((definition_match(index, uid, query) for uid in chosen), default=0.0),
        float(quantity_missing(query.text, list(zip(texts, unit_terms, strict=True)))),
        float(
            (slot is not None and not any(fills_slot(t, slot, query.text) for t in texts))
            or (detail is not None and not any(gives_detail(t, detail, query.text) for t in texts))
        ),
    ]
