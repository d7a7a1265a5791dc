"""Retrieval core of the Glassbox lesson tutor.

The tutor answers a learner's question *only* from the text of the current
lesson.  It never generates prose of its own beyond a short friendly frame:
every sentence of substance in an answer is a verbatim quote of a lesson
sentence, and each quote carries a :class:`Citation` to the section it came
from.  When the lesson does not cover the question, the tutor says so plainly
and kindly instead of guessing.

Pipeline
--------
1. :func:`build_index` (once per lesson, at import/publish time) splits the
   lesson into sentences: list items and table rows are units of their own, a
   table's header row and a line of code are kept but never quoted, and a
   run-in label ("Trust.", "Planning a rhyme.") is joined to the sentence it
   introduces.  Words are tokenised (a capital used as a label, "Feature A",
   is kept), spelling-normalised (British/American, irregular verb forms),
   stripped of English stop words and Snowball-stemmed into an inverted index
   of per-sentence term frequencies.  The index also records sentence
   structure:

   * *inherited context*: a table row inherits its header row's terms, and a
     sentence that opens by referring back ("They found...", "In this
     version...") inherits the previous sentence's terms, at ``INHERIT_TF``;
   * *definitions*: what a sentence defines ("A probe is a...", "Ablation
     means...", "..., which means", a key term, a table row's first cell);
   * paragraphs, key-term/concept phrases, and acronyms the lesson itself
     defines ("sparse autoencoder (SAE)", "chain-of-thought" -> CoT).

   :meth:`LessonIndex.to_dict` gives plain JSON for the database;
   :meth:`LessonIndex.from_dict` only re-attaches lists and dicts, so loading
   it per request is cheap.
2. :func:`answer_question` classifies the message (prompt injection, greeting,
   thanks, "what is this lesson about?") and reads the question: framing
   idioms ("what goes wrong", "in the end", "how big") and question words are
   dropped, unless a question word starts a phrase the lesson uses ("mean
   ablation"); the expected answer type is noted (a definition for "what is
   X?", a quantity for "how many", a duration for "how long", a reason for
   "why").  Each term is matched against the lesson's own vocabulary: the
   stem itself, the long form of a lesson acronym, derivational variants
   sharing it as a prefix ("accurate"/"accuracy"), and, for a word the lesson
   never uses, a spelling correction (edit distance) or a split compound
   ("finetuned").  A capitalised name the lesson never uses as a whole
   ("Golden Gate Claude" in a lesson that only mentions the Golden Gate
   Bridge) counts as unknown.
3. Sentences are ranked with Okapi BM25 (IDF over the lesson's sentences,
   inherited terms counting ``INHERIT_TF``) plus small boosts for question
   bigrams that occur as phrases, key terms/concepts the question names,
   matching section headings and matching neighbours; a sentence that defines
   what the question asks about, or that holds the expected answer type, is
   scaled up.
4. It declines when the evidence is weak (see :func:`answer_question` and the
   ``MIN_*`` constants), otherwise quotes one to three sentences in lesson
   order, within about 80 words: the best, its close neighbours, then other
   close sentences that say more than the question.  A sentence that merely
   restates the question ("Think of a small flat with folding furniture.")
   comes with the sentence after it, which carries the point, and so does the
   best sentence for "what did X show?".

Everything is deterministic and pure Python; the only third-party dependency
is ``snowballstemmer``.  This module deliberately imports nothing from Django
so that it can be unit-tested and benchmarked in isolation.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import snowballstemmer

__all__ = [
    "Citation",
    "LessonIndex",
    "LessonText",
    "SectionText",
    "TutorAnswer",
    "answer_question",
    "bm25_term_weight",
    "build_index",
    "closest_anchor",
    "content_stems",
    "edit_distance",
    "idf",
    "normalize_word",
    "normalize_ws",
    "query_terms",
    "score_sentences",
    "split_sentences",
    "stem",
    "term",
    "tokenize",
]

# --------------------------------------------------------------------------
# Tunables.  Kept as module constants so tests and the report can name them.
# --------------------------------------------------------------------------

#: Okapi BM25 parameters (the usual defaults).
K1 = 1.2
B = 0.75
#: A question bigram found as adjacent stems in a sentence adds this fraction
#: of the bigram's mean IDF.  Small: phrases re-order close calls, they do not
#: outvote term evidence.
PHRASE_WEIGHT = 0.5
#: A key term / concept named by the question adds this fraction of the term's
#: summed IDF to every sentence that contains it.
KEY_TERM_WEIGHT = 0.5
#: Query stems that occur in the sentence's section heading add this fraction
#: of their IDF (only to sentences that already match on their own).
HEADING_WEIGHT = 0.25
#: Fraction of the best matching neighbour's BM25 (same section) that a
#: matching sentence inherits, so a sentence in a relevant passage wins ties.
CONTEXT_WEIGHT = 0.1
#: Term frequency an inherited term counts for (a table row's header, the
#: sentence a pronoun refers back to), relative to the sentence's own words.
INHERIT_TF = 0.5
#: A derivational variant of a question term found in the lesson ("accuracy"
#: for "accurate") scores this fraction of an exact match.
VARIANT_WEIGHT = 0.7
#: A spelling correction of a word the lesson never uses scores this fraction.
CORRECTION_WEIGHT = 0.8
#: A sentence that defines what a "what is X?" question asks about has its
#: score multiplied by 1 + this x (IDF-weighted overlap of the defined term
#: and the question's terms, 0..1); for other questions the factor is smaller.
DEFINITION_WEIGHT = 1.0
DEFINITION_WEIGHT_OTHER = 0.3
#: An inline definition ("A probe is a ...") gets this share of a key term's boost.
INLINE_DEFINITION_SHARE = 0.5
#: "How many / how long / why" questions multiply the score of a matching
#: sentence that states a quantity / a duration / a reason by 1 + this.
ANSWER_TYPE_WEIGHT = 0.5
#: A sentence with at most this many content terms beyond the question's own
#: merely restates it, so it is quoted together with the sentence after it.
THIN_NOVEL_TERMS = 3
#: Share of a term's weight credited as evidence when the term is only in the
#: sentence a pronoun refers back to or in the section heading (a table row's
#: header counts in full: it names the row's cells).
SUPPORT_CREDIT = 0.5
#: Sentences scoring at least this fraction of the best one may join it.
CLOSE_RATIO = 0.6
MAX_SENTENCES = 3
MAX_ANSWER_WORDS = 80
#: Decline when fewer than this fraction of the question's content terms
#: occur anywhere in the lesson ("mostly not in the lesson vocabulary").
MIN_COVERAGE = 0.5
#: Decline when the quoted sentences together contain less than this fraction
#: of the question's IDF mass (unknown terms weigh as much as the rarest
#: possible lesson term), i.e. the best evidence is weak relative to the most
#: the question could possibly match.
MIN_EVIDENCE = 0.5
#: Longer input is cut: questions are capped at 500 chars upstream, this just
#: bounds the work done on hostile input.
MAX_QUESTION_CHARS = 2000
#: Spelling correction and compound splitting are tried on at most this many
#: unknown words per question, each at most ``MAX_WORD_CHARS`` long.
MAX_CORRECTIONS = 8
MAX_WORD_CHARS = 24
#: Only the first this-many distinct content terms of a question are used.
MAX_QUERY_TERMS = 32
#: Bumped whenever the serialised layout or the analysis (tokeniser, stop
#: words, stemmer use) changes, so stale stored indexes are rebuilt.  (3: a
#: draft of the version-2 layout reached the repository, so 2 is ambiguous.)
INDEX_VERSION = 3

KEY_TERMS_HEADING = "Key terms"
KEY_TERMS_ANCHOR = "key-terms"
BIG_IDEA_HEADING = "Big idea"
BIG_IDEA_ANCHOR = "big-idea"

# --------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionText:
    """One lesson section as plain text (paragraphs separated by blank lines)."""

    heading: str
    anchor: str
    text: str


@dataclass(frozen=True)
class LessonText:
    """Everything the tutor may quote from, already reduced to plain text."""

    title: str
    summary: str
    sections: tuple[SectionText, ...]
    key_terms: tuple[tuple[str, str], ...]
    big_idea: str = ""
    concepts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Citation:
    """Where a quoted sentence lives: section heading, its anchor, the quote."""

    section: str
    anchor: str
    quote: str


@dataclass(frozen=True)
class TutorAnswer:
    """The tutor's reply.

    ``kind`` is one of ``"answer"``, ``"declined"``, ``"greeting"``,
    ``"thanks"`` or ``"overview"``.  ``best_score`` is the best sentence's
    score divided by the question's reference maximum (the score of a
    sentence of average length containing every question term once), so it is
    roughly 0..1 and comparable across questions; it is 0.0 when no ranking
    ran (greetings, thanks, overview, injection).
    """

    answer: str
    grounded: bool
    citations: tuple[Citation, ...]
    best_score: float
    kind: str


# --------------------------------------------------------------------------
# Text analysis: tokenising, stop words, spelling, stemming
# --------------------------------------------------------------------------

# A token is a decimal number ("3.5", "1,000") or a run of letters/digits,
# possibly joined by apostrophes ("don't", "neuron's").  \w is Unicode-aware,
# so non-English text tokenises too instead of vanishing.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\u2019][^\W_]+)*")
_APOSTROPHES = "'\u2019"
# A capital letter standing alone right after a word or "(" is a label ("Feature
# A", "Plan B.", "option (C)"); "I" is the pronoun.  Initials ("J. R. Smith")
# follow a full stop, not a word, so they stay out.
_LABEL_RE = re.compile(r"(?:(?<=[^\W\d_] )|(?<=\())[A-HJ-Z](?=[\s,;:.)!?'\u2019]|$)")


def _words(text: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list."""
    return frozenset(text.split())


