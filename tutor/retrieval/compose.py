"""Answer composition: which units to quote, and the words around the quotes.

Every quote is a unit's text, verbatim (a table row read with its header), cited to its
section's anchor. An answer is the best unit with what it needs to make sense, within about
`MAX_WORDS` words: the sentence it refers back to, the items it announces, or a close
runner-up, then the sentence after it in its paragraph (`with_continuation`); the rest of the
lesson is one click away through the citation.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import tuning
from .index import LessonIndex
from .lexicon import content_terms
from .units import NOT_SECTIONS, ROW


def _words(index: LessonIndex, uids: Sequence[int]) -> int:
    return sum(len(index.units[u].text.split()) for u in uids)


def _with_fitting(index: LessonIndex, chosen: list[int], items: Sequence[int]) -> list[int]:
    """`chosen` and the `items`, in order, until one would take the words past `LIST_MAX_WORDS`
    (an item already chosen is not added again)."""
    added = list(chosen)
    for item in items:
        if _words(index, [*added, item]) > tuning.LIST_MAX_WORDS:
            break
        if item not in added:
            added.append(item)
    return added


def _repeats(index: LessonIndex, uid: int, chosen: Sequence[int]) -> bool:
    """Whether a unit mostly repeats what is already quoted (a key term restating a sentence)."""
    own = set(content_terms(index.units[uid].text))
    quoted = {t for u in chosen for t in content_terms(index.units[u].text)}
    return len(own & quoted) >= tuning.REPEAT_SHARE * len(own)


def choose_units(
    index: LessonIndex,
    ranked: list[tuple[float, int]],
    asked: Sequence[str] = (),
    *,
    complete: bool = False,
) -> list[int]:
    """The units to quote for a ranking, in reading order.

    A best unit that is short or only restates the question (`asked` holds the question's
    terms) comes with the sentence after it, which usually carries the point. A `complete`
    best unit (one that defines all of what a "what is X?" question asks about) takes no
    runner-ups: they would only add other things said about X.
    """
    best_score, best = ranked[0]
    unit = index.units[best]
    chosen = [best]
    own = set(content_terms(unit.text))
    thin = len(unit.text.split()) <= tuning.SHORT_WORDS or (
        own and len(own & set(asked)) >= tuning.RESTATES_SHARE * len(own)
    )
    after = index.units[best + 1] if best + 1 < len(index.units) else None
    if thin and after and (after.section, after.kind) == (unit.section, unit.kind):
        chosen.append(best + 1)
    if unit.context is not None and _words(index, [best, unit.context]) <= tuning.MAX_WORDS:
        chosen.append(unit.context)
    # The list comes along when the best unit announces it or refers back to its announcer;
    # a best unit that is itself one item comes with the announcer only.
    announcer = next((u for u in chosen if index.units[u].items), None)
    if announcer is not None and best not in index.units[announcer].items:
        return sorted(_with_fitting(index, chosen, index.units[announcer].items))
    for score, uid in [] if complete else ranked[1:]:
        if score < tuning.CLOSE_RATIO * best_score or len(chosen) >= tuning.MAX_UNITS:
            break
        if uid in chosen or _words(index, [*chosen, uid]) > tuning.MAX_WORDS:
            continue
        if not _repeats(index, uid, chosen):
            chosen.append(uid)
    return sorted(chosen)


def with_continuation(index: LessonIndex, chosen: list[int], best: int) -> list[int]:
    """The chosen units and the sentence after the best one in its paragraph, when it fits
    the word budget: a sentence often sets up what the next one says."""
    after = best + 1
    if after >= len(index.units) or after in chosen or not index.units[after].continues:
        return chosen
    if _words(index, [*chosen, after]) > tuning.MAX_WORDS:
        return chosen
    return sorted([*chosen, after])


def _names_one_row(index: LessonIndex, best: int, members: range, asked: Sequence[str]) -> bool:
    """Whether the best unit is a table row holding a question term that no other row of its
    list holds: the question names one row's thing ("the first moves of the Italian Game")."""
    if index.units[best].kind != ROW:
        return False
    others = set().union(
        *(
            content_terms(index.units[u].text)
            for u in members
            if u != best and index.units[u].kind == ROW
        )
    )
    return bool(set(asked) & (set(content_terms(index.units[best].text)) - others))


