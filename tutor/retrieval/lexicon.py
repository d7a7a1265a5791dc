"""Words: tokenising, stop words, stemming, spelling, and how informative a word is in English.

Lessons are English: terms are Snowball English stems of lower-cased tokens, with British
spellings folded into American ones so "colour" finds "color". How much a word says in
general (not in this lesson) comes from its Zipf frequency in the wordfreq library: "involve"
or "causes" say little, "neap" or "sparsity" say a lot.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

from . import tuning


def words(text: str) -> list[str]:
    """The words of a space-separated literal (word lists read better as one string)."""
    return text.split()


# A decimal number ("3.5", "1,000") or letters/digits joined by apostrophes ("don't").
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\u2019][^\W_]+)*")
# The same for lower-case ASCII text, where `[^\W_]` is exactly [a-z0-9] and no curly
# apostrophe is left; without a digit the number branch cannot match. Explicit classes run
# faster than the Unicode categories, and an import tokenizes every sentence of every lesson.
_ASCII_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[a-z0-9]+(?:'[a-z0-9]+)*")
_ASCII_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")

# English function words and the words that frame a question rather than say what it is
# about ("explain", "tell me", "mean"). A question is matched on what remains.
STOP_WORDS = frozenset(
    words(
        "a about above after again against all also am an and any are aren't as at be because "
        "been before being below between both but by can can't cannot could couldn't did didn't "
        "do does doesn't doing don't down during each else etc even ever every few for from "
        "further get gets got had hadn't has hasn't have haven't having he her here hers herself "
        "him himself his how however i i'm if in into is isn't it it's its itself just let's like "
        "me might more most much must mustn't my myself no nor not now of off on once only or "
        "other ought our ours ourselves out over own please quite rather really same shall she "
        "should shouldn't so some such than that that's the their theirs them themselves then "
        "there there's these they they're this those through thus to too under until up upon us "
        "very was wasn't we we're were weren't what what's whats when where where's whether which "
        "while who who's whom whose why will with within without won't would wouldn't yes yet you "
        "you're your yours yourself explain explained describe tell mean means meant meaning "
        "define definition kind sort type thing things way ways exactly actually basically "
        "example examples happen happens lesson say says said know understand give show anything "
        "something someone one ones many"
    )
)

#: Stop words that still carry the question's intent (negation), kept for features.
#: Every contracted negation counts ("weren't" as much as "wasn't"): tokens keep the "n't".
NEGATIONS = frozenset(
    words(
        "not no never n't cannot ain't aren't can't couldn't didn't doesn't don't hadn't hasn't "
        "haven't isn't mightn't mustn't needn't shan't shouldn't wasn't weren't won't wouldn't"
    )
)

# The numbers a lesson most often writes in words, by value: "2" and "two" are one number.
_UNITS = words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = words("twenty thirty forty fifty sixty seventy eighty ninety")

#: The number words, as written out in prose ("sixty", "millions"): with digits, what holds a
#: count or an amount.
_POWERS = words("hundred thousand million billion trillion")
CARDINALS = frozenset([*_UNITS[1:], *_TENS, *_POWERS, *(f"{p}s" for p in _POWERS)])


def number_word(digits: str) -> str | None:
    """The word for a number written in digits, for 0-19 and the tens ("40": "forty")."""
    if not digits.isdigit():
        return None
    value = int(digits)
    if value < 20:
        return _UNITS[value]
    if value < 100 and value % 10 == 0:
        return _TENS[value // 10 - 2]
    return None


#: Words that refer back to something said before ("They differ in...", "When do they occur?").
ANAPHORS = frozenset(words("it its they them their this these those he she his her"))

# A formula's letter as a learner types it: "lambda" for the "λ" a lesson's formula shows
# (`LessonIndex.match`). Lower case, as tokens are (casefolding makes "Λ" and "ς" so).
GREEK_LETTERS = dict(
    zip(
        words(
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
            "pi rho sigma tau upsilon phi chi psi omega"
        ),
        "αβγδεζηθικλμνξοπρστυφχψω",
        strict=True,
    )
)

_OUR_RE = re.compile(r"^(\w{2,})our(s|ed|ing|ful|ite|ites)?$")
_ISE_RE = re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$")
_YSE_RE = re.compile(r"^(\w{2,})ys(e|es|ed|ing)$")
# Words ending in -our/-ise that are not British spellings of -or/-ize words.
_NOT_BRITISH = frozenset(
    words(
        "our four hour pour sour tour your flour devour contour detour amateur troubadour advise "
        "advises advised advising comprise compromise enterprise exercise expertise premise "
        "promise revise rise surprise supervise televise wise otherwise noise concise precise "
        "paradise praise raise franchise despise disguise merchandise improvise excise incise "
        "chastise circumcise demise treatise"
    )
)

_STEMMER = snowballstemmer.stemmer("english")
_STEM_LOCK = threading.Lock()  # a Snowball stemmer object is not thread-safe


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str = "en", wordlist: str = "best") -> float:
    """wordfreq's Zipf frequency of a word, remembered. wordfreq (0.4 s of CPU to import) is
    imported on first use: most processes importing the tutor never ask."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang, wordlist=wordlist)


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; a possessive "'s" is dropped and curly apostrophes unified."""
    if text.isascii():
        # NFKC leaves ASCII as it is, and casefolding ASCII is lower-casing it.
        text = text.lower()
        digits = any(digit in text for digit in "0123456789")
        tokens = (_ASCII_TOKEN_RE if digits else _ASCII_WORD_RE).findall(text)
    else:
        text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
        tokens = _TOKEN_RE.findall(text)
    if "'s" not in text:  # most texts: no token can end in "'s" (a big import tokenizes a lot)
        return tokens
    return [t[:-2] if t.endswith("'s") else t for t in tokens]


@lru_cache(maxsize=4096)
def cached_tokens(text: str) -> tuple[str, ...]:
    """`tokenize`, remembered for recently seen texts: building an index tokenizes most
    sentences two or three times (cutting units, then counting terms)."""
    return tuple(tokenize(text))


def _american(word: str) -> str:
    if word in _NOT_BRITISH:
        return word
    if m := _OUR_RE.match(word):
        return f"{m[1]}or{m[2] or ''}"
    if m := _ISE_RE.match(word):
        return f"{m[1]}iz{m[2]}"
    if m := _YSE_RE.match(word):
        return f"{m[1]}yz{m[2]}"
    return word


def _f_singular(word: str) -> str:
    """ "wolves" -> "wolf", "knives" -> "knife" (Snowball keeps "wolv"), when English uses the
    f-form far more than the -ve one; "leaves" stays, as "leave" is the commoner word."""
    if len(word) < 5 or not word.endswith("ves"):
        return word
    base = word[:-1]
    best = max((word[:-3] + "f", word[:-3] + "fe"), key=zipf)
    return best if zipf(best) >= zipf(base) + 1 else word


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The index term of a lower-cased token: its American spelling, Snowball-stemmed."""
    word = _american(_f_singular(word))
    with _STEM_LOCK:
        return _STEMMER.stemWord(word)