def _word_list(text: str) -> list[str]:
    """The words of a whitespace-separated list, in order."""
    return text.split()


#: A lone Greek letter is spelled out, so "λ" in a formula and "lambda" in a
#: question are the same word.
_GREEK: dict[str, str] = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        _word_list(
            "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
            "pi rho sigma sigma tau upsilon phi chi psi omega"
        ),
        strict=True,
    )
)


STOP_WORDS: frozenset[str] = _words(
    """
    a about above after again against all also am an and any are aren arent as at
    be because been before being below between both but by can cannot cant could
    couldn couldnt did didn didnt do does doesn doesnt doing don dont down during
    each either etc even ever every few for from further get gets got had hadn
    hadnt has hasn hasnt have haven havent having he her here hers herself him
    himself his how however i id if im in into is isn isnt it its itself ive just
    let lets ll may me might mightn more most much must mustn my myself neither no
    nor not now of off often on once one only or other others our ours ourselves
    out over own per quite rather re s same shall shan she should shouldn
    shouldnt so some such t than that thats the their theirs them themselves then
    there theres these they theyre this those though through thus to too under
    until up upon us ve very was wasn wasnt we well were weren werent what whats
    when where whether which while who whom whose why will with within without
    won wont would wouldn wouldnt yet you youd youll your youre yours yourself
    yourselves youve
    across albeit along alongside among amongst around beside besides beyond
    despite except onto unlike via whereas whilst
    """
)

#: Words that frame a question rather than say what it is about.  They are
#: removed from questions only (lesson sentences keep them), so "explain how
#: superposition works" is about {superposition} alone.  One is kept when it
#: forms a phrase with its neighbour that the lesson itself uses ("mean
#: ablation", "monitoring works").
QUESTION_WORDS: frozenset[str] = _words(
    """
    what why how when where which who whom whose explain explaining explanation
    explanations tell telling describe describing description define defining
    definition mean means meaning meant please pls plz lesson lessons section
    sections course page text know want wanted understand understanding help
    say says said talk talks talking give show thing things stuff exactly really
    basically actually simple simply simpler plain like eli5 briefly brief
    detail detailed details again difference differences different differ
    compare compared comparison versus vs relate related relation relationship
    similar happen happens happening work works working use used uses using
    example examples instance matter matters important importance significance
    purpose tutor question questions answer five kid kids child beginner layman
    laymans hi hello hey hiya heya howdy thanks thank thx thankyou cheers ok okay
    many word words terms way ways english kind kinds sort sorts type types deal
    point calculate calculated calculation computed make makes making
    """
)

#: Idioms that frame a question ("what goes wrong if...", "in the end"); they
#: are cut from the question before its terms are read.
_FRAMING_RE = re.compile(
    r"\b(?:what (?:goes|went|could go|can go|would go|might go) wrong|in the end|at first"
    r"|at all|kind of|sort of|in a nutshell|in (?:plain|simple) (?:english|words|terms)"
    r"|by the way|so to speak|or something|or not|i mean|you know|i guess|end(?:s|ed)? up"
    r"|step by step|in (?:detail|depth)"
    r"|(?<=how )(?:big|large|small|long|quickly|fast|far|high|low|old|soon))\b",
    re.IGNORECASE,
)

#: Irregular verb forms mapped to their base, so "found" matches "find".
_IRREGULAR: dict[str, str] = {
    form: base
    for base, forms in (
        ("become", "became"),
        ("begin", "began begun"),
        ("break", "broke broken"),
        ("bring", "brought"),
        ("build", "built"),
        ("buy", "bought"),
        ("catch", "caught"),
        ("choose", "chose chosen"),
        ("come", "came"),
        ("draw", "drew drawn"),
        ("drive", "drove driven"),
        ("fall", "fell fallen"),
        ("feel", "felt"),
        ("fight", "fought"),
        ("find", "found"),
        ("fly", "flew flown"),
        ("forget", "forgot forgotten"),
        ("freeze", "froze frozen"),
        ("give", "gave given"),
        ("go", "goes went gone"),
        ("grow", "grew grown"),
        ("hide", "hid hidden"),
        ("hold", "held"),
        ("keep", "kept"),
        ("know", "knew known"),
        ("lead", "led"),
        ("lose", "lost"),
        ("make", "made"),
        ("mean", "meant"),
        ("meet", "met"),
        ("pay", "paid"),
        ("run", "ran"),
        ("say", "said"),
        ("see", "saw seen"),
        ("seek", "sought"),
        ("send", "sent"),
        ("show", "shown"),
        ("speak", "spoke spoken"),
        ("spend", "spent"),
        ("stand", "stood"),
        ("steal", "stole stolen"),
        ("take", "took taken"),
        ("teach", "taught"),
        ("tell", "told"),
        ("think", "thought"),
        ("throw", "threw thrown"),
        ("understand", "understood"),
        ("write", "wrote written"),
    )
    for form in forms.split()
}
#: British spellings that the suffix rules below do not reach.
_SPELLING: dict[str, str] = {
    "centre": "center",
    "centres": "centers",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "fibre": "fiber",
    "theatre": "theater",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    "grey": "gray",
    "sceptical": "skeptical",
    "judgement": "judgment",
    "ageing": "aging",
}
_OUR_RE = re.compile(
    r"^(behavi|col|fav|lab|hon|neighb|rum|hum|flav|harb|vap|arm|endeav|sav|cand|vig|rig"
    r"|clam|glam|od|parl|splend|tum)our"
)
_ISE_RE = re.compile(r"^(\w{3,})is(e|es|ed|ing|ation|ations|er|ers)$")
_YSE_RE = re.compile(r"^(\w{2,})ys(e|es|ed|ing|er|ers)$")

_STEMMER = snowballstemmer.stemmer("english")
# Snowball stemmer objects keep per-call state, so a shared instance must not
# be entered by two threads at once (Django may serve requests on threads).
_STEM_LOCK = threading.Lock()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball English stem of an already lower-cased token (cached)."""
    with _STEM_LOCK:
        return _STEMMER.stemWord(word)


def normalize_word(word: str) -> str:
    """Map an irregular verb form to its base and British spelling to American.

    Applied to lesson and question alike, so "behavioural" meets "behavioral"
    and "memorised" meets "memorized"; an odd result ("otherwize") is harmless
    because both sides get the same one.
    """
    base = _IRREGULAR.get(word)
    if base is not None:
        return base
    word = _SPELLING.get(word, word)
    word = _OUR_RE.sub(r"\1or", word)
    word = _ISE_RE.sub(r"\1iz\2", word)
    return _YSE_RE.sub(r"\1yz\2", word)


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The index term of a lower-cased token: spelling-normalised, then stemmed."""
    return stem(normalize_word(word))


