"""Whether a question asks for a detail of a particular shape, and whether a passage can
give it: the top of a ranking (a superlative) or a kind of thing.

"Which country has the most lighthouses?" asks for the top of a ranking; a passage about
lighthouses that ranks nothing leaves that slot empty, however many of the question's words it
holds. "What kind of glue holds the wick tab down?" asks which glue; a passage that says "a dot
of glue" names the thing but not its kind. `asked_detail` reads the slot from the question's
wording and `gives_detail` says whether a text can fill it:

- a *superlative*: the question says "the most", "the least", "best", "worst" or an "-est"
  adjective ("tallest", "biggest", "deadliest"); the text fills it with a superlative of its
  own. "Most" without "the" is a quantifier ("most aquifers", "most of the work") and asks
  for nothing, except last ("which matters most?"); nor does a superlative in the subject
  after "do", "does", "did" or a modal ("What did the earliest lighthouses burn?"), which
  only says what is asked about.
- a *kind*: "what/which kind (type, sort) of <thing>"; the text fills it when it writes the
  thing with a word that specifies it and that the question does not hold ("thin twine",
  "monocrystalline panels"), or names it with "such as", "like", "called" or a colon after
  it, or labels a kind ("kind: diamond.", a table row). "Which brand (make) of <thing>" asks
  for a name: a capitalised word that does not open a sentence and is not the question's
  own, as for "who" (`origins.fills_slot`).

General English only, nothing about any lesson. Like `origins`, the slot is read narrowly:
"which <noun>" alone ("which knot do climbers tie in with?") is answered by an instance that
never repeats the noun ("the figure-eight"), so it asks for nothing here.
"""

from __future__ import annotations

import re

from .lexicon import STOP_WORDS, content_terms, term, words, zipf
from .origins import PERSON, fills_slot

SUPERLATIVE = "superlative"
KIND = "kind"
BRAND = "brand"

# Superlatives that do not end in "-est".
_IRREGULAR = frozenset(words("best worst"))
# An "-est" word is a superlative when its comparative ("-er") is an English word and its
# base an ordinary one: "biggest" (bigger, big), "deadliest" (deadlier, deadly), but not
# "forest", "honest", "interest", "chest" or "suggest". Zipf frequencies from `wordfreq`.
_MIN_COMPARATIVE_ZIPF = 2.3
_MIN_BASE_ZIPF = 3.5
_WORD_RE = re.compile(r"[a-z]+(?:['\u2019-][a-z]+)*")
_THE_MOST_RE = re.compile(r"\bthe\s+(?:most|least)\b|\b(?:most|least)\s*$")
# "What did the earliest lighthouses burn?": a superlative in the subject after "did" says
# which lighthouses are asked about; the question asks what they burned. After "is" it is what
# is asked ("What is the tallest lighthouse?"). The subject is taken as at most three words.
_SUBJECT_AFTER_AUX_RE = re.compile(
    r"\b(?:do|does|did|can|could|should|would|will)\s+(?:the|a|an|my|your|their|its)\s+"
    r"(?:[a-z'-]+\s+){0,2}[a-z'-]+"
)
# Nouns too vague to have kinds the passage could name: "what kind of things...".
_VAGUE_NOUNS = frozenset(words("thing things stuff one ones way ways"))
_KIND_RE = re.compile(
    r"\b(?:what|which)\s+(kinds?|types?|sorts?|brands?|makes?)\s+of\s+"
    r"([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?"
)
_NAMED_AFTER_RE = re.compile(r"^\s*(?:such as|like|called|named|known as|[:(])")
# A label that names a kind: a table row read as "kind: diamond." or "type: hitch."
_KIND_LABEL_RE = re.compile(r"\b(?:kind|type|sort|variety)\s*:", re.IGNORECASE)


def is_superlative(word: str) -> bool:
    """Whether a lower-case word is a superlative adjective or adverb ("best", "tallest")."""
    if word in _IRREGULAR:
        return True
    for part in word.split("-"):  # "best-known", "longest-running"
        if part in _IRREGULAR:
            return True
        stem = part[:-3]
        if not part.endswith("est") or len(stem) < 3:
            continue
        bases = {stem, stem + "e"}
        if stem.endswith("i"):
            bases.add(stem[:-1] + "y")  # deadliest, deadly
        if stem[-1] == stem[-2]:
            bases.add(stem[:-1])  # biggest, big
        if zipf(stem + "er") >= _MIN_COMPARATIVE_ZIPF and max(map(zipf, bases)) >= _MIN_BASE_ZIPF:
            return True
    return False


def _lowered(text: str) -> str:
    return " ".join(re.sub(r"[^\w'\u2019\s-]", " ", text.casefold()).split())


def _has_superlative(text: str) -> bool:
    lowered = _lowered(text)
    return bool(_THE_MOST_RE.search(lowered)) or any(
        is_superlative(w) for w in _WORD_RE.findall(lowered)
    )


def _asks_superlative(question: str) -> bool:
    """Whether the question asks for the top of a ranking: a superlative outside the subject of
    a question with "do", "does", "did" or a modal, where it only says what is asked about."""
    return _has_superlative(_SUBJECT_AFTER_AUX_RE.sub(" ", _lowered(question)))


def asked_detail(question: str) -> tuple[str, str] | None:
    """The detail a question asks for and the word naming its thing: (KIND, "glue"),
    (BRAND, "binoculars"), (SUPERLATIVE, ""), or None."""
    lowered = _lowered(question)
    kind = _KIND_RE.search(lowered)
    if kind:
        # The word after "of" names the thing ("glue holds...": the next may be the verb).
        thing, after = kind.group(2, 3)
        if thing not in STOP_WORDS and not _VAGUE_NOUNS & {thing, after}:
            return (BRAND if kind.group(1).startswith(("brand", "make")) else KIND), thing
    if _asks_superlative(question):
        return SUPERLATIVE, ""
    return None


def _specifies(text: str, thing: str, question: str) -> bool:
    """Whether `text` writes `thing` with a word that says which: a content word before it
    that the question lacks, or "such as", "like", "called", a colon after it."""
    wanted = term(thing)
    asked = set(content_terms(question))
    matches = list(_WORD_RE.finditer(text.casefold()))
    for i, match in enumerate(matches):
        if term(match.group()) != wanted:
            continue
        before = matches[i - 1].group() if i else ""
        if before and before not in STOP_WORDS and term(before) not in asked | {wanted}:
            return True
        if _NAMED_AFTER_RE.match(text[match.end() :]):
            return True
    return False


def gives_detail(text: str, detail: tuple[str, str], question: str) -> bool:
    """Whether `text` can fill the detail `asked_detail` read from `question`."""
    slot, thing = detail
    if slot == SUPERLATIVE:
        return _has_superlative(text)
    if slot == BRAND:
        return fills_slot(text, PERSON, question)
    return bool(_KIND_LABEL_RE.search(text)) or _specifies(text, thing, question)
