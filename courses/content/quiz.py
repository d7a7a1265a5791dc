"""The `## Quiz` section: numbered questions, `- [ ]` / `- [x]` options, `>` explanations.

The quiz is read line by line from the section's lines (their numbers come from the body's
token map), because its layout (indentation says which option a `>` line belongs to) is the
format itself, not Markdown to render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .body import Block
from .sources import ContentProblem, OptionSource, QuestionSource

_QUESTION_RE = re.compile(r"^(?P<number>\d+)[.)]\s+(?P<text>.+)$")
_OPTION_RE = re.compile(r"^(?P<indent>\s+)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+)$")
_QUOTE_RE = re.compile(r"^(?P<indent>\s*)>\s?(?P<text>.*)$")
_SEE_RE = re.compile(r"^see:\s*#?(?P<anchor>\S+)\s*$", re.IGNORECASE)


@dataclass
class _OptionDraft:
    text: str
    is_correct: bool
    indent: int
    line: int
    feedback: list[str] = field(default_factory=list)

    def source(self) -> OptionSource:
        return OptionSource(self.text, self.is_correct, "\n".join(self.feedback).strip(), self.line)


@dataclass
class QuestionDraft:
    """A question while its lines are read; `source()` gives the frozen result."""

    number: int
    prompt: list[str]
    line: int
    options: list[_OptionDraft] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    see_anchor: str = ""
    see_line: int = 0

    def source(self) -> QuestionSource:
        return QuestionSource(
            prompt=" ".join(self.prompt),
            options=tuple(option.source() for option in self.options),
            explanation="\n".join(self.explanation).strip(),
            see_anchor=self.see_anchor,
            line=self.line,
        )


def parse_quiz(block: Block, path: str, problems: list[ContentProblem]) -> list[QuestionDraft]:
    drafts: list[QuestionDraft] = []
    before = len(problems)

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(path, line, message))

    for number, line in block.lines:
        if not line.strip():
            continue
        question = _QUESTION_RE.match(line)
        if question:
            drafts.append(QuestionDraft(len(drafts) + 1, [question["text"].strip()], number))
            continue
        if not drafts:
            problem(number, "the Quiz section may only hold numbered questions ('1. Question?')")
            continue
        draft = drafts[-1]
        if not line[0].isspace():
            problem(
                number,
                f"unexpected text in question {draft.number}: indent options ('   - [ ] ...') "
                "and explanations ('   > ...') under the question",
            )
            continue
        option = _OPTION_RE.match(line)
        if option:
            if draft.explanation:
                problem(
                    number, f"question {draft.number}: options must come before the explanation"
                )
                continue
            draft.options.append(
                _OptionDraft(
                    option["text"].strip(), option["mark"] in "xX", len(option["indent"]), number
                )
            )
            continue
        quote = _QUOTE_RE.match(line)
        if quote:
            text = quote["text"].rstrip()
            is_feedback = (
                draft.options
                and not draft.explanation
                and len(quote["indent"]) > draft.options[-1].indent
            )
            if is_feedback:
                draft.options[-1].feedback.append(text)
                continue
            see = _SEE_RE.match(text.strip())
            if see:
                draft.see_anchor, draft.see_line = see["anchor"], number
            else:
                draft.explanation.append(text)
            continue
        if not draft.options:
            draft.prompt.append(line.strip())
        elif line.strip().startswith(("- [", "* [")):
            problem(number, f"question {draft.number}: an option must start '- [ ] ' or '- [x] '")
        else:
            problem(
                number,
                f"unexpected line in question {draft.number}: expected an option "
                "('- [ ] ...', '- [x] ...') or an explanation ('> ...')",
            )
    if not drafts and len(problems) == before:
        problem(block.line, "the Quiz section has no questions")
    for draft in drafts:
        if len(draft.options) < 2:
            problem(draft.line, f"question {draft.number} needs at least two options")
        elif not any(option.is_correct for option in draft.options):
            problem(draft.line, f"question {draft.number} has no correct option; mark one '[x]'")
        texts = [option.text.lower() for option in draft.options]
        if len(set(texts)) != len(texts):
            problem(draft.line, f"question {draft.number} lists the same option twice")
    return drafts
