"""What kind of quantity a question asks for, and whether a passage gives one of that kind.

"How fast does X fly?" asks for a speed; a passage that gives X's range in kilometres has a
number but not the one asked for. `asked_kinds` reads the kinds a question accepts from its
wording ("how fast" a speed, "how long" a duration or a length, "how many miles" a length,
"how many days" a duration); `gives_kind` says whether a text holds a number with a unit of one
of them. General English unit words only, nothing about any lesson.
"""

from __future__ import annotations

import re

from .lexicon import CARDINALS, words

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


def _kind_of_unit(word: str) -> frozenset[str]:
    if word in _SPEED_UNITS:
        return frozenset({SPEED})
    return frozenset(kind for kind, units in UNITS.items() if word in units)


def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of quantity a question accepts; empty when it asks for none of a known kind
    (a plain "how much", "how often", or "how many X" counting a thing rather than a unit)."""
    text = " ".join(question.casefold().replace("\u2019", "'").replace("?", " ").split())
    # An embedded "how far" ("what limits how far a light is seen?") is not what is asked: the
    # quantity's words must come at or before the question's first question word.
    first = _WH_RE.search(text)
    start = first.start() if first else 0
    for kinds, pattern in _KIND_PATTERNS:
        match = pattern.search(text)
        if match and match.start() <= start:
            return kinds
    match = _HOW_MANY_RE.search(text)
    # "How many miles...?" asks for a length; "how many keepers...?" a count, no kind here.
    return _kind_of_unit(match["unit"]) if match and match.start() <= start else frozenset()


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
