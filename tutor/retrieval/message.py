"""Reading a learner's message: small talk, a steer, a request for the big idea, or questions.

A message may open with chat ("sorry, I'm confused:") and may ask several things at once ("what
is X, and why does Y happen?"). Chat that names nothing the lesson knows is dropped; each
remaining question is a part, answered on its own (`answer.answer_question`); a comparison is
its two sides (`comparisons.py`).
"""

from __future__ import annotations

import re
from itertools import accumulate

from . import tuning
from .comparisons import Side, comparison_sides
from .index import LessonIndex
from .lexicon import ANAPHORS, content_terms, content_words, tokenize, words
from .ranking import asked_subject
from .units import split_sentences

_GREETINGS = frozenset(words("hi hello hey hiya howdy greetings morning afternoon evening yo"))
_THANKS = frozenset(words("thanks thank thx ty cheers appreciated great perfect awesome"))
_SMALL_TALK = (
    _GREETINGS
    | _THANKS
    | frozenset(words("there tutor good you so much very lot that helps helped got it ok okay"))
)
_OVERVIEW_RE = re.compile(
    r"^(?:what(?:'s| is)\s+(?:this|the)\s+lesson\s+(?:about|on)|(?:give me\s+)?an? "
    r"(?:summary|overview)(?: of (?:this|the) lesson)?|summari[sz]e (?:this|the) lesson"
    r"|what (?:will|do|does|can) (?:i|we|this lesson) (?:learn|cover|teach)\w*(?: here)?)\W*$"
)
# A question for the lesson's main point: "what's the big idea?", "the main takeaway", "the
# one thing to remember". It is about the lesson only when its other content words are the
# lesson's title's or these (`is_big_idea`).
_BIG_IDEA_RE = re.compile(
    r"\b(?:big|main|central|key|core|overall)\s+(?:idea|point|takeaway|message|lesson)s?\b"
    r"|\btake-?aways?\b|\bgist\b|\bin a nutshell\b"
    r"|\bone thing (?:to|i should|i need to|you want me to) (?:remember|know|take away)\b"
)
_ABOUT_THE_LESSON = frozenset(content_terms("lesson here line sentence short word summary"))
_INJECTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|lesson|rules?|prompts?)\b"
    r"|\byour\s+(?:system\s+|initial\s+|hidden\s+)?(?:prompt|instructions|rules|programming)\b"
    r"|\b(?:you are now|pretend (?:to be|you are)|from now on|act as)\b"
    r"|\b(?:tell|write|give)\s+(?:me\s+)?(?:a|an|another)\s+(?:joke|poem|story|song|essay)\b"
)
_QUESTION_START = frozenset(
    words(
        "what what's whats which who whom whose when where why how is are was were do does did "
        "can could should would will explain describe define tell list name compare give"
    )
)
# A new part starts after "?" or ";", or at "and"/"also" followed by a question word.
_PART_RE = re.compile(
    r"(?<=[?;])\s+|,?\s+(?:and|also|plus)\s+(?=(?:what|why|how|when|where|who|which)\b)",
    re.IGNORECASE,
)
# Chat and question are cut apart after a sentence end or a colon (not after "Rev." or "J.").
_CHAT_RE = re.compile(r"[.!:]\s+")
# A question with one of these refers back to a statement before it ("What causes that?").
_REFERS_BACK = ANAPHORS | {"that"}
# A pronoun in a later question part ("..., and why does it matter?", "how many is that?"), and
# whether it is a possessive one ("its", "their").
_PRONOUN_RE = re.compile(
    r"\b(?:it|they|them|he|she|him|(?:that|this)(?=\W*$)|(?P<possessive>its|their|his))\b",
    re.IGNORECASE,
)


def message_kind(message: str) -> str | None:
    """ "greeting", "thanks", "overview", "injection" or None for a question."""
    text = " ".join(tokenize(message))
    tokens = text.split()
    if _INJECTION_RE.search(text):
        return "injection"
    if _OVERVIEW_RE.match(text):
        return "overview"
    if tokens and all(w in _SMALL_TALK for w in tokens):
        if any(w in _THANKS for w in tokens):
            return "thanks"
        if any(w in _GREETINGS for w in tokens):
            return "greeting"
    return None


def is_big_idea(index: LessonIndex, message: str) -> bool:
    """Whether a message asks for the lesson's main point, about nothing but the lesson."""
    text = " ".join(tokenize(message))
    match = _BIG_IDEA_RE.search(text)
    if match is None:
        return False
    rest = set(content_terms(text[: match.start()] + " " + text[match.end() :]))
    return rest <= _ABOUT_THE_LESSON | set(content_terms(index.title))


