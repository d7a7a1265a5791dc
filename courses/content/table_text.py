"""Table rows in a section's plain text, as `rendering.html_to_text` writes them and the tutor
and the search read them: one line per row, its cells joined by " | ", the header row first.

A cell may be empty (a comparison table's corner cell often is); its separators stay, so a line
may open or close with a bare "|" once whitespace is collapsed ("| 2023 | 2024"). A separator
is a "|" with no other character against it, so a pipe inside a cell's text ("a|b") is text.
"""

from __future__ import annotations

import re

CELL_SEPARATOR = " | "
_SEPARATOR_RE = re.compile(r"(?<!\S)\|(?!\S)")


def is_row(line: str) -> bool:
    """Whether a line of plain text is a table row."""
    return "|" in line and _SEPARATOR_RE.search(line) is not None


def row_cells(line: str) -> list[str]:
    """A row's cells, empty ones included, each stripped."""
    return [cell.strip() for cell in _SEPARATOR_RE.split(line)]
