"""Reading a search box's text and marking matches, without Django.

A learner's text is never handed to a full-text engine as syntax: it becomes a list of plain
words, and each engine gets them in a form that cannot be mis-parsed (quoted FTS5 strings; a
tsquery of bare words). The last word also matches as a prefix, so results can follow typing.
"""

from __future__ import annotations

import re

MAX_TERMS = 12
MAX_TERM_LENGTH = 40

_WORD_RE = re.compile(r"\w+")
_UNINDEXED_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff]")


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, without repeats, at most MAX_TERMS of them."""
    words: list[str] = []
    for word in _WORD_RE.findall(text.lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


# FTS5's columns that make a lesson's "head": its title and its key terms and concepts.
HEAD_COLUMNS = "{title terms}"


def fts5_match(words: list[str], *, head: bool | None = None) -> str:
    """An FTS5 MATCH expression: every word, the last also as a prefix.

    ``head`` True: every word in the title or terms columns; False: every word somewhere, but
    not every word in those two (the lessons that match only through their body).
    """
    quoted = [f'"{word}"' for word in words[:-1]]
    anywhere = " ".join([*quoted, f'"{words[-1]}"*'])
    in_head = f"{HEAD_COLUMNS}: ({anywhere})"
    if head is None:
        return anywhere
    return in_head if head else f"({anywhere}) NOT ({in_head})"


def tsquery(words: list[str]) -> str:
    """A raw tsquery (for to_tsquery): every word, the last also as a prefix."""
    return " & ".join([*words[:-1], f"{words[-1]}:*"])


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
        if " | " not in line:
            header = None
            out.append(line)
            continue
        cells = [cell.strip() for cell in line.split(" | ")]
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
