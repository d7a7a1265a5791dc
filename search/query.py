"""Reading a search box's text and marking matches, without Django.

A learner's text is never handed to a full-text engine as syntax: it becomes a list of plain
words, and each engine gets them in a form that cannot be mis-parsed (quoted FTS5 strings; a
tsquery of bare words). The last word also matches as a prefix, so results can follow typing,
and as any of the catalog's words it begins (`Words.also`): the engines stem the prefix as
they stem words, so "probin" alone would miss "probing", indexed as "probe".
"""

from __future__ import annotations

import re

from courses.content.table_text import is_row, row_cells

# A query is searched up to this many characters; the results page says when it cut one.
MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_TERM_LENGTH = 40

# The catalog's words longer than this are left out of its vocabulary (`vocabulary`): no one
# types them, and a btree entry has a size limit.
MAX_VOCABULARY_WORD = 64

_WORD_RE = re.compile(r"\w+")
_INDEXED_WORD_RE = re.compile(r"[^\W_]+")
_UNINDEXED_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff]")


class Words(list[str]):
    """A query's words (`terms`), and ``also``: words of the catalog that begin with the last
    one and that its prefix, as the engine stems it, would not find, each matched as a word in
    its own right, as an alternative to the prefix (`search.engine` fills it)."""

    also: tuple[str, ...] = ()


def terms(text: str) -> Words:
    """The words of a query, lower-cased, without repeats, at most MAX_TERMS of them."""
    words = Words()
    for word in _WORD_RE.findall(text.lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in words:
            words.append(word)
    del words[MAX_TERMS:]
    return words


def cut_to_limit(text: str) -> tuple[str, bool]:
    """``text`` as it is searched, and whether it was cut: at most MAX_QUERY_LENGTH characters,
    without the word the cut broke (its first letters would be searched as a prefix, and find
    words the learner never typed), unless that word is all there is."""
    if len(text) <= MAX_QUERY_LENGTH:
        return text, False
    kept = text[:MAX_QUERY_LENGTH]
    if _WORD_RE.match(text, MAX_QUERY_LENGTH):
        kept = _BROKEN_WORD_RE.sub("", kept).strip() or kept
    return kept.strip(), True


_BROKEN_WORD_RE = re.compile(r"\w+$")


def vocabulary(text: str) -> set[str]:
    """The words of a lesson's text as both engines split it (letters and digits: "_" parts
    words, so "ablation_basis" is two), lower-cased, unstemmed."""
    words = _INDEXED_WORD_RE.findall(text.lower())
    return {word for word in words if len(word) <= MAX_VOCABULARY_WORD}


# The tiers a match falls in, best first: every word in the title; every word in the title or
# the key terms and concepts (the lesson's "head"), but not all in the title; only through the
# body. A title match thus ranks above a key-term one whatever the engines' scores say.
TIERS = ("title", "terms", "body")
# FTS5's columns holding the title, and the title with the key terms.
_TITLE, _HEAD = "{title}", "{title terms}"


def _also(words: list[str]) -> tuple[str, ...]:
    return words.also if isinstance(words, Words) else ()


def fts5_match(words: list[str], *, tiers: tuple[str, ...] | None = None) -> str:
    """An FTS5 MATCH expression: every word, the last as a prefix or as any of `Words.also`;
    with ``tiers``, only the lessons of those tiers (one of TIERS, or the title and key terms
    together)."""
    quoted = [f'"{word}"' for word in words[:-1]]
    last = " OR ".join([f'"{words[-1]}"*', *(f'"{word}"' for word in _also(words))])
    anywhere = " AND ".join([*quoted, f"({last})" if _also(words) else last])
    in_title, in_head = f"{_TITLE}: ({anywhere})", f"{_HEAD}: ({anywhere})"
    match tiers:
        case None:
            return anywhere
        case ("title",):
            return in_title
        case ("title", "terms"):
            return in_head
        case ("terms",):
            return f"({in_head}) NOT ({in_title})"
        case ("body",):
            return f"({anywhere}) NOT ({in_head})"
    raise ValueError(f"no such tiers: {tiers!r}")


def tsquery(words: list[str], *, weight: str = "") -> str:
    """A raw tsquery (for to_tsquery): every word, the last as a prefix or as any of
    `Words.also`; with ``weight`` (a tsvector weight label such as "A"), only words carrying
    it."""
    label = f":{weight}" if weight else ""
    last = " | ".join([f"{words[-1]}:*{weight}", *(f"{w}{label}" for w in _also(words))])
    return " & ".join([*(f"{w}{label}" for w in words[:-1]), f"({last})" if _also(words) else last])


def clean_text(text: str) -> str:
    """Text as it is indexed: no control characters or private-use code points."""
    return _UNINDEXED_RE.sub(" ", text)


def readable(text: str) -> str:
    """A section's plain text as sentences: table rows come as "cell | cell" lines (one per row,
    the header first) and read badly in a passage, so each row becomes "Header: cell; …"."""
    lines = text.split("\n")
    out: list[str] = []
    header: list[str] | None = None
    for line in lines:
        if not is_row(line):
            header = None
            out.append(line)
            continue
        cells = row_cells(line)
        if header is None:
            header = cells
            continue
        named = [
            f"{name}: {cell}" if name else cell
            for name, cell in zip(header, cells, strict=False)
            if cell
        ]
        row = "; ".join(named)
        out.append(row if row[-1:] in ".?!" else f"{row}.")
    return "\n".join(out)
