"""What kind of quantity a question asks for, and whether a passage gives one of that kind.

"How fast does X fly?" asks for a speed; a passage that gives X's range in kilometres has a
number but not the one asked for. `asked_kinds` reads the kinds a question accepts from its
wording ("how fast" a speed, "how long" a duration or a length, "how many miles" a length,
"how many days" a duration); `gives_kind` says whether a text holds a number with a unit of one
of them. General English unit words only, nothing about any lesson.

"How much caffeine is in green tea?" asks for a quantity of one thing; a passage that says "a
cup of black tea holds 40 to 50 milligrams of caffeine" gives it for another thing of the same
measure. `quantity_missing` says so when every passage unit with a number either writes the
question's noun after another word in place of the question's own ("black tea" for "green
tea", "Japanese knives" for "pocket knife") or misses some word of the question, and at least
one does the first; and when a question of a known kind finds no quantity of it at all.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from .lexicon import CARDINALS, STOP_WORDS, content_terms, term, words

SPEED = "speed"
LENGTH = "length"
DURATION = "duration"
DATE = "date"
MASS = "mass"
TEMPERATURE = "temperature"
PERCENT = "percent"
MONEY = "money"
VOLUME = "volume"
AREA = "area"

#: Unit words of each kind, lower case, singular and plural.
UNITS: dict[str, frozenset[str]] = {
    LENGTH: frozenset(
        words(
            "mm cm m km millimetre millimetres millimeter millimeters centimetre centimetres "
            "centimeter centimeters metre metres meter meters kilometre kilometres kilometer "
            "kilometers inch inches foot feet ft yard yards mile miles nautical fathom fathoms "
            "micrometre micrometres micron microns nanometre nanometres light-year light-years"
        )
    ),
    DURATION: frozenset(
        words(
            "second seconds sec secs minute minutes min mins hour hours hr hrs day days night "
            "nights week weeks fortnight fortnights month months year years yr yrs decade decades "
            "century centuries millennium millennia generation generations lifetime"
        )
    ),
    MASS: frozenset(
        words(
            "mg g kg milligram milligrams gram grams gramme grammes kilogram kilograms kilo kilos "
            "tonne tonnes ton tons pound pounds lb lbs ounce ounces oz stone"
        )
    ),
    TEMPERATURE: frozenset(words("degree degrees celsius fahrenheit kelvin centigrade")),
    PERCENT: frozenset(words("percent per-cent percentage")),
    MONEY: frozenset(
        words(
            "dollar dollars pound pounds euro euros franc francs cent cents penny pence yen yuan "
            "rupee rupees shilling shillings guinea guineas livre livres mark marks crown crowns"
        )
    ),
    VOLUME: frozenset(
        words(
            "ml l litre litres liter liters millilitre millilitres milliliter milliliters gallon "
            "gallons pint pints cubic barrel barrels quart quarts"
        )
    ),
    AREA: frozenset(words("square hectare hectares acre acres sq")),
}
_SPEED_UNITS = frozenset(words("mph kph km/h kmh knot knots m/s"))
_PER = frozenset(words("a an per each every"))
_FRACTIONS = frozenset(
    words(
        "half halves third thirds quarter quarters fifth fifths sixth sixths seventh sevenths "
        "eighth eighths ninth ninths tenth tenths hundredth hundredths thousandth thousandths"
    )
)
# Before a unit, vague counts give a quantity too ("a few miles", "a couple of hours").
_NUMBER_WORDS = CARDINALS | frozenset(words("dozen dozens several few couple"))

# Words of a question that fix the kind it asks for (checked in this order; the first wins).
_KIND_PATTERNS: tuple[tuple[frozenset[str], re.Pattern[str]], ...] = (
    (frozenset({SPEED}), re.compile(r"\bhow fast\b|\bwhat (?:speed|velocity)\b|\bhow rapidly\b")),
    (frozenset({SPEED, DURATION}), re.compile(r"\bhow (?:quickly|soon)\b")),
    (
        frozenset({TEMPERATURE}),
        re.compile(r"\bhow (?:hot|cold|warm|cool)\b|\bwhat temperature\b|\bat what temperature\b"),
    ),
    (
        frozenset({MASS}),
        re.compile(r"\bhow heavy\b|\bwhat (?:weight|mass)\b|\bhow much (?:\w+ ){0,4}weighs?\b"),
    ),
    (frozenset({MASS, PERCENT}), re.compile(r"\bhow much weight\b")),
    (
        frozenset({MONEY}),
        re.compile(
            r"\bhow (?:expensive|cheap)\b|\bwhat (?:price|cost)\b|\bhow much money\b"
            r"|\bhow much (?:\w+[ -]){0,6}(?:cost|costs|costing|sell|sells|sold|pay|paid|"
            r"spend|spent|earn|earned|worth|charge|charged)\b"
        ),
    ),
    (
        frozenset({PERCENT}),
        re.compile(
            r"\bwhat (?:percentage|percent|per cent|share|proportion|fraction|part|portion)\b"
            r"|\bhow much of\b|\bhow many of\b"
        ),
    ),
    (frozenset({LENGTH}), re.compile(r"\bhow (?:far|deep|wide|tall|high|thick|broad|close)\b")),
    (frozenset({LENGTH}), re.compile(r"\bwhat (?:distance|depth|height|width|length)\b")),
    (frozenset({DURATION, LENGTH}), re.compile(r"\bhow long\b")),
    (frozenset({DURATION, DATE}), re.compile(r"\bhow old\b|\bat what age\b|\bwhat age\b")),
)
_WH_RE = re.compile(r"\b(?:what|which|who|whom|whose|where|when|why|how)\b")
_HOW_MANY_RE = re.compile(r"\bhow many (?P<unit>[\w'/-]+)")
_WORD_RE = re.compile(r"\d[\d,.]*(?:/\d+)?|[a-z]+(?:/[a-z]+)?|[%°$£€¥]")
_CURRENCY_SIGNS = frozenset("$£€¥")
_YEAR_RE = re.compile(r"\b(?:1\d{3}|20\d{2})s?\b|\b\d{1,2}(?:st|nd|rd|th) century\b")
#: A unit belongs to a number this many words before it ("40 to 50 milligrams", "a few metres").
_NUMBER_REACH = 3
# A question that asks for a quantity of no known kind: a count, an amount, a frequency, a size.
_QUANTITY_RE = re.compile(
    r"\bhow (?:many|much|often|big|large)\b"
    r"|\bwhat (?:angle|size|ratio|amount|number|proportion|percentage|share)\b"
)
# A word as a phrase reads it: a hyphenated compound ("fine-tune", "chain-of-thought") is one.
_PHRASE_WORD_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_ALL_UNITS = frozenset().union(*UNITS.values(), _SPEED_UNITS)


def _kind_of_unit(word: str) -> frozenset[str]:
    if word in _SPEED_UNITS:
        return frozenset({SPEED})
    return frozenset(kind for kind, units in UNITS.items() if word in units)


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of quantity a question accepts; empty when it asks for none of a known kind
    (a plain "how much", "how often", or "how many X" counting a thing rather than a unit)."""
    text = _question_text(question)
    for kinds, pattern in _KIND_PATTERNS:
        if _asked(pattern, text):
            return kinds
    match = _asked(_HOW_MANY_RE, text)
    # "How many miles...?" asks for a length; "how many keepers...?" a count, no kind here.
    return _kind_of_unit(match["unit"]) if match else frozenset()


