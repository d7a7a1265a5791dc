"""Comparison questions: the two things "what's the difference between A and B?", "how is A
different from B?", "how do A and B differ?", "A vs B" or "compare A and B" names, read from the
question's wording and the lesson's own use of its words (a noun two sides share, a word the
lesson uses only as a modifier). `message.message_parts` asks each side as "what is A?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import tuning
from .index import LessonIndex
from .lexicon import STOP_WORDS, content_words, tokenize, word_term, words
from .units import ROW

# The wordings of the module docstring, read from the part without its end mark, in any case.
# "Which is cheaper, A or B?" is not one: it asks about one property, which the whole question's
# ranking keeps.
_HOW = r"^(?:how|in\s+what\s+ways?)\s+(?:is|are|does|do)\s+"
_COMPARISONS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(?:what(?:'s| is| are)\s+)?(?:the\s+)?(?:main\s+)?differences?\s+between\s+"
        r"(?P<a>.+?)\s+and\s+(?P<b>.+)$",
        _HOW + r"(?P<a>.+?)\s+and\s+(?P<b>.+?)\s+(?:different|differ)"
        r"(?:\s+from\s+(?:each\s+other|one\s+another))?$",
        _HOW + r"(?P<a>.+?)\s+(?:different|differ)\s+(?:from|to)\s+(?P<b>.+)$",
        r"^(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+)$",
        r"^compare\s+(?P<a>.+?)\s+(?:and|with|to)\s+(?P<b>.+)$",
    )
)
# "a Presta one", "ordinary ones": the word stands for the other side's noun.
_PRO_NOUNS = frozenset(words("one ones"))
_ARTICLE_RE = re.compile(r"^(?:an?|the)\s+", re.IGNORECASE)
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_WH_WORDS = frozenset(words("what which who whom whose when where why how"))


@dataclass(frozen=True)
class Side:
    """One of the two things a comparison names, as the learner wrote it, and whether the lesson
    names it: a word of its own, not one both sides share, stands for a lesson term."""

    name: str
    known: bool

    @property
    def question(self) -> str:
        return f"what is {_ARTICLE_RE.sub('', self.name).casefold()}?"


def _modifies(index: LessonIndex, term: str, head: str) -> bool:
    """Whether the lesson uses a term as a modifier of `head` (another term): straight before
    it ("warm front"), or only ever straight before some content word ("high" in "High
    pressure brings..." and "the high clouds"), never as a thing of its own ("Sleet is...",
    "sleet or hail", "Pumice: ..."); in a table a bare cell says neither."""
    followers: set[str] = set()
    alone = False
    for uid in index.postings.get(term, ())[::2]:
        text = index.units[uid].text.casefold()
        found = list(_WORD_RE.finditer(text))
        for this, after in zip(found, [*found[1:], None], strict=True):
            if word_term(this[0]) != term:
                continue
            if after is None or text[this.end() : after.start()].strip() or after[0] in STOP_WORDS:
                alone = alone or index.units[uid].kind != ROW
            else:
                followers.add(word_term(after[0]))
    return head in followers or bool(followers and not alone)


def _with_shared_noun(index: LessonIndex, a: str, b: str) -> tuple[str, str]:
    """The two sides (without articles) with a noun they share written out on both: "a
    Schrader valve and a Presta one" is two valves; "a high and a low pressure system" two
    pressure systems when the first side is one word that names no lesson term or that the
    lesson uses as a modifier of the noun (`_modifies`), and the second side's words after its
    first name a lesson term. "sleet and freezing rain" stays two things when the lesson uses
    "sleet" as one."""
    a_words, b_words = a.split(), b.split()
    if len(b_words) >= 2 and b_words[-1].casefold() in _PRO_NOUNS and len(a_words) >= 2:
        b_words[-1] = a_words[-1]
    if len(a_words) == 1 and len(b_words) >= 2 and len(own := content_words(a)) == 1:
        heads = index.terms_of(" ".join(b_words[1:]))
        word = index.match(own[0])[1]
        if any(head in index.postings for head in heads) and (
            word not in index.postings or _modifies(index, word, heads[0])
        ):
            a_words += b_words[1:]
    return " ".join(a_words), " ".join(b_words)


def comparison_sides(index: LessonIndex, text: str) -> tuple[Side, Side] | None:
    """The two things a question compares (`_COMPARISONS`), when each is a name and the lesson
    names at least one of them; else None."""
    plain = " ".join(text.replace("\u2019", "'").strip(" ?.!").split())
    match = next(filter(None, (pattern.match(plain) for pattern in _COMPARISONS)), None)
    if match is None:
        return None
    sides = [side.strip(" ,;:") for side in (match["a"], match["b"])]
    articles = [article[0] if (article := _ARTICLE_RE.match(side)) else "" for side in sides]
    a, b = (side[len(article) :] for side, article in zip(sides, articles, strict=True))
    for side in (a, b):
        named = content_words(side)
        # A side is a name, not a clause ("how did the treatment of X versus Y ...") nor a
        # word that refers back ("how is it different from Y?").
        if not named or _WH_WORDS & set(tokenize(side)) or len(named) > tuning.MAX_SUBJECT_TERMS:
            return None
    a, b = _with_shared_noun(index, a, b)
    terms = [set(index.terms_of(side)) for side in (a, b)]
    shared = terms[0] & terms[1]
    known = [any(t in index.postings for t in (own - shared or own)) for own in terms]
    if not any(known):
        return None
    return Side(articles[0] + a, known[0]), Side(articles[1] + b, known[1])
