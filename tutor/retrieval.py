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
   lesson into sentences (list items and table rows are sentences of their
   own), tokenises them, removes English stop words, applies the Snowball
   English stemmer and stores an inverted index of per-sentence term
   frequencies.  :meth:`LessonIndex.to_dict` gives plain JSON for the
   database; :meth:`LessonIndex.from_dict` only re-attaches lists and dicts,
   so loading it per request is cheap.
2. :func:`answer_question` classifies the message (prompt injection, greeting,
   thanks, "what is this lesson about?") and otherwise ranks sentences with
   Okapi BM25 (IDF over the lesson's sentences) plus small boosts for question
   bigrams that occur as phrases, for key terms/concepts the question names,
   for section headings that match, and for matching neighbours.
3. It declines when the evidence is weak (see :func:`answer_question` and the
   ``MIN_*`` constants), otherwise quotes the one to three best sentences in
   lesson order, within about 80 words.

Everything is deterministic and pure Python; the only third-party dependency
is ``snowballstemmer``.  This module deliberately imports nothing from Django
so that it can be unit-tested and benchmarked in isolation.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
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
    "idf",
    "normalize_ws",
    "query_terms",
    "score_sentences",
    "split_sentences",
    "stem",
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
#: Bumped whenever the serialised layout or the analysis (tokeniser, stop
#: words, stemmer use) changes, so stale stored indexes are rebuilt.
INDEX_VERSION = 1

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
# Text analysis: tokenising, stop words, stemming
# --------------------------------------------------------------------------

# A token is a decimal number ("3.5", "1,000") or a run of letters/digits,
# possibly joined by apostrophes ("don't", "neuron's").  \w is Unicode-aware,
# so non-English text tokenises too instead of vanishing.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['\u2019][^\W_]+)*")
_APOSTROPHES = "'\u2019"


def _words(text: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list."""
    return frozenset(text.split())


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
    """
)

#: Words that frame a question rather than say what it is about.  They are
#: removed from questions only (lesson sentences keep them), so "explain how
#: superposition works" is about {superposition} alone.
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
    many word words terms way ways english
    """
)

_STEMMER = snowballstemmer.stemmer("english")
# Snowball stemmer objects keep per-call state, so a shared instance must not
# be entered by two threads at once (Django may serve requests on threads).
_STEM_LOCK = threading.Lock()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball English stem of an already lower-cased token (cached)."""
    with _STEM_LOCK:
        return _STEMMER.stemWord(word)


def normalize_ws(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of ``text``.

    Unicode is NFKC-normalised and case-folded; possessive ``'s`` is dropped
    and other apostrophes are removed ("don't" -> "dont", so the stop list
    catches it).  Single ASCII letters are dropped as noise ("a", "x").
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for raw in _TOKEN_RE.findall(text):
        tok = raw
        if len(tok) > 2 and tok[-2] in _APOSTROPHES and tok[-1] == "s":
            tok = tok[:-2]
        for ch in _APOSTROPHES:
            tok = tok.replace(ch, "")
        if len(tok) == 1 and tok.isascii() and tok.isalpha():
            continue
        if tok:
            out.append(tok)
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the non-stop-word tokens of ``text``, in order."""
    return [stem(t) for t in tokenize(text) if t not in STOP_WORDS]


def query_terms(tokens: Sequence[str]) -> list[str]:
    """Stems of a question's content words: no stop words, no question words."""
    return [stem(t) for t in tokens if t not in STOP_WORDS and t not in QUESTION_WORDS]


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
        return True  # an ellipsis before a capital starts a new sentence
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


def split_sentences(text: str) -> list[str]:
    """Split plain lesson text into sentences.

    Paragraphs are separated by blank lines; wrapped lines inside a paragraph
    are joined.  Every list item and every table row is its own unit (a list
    item holding several sentences is split further; a table row never is).
    Table separator rows (``|---|---|``) are dropped.  Whitespace inside a
    sentence is collapsed to single spaces; otherwise sentences are verbatim.
    """
    if not text:
        return []
    out: list[str] = []
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
                blocks.append(("item", [line[m.end() :]]))
                continue
            if _is_table_row(line):
                blocks.append(("row", [line]))
                continue
            kind = blocks[-1][0] if blocks else ""
            if kind == "prose" or (kind == "item" and raw_line[:1] in (" ", "\t")):
                blocks[-1][1].append(line)  # wrapped prose / indented item continuation
            else:
                blocks.append(("prose", [line]))
        for kind, lines in blocks:
            if kind == "row":
                row = _clean_table_row(lines[0])
                if any(ch.isalnum() for ch in row):
                    out.append(row)
            elif kind != "skip":
                out.extend(_split_prose(" ".join(lines)))
    return out


# --------------------------------------------------------------------------
# BM25 pieces (small, pure, unit-tested)
# --------------------------------------------------------------------------


def idf(n_docs: int, doc_freq: int) -> float:
    """Okapi IDF with the +1 inside the log (Lucene style) so it is never negative."""
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def bm25_term_weight(tf: int, doc_len: int, avg_len: float, term_idf: float) -> float:
    """One term's BM25 contribution to one sentence."""
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
        "avg_len",
        "big_idea",
        "n",
        "path",
        "phrases",
        "place_stems",
        "places",
        "postings",
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
        self.n = len(texts)
        self.sent_len = [len(s) for s in sent_stems]
        total = sum(self.sent_len)
        # max(.., 1) keeps the length normalisation finite for empty lessons.
        self.avg_len = max(total / self.n, 1.0) if self.n else 1.0

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


def build_index(lesson: LessonText) -> LessonIndex:
    """Analyse ``lesson`` once: sentences, stems, postings, key-term phrases."""
    places: list[list[str]] = []
    path: list[int] = []
    texts: list[str] = []
    sent_place: list[int] = []

    def add_place(heading: str, anchor: str, sentences: list[str], real: bool) -> None:
        if not sentences and not real:
            return
        pid = len(places)
        places.append([heading, anchor])
        if real:
            path.append(pid)
        for s in sentences:
            texts.append(s)
            sent_place.append(pid)

    # Lesson order as a learner reads the page: big idea, sections, key terms.
    add_place(BIG_IDEA_HEADING, BIG_IDEA_ANCHOR, split_sentences(lesson.big_idea), False)
    for sec in lesson.sections:
        add_place(sec.heading, sec.anchor, split_sentences(sec.text), True)
    term_sentences: list[str] = []
    for term, definition in lesson.key_terms:
        term, definition = normalize_ws(term), normalize_ws(definition)
        if not term and not definition:
            continue
        # "Term: definition" is one unit so the definition is always quoted
        # together with the term it defines.
        term_sentences.append(
            f"{term}: {definition}" if term and definition else term or definition
        )
    add_place(KEY_TERMS_HEADING, KEY_TERMS_ANCHOR, term_sentences, False)

    sent_stems = [content_stems(t) for t in texts]
    postings: dict[str, list[int]] = {}
    for sid, stems in enumerate(sent_stems):
        counts: dict[str, int] = {}
        for s in stems:
            counts[s] = counts.get(s, 0) + 1
        for s, c in counts.items():
            postings.setdefault(s, []).extend((sid, c))

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
    )


# --------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------


def score_sentences(
    index: LessonIndex,
    terms: Sequence[str],
    *,
    phrases: bool = True,
    key_terms: bool = True,
    headings: bool = True,
    context: bool = True,
) -> dict[int, float]:
    """Score every sentence that contains at least one of ``terms`` (question stems, in order).

    Returns ``{sentence_id: score}``.  The keyword switches exist so tests can
    isolate each boost.
    """
    uniq = _unique(terms)
    bm: dict[int, float] = {}
    for t in uniq:
        post = index.postings.get(t)
        if not post:
            continue
        w = index.idf(t)
        lens = index.sent_len
        for i in range(0, len(post), 2):
            sid = post[i]
            bm[sid] = bm.get(sid, 0.0) + bm25_term_weight(post[i + 1], lens[sid], index.avg_len, w)
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
        named = [p for p in index.phrases if _contains_run(terms, p)]
        for p in named:
            bonus_kt = KEY_TERM_WEIGHT * sum(index.idf(t) for t in p)
            for sid in bm:
                if _contains_run(index.sent_stems[sid], p):
                    scores[sid] += bonus_kt

    if headings:
        qset = set(uniq)
        for sid in bm:
            hit = qset.intersection(index.place_stems[index.sent_place[sid]])
            if hit:
                scores[sid] += HEADING_WEIGHT * sum(index.idf(t) for t in hit)

    if context:
        for sid in bm:
            place = index.sent_place[sid]
            nb = 0.0
            for j in (sid - 1, sid + 1):
                if j in bm and index.sent_place[j] == place:
                    nb = max(nb, bm[j])
            scores[sid] += CONTEXT_WEIGHT * nb
    return scores


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
# Deliberately narrow ("your system prompt", not "system prompt") so that a
# lesson *about* prompts can still be asked about them.
_INJECTION_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}"
        r"\b(instructions?|lesson|rules?|prompts?|guidelines|restrictions|everything)\b",
        r"\byour\s+(system\s+|initial\s+|original\s+|hidden\s+)?"
        r"(prompt|instructions|rules|guidelines|configuration|programming)\b",
        r"\b(reveal|print|repeat|output|leak|dump)\b.{0,30}\b(prompt|instructions)\b",
        r"\b(you are now|pretend (to be|you are|youre)|act as|role ?play|jailbreak|dan mode"
        r"|developer mode|new instructions|from now on)\b",
        r"\b(tell|write|give|make)\s+(me\s+|us\s+)?(a|an|another|some)\s+"
        r"(joke|poem|story|song|essay|limerick|haiku|riddle)s?\b",
        r"\b(your own|general|outside|world)\s+knowledge\b",
        r"\b(answer|respond|reply)\b.{0,30}\b(without|outside|beyond)\b.{0,20}"
        r"\b(lesson|text|context)\b",
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


