"""The lesson skeleton `new_lesson` writes, and the check that none of its placeholders is left.

The skeleton parses cleanly, so an author can validate as they go, but its placeholder text is
a validation problem: an unfinished lesson can never be imported by accident.
"""

from __future__ import annotations

import re

from .sources import ContentProblem

FIRST_SECTION = "First section heading"
SECOND_SECTION = "Second section heading"

SKELETON = """\
---
title: {title}
summary: Replace this with one or two sentences on what the learner will understand after it.
minutes: 20
concepts: [first concept, second concept]
big_idea: Replace this with one memorable sentence the learner should leave with.
related: []
draft: true
---
## {first}
Write the first step of the lesson here: introduce one idea in plain sentences. Define each key
term in a sentence that stands on its own, because the tutor answers by quoting single sentences.
Rename the heading to say what the section teaches, and update the quiz's See: line to match.

## {second}
Write the second step here: build on the first section with an example, a table, a figure or a
short code block. Add more '## ' sections as the lesson needs them.

## Key terms
- **Placeholder term**: replace this with a term the lesson teaches and a one-sentence definition.

## Quiz
1. Replace this with a question that the first section answers.
   - [x] The right answer
   - [ ] A plausible wrong answer
     > Feedback for this option alone: the misconception behind it.
   > Explanation shown after the learner submits: why the right answer is right.
   > See: #{anchor}
"""

# Phrases only the skeleton writes; any of them left in a file means it is unfinished.
PLACEHOLDERS = (
    "Replace this with",
    "replace this with a term",
    "Write the first step of the lesson here",
    "Write the second step here",
    FIRST_SECTION,
    SECOND_SECTION,
    "Placeholder term",
    "A plausible wrong answer",
    "Feedback for this option alone",
    "Explanation shown after the learner submits",
)


_PLACEHOLDER_RE = re.compile("|".join(re.escape(phrase) for phrase in PLACEHOLDERS))


def placeholder_problem(text: str, path: str) -> ContentProblem | None:
    """One problem at the first line still holding skeleton text, counting the others."""
    # Plain substring tests first: Python's re tries every phrase of the alternation at every
    # position of the file, and a re-import asks this of every lesson file it holds.
    if not any(phrase in text for phrase in PLACEHOLDERS):
        return None
    lines = [
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if _PLACEHOLDER_RE.search(line)
    ]
    if not lines:
        return None
    more = (
        f" (and {len(lines) - 1} more line{'s' if len(lines) > 2 else ''})"
        if len(lines) > 1
        else ""
    )
    return ContentProblem(
        path,
        lines[0],
        f"still contains the skeleton's placeholder text{more}: write the lesson's own words "
        "before it can be imported",
    )
