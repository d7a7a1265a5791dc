"""Text units: what the tutor can quote, cut from a lesson's plain text.

A section's text has one line per paragraph, list item or table row (cells joined by " | ").
Units are a paragraph's **sentences**, table **rows** read with their header ("Header: value."),
and key-**term** definitions. A sentence that announces a list ("several reasons", a closing
colon) holds the following lines' first sentences as its `items`, so quoting it quotes the list;
a list that a heading introduces, or a table whose rows are the announced items, is marked
`listed` instead, and quoted whole only for a question asking for a list.
A unit's `context` (the announcing sentence, or the one a pronoun refers back to) lends it words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from courses.content.table_text import is_row, row_cells
from courses.content.text_lines import HEADING, ITEM

from . import tuning
from .lexicon import ANAPHORS, STOP_WORDS, cached_tokens, normalize_ws, words

KEY_TERMS_HEADING = "Key terms"
KEY_TERMS_ANCHOR = "key-terms"
BIG_IDEA_HEADING = "Big idea"
BIG_IDEA_ANCHOR = "big-idea"
#: Places that are not lesson sections: never named as "the section", never a learning path.
NOT_SECTIONS = (KEY_TERMS_ANCHOR, BIG_IDEA_ANCHOR)

SENTENCE = "sentence"
ROW = "row"
TERM = "term"


@dataclass(frozen=True)
class SectionText:
    """One lesson section as plain text (one line per paragraph, item or table row)."""

    heading: str
    anchor: str
    text: str
    #: What each line of `text` is in the source (`rendering.line_kinds`): "heading", "item"
    #: or "". Empty when only the plain text is known; then no list is known to be a heading's.
    line_kinds: tuple[str, ...] = ()
    #: The text of each inline formula in the section, as `text` has it
    #: (`rendering.inline_formulas`): words of a sentence, never code.
    formulas: tuple[str, ...] = ()


@dataclass(frozen=True)
class LessonText:
    """Everything the tutor may quote from, already reduced to plain text."""

    title: str
    summary: str
    sections: tuple[SectionText, ...]
    key_terms: tuple[tuple[str, str], ...]
    big_idea: str = ""


@dataclass
class Unit:
    text: str
    section: int  # position in the lesson's list of places (sections, key terms, big idea)
    kind: str = SENTENCE
    context: int | None = None
    items: list[int] = field(default_factory=list)
    defines: str = ""  # what the unit defines ("probe" for "A probe is a small classifier")
    continues: bool = False  # a later sentence of the paragraph of the unit before it
    #: For a unit of a list that a heading introduces (the items' units, and the sub-heading's),
    #: or of a table whose rows are announced items (the rows and the announcer's): the first
    #: unit of that list, its sub-heading or its announcer (`_mark_heading_lists`,
    #: `_mark_table_lists`).
    listed: int | None = None


# A sentence ends at . ! ? (and any closing quote or bracket) before a space and a capital,
# digit or opening quote, unless the period closes an abbreviation or an initial. The match
# starts at the end mark (not after it, in a look-behind): a pattern that opens with a
# character set lets the regex engine skip to the next candidate instead of trying every
# position, and a big import splits every paragraph of every lesson.
_BOUNDARY_RE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    words(
        "e.g i.e etc vs cf al fig figs no dr mr mrs ms prof st jr sr inc ltd co approx ca "
        "rev mt gen gov capt lt col sgt fr hon"
    )
)
_COUNT_WORDS = words("two three four five six seven eight nine ten eleven twelve")
_ANNOUNCE_WORDS = (*_COUNT_WORDS, "several", "a few", "the following")
# "A few hundred statements" and "two million years" give a number, not a count of items.
_ANNOUNCE_RE = re.compile(
    r"\b(?P<count>" + "|".join(_ANNOUNCE_WORDS) + ")"
    r"(?!\s+(?:hundred|thousand|million|billion|dozen)\b)"
    r"(?:\s+[\w-]+){0,3}?\s+[\w-]+s\b",
    re.IGNORECASE,
)
# "two or three buckets", "four to six weeks": a range gives an amount, not a count of items.
_RANGE_RE = re.compile(r"\s+(?:or|to)\s+(?:" + "|".join(_COUNT_WORDS) + r")\b", re.IGNORECASE)
# A sentence that opens with "That" or "Such" refers back too (a question with "that" need not).
_ANAPHORS = ANAPHORS | {"that", "such"}
_DEFINES_RE = re.compile(
    r"^(?:(?:an?|the)\s+)?(?P<subject>[\w\s'-]{2,60}?)\s*(?:\([^)]*\)\s*)?,?\s+"
    r"(?:(?:is|are|was|were)\s+(?:an?|the|one|any|when|what|how)\b|means\b|refers to\b|denotes\b)",
    re.IGNORECASE,
)


def closes_abbreviation(text: str) -> bool:
    """Whether the period `text` ends with closes an abbreviation, a title or an initial
    ("e.g.", "Rev.", "No.", "J."), not a sentence."""
    before = text.rstrip().rstrip("\"'\u201d\u2019)]")
    if not before.endswith("."):
        return False
    last_word = before.rsplit(None, 1)[-1].rstrip(".").lower()
    return last_word in _ABBREVIATIONS or len(last_word) == 1


def split_sentences(line: str, boundary: re.Pattern[str] = _BOUNDARY_RE) -> list[str]:
    """The sentences of one paragraph line, verbatim. A `boundary` match starts at a sentence's
    one-character end mark; a period that closes an abbreviation or an initial is no end."""
    sentences: list[str] = []
    start = 0
    for match in boundary.finditer(line):
        end = match.start() + 1  # just after the end mark
        if closes_abbreviation(line[start:end]):
            continue
        sentences.append(line[start:end].strip())
        start = match.end()
    sentences.append(line[start:].strip())
    return [s for s in sentences if s]


def _row_text(header: list[str], cells: list[str]) -> str:
    values = [
        (n, v if v[-1] in ".?!" else f"{v}.") for n, v in zip(header, cells, strict=False) if v
    ]
    return " ".join(f"{name}: {value}" if name else value for name, value in values)


_CODE_RE = re.compile(r"\w\(|\s=\s|\s#\s|[{}]|==|=>|->")


def _is_prose(line: str, formulas: Sequence[str] = ()) -> bool:
    """Code and number dumps are not quoted: prose has no code marks and is mostly words. An
    inline formula of the section (`SectionText.formulas`) is judged as one word: its marks
    ("f(x)=x2") are no code."""
    line = _without_formulas(line, formulas)
    tokens = cached_tokens(line)
    alphabetic = sum(map(str.isalpha, tokens))
    return alphabetic >= 0.6 * len(tokens) > 0 and not _has_code(line)


def _without_formulas(text: str, formulas: Sequence[str]) -> str:
    """`text` with each formula that is not a plain word ("f(x)=x2", "x^") read as one word."""
    for formula in sorted(formulas, key=len, reverse=True):
        if not formula.isalpha() and formula in text:
            text = text.replace(formula, " formula ")
    return text


def _has_code(line: str) -> bool:
    # _CODE_RE has no fixed first character, so its search tries every alternative at every
    # position; few lines hold any of the characters one of its matches needs (one of `( = # { }` or
    # "->"), and substring tests rule out the rest.
    marked = "(" in line or "=" in line or "#" in line or "{" in line or "}" in line or "->" in line
    return marked and _CODE_RE.search(line) is not None


def _may_announce(sentence: str) -> bool:
    """Whether a sentence holds one of `_ANNOUNCE_WORDS`, which `_ANNOUNCE_RE` cannot match
    without: a substring test, several times cheaper than the search an index build would
    run on every sentence. For ASCII text, lower-casing is exactly what IGNORECASE does."""
    if not sentence.isascii():
        return True  # IGNORECASE also folds a few non-ASCII letters (the long s, Kelvin's K)
    lower = sentence.lower()
    return any(word in lower for word in _ANNOUNCE_WORDS)


def _announced_count(sentence: str) -> tuple[int, bool] | None:
    """How many items a sentence announces, and whether it says so in words.

    "four reasons" announces four, "several reasons" up to MAX_ITEMS; a bare colon announces
    up to MAX_ITEMS list-like lines, and so does a range ("two or three of these:"), which
    announces no count in words (`_exact_count`).
    """
    match = _ANNOUNCE_RE.search(sentence) if _may_announce(sentence) else None
    exact = _count_of(sentence, match) if match else 0
    if exact != 0:  # None for "several reasons"; 0 for a range, which announces no count
        return exact or tuning.MAX_ITEMS, True
    return (tuning.MAX_ITEMS, False) if sentence.rstrip().endswith(":") else None


# What _DEFINES_RE cannot match without: one of its verbs after a space, with the same flags.
# Most sentences define nothing, and this search fails fast where the anchored pattern would
# try every length of subject first.
_DEFINES_VERB_RE = re.compile(r"\s(?:is|are|was|were|means|refers to|denotes)", re.IGNORECASE)


def _defined_subject(sentence: str) -> str:
    match = _DEFINES_RE.match(sentence) if _DEFINES_VERB_RE.search(sentence) else None
    words = match["subject"].lower().split() if match else []
    if not words or len(words) > 5 or words[0] in STOP_WORDS:
        return ""
    return match["subject"].strip()


def _add_sentences(units: list[Unit], line: str, place: int, context: int | None) -> list[int]:
    """Adds a paragraph's sentences; the first takes `context`, a later one that opens with a
    pronoun ("They differ in...") the sentence before it. Returns their ids."""
    ids: list[int] = []
    for sentence in split_sentences(line):
        if ids:
            context = ids[-1] if (cached_tokens(sentence) or ("",))[0] in _ANAPHORS else None
        defines = _defined_subject(sentence)
        units.append(Unit(sentence, place, context=context, defines=defines, continues=bool(ids)))
        ids.append(len(units) - 1)
    return ids


class OpenList(NamedTuple):
    """A list a sentence announced, while its items are read."""

    announcer: int  # the announcing sentence's unit
    wanted: int  # the items still to come
    in_words: bool  # the count was said in words ("four"), not by a colon or "several"


def _announcement(units: list[Unit], ids: list[int]) -> OpenList | None:
    """The sentence of a paragraph that announces the lines after it, with `_announced_count`.

    It must lead into them: be the paragraph's last sentence, or be followed only by
    sentences that refer back to it ("They differ in...").
    """
    for n, uid in enumerate(ids):
        count = _announced_count(units[uid].text)
        if count and all(units[later].context is not None for later in ids[n + 1 :]):
            return OpenList(uid, *count)
    return None


def _lines_before_table(lines: Sequence[str], start: int) -> int:
    """How many lines from `start` come before the next table row (or the end)."""
    return next((n for n, line in enumerate(lines[start:]) if is_row(line)), len(lines) - start)


def _add_section(
    units: list[Unit], lines: Sequence[str], place: int, formulas: Sequence[str] = ()
) -> list[range]:
    """Adds a section's units from its non-empty, whitespace-normalised lines: the prose lines'
    sentences and the table rows (read with the header row above them). A list, once announced,
    takes the first sentence of each line that follows as an item, up to the count announced (an
    item's own sentence opens a list of its own only with a colon). A table ends it: table rows
    are no items, and the lines after a table are not the items of a sentence before it (the
    table's rows may be the announced list, `_mark_table_lists`; either way the text after it
    goes on from the table). Returns the units of each line."""
    header: list[str] | None = None
    open_list: OpenList | None = None
    starts: list[int] = []  # a line's units are added while it is read, after those before it
    for i, line in enumerate(lines):
        starts.append(len(units))
        if is_row(line):
            open_list = None
            cells = row_cells(line)
            if header is None:
                header = cells
            else:
                units.append(Unit(_row_text(header, cells), place, kind=ROW))
            continue
        header = None
        if not _is_prose(line, formulas):
            continue
        if open_list and not open_list.in_words and len(split_sentences(line)) > 2:
            open_list = None  # a colon's list ends at the first full paragraph
        if open_list is None:
            ids = _add_sentences(units, line, place, None)
            found = _announcement(units, ids)
            # A list is at least two lines after its announcement, before any table.
            if found and _lines_before_table(lines, i + 1) >= 2:
                open_list = found
            continue
        announcer = open_list.announcer
        ids = _add_sentences(units, line, place, announcer)
        item = ids[:1]
        # A run-in label ("Trust.") is not an item on its own: its sentence comes with it.
        if len(ids) > 1 and len(units[ids[0]].text.split()) <= tuning.LABEL_WORDS:
            item = ids[:2]
        units[item[-1]].context = announcer
        units[announcer].items.extend(item)
        open_list = (
            open_list._replace(wanted=open_list.wanted - 1) if open_list.wanted > 1 else None
        )
        # Inside a list the next line is the next item, unless the item leads into lines of its
        # own with a colon ("There are three kinds of fault:") or its paragraph goes on to a
        # sentence that announces them, as any paragraph does; then at least two lines before
        # any table. A count the item names in passing ("rise for several hours", "two
        # twelfths;") announces nothing.
        nested = _announcement(units, ids)
        leads_in = nested is not None and (
            nested.announcer not in item or units[nested.announcer].text.endswith(":")
        )
        if leads_in and _lines_before_table(lines, i + 1) >= 2:
            open_list = nested
    ends = [*starts[1:], len(units)] if starts else []  # a section without text has no line
    return [range(start, end) for start, end in zip(starts, ends, strict=True)]


def _mark_heading_lists(
    units: list[Unit], line_units: list[range], kinds: Sequence[str], heading: str
) -> None:
    """Marks each list that a heading introduces, which no sentence announces: list-item lines
    (at least two, in a row) straight under a sub-heading line, or opening the section (its
    heading is over them), or the section's first list when its heading announces items in
    words ("Training a probe in four steps") and the paragraph before the list announces none.
    Every unit of the list and of its sub-heading (or that paragraph) gets `listed`, the first
    of them. A
    sub-heading that announces its items already carries them; an item that seems to announce
    the items after it ("a few metres of line") leaves the list whole."""
    counted = (_announced_count(heading) or (0, False))[1]
    seen_list = False  # a list came before this line in the section
    n = 0
    while n < len(kinds):
        if kinds[n] != ITEM:
            n += 1
            continue
        end = n
        while end < len(kinds) and kinds[end] == ITEM:
            end += 1
        under = n > 0 and kinds[n - 1] == HEADING
        unannounced = n > 0 and not any(units[u].items for u in line_units[n - 1])
        # A heading that counts the items introduces its section's first list, through the
        # paragraph that leads into it.
        led = counted and not seen_list and unannounced
        over = list(line_units[n - 1]) if under or led else []
        members = [u for lines in line_units[n:end] for u in lines]
        introduced = n == 0 or under or led
        if introduced and end - n >= 2 and members and not any(units[u].items for u in over):
            first = (over or members)[0]
            for u in over + members:
                units[u].listed = first
        seen_list = True
        n = end


def _exact_count(sentence: str) -> int | None:
    """The number of items a sentence announces with a count word ("three kinds"); 0 for a
    range, which announces none; None without a count word ("several kinds", "the following",
    a colon, no announcement)."""
    match = _ANNOUNCE_RE.search(sentence) if _may_announce(sentence) else None
    return _count_of(sentence, match) if match else None


def _count_of(sentence: str, match: re.Match[str]) -> int | None:
    """`_exact_count` of a sentence from its `_ANNOUNCE_RE` match."""
    count = match["count"].lower()
    if count not in _COUNT_WORDS:
        return None
    return 0 if _RANGE_RE.match(sentence, match.end("count")) else _COUNT_WORDS.index(count) + 2


def _is_item(units: list[Unit], uid: int) -> bool:
    context = units[uid].context
    return context is not None and uid in units[context].items


def _mark_table_lists(
    units: list[Unit], line_units: list[range], lines: Sequence[str], heading: str
) -> None:
    """Marks each table whose rows are a list's items, which `_add_section` never reads as
    items: a table straight after the paragraph whose announcing sentence (`_announcement`)
    leads into it, or the section's first table when the section heading counts its rows in
    words ("Six knots worth knowing") and the paragraph before it, if any, announces nothing.
    A count in words must be the number of rows ("two main designs" over four rows of
    features announces no rows); "several", "the following" or a colon takes any two or more.
    The announcer (with the sentences after it in its paragraph), or that paragraph (unless it
    is itself an item of an announced list), and the rows get `listed`, the first of them."""
    counted = _exact_count(heading)
    seen_table = False
    n = 0
    while n < len(lines):
        if not is_row(lines[n]):
            n += 1
            continue
        end = n
        while end < len(lines) and is_row(lines[end]):
            end += 1
        rows = [u for line in line_units[n:end] for u in line]
        before = list(line_units[n - 1]) if n > 0 else []
        found = _announcement(units, before) if before else None
        # A paragraph that is itself an announced list's item leads into nothing.
        lead = before and not _is_item(units, before[0])
        first = None
        if found and len(rows) >= 2:  # a list is at least two items
            exact = _exact_count(units[found.announcer].text)
            if exact is None or len(rows) == exact:
                first = found.announcer
        elif not found and counted and not seen_table and len(rows) == counted:
            first = before[0] if lead else rows[0]
        marked = range(first, rows[-1] + 1) if first is not None else range(0)
        if marked and all(units[u].listed is None for u in marked):
            for u in marked:
                units[u].listed = first
        seen_table = True
        n = end


def build_units(lesson: LessonText) -> tuple[list[tuple[str, str]], list[Unit]]:
    """The lesson's places (heading, anchor) and its units, in reading order."""
    places: list[tuple[str, str]] = []
    units: list[Unit] = []
    if lesson.big_idea.strip():
        places.append((BIG_IDEA_HEADING, BIG_IDEA_ANCHOR))
        _add_sentences(units, normalize_ws(lesson.big_idea), len(places) - 1, None)
    for section in lesson.sections:
        places.append((section.heading, section.anchor))
        text_lines = [line for line in map(normalize_ws, section.text.split("\n")) if line]
        line_units = _add_section(units, text_lines, len(places) - 1, section.formulas)
        _mark_table_lists(units, line_units, text_lines, section.heading)
        lines = section.text.split("\n")
        if len(section.line_kinds) == len(lines):  # known from the source (else empty)
            kinds = [k for k, line in zip(section.line_kinds, lines, strict=True) if line.split()]
            _mark_heading_lists(units, line_units, kinds, section.heading)
    if lesson.key_terms:
        places.append((KEY_TERMS_HEADING, KEY_TERMS_ANCHOR))
        for name, definition in lesson.key_terms:
            text = f"{name}: {normalize_ws(definition)}"
            units.append(Unit(text, len(places) - 1, kind=TERM, defines=name))
    return places, units