def _compose(index: LessonIndex, ranked: Sequence[int]) -> tuple[str, tuple[int, ...]]:
    """Quote the ranked sentences (best first) within the word budget, in lesson order."""
    chosen: list[int] = [ranked[0]]
    for sid in ranked[1:]:
        trial = sorted([*chosen, sid])
        text = _render(index, trial)
        if len(text.split()) <= MAX_ANSWER_WORDS:
            chosen = trial
    chosen.sort()
    return _render(index, chosen), tuple(chosen)


def _render(index: LessonIndex, chosen: Sequence[int]) -> str:
    lines = [_frame(index, chosen)]
    for n, sid in enumerate(sorted(chosen), 1):
        lines.append(f"\u201c{index.texts[sid]}\u201d [{n}]")
    return "\n".join(lines)


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
       (falling back to question words the lesson itself uses, so "what does
       'mean' mean?" still works in a statistics lesson); none -> declined;
    4. coverage = share of content terms in the lesson vocabulary; below
       ``MIN_COVERAGE`` -> declined;
    5. rank sentences (BM25 + boosts); take the best and up to two more
       scoring at least ``CLOSE_RATIO`` of it; evidence = IDF mass of the
       question terms those sentences contain / IDF mass of all question
       terms (unknown terms weigh the maximum IDF); below ``MIN_EVIDENCE`` ->
       declined, naming the closest sections if anything matched;
    6. otherwise quote the chosen sentences (lesson order, <= ~80 words).

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

    tokens = tokenize(question)
    terms = query_terms(tokens)
    if not terms:
        # Only question words left: use those the lesson itself contains.
        terms = [s for s in (stem(t) for t in tokens if t not in STOP_WORDS) if s in index.postings]
    if not terms:
        sections = [index.places[p][0] for p in index.path if index.places[p][0]][:2]
        hint = f" For example, ask about {_quoted(sections)}." if sections else ""
        return _declined(f"Could you ask about something specific in {title}?{hint}")

    uniq = _unique(terms)
    known = [t for t in uniq if t in index.postings]
    max_idf = idf(index.n, 0)
    weights = {t: (index.idf(t) if t in index.postings else max_idf) for t in uniq}
    total_weight = sum(weights.values())
    scores = score_sentences(index, terms)
    best = max(scores.values(), default=0.0)
    best_norm = best / total_weight if total_weight > 0 else 0.0

    if len(known) / len(uniq) < MIN_COVERAGE or not scores:
        return _decline_not_covered(index, scores, best_norm)

    # Best first; ties broken by lesson order so results are deterministic.
    ranked = sorted(scores, key=lambda s: (-scores[s], s))
    top: list[int] = []
    seen_text: set[str] = set()
    for sid in ranked:
        if scores[sid] < CLOSE_RATIO * best or len(top) == MAX_SENTENCES:
            break
        if index.texts[sid] in seen_text:
            continue
        seen_text.add(index.texts[sid])
        top.append(sid)

    text, chosen = _compose(index, top)
    covered: set[str] = set()
    for sid in chosen:
        covered.update(index.sent_stems[sid])
    evidence = sum(w for t, w in weights.items() if t in covered) / total_weight
    if evidence < MIN_EVIDENCE:
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