def normalize_ws(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of ``text``.

    Unicode is NFKC-normalised and case-folded; possessive ``'s`` is dropped
    and other apostrophes are removed ("don't" -> "dont", so the stop list
    catches it).  Single ASCII letters are dropped as noise ("a", "x"), except
    a capital used as a label after a word ("Feature A", "option (C)"), which
    is kept as ``"a_"``; a lone Greek letter is spelled out ("λ" -> "lambda").
    """
    text = unicodedata.normalize("NFKC", text)
    labels = {m.start() for m in _LABEL_RE.finditer(text)}
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0).casefold()
        if m.start() in labels:
            out.append(tok + "_")
            continue
        if len(tok) > 2 and tok[-2] in _APOSTROPHES and tok[-1] == "s":
            tok = tok[:-2]
        for ch in _APOSTROPHES:
            tok = tok.replace(ch, "")
        if len(tok) == 1:
            if tok.isascii() and tok.isalpha():
                continue
            tok = _GREEK.get(tok, tok)
        if tok:
            out.append(tok)
    return out


def content_stems(text: str) -> list[str]:
    """Index terms of the non-stop-word tokens of ``text``, in order."""
    return [term(t) for t in tokenize(text) if t not in STOP_WORDS]


def query_terms(tokens: Sequence[str]) -> list[str]:
    """Index terms of a question's content words: no stop words, no question words."""
    return [term(t) for t in tokens if t not in STOP_WORDS and t not in QUESTION_WORDS]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (Levenshtein plus adjacent swaps), capped.

    Returns ``limit + 1`` as soon as the distance must exceed ``limit``, so
    checking a word against a whole vocabulary stays cheap.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


# --------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------

# "- item", "* item", "• item", "1. item", "2) item", "a) item".  At most three
# digits so that a line starting with a year ("2020. ...") is not an item.
_LIST_ITEM_RE = re.compile(
    r"^(?:[-*+\u2022\u2023\u25e6\u2043\u2013\u2014]|\d{1,3}[.)]|[a-zA-Z][)])\s+"
)
_TABLE_SEP_RE = re.compile(r"^[|+:\-=\s]+$")
# A sentence boundary candidate: terminal punctuation, optional closing
# quotes/brackets, then whitespace.  Decimals ("3.5") never match because no
# whitespace follows their dot.
_BOUNDARY_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*\s+")
# Abbreviations after which a period does not end a sentence.  "etc." is not
# here on purpose: it often ends one, and then the next word is capitalised.
_ABBREVIATIONS: frozenset[str] = _words(
    """
    al approx ca cf ch col dept dr ed eds eg eq eqs esp est fig figs ie inc incl
    jr lt mr mrs ms mt no nos op pp prof resp sec sr st vol vols vs viz
    """
)
# Dotted initialisms such as "U.S.", "e.g.", "i.e.", "a.m.".
_DOTTED_RE = re.compile(r"^(?:[^\W\d_]\.){2,}$")


def _is_table_row(line: str) -> bool:
    return line.startswith("|") or "\t" in line or line.count(" | ") >= 1


def _clean_table_row(line: str) -> str:
    # Keep the cells as written (so the quote stays verbatim), minus the
    # outer pipes of Markdown tables.
    return normalize_ws(line.strip().strip("|"))


def _ends_sentence(before: str, boundary: str, after: str) -> bool:
    """Decide whether the boundary candidate between ``before`` and ``after`` splits."""
    if not after:
        return True
    first = after[0]
    # A lower-case continuation ("e.g. the", "approx. five") is never a new
    # sentence; this also absorbs most abbreviations we do not list.
    if first.islower():
        return False
    if "." not in boundary.rstrip():
        return True  # "?" or "!" followed by a capital / digit / quote
    if boundary.strip().startswith("..") or "\u2026" in boundary:
        # An ellipsis before a capital or an opening quote starts a new
        # sentence; before "[A]" or "(" it is part of one ("[A][B] ... [A]").
        return first.isupper() or first in "\"'\u201c\u2018"
    words = before.split()
    last = words[-1] if words else ""
    last = last.lstrip("([{\"'\u201c\u2018")
    word = last.rstrip(".").lower()
    if word in _ABBREVIATIONS:
        return False
    if _DOTTED_RE.match(last + "."):
        return False  # "U.S." / "e.g." / "i.e." (the final dot is in boundary)
    # An initial ("J. Smith") does not end a sentence.
    return not (len(word) == 1 and word.isalpha() and last[:1].isupper())


def _split_prose(text: str) -> list[str]:
    text = normalize_ws(text)
    if not text:
        return []
    out: list[str] = []
    start = 0
    for m in _BOUNDARY_RE.finditer(text):
        end_punct = m.start() + len(m.group(0).rstrip())
        before = text[start : m.start()]
        if _ends_sentence(before, m.group(0), text[m.end() :]):
            piece = text[start:end_punct].strip()
            if piece:
                out.append(piece)
            start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    # Drop fragments with no word characters at all ("—", "...").
    return [s for s in out if any(ch.isalnum() for ch in s)]


# Kinds of unit: prose sentence, list item sentence, table row, table header row,
# a line of code (a fenced block arrives as one line of the stored plain text).
PROSE, ITEM, ROW, HEADER, CODE = "prose", "item", "row", "header", "code"
_CODE_MARK_RE = re.compile(r"\s=\s|==|//|\s#\s|-->|\bimport\b|\bdef\b|\breturn\b")
_PROSE_SYMBOLS = frozenset(".,;:'\"?!-()%/&\u2018\u2019\u201c\u201d")


def _is_code_line(line: str) -> bool:
    """A line of code: code punctuation (" = ", "#", "//", "-->", "def") and many symbols."""
    if not _CODE_MARK_RE.search(line):
        return False
    symbols = sum(1 for c in line if not (c.isalnum() or c.isspace() or c in _PROSE_SYMBOLS))
    return symbols >= 0.03 * len(line)


_LINE_END_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*$")


def _split_units(text: str) -> list[tuple[str, str, int]]:
    """Like :func:`split_sentences`, with each sentence's kind and block number.

    A block is a paragraph, a list item or a table row.  Besides blank lines, a
    line break after a finished sentence ends a paragraph, so text with one
    paragraph per line (what the importer stores) keeps its paragraphs.  The
    first row of a table with at least two rows is its ``HEADER`` (in Markdown
    the row above ``|---|``; in extracted plain text simply the first of a run
    of rows).
    """
    if not text:
        return []
    out: list[tuple[str, str, int]] = []
    block_no = 0
    for para in re.split(r"\n[ \t\r\f\v]*\n", text):
        # First group the paragraph's lines into blocks, then split each.
        blocks: list[tuple[str, list[str]]] = []
        for raw_line in para.splitlines():
            line = raw_line.strip()
            if not line:
                continue
            if _TABLE_SEP_RE.match(line):
                # "|---|:--:|" under a table header, or a "---" rule.
                blocks.append(("skip", []))
                continue
            m = _LIST_ITEM_RE.match(line)
            if m:
                blocks.append((ITEM, [line[m.end() :]]))
                continue
            if _is_table_row(line):
                blocks.append((ROW, [line]))
                continue
            if _is_code_line(line):
                blocks.append((CODE, [line]))
                continue
            kind = blocks[-1][0] if blocks else ""
            if kind == ITEM and raw_line[:1] in (" ", "\t"):
                blocks[-1][1].append(line)  # indented item continuation
            elif kind == PROSE and not _ends_paragraph(blocks[-1][1][-1], line):
                blocks[-1][1].append(line)  # wrapped prose
            else:
                blocks.append((PROSE, [line]))
        # A table is a run of row (and separator) blocks; its first row heads it.
        headers: set[int] = set()
        run: list[int] = []
        for i, (kind, _) in enumerate([*blocks, ("end", [])]):
            if kind == ROW:
                run.append(i)
            elif kind != "skip":
                if len(run) >= 2:
                    headers.add(run[0])
                run = []
        for i, (kind, lines) in enumerate(blocks):
            block_no += 1
            if kind == ROW:
                row = _clean_table_row(lines[0])
                if any(ch.isalnum() for ch in row):
                    out.append((HEADER if i in headers else ROW, row, block_no))
            elif kind == CODE:
                out.append((CODE, normalize_ws(lines[0]), block_no))
            elif kind != "skip":
                out.extend((kind, s, block_no) for s in _split_prose(" ".join(lines)))
    return out


def _ends_paragraph(previous_line: str, line: str) -> bool:
    """A line break after a finished sentence, where the sentence splitter would split too."""
    m = _LINE_END_RE.search(previous_line)
    return bool(m) and _ends_sentence(previous_line[: m.start()], m.group(0) + " ", line)


def split_sentences(text: str) -> list[str]:
    """Split plain lesson text into sentences.

    Paragraphs are separated by blank lines; wrapped lines inside a paragraph
    are joined.  Every list item and every table row is its own unit (a list
    item holding several sentences is split further; a table row never is).
    Table separator rows (``|---|---|``) are dropped.  Whitespace inside a
    sentence is collapsed to single spaces; otherwise sentences are verbatim.
    """
    return [s for _, s, _ in _split_units(text)]


# --------------------------------------------------------------------------
# Sentence structure: pronoun links and definitions
# --------------------------------------------------------------------------

#: A sentence opening with one of these ("They found...") continues the
#: sentence before it; so does one with a nearer-word anaphor in its first
#: three tokens ("In this version...") or in a short opening clause ("When the
#: researchers checked where it fired, ...").
_ANAPHORS_FIRST = _words("it its they them their this these those that he she his her such")
_ANAPHORS_NEAR = _words("it its they their this these those he she his her")
#: "X is ...", "X means ...": the verbs after which a sentence defines X.
_DEFINING_VERBS = _words("is are means refers denotes describes happens occurs")
#: "X is a/the/when ..." defines X; "X is popular" does not.
_DEFINITION_OPENERS = _words("a an the any when where whatever how what that")
#: "..., X, which means ..." (an appositive definition of the word before it).
_WHICH_MEANS_RE = re.compile(r",\s+(?:which|that)\s+(?:means|refers to|is called)\b|,\s+meaning\b")
_PARENS_RE = re.compile(r"\([^()]*\)")
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def _is_anaphoric(text: str) -> bool:
    """Does the sentence open by referring back ("They found...", "In this version...",
    "When the researchers checked where it fired, ...")?"""
    toks = tokenize(text)
    if not toks:
        return False
    if toks[0] in _ANAPHORS_FIRST or any(t in _ANAPHORS_NEAR for t in toks[1:3]):
        return True
    clause = tokenize(text.split(",", 1)[0]) if "," in text else []
    return len(clause) <= 10 and any(t in _ANAPHORS_NEAR for t in clause)


def _defined_subject(text: str) -> list[str]:
    """Index terms of what a sentence defines, or [].

    "A probe is a small classifier..." -> [probe]; "Ablation means..." ->
    [ablation]; "...invest heavily in elicitation, which means finding..." ->
    [elicitation].  "Linear probes are popular" and "X is not Y" define nothing.
    """
    plain = _PARENS_RE.sub(" ", text)
    # Plain lower-case words, articles included (the tokeniser drops "a").
    words = [w.replace("'", "").replace("\u2019", "") for w in _WORD_RE.findall(plain.casefold())]
    while words and words[0] in ("a", "an", "the"):
        words = words[1:]
    for n, word in enumerate(words[:6]):
        if word in _DEFINING_VERBS:
            subject, after = words[:n], words[n + 1 : n + 3]
            if not subject or any(w in STOP_WORDS and w != "of" for w in subject):
                break
            if "not" in after or "no" in after:
                return []
            if word in ("is", "are") and not (after and after[0] in _DEFINITION_OPENERS):
                break
            if word in ("happens", "occurs") and not (after and after[0] == "when"):
                break
            return content_stems(" ".join(subject))
    m = _WHICH_MEANS_RE.search(plain)
    if m:
        before = tokenize(plain[: m.start()])
        subject: list[str] = []
        for t in reversed(before[-3:]):
            if t in STOP_WORDS:
                break
            subject.append(term(t))
        return subject[::-1]
    return []


_SHORT_FORM_RE = re.compile(r"\(([A-Za-z]{2,6})\)")
_COMPOUND_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+){2,}")


