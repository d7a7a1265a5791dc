"""What a line of a section's plain text is written in, as `rendering.line_kinds` names it and
the tutor reads it: a sub-heading, a list item's text (nested and loose lists included), or
anything else (""): a paragraph, a table row, a quote.

A module of its own, like `table_text`, so the tutor's retrieval core reads the names without
importing the renderer.
"""

from __future__ import annotations

HEADING = "heading"
ITEM = "item"
