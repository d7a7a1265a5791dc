"""Plain BM25 over a lesson's sentences: the baseline the tutor must beat (Django-free).

The baseline never declines: it quotes the top-k sentences for every question. Its tokens are
lower-cased words minus a short list of English function words, with no stemming, spelling
correction or anything else the tutor adds, so the gap between the two is what the tutor's own
machinery buys.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

K1 = 1.5
B = 0.75
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# A sentence ends at . ! ? followed by space and a capital, digit or opening quote.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
_STOP_WORDS_TEXT = """
    a an the and or but if of to in on at by for with from as into about over under is are
    was were be been being am do does did done have has had having it its this that these those
    there here what which who whom whose when where why how i you he she we they me him her us
    them my your his our their not no so than then too very can could will would shall should
    may might must also just any some such each other more most all both few only own same s t
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def tokens(text: str) -> list[str]:
    return [w for w in _WORD_RE.findall(text.casefold()) if w not in STOP_WORDS]


def split_sentences(text: str) -> list[str]:
    """Lines, then sentences inside each line (one paragraph, list item or row per line)."""
    sentences: list[str] = []
    for line in text.splitlines():
        sentences.extend(s.strip() for s in _SENTENCE_END_RE.split(line) if s.strip())
    return sentences


class BM25:
    """Okapi BM25 with the usual k1 = 1.5, b = 0.75 over a fixed list of sentences."""

    def __init__(self, sentences: Sequence[str]) -> None:
        self.sentences = list(sentences)
        self._docs = [Counter(tokens(s)) for s in self.sentences]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {w: math.log((n - f + 0.5) / (f + 0.5) + 1.0) for w, f in df.items()}

    def scores(self, query: str) -> list[float]:
        terms = tokens(query)
        out = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            total = 0.0
            norm = K1 * (1 - B + B * length / self._avg) if self._avg else K1
            for w in terms:
                tf = doc.get(w, 0)
                if tf:
                    total += self._idf[w] * tf * (K1 + 1) / (tf + norm)
            out.append(total)
        return out

    def top(self, query: str, k: int) -> list[str]:
        """The k best sentences, best first (ties in lesson order)."""
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [self.sentences[i] for i in order[:k]]