def query_terms(tokens: Iterable[str]) -> list[str]:
    """Terms of the tokens that say what a text is about (stop words dropped)."""
    return [term(t) for t in tokens if t not in STOP_WORDS]


def content_words(text: str) -> list[str]:
    """The tokens of a text that say what it is about (stop words dropped)."""
    return [t for t in tokenize(text) if t not in STOP_WORDS]


def content_terms(text: str) -> list[str]:
    return query_terms(tokenize(text))


def names_beyond(names: Iterable[str], asked: set[str]) -> bool:
    """Whether any of `names` (capitalised words found in a passage) has a term beyond the
    `asked` ones: a name the question does not itself hold. Which words count as names and
    which terms as asked is the caller's (`ranking.has_answer_type`, `origins.fills_slot`)."""
    return any(not set(content_terms(name)) <= asked for name in names)


@lru_cache(maxsize=65536)
def word_term(word: str) -> str:
    """The index term of one word of a lesson ("" for a stop word), remembered: a big import
    asks it for every distinct word of every lesson."""
    return (content_terms(word) or [""])[0]


def informativeness(word: str) -> float:
    """How much a word says in general English: high for rare words, low for common ones."""
    return max(tuning.MIN_INFORMATIVENESS, tuning.ZIPF_CEILING - zipf(word))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, or limit + 1 once it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


# Languages a learner might ask in by mistake; their short word lists load only when a
# question has words that are not common English.
_OTHER_LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")


def script(text: str) -> str:
    """The writing system most of the text's letters belong to ("LATIN", "CYRILLIC", "CJK",
    ...); Latin when there are no letters, since lessons are taken to be English by default."""
    # Named once per distinct character: a decline asks this of the whole lesson vocabulary.
    counts: Counter[str] = Counter()
    for char, n in Counter(text).items():
        if char.isalpha():
            counts[unicodedata.name(char, "LATIN").split()[0]] += n
    return counts.most_common(1)[0][0] if counts else "LATIN"


def looks_foreign(text: str, known: frozenset[str]) -> bool:
    """Whether a question is written in a language other than the lesson's (``known`` holds
    the lesson's own words).

    A question in another script than the lesson's is foreign. Between Latin-script texts,
    each word not known to the lesson votes for the language in which it is clearly more
    frequent than in English.
    """
    lesson_script = script(" ".join(known))
    if script(text) != lesson_script:
        return True
    if lesson_script != "LATIN":
        return False  # the word lists below tell other languages from English only
    foreign = english = 0
    for token in tokenize(text):
        if not token.isalpha() or term(token) in known:
            continue
        english_zipf = zipf(token)
        other = max(zipf(token, lang, "small") for lang in _OTHER_LANGUAGES)
        if other >= english_zipf + tuning.FOREIGN_MARGIN:
            foreign += 1
        elif english_zipf >= tuning.ENGLISH_ZIPF:
            english += 1
    return foreign >= tuning.FOREIGN_WORDS and foreign > english