def with_heading_list(
    index: LessonIndex, chosen: list[int], best: int, asked: Sequence[str] = ()
) -> list[int]:
    """The chosen units and the list that a heading introduces (or a table's rows that a
    sentence or a counting heading introduces), when the best unit is one of its items, its
    sub-heading or its announcer (`Unit.listed`): the items whole when they all fit within
    `LIST_MAX_WORDS`, else each item's first unit, in order, as many as fit; not when the best
    unit is a table row that alone holds a question term (`_names_one_row`). Only units are
    added (the list is no runner-up: the model judged `chosen` without it), each verbatim."""
    first = index.units[best].listed
    if first is None:
        return chosen
    end = first  # a list's units follow one another
    while end < len(index.units) and index.units[end].listed == first:
        end += 1
    if _names_one_row(index, best, range(first, end), asked):
        return chosen
    items = [u for u in range(first, end) if u not in chosen]
    if _words(index, [*chosen, *items]) > tuning.LIST_MAX_WORDS:
        items = [u for u in items if not index.units[u].continues]
    return sorted(_with_fitting(index, chosen, items))


def quote_text(index: LessonIndex, chosen: Sequence[int], first: int = 1) -> str:
    """The frame line and the numbered quotes; `first` numbers the first citation."""
    places = {index.units[u].section for u in chosen}
    heading = index.places[next(iter(places))][0] if len(places) == 1 else ""
    where = f' in "{heading}"' if heading else ""
    frame = f"Here's what the lesson says{where}:"
    quotes = [f"\u201c{index.units[u].text}\u201d [{n}]" for n, u in enumerate(chosen, first)]
    return "\n".join([frame, *quotes])


_NOT_COVERED = "Sorry, this lesson doesn't cover that, so I can't answer it from here."
#: What the tutor says when it quotes nothing; `{title}` is the lesson's title in quotes.
REPLIES = {
    "greeting": "Hi there! I'm your tutor for {title}. Ask me anything about this lesson "
    "and I'll answer from its text.",
    "thanks": "You're welcome! If anything else in {title} is unclear, just ask.",
    "injection": "I can only help with {title} and I answer only from its text. "
    "What would you like to know about it?",
    "no_content": "Could you ask about something specific in {title}?",
    "not_covered": _NOT_COVERED + " Try asking about something in {title}.",
    "related": _NOT_COVERED + ' The closest it comes is the section "{heading}".',
    "foreign_english": "I answer only in the lesson's language, English, and only from its "
    "text. Please ask your question in English.",
    "foreign": "I answer only in the lesson's language, and only from its text. "
    "Please ask your question in the language the lesson is written in.",
}


def reply(index: LessonIndex, name: str, **fields: str) -> str:
    title = f'"{index.title}"' if index.title else "this lesson"
    return REPLIES[name].format(title=title, **fields)


def part_not_covered(parts: Sequence[str]) -> str:
    listed = "; ".join(f"\u201c{p}\u201d" for p in parts)
    return f"The lesson doesn't cover this part of your question: {listed}."


def side_not_covered(sides: Sequence[str]) -> str:
    """What a comparison names that the lesson does not explain, in the learner's words."""
    return f"The lesson doesn't explain {' or '.join(sides)}."


def overview(index: LessonIndex) -> str:
    parts = [f'This lesson is "{index.title}".' if index.title else "Here's this lesson."]
    if index.summary:
        parts.append(index.summary)
    headings = [h for h, a in index.places if a not in NOT_SECTIONS and h]
    if headings:
        parts.append(
            "Your learning path: " + ", ".join(f"{i}. {h}" for i, h in enumerate(headings, 1)) + "."
        )
    parts.append("Ask me about any part of it!")
    return " ".join(parts)