def _long_form(short: str, before: str) -> str | None:
    """The words before ``(SHORT)`` that it abbreviates, if any (Schwartz & Hearst, 2003).

    The short form's letters are matched right to left in the preceding text;
    its first letter must start a word.  "sparse autoencoder (SAE)" ->
    "sparse autoencoder"; "web (HTTP)" -> None.
    """
    letters = [c for c in short.casefold() if c.isalnum()]
    words = before.split()[-(len(letters) + 3) :]
    text = " ".join(words).casefold()
    i = len(text) - 1
    for n in range(len(letters) - 1, -1, -1):
        c = letters[n]
        while i >= 0 and (text[i] != c or (n == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    start = text.rfind(" ", 0, i + 1) + 1
    long = text[start:]
    return long if len(long.split()) >= 2 or "-" in long else None


def _acronyms(texts: Iterable[str]) -> dict[str, list[str]]:
    """Acronyms the lesson itself defines: "sparse autoencoder (SAE)", "chain-of-thought" (CoT).

    Maps the acronym's index term to the index terms of its long form.
    """
    out: dict[str, list[str]] = {}
    for text in texts:
        for m in _SHORT_FORM_RE.finditer(text):
            short = m.group(1)
            if sum(c.isupper() for c in short) < max(2, len(short) - 1):
                continue  # "(John)", "(OpenAI)": not an acronym
            long = _long_form(short, text[: m.start()])
            if long:
                out.setdefault(term(short.casefold()), content_stems(long))
        for m in _COMPOUND_RE.finditer(text):
            parts = m.group(0).split("-")
            out.setdefault(term("".join(p[0] for p in parts).casefold()), content_stems(m.group(0)))
    return {k: v for k, v in out.items() if v}


def _row_subject(row: str) -> list[str]:
    """A table row is about its first cell ("Mean ablation | Replace ...")."""
    first = row.split("|", 1)[0] if "|" in row else row.split("\t", 1)[0]
    stems = content_stems(_PARENS_RE.sub(" ", first))
    return stems if len(stems) <= 5 else []


# --------------------------------------------------------------------------
# BM25 pieces (small, pure, unit-tested)
# --------------------------------------------------------------------------


def idf(n_docs: int, doc_freq: int) -> float:
    """Okapi IDF with the +1 inside the log (Lucene style) so it is never negative."""
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def bm25_term_weight(tf: float, doc_len: int, avg_len: float, term_idf: float) -> float:
    """One term's BM25 contribution to one sentence (``tf`` may be fractional)."""
    norm = K1 * (1.0 - B + B * doc_len / avg_len)
    return term_idf * tf * (K1 + 1.0) / (tf + norm)


def _contains_run(seq: Sequence[str], run: Sequence[str]) -> bool:
    """True when ``run`` occurs contiguously in ``seq``."""
    n = len(run)
    if n == 0 or n > len(seq):
        return False
    first, want = run[0], list(run)
    return any(seq[i] == first and list(seq[i : i + n]) == want for i in range(len(seq) - n + 1))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------


class LessonIndex:
    """Precomputed, JSON-serialisable search structures for one lesson.

    Stored column-wise (parallel lists) because that is both compact as JSON
    and free to re-attach in :meth:`from_dict`.
    """

    __slots__ = (
        "_vocab",
        "acronyms",
        "avg_len",
        "big_idea",
        "ctx_from",
        "defines",
        "inheritors",
        "n",
        "no_answer",
        "no_answer_set",
        "path",
        "phrases",
        "place_stems",
        "places",
        "postings",
        "sent_block",
        "sent_len",
        "sent_place",
        "sent_stems",
        "summary",
        "texts",
        "title",
    )

    def __init__(
        self,
        *,
        title: str,
        summary: str,
        big_idea: str,
        places: list[list[str]],
        path: list[int],
        place_stems: list[list[str]],
        texts: list[str],
        sent_place: list[int],
        sent_stems: list[list[str]],
        postings: dict[str, list[int]],
        phrases: list[list[str]],
        ctx_from: list[int],
        no_answer: list[int],
        defines: list[list[str]],
        sent_block: list[int],
        acronyms: dict[str, list[str]],
    ) -> None:
        self.title = title
        self.summary = summary
        self.big_idea = big_idea
        #: [heading, anchor] of every place a sentence can come from, in
        #: lesson order (big idea, sections, key terms).
        self.places = places
        #: Indexes into ``places`` of the real lesson sections (learning path).
        self.path = path
        self.place_stems = place_stems
        self.texts = texts
        self.sent_place = sent_place
        self.sent_stems = sent_stems
        #: stem -> flat [sentence_id, tf, sentence_id, tf, ...] (sorted by id):
        #: the per-sentence term frequencies, inverted so a query touches only
        #: the sentences that contain its terms.
        self.postings = postings
        #: Stem sequences of key terms and concepts, for the key-term boost.
        self.phrases = phrases
        #: For each sentence, the sentence whose terms it inherits at
        #: ``INHERIT_TF`` (its table's header row, or the sentence a leading
        #: pronoun refers back to), or -1.
        self.ctx_from = ctx_from
        #: Sentences never quoted as an answer (table header rows).
        self.no_answer = no_answer
        #: For each sentence, the terms of what it defines (often empty).
        self.defines = defines
        #: For each sentence, the number of its paragraph / list item / table row.
        self.sent_block = sent_block
        #: Acronyms the lesson defines -> index terms of their long form.
        self.acronyms = acronyms
        self.n = len(texts)
        self.sent_len = [len(s) for s in sent_stems]
        total = sum(self.sent_len)
        # max(.., 1) keeps the length normalisation finite for empty lessons.
        self.avg_len = max(total / self.n, 1.0) if self.n else 1.0
        self.no_answer_set = frozenset(no_answer)
        self.inheritors: dict[int, list[int]] = {}
        for sid, src in enumerate(ctx_from):
            if src >= 0:
                self.inheritors.setdefault(src, []).append(sid)
        self._vocab: list[str] | None = None

    # -- serialisation --------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": INDEX_VERSION,
            "title": self.title,
            "summary": self.summary,
            "big_idea": self.big_idea,
            "places": [list(p) for p in self.places],
            "path": list(self.path),
            "place_stems": [list(s) for s in self.place_stems],
            "texts": list(self.texts),
            "sent_place": list(self.sent_place),
            "sent_stems": [list(s) for s in self.sent_stems],
            "postings": {k: list(v) for k, v in self.postings.items()},
            "phrases": [list(p) for p in self.phrases],
            "ctx_from": list(self.ctx_from),
            "no_answer": list(self.no_answer),
            "defines": [list(d) for d in self.defines],
            "sent_block": list(self.sent_block),
            "acronyms": {k: list(v) for k, v in self.acronyms.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LessonIndex:
        """Re-attach a stored index.  No re-analysis happens here, so it is fast.

        Raises ``ValueError`` for a different ``INDEX_VERSION`` so the caller
        can rebuild from the lesson text.
        """
        if data.get("version") != INDEX_VERSION:
            raise ValueError(f"unsupported tutor index version: {data.get('version')!r}")
        return cls(
            title=data["title"],
            summary=data["summary"],
            big_idea=data.get("big_idea", ""),
            places=data["places"],
            path=data["path"],
            place_stems=data["place_stems"],
            texts=data["texts"],
            sent_place=data["sent_place"],
            sent_stems=data["sent_stems"],
            postings=data["postings"],
            phrases=data["phrases"],
            ctx_from=data["ctx_from"],
            no_answer=data["no_answer"],
            defines=data["defines"],
            sent_block=data["sent_block"],
            acronyms=data["acronyms"],
        )

    # -- helpers ----------------------------------------------------------
    def doc_freq(self, term: str) -> int:
        post = self.postings.get(term)
        return len(post) // 2 if post else 0

    def idf(self, term: str) -> float:
        # Computed on demand (a handful of terms per question) rather than
        # stored for the whole vocabulary, which keeps from_dict trivial.
        return idf(self.n, self.doc_freq(term))

    def heading(self, sid: int) -> str:
        return self.places[self.sent_place[sid]][0]

    def anchor(self, sid: int) -> str:
        return self.places[self.sent_place[sid]][1]

    @property
    def vocab(self) -> list[str]:
        """The lesson's terms, sorted (built on first use: only odd questions need it)."""
        if self._vocab is None:
            self._vocab = sorted(self.postings)
        return self._vocab

    def has_phrase(self, stems: Sequence[str]) -> bool:
        """True when some sentence or heading has these terms as a contiguous run."""
        if any(s not in self.postings for s in stems):
            return False
        if any(_contains_run(h, stems) for h in self.place_stems):
            return True
        post = min((self.postings[s] for s in stems), key=len)
        return any(_contains_run(self.sent_stems[post[i]], stems) for i in range(0, len(post), 2))

    def has_bigram(self, first: str, second: str) -> bool:
        """True when some sentence has the two terms next to each other."""
        a, b = self.postings.get(first), self.postings.get(second)
        if not a or not b:
            return False
        post = a if len(a) <= len(b) else b
        return any(
            (first, second) in set(pairwise(self.sent_stems[post[i]]))
            for i in range(0, len(post), 2)
        )


def _merge_run_in_labels(units: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Join a run-in label ("Trust.", "Planning a rhyme.") to the sentence it introduces.

    A label is the first sentence of a paragraph or list item, at most three
    words, ending in a full stop, with more of the same block after it.  On its
    own it would win every question it names while saying nothing.  The joined
    quote is still verbatim: the two sentences are adjacent in the lesson.
    """
    out: list[tuple[str, str, int]] = []
    i = 0
    while i < len(units):
        kind, text, block = units[i]
        first = i == 0 or units[i - 1][2] != block
        if (
            kind in (PROSE, ITEM)
            and first
            and i + 1 < len(units)
            and units[i + 1][2] == block
            and len(text.split()) <= 3
            and text.endswith(".")
        ):
            out.append((kind, f"{text} {units[i + 1][1]}", block))
            i += 2
            continue
        out.append((kind, text, block))
        i += 1
    return out


def build_index(lesson: LessonText) -> LessonIndex:
    """Analyse ``lesson`` once: sentences, stems, postings, structure, key-term phrases."""
    places: list[list[str]] = []
    path: list[int] = []
    texts: list[str] = []
    kinds: list[str] = []
    sent_place: list[int] = []
    blocks: list[tuple[int, int]] = []

    def add_place(heading: str, anchor: str, units: list[tuple[str, str, int]], real: bool) -> None:
        if not units and not real:
            return
        pid = len(places)
        places.append([heading, anchor])
        if real:
            path.append(pid)
        for kind, s, block in _merge_run_in_labels(units):
            texts.append(s)
            kinds.append(kind)
            sent_place.append(pid)
            blocks.append((pid, block))

    # Lesson order as a learner reads the page: big idea, sections, key terms.
    add_place(BIG_IDEA_HEADING, BIG_IDEA_ANCHOR, _split_units(lesson.big_idea), False)
    for sec in lesson.sections:
        add_place(sec.heading, sec.anchor, _split_units(sec.text), True)
    term_units: list[tuple[str, str, int]] = []
    term_names: list[str] = []
    for name, definition in lesson.key_terms:
        name, definition = normalize_ws(name), normalize_ws(definition)
        if not name and not definition:
            continue
        # "Term: definition" is one unit so the definition is always quoted
        # together with the term it defines.
        text = f"{name}: {definition}" if name and definition else name
        term_units.append(("term", text, -len(term_units) - 1))
        term_names.append(name if definition else "")
    add_place(KEY_TERMS_HEADING, KEY_TERMS_ANCHOR, term_units, False)

    # Code is shown on the page but is not something to quote as an answer.
    sent_stems = [[] if k == CODE else content_stems(t) for k, t in zip(kinds, texts, strict=True)]
    postings: dict[str, list[int]] = {}
    for sid, stems in enumerate(sent_stems):
        counts: dict[str, int] = {}
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
        for s, c in counts.items():
            postings.setdefault(s, []).extend((sid, c))

    ctx_from: list[int] = []
    defines: list[list[str]] = []
    header = -1
    names = iter(term_names)
    for sid, (kind, text) in enumerate(zip(kinds, texts, strict=True)):
        same_place = sid > 0 and sent_place[sid - 1] == sent_place[sid]
        if kind == HEADER:
            header = sid
        elif kind != ROW or not same_place:
            header = -1
        if kind == ROW:
            ctx_from.append(header)
            defines.append(_row_subject(text))
        elif kind == "term":
            ctx_from.append(-1)
            defines.append(content_stems(_PARENS_RE.sub(" ", next(names))))
        else:
            prev_ok = same_place and kinds[sid - 1] not in (HEADER, CODE) and kind != CODE
            ctx_from.append(sid - 1 if prev_ok and _is_anaphoric(text) else -1)
            defines.append(_defined_subject(text) if kind in (PROSE, ITEM) else [])

    phrases: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for name in [t for t, _ in lesson.key_terms] + list(lesson.concepts):
        st = tuple(content_stems(name))
        if st and st not in seen:
            seen.add(st)
            phrases.append(list(st))

    return LessonIndex(
        title=normalize_ws(lesson.title),
        summary=normalize_ws(lesson.summary),
        big_idea=normalize_ws(lesson.big_idea),
        places=places,
        path=path,
        place_stems=[content_stems(h) for h, _ in places],
        texts=texts,
        sent_place=sent_place,
        sent_stems=sent_stems,
        postings=postings,
        phrases=phrases,
        ctx_from=ctx_from,
        no_answer=[sid for sid, k in enumerate(kinds) if k in (HEADER, CODE)],
        defines=defines,
        sent_block=[n for n, run in enumerate(_runs(blocks)) for _ in range(run)],
        acronyms=_acronyms(texts),
    )


def _runs(keys: Sequence[tuple[int, int]]) -> list[int]:
    """Lengths of the runs of equal consecutive keys."""
    out: list[int] = []
    for i, k in enumerate(keys):
        if i and keys[i - 1] == k:
            out[-1] += 1
        else:
            out.append(1)
    return out


# --------------------------------------------------------------------------
# Matching question terms to the lesson's vocabulary
# --------------------------------------------------------------------------

#: A term's matches in the lesson: (lesson term, weight), best first.
Alternatives = Mapping[str, Sequence[tuple[str, float]]]


def _variants(index: LessonIndex, t: str) -> list[str]:
    """Lesson terms that extend ``t`` or that ``t`` extends by 1-3 letters (>= 4 kept)."""
    if len(t) < 4:
        return []
    vocab = index.vocab
    out: list[str] = []
    i = bisect.bisect_right(vocab, t)
    while i < len(vocab) and vocab[i].startswith(t):
        if len(vocab[i]) - len(t) <= 3:
            out.append(vocab[i])
        i += 1
    out.extend(t[:k] for k in range(max(4, len(t) - 3), len(t)) if t[:k] in index.postings)
    return out


def _correction(index: LessonIndex, t: str) -> str | None:
    """The lesson term a word the lesson never uses most likely means, if any.

    A longer lesson term it is a prefix of ("photo" -> "photograph"), else the
    closest lesson term with the same first letter within edit distance 1
    (2 for words of 8+ letters).  Ties go to the more frequent, then the
    alphabetically first term, so the choice is deterministic.
    """
    if not 5 <= len(t) <= MAX_WORD_CHARS or not t.isalpha():
        return None
    vocab = index.vocab
    i = bisect.bisect_right(vocab, t)
    longer = []
    while i < len(vocab) and vocab[i].startswith(t):
        longer.append(vocab[i])
        i += 1
    if longer:
        return min(longer, key=lambda v: (len(v), -index.doc_freq(v), v))
    limit = 1 if len(t) < 8 else 2
    lo = bisect.bisect_left(vocab, t[0])
    hi = bisect.bisect_left(vocab, chr(ord(t[0]) + 1))
    best: tuple[int, int, str] | None = None
    for v in vocab[lo:hi]:
        if abs(len(v) - len(t)) > limit:
            continue
        d = edit_distance(t, v, limit)
        if d <= limit:
            key = (d, -index.doc_freq(v), v)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def _decompound(index: LessonIndex, token: str) -> list[str]:
    """Split a word the lesson never uses into two lesson words ("finetuned")."""
    if not 6 <= len(token) <= MAX_WORD_CHARS or not token.isalpha():
        return []
    for k in sorted(range(3, len(token) - 2), key=lambda k: (abs(2 * k - len(token)), k)):
        left, right = token[:k], token[k:]
        if left in STOP_WORDS or right in STOP_WORDS:
            continue
        a, b = term(left), term(right)
        if a in index.postings and b in index.postings:
            return [a, b]
    return []


def expand_terms(index: LessonIndex, terms: Iterable[str], *, expand: bool = True) -> Alternatives:
    """For each question term, the lesson terms that count as matching it."""
    out: dict[str, list[tuple[str, float]]] = {}
    corrections = 0
    for t in _unique(terms):
        alts: list[tuple[str, float]] = []
        if t in index.postings:
            alts.append((t, 1.0))
        if expand:
            # An acronym the lesson defines also matches its long form ("CoT").
            alts.extend(
                (v, 1.0) for v in index.acronyms.get(t, ()) if v in index.postings and v != t
            )
            alts.extend((v, VARIANT_WEIGHT) for v in _variants(index, t))
            if not alts and corrections < MAX_CORRECTIONS:
                corrections += 1
                fixed = _correction(index, t)
                if fixed is not None:
                    alts.append((fixed, CORRECTION_WEIGHT))
        out[t] = alts
    return out


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    terms: tuple[str, ...]  # content terms in question order (for phrases)
    alts: Alternatives
    definitional: bool = False
    #: What a sentence answering it contains (a quantity, a reason...), if known.
    answer_type: re.Pattern[str] | None = None
    #: The question's own words: a number it states ("Claude 3") answers nothing.
    given: frozenset[str] = frozenset()
    #: "What did X show / find / report?": the finding follows the sentence naming X.
    report: bool = False

    @property
    def uniq(self) -> list[str]:
        return list(self.alts)

    def weight(self, index: LessonIndex, t: str) -> float:
        """A term's IDF weight: its first match's IDF times that match's confidence
        (1 for the word itself, less for a variant or a spelling correction);
        a term the lesson never uses weighs the most any term can."""
        alts = self.alts[t]
        if not alts:
            return idf(index.n, 0)
        v, w = alts[0]
        return w * index.idf(v)


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
    r"|hundred|hundreds|thousand|thousands|million|millions|billion|billions|trillion|trillions"
    r"|half|third|quarter|fifth|tenth|twice|dozen|dozens|percent|a few|several"
)
# A quantity: a free-standing number (not a year such as 2024, not part of a
# name such as GPT-2 or 4e:55), a percentage, or a number word.
_COUNT_RE = re.compile(
    r"(?<![\w.-])(?!(?:19|20)\d\d(?![\d,.]*\d))\d[\d,.]*(?![\w-])|%|\b(?:" + _NUMBER_WORDS + r")\b",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(
    r"(?:\d[\d,.]*|\b(?:" + _NUMBER_WORDS + r"|a|an))\s+"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_REASON_RE = re.compile(
    r"\b(?:because|since|so that|due to|as a result|the reason|reasons|therefore|in order to"
    r"|which is why|that is why|thanks to)\b",
    re.IGNORECASE,
)
#: Expected answer types: (question pattern, what a sentence answering it contains).
_ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (re.compile(r"\bhow (?:long|quickly|fast|soon)\b|\bhow much time\b"), _DURATION_RE),
    (
        re.compile(
            r"\bhow (?:many|much|often|big|large|small|accurate|far|high|low|frequently|old"
            r"|common|rare)\b|\bwhat (?:percent|percentage|fraction|proportion|share|number"
            r"|rate|size)\b"
        ),
        _COUNT_RE,
    ),
    (re.compile(r"\bwhy\b|\bhow come\b|\bwhat (?:is|s) the reason\b"), _REASON_RE),
)
_DEFINITION_RE = re.compile(
    r"^(?:(?:so|ok|okay|and|but|um|uh|hmm|please|pls|sorry|quick question)\s+)*"
    r"(?:what\s+(?:is|are|was|were|s)\b|whats\b|define\b|definition\b|meaning\s+of\b"
    r"|explain\s+what\b|tell\s+me\s+what\b)"
    r"|\b(?:mean|means|meaning|stand\s+for|definition)\s*$"
    r"|^what\s+(?:does|do)\s+.+\s+do\s*$|^what\s+(?:is|are|s)\s+.+\s+for\s*$"
    r"|^how\s+(?:does|do)\s+.+\s+work\s*$|^(?:(?:can|could)\s+you\s+)?explain\b"
    r"|^tell\s+me\s+about\b"
    r"|^how\s+(?:is|are)\s+.+\s+(?:defined|calculated|computed|measured)\s*$"
)


def _has_answer(answer_type: re.Pattern[str], given: frozenset[str], text: str) -> bool:
    """Does ``text`` hold something of the expected type that the question does not state?"""
    return any(
        not (set(tokenize(m.group(0))) <= given)
        for m in answer_type.finditer(text)
        if tokenize(m.group(0)) or m.group(0) == "%"
    )


_REPORT_RE = re.compile(
    r"\bwhat (?:did|do|does) .+ (?:show|find|report|say|argue|discover|conclude|claim"
    r"|demonstrate|suggest|propose)\b"
)


def _answer_type(norm: str) -> re.Pattern[str] | None:
    for question_re, answer_re in _ANSWER_TYPES:
        if question_re.search(norm):
            return answer_re
    return None


def score_sentences(
    index: LessonIndex,
    terms: Sequence[str],
    *,
    phrases: bool = True,
    key_terms: bool = True,
    headings: bool = True,
    context: bool = True,
    expand: bool = True,
    inherit: bool = True,
    definitions: bool = True,
) -> dict[int, float]:
    """Score every sentence that matches at least one of ``terms`` (question stems, in order).

    A sentence matches a term when it contains the term or one of its
    vocabulary matches (:func:`expand_terms`), or, for a table row, when its
    header row does.  A term inherited from the sentence a pronoun refers back
    to only strengthens a sentence that matches on its own.  Returns
    ``{sentence_id: score}``.  The keyword switches exist so tests can isolate
    each mechanism.
    """
    query = _Query(terms=tuple(terms), alts=expand_terms(index, terms, expand=expand))
    return _score(
        index,
        query,
        phrases=phrases,
        key_terms=key_terms,
        headings=headings,
        context=context,
        inherit=inherit,
        definitions=definitions,
    )


def _bm25(index: LessonIndex, query: _Query, inherit: bool) -> dict[int, float]:
    """BM25 per sentence; a term scores its best-matching alternative in each sentence."""
    bm: dict[int, float] = {}
    lens, avg = index.sent_len, index.avg_len
    own: set[int] | None = set() if inherit and index.inheritors else None
    for t in query.uniq:
        best: dict[int, float] = {}
        tf_own_any: set[int] = set()
        for v, w in query.alts[t]:
            post = index.postings[v]
            tf_own_any.update(post[i] for i in range(0, len(post), 2))
            tf: dict[int, float] = {post[i]: float(post[i + 1]) for i in range(0, len(post), 2)}
            if inherit and index.inheritors:
                for i in range(0, len(post), 2):
                    for h in index.inheritors.get(post[i], ()):
                        tf[h] = tf.get(h, 0.0) + INHERIT_TF * post[i + 1]
            term_idf = index.idf(v)
            for sid, f in tf.items():
                if sid in index.no_answer_set:
                    continue
                val = w * bm25_term_weight(f, lens[sid], avg, term_idf)
                if val > best.get(sid, 0.0):
                    best[sid] = val
        for sid, val in best.items():
            bm[sid] = bm.get(sid, 0.0) + val
            if own is not None and sid in tf_own_any:
                own.add(sid)
    if own is not None:
        # What a pronoun refers back to strengthens a sentence that matches
        # on its own; it does not make one match ("These limits..." is not
        # about the transcoder its predecessor mentions).  Table rows are the
        # exception: a row's header names its cells.
        bm = {
            sid: v
            for sid, v in bm.items()
            if sid in own or index.ctx_from[sid] in index.no_answer_set
        }
    return bm


def _score(
    index: LessonIndex,
    query: _Query,
    *,
    phrases: bool = True,
    key_terms: bool = True,
    headings: bool = True,
    context: bool = True,
    inherit: bool = True,
    definitions: bool = True,
    answer_types: bool = True,
) -> dict[int, float]:
    terms, uniq = query.terms, query.uniq
    bm = _bm25(index, query, inherit)
    scores = dict(bm)
    if not bm:
        return scores

    if phrases and len(terms) > 1:
        bigrams = {(a, b) for a, b in pairwise(terms) if a != b}
        if bigrams:
            bonus = {
                bg: PHRASE_WEIGHT * (index.idf(bg[0]) + index.idf(bg[1])) / 2.0 for bg in bigrams
            }
            for sid in bm:
                st = index.sent_stems[sid]
                for pair in set(pairwise(st)) & bigrams:
                    scores[sid] += bonus[pair]

    if key_terms and index.phrases:
        qset = set(uniq)
        # Named in any order: "what makes a probe linear" names "linear probe".
        named = [p for p in index.phrases if set(p) <= qset]
        for p in named:
            bonus_kt = KEY_TERM_WEIGHT * sum(index.idf(t) for t in p)
            for sid in bm:
                if _contains_run(index.sent_stems[sid], p):
                    scores[sid] += bonus_kt

    if headings:
        for sid in bm:
            hstems = index.place_stems[index.sent_place[sid]]
            if not hstems:
                continue
            hit = 0.0
            for t in uniq:
                hit += max((w * index.idf(v) for v, w in query.alts[t] if v in hstems), default=0.0)
            scores[sid] += HEADING_WEIGHT * hit

    if definitions:
        weight = DEFINITION_WEIGHT if query.definitional else DEFINITION_WEIGHT_OTHER
        for sid in bm:
            defined = index.defines[sid]
            if defined:
                # A key term is the lesson's own definition; an inline "X is a..."
                # may be one ("A probe is a small classifier") or a remark ("A
                # probe is a learner, and...").
                own = index.places[index.sent_place[sid]][1] == KEY_TERMS_ANCHOR
                share = 1.0 if own else INLINE_DEFINITION_SHARE
                scores[sid] *= 1.0 + share * weight * _definition_match(index, query, defined)

    if context:
        for sid in bm:
            place = index.sent_place[sid]
            nb = 0.0
            for j in (sid - 1, sid + 1):
                if j in bm and index.sent_place[j] == place:
                    nb = max(nb, bm[j])
            scores[sid] += CONTEXT_WEIGHT * nb

    if answer_types and query.answer_type is not None:
        # Only a sentence that could reach CLOSE_RATIO of the best once boosted
        # can matter, so the (slowish) pattern check skips the long tail.
        floor = CLOSE_RATIO / (1.0 + ANSWER_TYPE_WEIGHT) * max(scores.values())
        for sid in bm:
            text = index.texts[sid]
            if scores[sid] >= floor and _has_answer(query.answer_type, query.given, text):
                scores[sid] *= 1.0 + ANSWER_TYPE_WEIGHT
    return scores


def _definition_match(index: LessonIndex, query: _Query, defined: Sequence[str]) -> float:
    """IDF-weighted overlap (Jaccard, 0..1) of a defined term and the question's terms.

    "what is feature splitting?" against a definition of "feature splitting"
    gives 1; against a definition of "feature" only a small fraction.
    """
    dset = set(defined)
    hit, miss_q = 0.0, 0.0
    matched: set[str] = set()
    for t in query.uniq:
        found = [(v, w) for v, w in query.alts[t] if v in dset]
        if found:
            v, w = found[0]
            matched.add(v)
            hit += w * index.idf(v)
        else:
            miss_q += query.weight(index, t)
    if hit == 0.0:
        return 0.0
    miss_d = sum(index.idf(d) for d in dset - matched)
    return hit / (hit + miss_q + miss_d)


# --------------------------------------------------------------------------
# Message classification (greetings, thanks, overview, injection)
# --------------------------------------------------------------------------

_GREETING_TRIGGERS = _words(
    "hi hello hey hiya heya howdy greetings morning afternoon evening sup yo hallo hola"
)
_GREETING_ALLOWED = _GREETING_TRIGGERS | _words(
    "there tutor everyone all again good day how are you doing whats up friend"
)
_THANKS_TRIGGERS = _words(
    "thanks thank thx ty thankyou cheers appreciated appreciate ok okay great perfect cool "
    "awesome understood gotcha nice"
)
_THANKS_ALLOWED = _THANKS_TRIGGERS | _words(
    "you so much very lot lots that this it helps helped helpful got makes sense many again for "
    "the help explanation answer tutor really all i now see"
)
_OVERVIEW_TRIGGERS = _words(
    "summary summarise summarize summarised summarized overview tldr tl dr recap outline gist "
    "learn learning teach teaches teaching cover covers covered about topic topics point points "
    "idea ideas objectives objective goals goal agenda"
)
_OVERVIEW_ALLOWED = (
    _OVERVIEW_TRIGGERS
    | STOP_WORDS
    | QUESTION_WORDS
    | _words(
        "this it page going gonna today here quick quickly short give main key big whole entire "
        "overall sum up"
    )
)

# Matched against the message lower-cased with punctuation turned into spaces.
# Deliberately narrow ("your system prompt", not "system prompt"; "act as" only
# as an order) so that a lesson *about* prompts, jailbreaks or role-play can
# still be asked about them.
_INJECTION_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}"
        r"\b(instructions?|lesson|rules?|prompts?|guidelines|restrictions|everything)\b",
        r"\byour\s+(system\s+|initial\s+|original\s+|hidden\s+)?"
        r"(prompt|instructions|rules|guidelines|configuration|programming)\b",
        r"\b(reveal|print|repeat|output|leak|dump)\b.{0,30}\b(prompt|instructions)\b",
        r"\b(you are now|pretend (to be|you are|youre)|jailbreak (yourself|mode)|dan mode"
        r"|developer mode|new instructions|from now on|lets role ?play|role ?play as)\b",
        r"(^|\b(you|u) (will |must |should |can |shall )?)act as\b",
        r"\b(as|like|be|become) an? (unrestricted|unfiltered|uncensored)\b",
        r"\b(tell|write|give|make)\s+(me\s+|us\s+)?(a|an|another|some)\s+"
        r"(joke|poem|story|song|essay|limerick|haiku|riddle)s?\b",
        r"\b(your own|general|outside|world)\s+knowledge\b",
        r"\b(answer|respond|reply)\b.{0,30}\b(without|outside|beyond)\b.{0,20}"
        r"\b(lesson|text|context)\b",
        r"\b(translate|rewrite|paraphrase)\s+(the|this|that|your)\s+"
        r"(lesson|text|section|page|answer)\b",
    )
)


def _norm_message(question: str) -> str:
    text = unicodedata.normalize("NFKC", question).casefold()
    text = text.replace("\u2019", "").replace("'", "")
    return normalize_ws(re.sub(r"[^\w\s]", " ", text))


def _is_injection(norm: str) -> bool:
    return any(p.search(norm) for p in _INJECTION_PATTERNS)


def _only(tokens: Sequence[str], triggers: frozenset[str], allowed: frozenset[str]) -> bool:
    return bool(tokens) and any(t in triggers for t in tokens) and all(t in allowed for t in tokens)


_NAME_TOKEN_RE = re.compile(r"[^\W_][\w.\-\u2019']*")


def _names(question: str) -> list[list[str]]:
    """Capitalised multi-word names in a question ("Golden Gate Claude", "Claude 3 Sonnet").

    A name is a run of two or more words that start with a capital or a digit,
    separated by spaces only; a possessive ("OpenAI's SAE") or a stop or
    question word ends it, and the first word of a sentence ("Ask OpenAI")
    does not start one.
    """
    out: list[list[str]] = []
    run: list[str] = []
    end = -1
    for m in _NAME_TOKEN_RE.finditer(question):
        word = m.group(0).rstrip(".-")
        opens_sentence = end < 0 or any(c in ".?!:;" for c in question[end : m.start()])
        namey = (
            (word[:1].isupper() or word[:1].isdigit())
            and not opens_sentence
            and word.casefold() not in STOP_WORDS
            and word.casefold() not in QUESTION_WORDS
        )
        joined = run and question[end : m.start()].strip() == ""
        if namey and joined:
            run.append(word)
        else:
            if len(run) >= 2:
                out.append(run)
            run = [word] if namey else []
        end = m.end()
        if word.endswith(("'s", "\u2019s")):
            if len(run) >= 2:
                out.append(run)
            run = []
    if len(run) >= 2:
        out.append(run)
    return out


def _unknown_names(index: LessonIndex, question: str) -> set[str]:
    """Terms of names the lesson does not use as a whole.

    "Golden Gate Claude" is one thing; a lesson that mentions the Golden Gate
    Bridge but never Golden Gate Claude does not cover it, so none of the
    name's words count as matched.  A name whose words the lesson all knows
    ("Claude Sonnet" for "Claude 3 Sonnet") is left alone.
    """
    out: set[str] = set()
    for name in _names(question):
        stems = content_stems(" ".join(name))
        if len(stems) < 2 or all(s in index.postings for s in stems):
            continue
        if not index.has_phrase(stems):
            out.update(stems)
    return out


def _question_terms(index: LessonIndex, tokens: Sequence[str]) -> list[str]:
    """A question's content terms, in order, analysed against this lesson.

    Question words are dropped unless they form a phrase with the next word
    that the lesson uses ("mean ablation"); a word the lesson never uses
    is split into two lesson words when it can be ("finetuned").
    """
    content = [t for t in tokens if t not in STOP_WORDS]
    stems = [term(t) for t in content]
    out: list[str] = []
    splits = 0
    for i, (tok, s) in enumerate(zip(content, stems, strict=True)):
        if tok in QUESTION_WORDS:
            # Kept when it modifies the next word in a phrase the lesson uses
            # ("mean ablation"); a framing verb after its subject ("how does
            # monitoring work") stays out even if the lesson says "monitoring works".
            right = stems[i + 1] if i + 1 < len(stems) else ""
            if not (right and index.has_bigram(s, right)):
                continue
        elif s not in index.postings and splits < MAX_CORRECTIONS:
            splits += 1
            parts = _decompound(index, tok)
            if parts:
                out.extend(parts)
                continue
        out.append(s)
    return out


# --------------------------------------------------------------------------
# Answer composition
# --------------------------------------------------------------------------


def _quoted(names: Sequence[str]) -> str:
    q = [f'"{n}"' for n in names]
    if len(q) == 1:
        return q[0]
    return ", ".join(q[:-1]) + " and " + q[-1]


def _title(index: LessonIndex) -> str:
    return f'"{index.title}"' if index.title else "this lesson"


def _this_lesson(index: LessonIndex) -> str:
    """'this lesson, "Title",' or just 'this lesson,' when the title is empty."""
    return f'this lesson, "{index.title}",' if index.title else "this lesson,"


def _declined(message: str, best: float = 0.0) -> TutorAnswer:
    return TutorAnswer(
        answer=message, grounded=False, citations=(), best_score=best, kind="declined"
    )


def _decline_not_covered(index: LessonIndex, scores: dict[int, float], best: float) -> TutorAnswer:
    msg = "Sorry, this lesson doesn't cover that, so I can't answer it from here."
    # Suggest the sections whose sentences matched anything at all, best first
    # (a place's score is its best sentence's score; ties keep lesson order).
    place_best: dict[int, float] = {}
    for sid, sc in scores.items():
        p = index.sent_place[sid]
        if sc > place_best.get(p, 0.0):
            place_best[p] = sc
    ranked = sorted(place_best, key=lambda p: (-place_best[p], p))[:2]
    # A runner-up is only worth naming when it is nearly as related.
    if len(ranked) == 2 and place_best[ranked[1]] < 0.5 * place_best[ranked[0]]:
        ranked = ranked[:1]
    headings = [index.places[p][0] for p in ranked if index.places[p][0]]
    if len(headings) == 1:
        msg += f" The closest section is {_quoted(headings)}."
    elif headings:
        msg += f" The closest sections are {_quoted(headings)}."
    else:
        msg += f" Try asking about something in {_title(index)}."
    return _declined(msg, best)


def _greeting(index: LessonIndex) -> TutorAnswer:
    msg = (
        f"Hi there! I'm your tutor for {_title(index)}. Ask me anything about this lesson "
        "and I'll answer from its text."
    )
    return TutorAnswer(answer=msg, grounded=True, citations=(), best_score=0.0, kind="greeting")


def _thanks(index: LessonIndex) -> TutorAnswer:
    msg = f"You're welcome! If anything else in {_title(index)} is unclear, just ask."
    return TutorAnswer(answer=msg, grounded=True, citations=(), best_score=0.0, kind="thanks")


def _overview(index: LessonIndex) -> TutorAnswer:
    parts = [f"This lesson is {_title(index)}." if index.title else "Here's this lesson."]
    if index.summary:
        parts.append(index.summary)
    if index.big_idea:
        parts.append(f"The big idea: {index.big_idea}")
    sections = [index.places[p] for p in index.path if index.places[p][0]]
    if sections:
        steps = ", ".join(f"{i}. {h}" for i, (h, _) in enumerate(sections, 1))
        parts.append(f"Your learning path: {steps}.")
    parts.append("Ask me about any part of it!")
    cites = tuple(Citation(section=h, anchor=a, quote=h) for h, a in sections)
    return TutorAnswer(
        answer=" ".join(parts), grounded=True, citations=cites, best_score=0.0, kind="overview"
    )


def _frame(index: LessonIndex, chosen: Sequence[int]) -> str:
    places = {index.sent_place[s] for s in chosen}
    if len(places) == 1:
        heading = index.places[next(iter(places))][0]
        if heading:
            return f'Here\'s what the lesson says in "{heading}":'
    return "Here's what the lesson says:"


def _is_thin(index: LessonIndex, sid: int, query_stems: set[str]) -> bool:
    """A sentence that adds almost nothing to the question, or that leads into a list.

    A definition of what the question names ("The mean is the sum divided by
    the count.") is an answer however short it is.
    """
    if set(index.defines[sid]) & query_stems:
        return False
    novel = set(index.sent_stems[sid]) - query_stems
    return len(novel) <= THIN_NOVEL_TERMS or index.texts[sid].endswith(":")


def _follow_up(index: LessonIndex, sid: int) -> int | None:
    """The sentence after ``sid`` when it continues ``sid``'s point (same section, quotable)."""
    nxt = sid + 1
    if (
        nxt < index.n
        and index.sent_place[nxt] == index.sent_place[sid]
        and nxt not in index.no_answer_set
        and index.ctx_from[sid] not in index.no_answer_set  # table rows stand alone
        and index.places[index.sent_place[sid]][1] != KEY_TERMS_ANCHOR
    ):
        return nxt
    return None


def _quote_groups(
    index: LessonIndex, close: Sequence[int], scores: Mapping[int, float], query: _Query
) -> list[list[int]]:
    """The sentences offered to the answer, best first, in all-or-nothing groups.

    ``close`` holds the sentences scoring within ``CLOSE_RATIO`` of the best,
    best first.  The best one comes first, then its neighbours in the same
    section that are close too (a passage reads better than scattered
    sentences), then the other close sentences that say more than the
    question, and last those that merely restate it ("That is behavioural
    evaluation.").

    A sentence that merely restates the question or leads in ("Think of a
    small flat with folding furniture.", "The second control, the educational
    control, was the cleverest.") is offered together with the sentence after
    it, which carries the point, and only then alone.  For the best sentence, so is the
    better-scoring of the two after that in the same paragraph ("Each lens has
    a characteristic trap." is followed by one sentence per lens), and the best
    sentence for "what did X show?" ("Bolukbasi et al. (2021) showed a simple
    version...") brings its follow-up as well: the finding comes after it.
    """
    qstems = {v for alts in query.alts.values() for v, _ in alts}
    best = close[0]
    groups: list[list[int]] = [[best]]
    nxt = _follow_up(index, best)
    if nxt is not None and (query.report or _is_thin(index, best, qstems)):
        groups[0].append(nxt)
        later = [
            j
            for j in (nxt + 1, nxt + 2)
            if j < index.n
            and index.sent_block[j] == index.sent_block[best]
            and j not in index.no_answer_set
            and scores.get(j, 0.0) > 0.0
        ]
        if later:
            groups.append([max(later, key=lambda j: (scores[j], -j))])
    place = index.sent_place[best]
    groups.extend([j] for j in close if j in (best - 1, best + 1) and index.sent_place[j] == place)
    thin = [j for j in close if _is_thin(index, j, qstems)]
    groups.extend([j] for j in close if j not in thin and j != best)
    for j in thin:
        nxt = _follow_up(index, j)
        if nxt is not None:
            groups.append([j, nxt])
        groups.append([j])  # alone, if the pair does not fit
    return groups


def _compose(index: LessonIndex, groups: Sequence[Sequence[int]]) -> tuple[str, tuple[int, ...]]:
    """Quote the groups (best first) within the sentence and word budgets, in lesson order.

    The first group is always quoted (even alone over budget); a later group is
    added whole or not at all.
    """
    chosen: list[int] = list(dict.fromkeys(groups[0]))
    for group in groups[1:]:
        trial = sorted(set(chosen).union(group))
        if len(trial) == len(chosen):
            continue
        if len(trial) > MAX_SENTENCES:
            continue
        if len(_render(index, trial).split()) <= MAX_ANSWER_WORDS:
            chosen = trial
    chosen.sort()
    return _render(index, chosen), tuple(chosen)


def _render(index: LessonIndex, chosen: Sequence[int]) -> str:
    lines = [_frame(index, chosen)]
    for n, sid in enumerate(sorted(chosen), 1):
        lines.append(f"\u201c{index.texts[sid]}\u201d [{n}]")
    return "\n".join(lines)


def _evidence(index: LessonIndex, query: _Query, sids: Iterable[int]) -> float:
    """Share of the question's IDF mass that the sentences ``sids`` account for.

    A term counts fully when a sentence contains it (variants and corrections
    at their weight) or when it names the sentence's table column (its header
    row); by ``SUPPORT_CREDIT`` when it is only in the sentence a pronoun
    refers back to or in the section heading.
    """
    sids = list(sids)
    total = 0.0
    got = 0.0
    for t in query.uniq:
        w = query.weight(index, t)
        total += w
        credit = 0.0
        for sid in sids:
            own = list(index.sent_stems[sid])
            src = index.ctx_from[sid]
            support = list(index.place_stems[index.sent_place[sid]])
            if src in index.no_answer_set:
                own += index.sent_stems[src]
            elif src >= 0:
                support += index.sent_stems[src]
            for v, vw in query.alts[t]:
                if v in own:
                    credit = max(credit, vw)
                elif v in support:
                    credit = max(credit, SUPPORT_CREDIT * vw)
        got += w * credit
    return got / total if total > 0 else 0.0


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def answer_question(index: LessonIndex, question: str) -> TutorAnswer:
    """Answer ``question`` from the lesson only, or decline kindly.

    Order of decisions:

    1. prompt injection ("ignore the lesson...", "your system prompt") -> declined;
    2. a message made only of greeting / thanks words -> greeting / thanks;
       "what is this lesson about?", "summarise", "what will I learn" -> overview;
    3. content terms = question stems minus stop words and question words
       (a question word stays when it forms a phrase the lesson uses, "mean
       ablation"; falling back to question words the lesson itself uses, so
       "what does 'mean' mean?" still works in a statistics lesson); none ->
       declined;
    4. each term is matched against the lesson vocabulary (exact, variants,
       spelling correction); coverage = share of terms with a match; below
       ``MIN_COVERAGE`` -> declined;
    5. rank sentences (BM25 + boosts); take the best and up to two more
       scoring at least ``CLOSE_RATIO`` of it; evidence = IDF mass of the
       question terms those sentences contain / IDF mass of all question
       terms (unknown terms weigh the maximum IDF); below ``MIN_EVIDENCE`` ->
       declined, naming the closest sections if anything matched;
    6. otherwise quote the chosen sentences, plus the antecedent of one that
       opens with a pronoun and the follow-up of one that only restates the
       question (lesson order, at most three, <= ~80 words).

    Never raises: any unexpected internal error becomes a polite decline.
    """
    try:
        return _answer(index, question)
    except Exception:  # pragma: no cover - defensive: a tutor reply must never 500
        return _declined(
            "Sorry, I couldn't work out an answer to that from this lesson. Could you rephrase it?"
        )


def _answer(index: LessonIndex, question: str) -> TutorAnswer:
    if not isinstance(question, str):
        question = ""
    question = question[:MAX_QUESTION_CHARS]
    norm = _norm_message(question)
    title = _title(index)

    if _is_injection(norm):
        return _declined(
            f"I can only help with {_this_lesson(index)} and I answer only from its text. "
            "What would you like to know about it?"
        )

    words = norm.split()
    if _only(words, _GREETING_TRIGGERS, _GREETING_ALLOWED):
        return _greeting(index)
    if _only(words, _THANKS_TRIGGERS, _THANKS_ALLOWED):
        return _thanks(index)
    if _only(words, _OVERVIEW_TRIGGERS, _OVERVIEW_ALLOWED):
        return _overview(index)

    tokens = tokenize(_FRAMING_RE.sub(" ", question))
    terms = _question_terms(index, tokens)
    keep = set(_unique(terms)[:MAX_QUERY_TERMS])
    terms = [t for t in terms if t in keep]
    if not terms:
        # Only question words left: use those the lesson itself contains.
        terms = [s for s in (term(t) for t in tokens if t not in STOP_WORDS) if s in index.postings]
    if not terms:
        sections = [index.places[p][0] for p in index.path if index.places[p][0]][:2]
        hint = f" For example, ask about {_quoted(sections)}." if sections else ""
        return _declined(f"Could you ask about something specific in {title}?{hint}")

    alts = dict(expand_terms(index, terms))
    for t in _unknown_names(index, question) & alts.keys():
        alts[t] = []
    query = _Query(
        terms=tuple(terms),
        alts=alts,
        definitional=bool(_DEFINITION_RE.search(norm)),
        answer_type=_answer_type(norm),
        given=frozenset(tokens),
        report=bool(_REPORT_RE.search(norm)),
    )
    uniq = query.uniq
    known = [t for t in uniq if query.alts[t]]
    total_weight = sum(query.weight(index, t) for t in uniq)
    scores = _score(index, query)
    best = max(scores.values(), default=0.0)
    best_norm = best / total_weight if total_weight > 0 else 0.0

    if len(known) / len(uniq) < MIN_COVERAGE or not scores:
        return _decline_not_covered(index, scores, best_norm)

    # Best first; ties broken by lesson order so results are deterministic.
    ranked = sorted(scores, key=lambda s: (-scores[s], s))
    close: list[int] = []
    seen_text: set[str] = set()
    for sid in ranked:
        if scores[sid] < CLOSE_RATIO * best:
            break
        if index.texts[sid] in seen_text:
            continue
        seen_text.add(index.texts[sid])
        close.append(sid)

    text, chosen = _compose(index, _quote_groups(index, close, scores, query))
    if _evidence(index, query, chosen) < MIN_EVIDENCE:
        return _decline_not_covered(index, scores, best_norm)

    citations = tuple(
        Citation(section=index.heading(s), anchor=index.anchor(s), quote=index.texts[s])
        for s in chosen
    )
    return TutorAnswer(
        answer=text, grounded=True, citations=citations, best_score=best_norm, kind="answer"
    )


def closest_anchor(index: LessonIndex, text: str) -> str | None:
    """The anchor of the lesson section whose sentences best match ``text``, if any does.

    Used to point a quiz question at the section that teaches it when the author gave no
    ``See:``; key terms and the big idea are not sections, so they are skipped.
    """
    scores = score_sentences(index, query_terms(tokenize(text)))
    for sid in sorted(scores, key=lambda s: (-scores[s], s)):
        anchor = index.anchor(sid)
        if anchor not in {"key-terms", "big-idea"}:
            return anchor
    return None
