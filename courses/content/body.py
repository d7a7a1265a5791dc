"""A lesson's Markdown body: sections, key terms and the checks that need the token stream.

The body is parsed once by the same parser that renders it (markup.py). Top-level `##`
headings, ATX or setext, split it into sections; every line number comes from the tokens'
line maps, so a problem is reported where the author wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .markup import MathError, block_parser, tex_to_mathml
from .sources import ContentProblem, KeyTermSource

_KEY_TERM_RE = re.compile(
    r"^[-*+]\s+\*\*(?P<term>[^*]+?)\*\*\s*:\s*(?P<definition>.+)$"
    r"|^[-*+]\s+\*\*(?P<term2>[^*]+?):\*\*\s*(?P<definition2>.+)$"
)
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^/|^#")
_SINGLE_TILDE_RE = re.compile(r"(?<!~)~(?=[^\s~])[^~\n]*[^\s~]~(?!~)|(?<!~)~[^\s~]~(?!~)")
_OWN_FORMAT_HEADING_RE = re.compile(r"^##[ \t]+(?:quiz|key terms):?[ \t]*#*[ \t]*$", re.IGNORECASE)
_ATX_H2_RE = re.compile(r"^##(?:[ \t]|$)")
_INLINE_HINT_RE = re.compile(r"\$|!\[|~")
_MATH_TYPES = {"math_inline": False, "math_inline_double": True, "math_block": True}


@dataclass(frozen=True)
class Block:
    """One `##` section as written: its heading, the heading's line, and its body lines."""

    heading: str
    line: int
    lines: tuple[tuple[int, str], ...]

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines).strip("\n")

    @property
    def body_line(self) -> int:
        """The line of the first non-blank body line (where the section's Markdown starts)."""
        for number, line in self.lines:
            if line.strip():
                return number
        return self.line + 1


@dataclass(frozen=True)
class ParsedBody:
    blocks: tuple[Block, ...]
    problems: tuple[ContentProblem, ...]
    warnings: tuple[ContentProblem, ...]


def parse_body(
    body: str, first_line: int, path: str, *, lesson_path: Path | None = None
) -> ParsedBody:
    """Splits ``body`` (starting on file line ``first_line``) into sections and checks it."""
    env: dict = {}
    md = block_parser()
    lines = body.split("\n")
    tokens = _block_tokens(md, lines, env)
    problems: list[ContentProblem] = []
    warnings: list[ContentProblem] = []
    headings: list[tuple[int, int, str]] = []  # (start, end, text) of each level-0 h2
    skipped: set[int] = set()  # body lines of '#' headings, reported and left out
    first_h2: int | None = None
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        start, end = token.map
        if token.type == "heading_open" and token.tag == "h2":
            headings.append((start, end, tokens[index + 1].content.strip()))
            if first_h2 is None:
                first_h2 = start
        elif token.type == "heading_open" and token.tag == "h1":
            problems.append(
                ContentProblem(
                    path,
                    first_line + start,
                    "'# ' headings are not allowed in a lesson: the title comes from the front "
                    "matter; use '## ' for a section",
                )
            )
            skipped.update(range(start, end))
        elif first_h2 is None:
            problems.append(
                ContentProblem(
                    path,
                    first_line + start,
                    "text before the first section: start with a '## ' heading",
                )
            )
    blocks = []
    for position, (start, end, heading) in enumerate(headings):
        stop = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        blocks.append(
            Block(
                heading,
                first_line + start,
                tuple(
                    (first_line + number, lines[number])
                    for number in range(end, stop)
                    if number not in skipped
                ),
            )
        )
    _check_tokens(md, env, tokens, first_line, path, lesson_path, problems, warnings)
    return ParsedBody(tuple(blocks), tuple(problems), tuple(warnings))


def _block_tokens(md: MarkdownIt, lines: list[str], env: dict, offset: int = 0) -> list[Token]:
    """The body's block tokens, leaving out the lines of the quiz and key terms when safe.

    Those two sections are read line by line by their own parsers (quiz.py, parse_key_terms);
    running their long nested lists through markdown-it would cost most of the parse.
    Everything up to such a heading is parsed, and that parse says whether the heading really
    is a top-level `##` (not inside a fence or an HTML block); the section then runs to the
    next line starting `## ` (its lines are list items and indented, so such a line can only
    be a heading), and whatever follows is parsed the same way.
    """
    start = next((n for n, line in enumerate(lines) if _OWN_FORMAT_HEADING_RE.match(line)), None)
    if start is None:
        return _shifted(md.parse("\n".join(lines), env), offset)
    head = md.parse("\n".join(lines[: start + 1]), env)
    opening = head[-3] if len(head) >= 3 else None
    if not (
        opening is not None
        and opening.type == "heading_open"
        and opening.tag == "h2"
        and opening.level == 0
        and opening.map is not None
        and opening.map[0] == start
    ):
        return _shifted(md.parse("\n".join(lines), env), offset)
    end = next((n for n in range(start + 1, len(lines)) if _ATX_H2_RE.match(lines[n])), len(lines))
    rest = _block_tokens(md, lines[end:], env, offset + end) if end < len(lines) else []
    return _shifted(head, offset) + rest