def _question_text(question: str) -> str:
    return " ".join(question.casefold().replace("\u2019", "'").replace("?", " ").split())


def _asked(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The pattern's match if it is what the question asks: an embedded "how far" ("what
    limits how far a light is seen?") is not, so the quantity's words must come at or before
    the question's first question word."""
    first = _WH_RE.search(text)
    match = pattern.search(text)
    return match if match and match.start() <= (first.start() if first else 0) else None


def _is_number(token: str) -> bool:
    return token[0].isdigit() or token in _NUMBER_WORDS


def gives_kind(text: str, kinds: frozenset[str]) -> bool:
    """Whether a text holds a quantity of one of `kinds`: a number with a unit of that kind
    (a speed: also a length per time, "a few metres a year"), a sign (%, °, $, £...) or a
    fraction for a share, a year for an age."""
    if DATE in kinds and _YEAR_RE.search(text):
        return True
    tokens = _WORD_RE.findall(text.casefold().replace("per cent", "percent"))
    for i, word in enumerate(tokens):
        after_digit = i > 0 and tokens[i - 1][0].isdigit()
        if PERCENT in kinds and (word in _FRACTIONS or (word == "%" and after_digit)):
            return True
        if TEMPERATURE in kinds and word == "°":
            return True
        following = tokens[i + 1 : i + 2]
        if MONEY in kinds and word in _CURRENCY_SIGNS and following and following[0][0].isdigit():
            return True
        if not any(_is_number(t) for t in tokens[max(0, i - _NUMBER_REACH) : i]):
            continue
        if kinds & _kind_of_unit(word):
            return True
        per_time = tokens[i + 1 : i + 3]
        if (
            SPEED in kinds
            and word in UNITS[LENGTH]
            and len(per_time) == 2
            and per_time[0] in _PER
            and per_time[1] in UNITS[DURATION]
        ):
            return True
    return False


def quantity_missing(question: str, units: Sequence[tuple[str, set[str]]]) -> bool:
    """Whether the passage lacks the quantity a question asks for: one of a known kind that no
    unit gives (`asked_kinds`, `gives_kind`), or any quantity (a count, an amount, a frequency,
    a size: "how many", "how much", "how often", "what angle") that the units give only for
    another thing (`_for_another_thing`). `units` are the passage's units, each as its text and
    the terms it holds or inherits (`LessonIndex.unit_terms`)."""
    kinds = asked_kinds(question)
    if kinds and not any(gives_kind(text, kinds) for text, _ in units):
        return True
    asked = bool(kinds) or _asked(_QUANTITY_RE, _question_text(question)) is not None
    return asked and _for_another_thing(question, kinds, units)


def _phrase_words(text: str) -> list[tuple[str, bool]]:
    """(word, whether only white space separates it from the word before) for each word."""
    out, end = [], None
    for match in _PHRASE_WORD_RE.finditer(text.casefold().replace("\u2019", "'")):
        out.append((match.group(), end is not None and not text[end : match.start()].strip()))
        end = match.end()
    return out


def _is_content(word: str) -> bool:
    return word not in STOP_WORDS and word not in _ALL_UNITS and not _is_number(word)


def _for_another_thing(
    question: str, kinds: frozenset[str], units: Sequence[tuple[str, set[str]]]
) -> bool:
    """Whether a quantity question's passage gives its numbers for another thing.

    The question's thing is read as its pairs of
    adjacent content words ("green tea", "pocket knife"), the word after "how" or "what" being
    the quantity asked, not the thing. A unit with a number (of the asked kind, when a kind is
    asked) gives it for another thing when it lacks a pair's first word and writes the second
    straight after a word of its own ("black tea"); it gives it for the asked thing when it
    holds or inherits every content word of the question. True when some unit gives a number
    for another thing and none for the asked thing.
    """
    found = _phrase_words(question)
    # The word after a question word is the quantity asked ("how cold", "what temperature").
    kept = [
        _is_content(w) and not (i and found[i - 1][0] in ("how", "what", "which"))
        for i, (w, _) in enumerate(found)
    ]
    words_kept = [w for (w, _), keep in zip(found, kept, strict=True) if keep]
    asked_terms = {term(w) for w in words_kept}
    # As the index reads them: a hyphenated compound is its parts ("action", "only").
    asked_parts = set(content_terms(" ".join(words_kept)))
    pairs = [
        (found[i - 1][0], found[i][0])
        for i in range(1, len(found))
        if kept[i - 1] and kept[i] and found[i][1]
    ]
    another = False
    for text, inherited in units:
        if not (gives_kind(text, kinds) if kinds else _has_number(text)):
            continue
        if _writes_other(text, pairs, asked_terms):
            another = True
        elif asked_parts <= inherited:
            return False
    return another


def _has_number(text: str) -> bool:
    """Whether a text holds a count or an amount: a number that is not a year ("In 2025")."""
    return any(
        _is_number(t) and not _YEAR_RE.fullmatch(t.rstrip(",."))
        for t in _WORD_RE.findall(text.casefold())
    )


def _spells(compound: str, word: str) -> bool:
    """Whether a hyphenated word's parts' initials spell a word: "chain-of-thought", "cot"."""
    parts = compound.split("-")
    return len(parts) > 1 and "".join(part[0] for part in parts) == word


def _writes_other(text: str, pairs: list[tuple[str, str]], asked: set[str]) -> bool:
    """Whether a text lacks the first word of one of the question's pairs and writes its second
    straight after a content word the question does not hold ("black tea" for "green tea"), and
    that does not write the first out ("chain-of-thought" for "CoT")."""
    found = _phrase_words(text)
    own = {term(w) for w, _ in found}
    for a, b in pairs:
        if term(a) in own:
            continue
        for (before, _), (word, joined) in itertools.pairwise(found):
            if (
                joined
                and term(word) == term(b)
                and _is_content(before)
                and term(before) not in asked
                and not _spells(before, a)
            ):
                return True
    return False