def _is_question(segment: str) -> bool:
    tokens = tokenize(segment)
    return segment.rstrip().endswith("?") or bool(tokens and tokens[0] in _QUESTION_START)


class _Reworded(str):
    """A question part as it is looked for (a later part's pronoun replaced by an earlier
    part's subject); `said` is the learner's own wording, which a reply quotes, and `borrowed`
    whether it was asked with the earlier part's subject (`_referred`)."""

    said: str
    borrowed: bool

    def __new__(cls, said: str, asked: str, *, borrowed: bool = False) -> _Reworded:
        part = super().__new__(cls, asked)
        part.said = said
        part.borrowed = borrowed
        return part


def _referred(index: LessonIndex, earlier: str, later: str) -> str:
    """A later question part that refers back, asked about what the earlier part asks about
    (else ""), without which it names too little of the lesson to be found.

    It refers back with a pronoun ("..., and why does it matter?", "how long was that?") or by
    naming nothing of the lesson ("..., and what's the point?"). What the earlier part asks
    about is X when it asks "what is X?"; else the lesson terms it names that the later part
    does not ("When did the mill open, and who ran it?": "mill open"). X stands in for the
    pronoun, or follows a part with none.
    """
    own = {t for t in index.terms_of(later) if t in index.postings}
    pronoun = _PRONOUN_RE.search(later)
    if pronoun is None and own:
        return ""
    x = asked_subject(earlier) or " ".join(
        dict.fromkeys(
            word
            for word in content_words(earlier)
            if (t := index.match(word)[1]) in index.postings and t not in own
        )
    )
    if not x:
        return ""
    if pronoun is None:
        return f"{later.rstrip(' ?')} {x}?"
    name = f"{x}'s" if pronoun["possessive"] else x
    return f"{later[: pronoun.start()]}{name}{later[pronoun.end() :]}"


def _without_chat(index: LessonIndex, message: str) -> str:
    """The message without the chat around its questions (the whole message when that leaves
    nothing). A statement beside a question is kept only when it names something the lesson
    knows and the question needs it: refers back to it ("I read about neap tides. When do they
    occur?", "My beer tastes of butter. What causes that?") or names nothing the lesson knows on
    its own ("My glaze crawled. What went wrong?")."""
    segments = split_sentences(message, _CHAT_RE)
    questions = [s for s in segments if _is_question(s)]
    if questions:
        # A question refers back, or is nothing without the statement: it names no lesson term.
        needs_statement = any(
            _REFERS_BACK & set(tokenize(q)) or index.postings.keys().isdisjoint(content_terms(q))
            for q in questions
        )
        segments = [
            s
            for s in segments
            if s in questions
            or (needs_statement and not index.postings.keys().isdisjoint(content_terms(s)))
        ]
    return " ".join(segments) or message


def message_parts(index: LessonIndex, message: str) -> list[str | tuple[Side, Side]]:
    """The message's questions, without the chat around them (`_without_chat`); a comparison
    is its two sides, asked as what each thing is, which a lesson says of each on its own; two
    things the lesson never names keep the question whole."""
    parts: list[str | tuple[Side, Side]] = []
    for piece in _PART_RE.split(_without_chat(index, message)):
        piece = piece.strip(" ,;")
        if not piece:
            continue
        # A part with no words of its own ("and why?") belongs to the question before it (a
        # comparison's sides take none).
        if parts and not content_words(piece):
            if isinstance(parts[-1], str):
                said = getattr(parts[-1], "said", parts[-1])
                borrowed = getattr(parts[-1], "borrowed", False)
                parts[-1] = _Reworded(f"{said} {piece}", f"{parts[-1]} {piece}", borrowed=borrowed)
            continue
        if parts and isinstance(parts[-1], str) and (asked := _referred(index, parts[-1], piece)):
            piece = _Reworded(piece, asked, borrowed=True)
        if sides := comparison_sides(index, piece):
            parts.append(sides)
        else:
            parts.append(piece)
    counts = accumulate(1 if isinstance(part, str) else 2 for part in parts)
    kept = [part for part, n in zip(parts, counts, strict=True) if n <= tuning.MAX_PARTS]
    return kept or [message]


def question_parts(index: LessonIndex, message: str) -> list[str]:
    """The questions `message_parts` reads, a comparison as "what is A?" and "what is B?"."""
    return [
        q
        for part in message_parts(index, message)
        for q in ([part] if isinstance(part, str) else [side.question for side in part])
    ]
