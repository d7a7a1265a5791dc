"""Whether a question asks who made or named something, or when something happened, and
whether a passage can fill that slot with something the question does not already say.

"Who invented the drum roaster?" asks for a person; a passage that names the drum roaster
and explains how it works, with no name in it, restates the question's own words and leaves
the asked slot empty. "When was net metering introduced?" asks for a date; a passage that
describes net metering with no year, century or era leaves it empty too. `asked_slot` reads the
slot from the question's wording (a person for "who" with a verb of making, finding, naming or
doing first, and "who was <Name>"; a date for a past-tense "when", "what year", "which
century"), and `fills_slot` says whether a text holds a filler the question does not itself
hold: a capitalised name beyond the question's words for a person; a year, decade, century,
era, month or "ago" for a date. General English only, nothing about any lesson.

`answer_type` differs: it takes any "who" or "when" (also "who gives way?", "when does X
occur?", which ask for a role or a circumstance) and any "when", "before" or "once" as a date,
so it is 0 both when nothing of the kind is asked and when it is asked and missing.
"""

from __future__ import annotations

import re

from .lexicon import content_terms, names_beyond

PERSON = "person"
DATE = "date"

# Verbs of making, finding, naming or starting something, after "who" (with "first" or an
# adverb allowed between): the answer is a person or a people.
_ORIGIN_VERBS = (
    r"invented|discovered|founded|named|coined|created|designed|developed|built|made|wrote|"
    r"devised|introduced|pioneered|patented|described|gave|came up with|started|brought|"
    r"printed|drew|proposed|established|popularised|popularized|composed|identified|"
    r"domesticated|first|began|begun|is credited|was credited|was the first|were the first"
)
_PERSON_RE = re.compile(
    rf"\bwho\s+(?:first\s+|originally\s+|actually\s+|really\s+)?(?:{_ORIGIN_VERBS})\b"
)
# "Who was Ruy Lopez?": a capitalised name after the copula, read on the question as typed.
_WHO_WAS_RE = re.compile(r"\b[Ww]ho\s+(?:was|were|is)\s+[A-Z]")
# A past-tense "when" asks for a date; a present-tense one ("when does X occur?") for a
# circumstance.
_DATE_RE = re.compile(
    r"\bwhen\s+(?:did|was|were)\b|\b(?:what|which)\s+(?:year|century|decade|date|era)\b"
    r"|\bhow\s+long\s+ago\b"
)

# A capitalised word that does not open the sentence (as `ranking._NAME_RE`, but a capital
# after a colon opens a clause or a list item, as often as a name), and not the pronoun "I"
# with a contraction.
_NAME_RE = re.compile(r"(?<=[\w,;)] )(?!I'|I\u2019)[A-Z][\w'\u2019-]+")
_MONTHS = "January|February|March|April|June|July|August|September|October|November|December"
_DATE_FILLER_RE = re.compile(
    r"\b(?:1\d{3}|20\d{2})s?\b(?![.,]\d)"  # a year from 1000 to 2099, or its decade
    r"|\b\d{1,4}\s*(?:BCE|BC|CE|AD)\b|\b(?:AD|CE)\s*\d{1,4}\b"  # a year with an era
    r"|\b\d0s\b|\b\d{1,2}(?:st|nd|rd|th)[\s-]+centur(?:y|ies)\b"  # "the 90s", "the 8th century"
    r"|\bcentur(?:y|ies)\b|\bmillenni(?:um|a)\b|\bago\b"
    rf"|\b(?:{_MONTHS})\b"
    r"|\b(?:prehistoric|medieval|mediaeval|ancient|antiquity|Middle Ages|Renaissance|"
    r"Victorian|Bronze Age|Iron Age|Stone Age|World War)\b",
    re.IGNORECASE,
)


def asked_slot(question: str) -> str | None:
    """PERSON, DATE or None: what the question's wording asks to be filled."""
    lowered = " ".join(re.sub(r"[^\w'\s-]", " ", question.casefold()).split())
    if _PERSON_RE.search(lowered) or _WHO_WAS_RE.search(question):
        return PERSON
    if _DATE_RE.search(lowered):
        return DATE
    return None


def fills_slot(text: str, slot: str, question: str) -> bool:
    """Whether `text` holds a filler of `slot` that the question does not itself hold."""
    if slot == PERSON:
        # A name has a lower-case letter: a word in capitals only ("AI", "GPU") abbreviates one.
        names = (name for name in _NAME_RE.findall(text) if not name.isupper())
        return names_beyond(names, set(content_terms(question)))
    lowered = question.casefold()
    return any(m.group().casefold() not in lowered for m in _DATE_FILLER_RE.finditer(text))