def _shifted(tokens: list[Token], offset: int) -> list[Token]:
    if offset:
        for token in tokens:
            if token.map is not None:
                token.map = [token.map[0] + offset, token.map[1] + offset]
    return tokens


def _check_tokens(
    md: MarkdownIt,
    env: dict,
    tokens: list[Token],
    first_line: int,
    path: str,
    lesson_path: Path | None,
    problems: list[ContentProblem],
    warnings: list[ContentProblem],
) -> None:
    """Math that does not convert and missing images are problems; constructs that GitHub's
    preview shows differently are warnings."""
    line = first_line
    for token in tokens:
        if token.map is not None:
            line = first_line + token.map[0]
        _check_one(token, line, path, lesson_path, problems, warnings)
        # Inline content is parsed only where a check could find something.
        if token.type == "inline" and _INLINE_HINT_RE.search(token.content):
            children: list[Token] = []
            md.inline.parse(token.content, md, env, children)
            for child in children:
                _check_one(child, line, path, lesson_path, problems, warnings)


def _check_one(
    token: Token,
    line: int,
    path: str,
    lesson_path: Path | None,
    problems: list[ContentProblem],
    warnings: list[ContentProblem],
) -> None:
    kind = token.type
    if kind in _MATH_TYPES:
        try:
            tex_to_mathml(token.content, _MATH_TYPES[kind])
        except MathError as error:
            problems.append(ContentProblem(path, line, f"math '{token.content.strip()}': {error}"))
    elif kind == "image" and lesson_path is not None:
        _check_image(str(token.attrGet("src") or ""), line, path, lesson_path, problems)
    elif kind == "dl_open":
        warnings.append(
            ContentProblem(path, line, "a definition list shows as plain paragraphs on GitHub")
        )
    elif kind == "caption_open":
        warnings.append(
            ContentProblem(path, line, "GitHub shows a table caption as a 'Table: …' paragraph")
        )
    elif kind == "figure_open":
        warnings.append(
            ContentProblem(
                path, line, "GitHub shows a pull quote's '— attribution' as a plain paragraph"
            )
        )
    elif kind == "text" and "~" in token.content and _SINGLE_TILDE_RE.search(token.content):
        warnings.append(
            ContentProblem(
                path,
                line,
                "GitHub strikes through '~single tildes~'; here they stay literal: "
                "write '~~text~~' to strike through",
            )
        )


def check_math(text: str, line: int, path: str, problems: list[ContentProblem]) -> None:
    """Math in quiz text (prompts, options, feedback) that will not convert, at its line."""
    if "$" not in text:
        return
    md = block_parser()
    children: list[Token] = []
    md.inline.parse(text, md, {}, children)
    for child in children:
        if child.type in _MATH_TYPES:
            _check_one(child, line, path, None, problems, [])


def _check_image(
    src: str, line: int, path: str, lesson_path: Path, problems: list[ContentProblem]
) -> None:
    if not src or _URL_SCHEME_RE.match(src):
        return
    course_dir = lesson_path.parent.resolve()
    target = (lesson_path.parent / src).resolve()
    if not target.is_relative_to(course_dir):
        problems.append(ContentProblem(path, line, f"image '{src}' is outside the course folder"))
    elif not target.is_file():
        problems.append(ContentProblem(path, line, f"image '{src}' does not exist"))


def parse_key_terms(block: Block, path: str, problems: list[ContentProblem]) -> list[KeyTermSource]:
    terms: list[KeyTermSource] = []
    before = len(problems)
    for number, line in block.lines:
        if not line.strip():
            continue
        match = _KEY_TERM_RE.match(line.strip()) if not line[0].isspace() else None
        if match:
            term = (match["term"] or match["term2"]).strip()
            definition = (match["definition"] or match["definition2"]).strip()
            terms.append(KeyTermSource(term, definition, number))
        elif line[0].isspace() and terms:
            last = terms[-1]
            terms[-1] = KeyTermSource(last.term, f"{last.definition} {line.strip()}", last.line)
        else:
            problems.append(
                ContentProblem(path, number, "a key term must look like '- **Term**: definition'")
            )
    if not terms and len(problems) == before:
        problems.append(ContentProblem(path, block.line, "the Key terms section lists no terms"))
    seen: set[str] = set()
    for term in terms:
        if term.term.lower() in seen:
            problems.append(ContentProblem(path, term.line, f"key term '{term.term}' is repeated"))
        seen.add(term.term.lower())
    return terms
