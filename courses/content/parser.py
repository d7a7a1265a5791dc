"""Read a content tree of Markdown lesson files into typed, validated objects.

The tree looks like ``<root>/<course-slug>/course.md`` plus ``<root>/<course-slug>/NN-slug.md``
lesson files (docs/authoring.md describes the format). Nothing here imports Django, so the
format is tested without a database, and `validate_content` and `import_content` share one
parser. Every problem found anywhere in the tree is collected as ``path:line: message``; the
caller decides whether to write anything (the importer writes nothing while any problem exists).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown.extensions.toc import slugify

from courses.content.completion import DEFAULT_PASS_MARK, DEFAULT_RULE, RULES

MAX_FILE_BYTES = 1_000_000
# The database columns' sizes: longer values are problems here, not errors at import.
MAX_TITLE = 200
MAX_TRACK = 100
MAX_SLUG = 100
MAX_HEADING = 300
MAX_ANCHOR = 190  # leaves room for the "-section" suffix within the 200-character column
COURSE_FILE = "course.md"
LESSON_FILE_RE = re.compile(r"^(?P<number>\d+)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_TERMS_HEADING = "key terms"
QUIZ_HEADING = "quiz"

# Ids the lesson page template uses for its own regions. A section whose heading would slug to
# one of these gets a suffix, so lesson content can never clobber the page's DOM.
RESERVED_PAGE_IDS = frozenset(
    {
        "main",
        "content",
        "site-header",
        "site-nav",
        "site-footer",
        "lesson",
        "lesson-header",
        "lesson-map",
        "learning-path",
        "concepts",
        "sections",
        "key-terms",
        "big-idea",
        "quiz",
        "quiz-form",
        "quiz-result",
        "tutor",
        "tutor-form",
        "tutor-log",
        "tutor-question",
        "keep-going",
        "lesson-nav",
        "progress",
        "progress-status",
        "lesson-complete",
        "completion-rule",
        "lesson-title",
        "lesson-map-title",
        "learning-path-title",
        "concepts-title",
        "key-terms-title",
        "big-idea-title",
        "quiz-title",
        "quiz-progress",
        "quiz-status",
        "tutor-title",
        "keep-going-title",
    }
)
# Ids the page numbers per question and option.
RESERVED_PAGE_ID_RE = re.compile(r"^(question-\d+|q\d+-o\d+)$")


def is_reserved_page_id(value: str) -> bool:
    return value in RESERVED_PAGE_IDS or bool(RESERVED_PAGE_ID_RE.match(value))


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_H1_RE = re.compile(r"^#(?!#)\s*\S")
_H2_RE = re.compile(r"^##(?!#)\s+(?P<text>.+?)\s*#*\s*$")
_KEY_TERM_RE = re.compile(
    r"^[-*+]\s+\*\*(?P<term>[^*]+?)\*\*\s*:\s*(?P<definition>.+)$"
    r"|^[-*+]\s+\*\*(?P<term2>[^*]+?):\*\*\s*(?P<definition2>.+)$"
)
_QUESTION_RE = re.compile(r"^(?P<number>\d+)[.)]\s+(?P<text>.+)$")
_OPTION_RE = re.compile(r"^(?P<indent>\s+)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.+)$")
_QUOTE_RE = re.compile(r"^(?P<indent>\s*)>\s?(?P<text>.*)$")
_SEE_RE = re.compile(r"^see:\s*#?(?P<anchor>\S+)\s*$", re.IGNORECASE)
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?(?P<src>[^)\s>]+)")
_URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//|^/|^#")


# ---------------------------------------------------------------------------------------------
# What the parser returns
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContentProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class SectionSource:
    heading: str
    anchor: str
    markdown: str
    line: int


@dataclass(frozen=True)
class KeyTermSource:
    term: str
    definition: str
    line: int


@dataclass(frozen=True)
class OptionSource:
    text: str
    is_correct: bool
    feedback: str
    line: int


@dataclass(frozen=True)
class QuestionSource:
    prompt: str
    options: tuple[OptionSource, ...]
    explanation: str
    see_anchor: str
    line: int

    @property
    def is_multiple(self) -> bool:
        return sum(option.is_correct for option in self.options) > 1


@dataclass(frozen=True)
class LessonSource:
    course_slug: str
    slug: str
    number: int
    path: Path
    title: str
    summary: str
    minutes: int | None
    concepts: tuple[str, ...]
    big_idea: str
    related: tuple[str, ...]  # normalised to "course-slug/lesson-slug"
    sections: tuple[SectionSource, ...]
    key_terms: tuple[KeyTermSource, ...]
    questions: tuple[QuestionSource, ...]
    source_hash: str

    @property
    def ref(self) -> str:
        return f"{self.course_slug}/{self.slug}"


@dataclass(frozen=True)
class CourseSource:
    slug: str
    path: Path
    title: str
    summary: str
    track: str
    order: int
    description: str
    source_hash: str
    lessons: tuple[LessonSource, ...]
    completion: str = DEFAULT_RULE
    pass_mark: int = DEFAULT_PASS_MARK


@dataclass(frozen=True)
class ContentTree:
    root: Path
    courses: tuple[CourseSource, ...]

    @property
    def lessons(self) -> tuple[LessonSource, ...]:
        return tuple(lesson for course in self.courses for lesson in course.lessons)


# ---------------------------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------------------------
class _FileProblem(Exception):
    """Stops parsing one file at a problem that makes the rest of it meaningless."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def display_path(path: Path) -> str:
    """A path as an author would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _read_text(path: Path) -> tuple[str, str]:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _FileProblem(1, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MB)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise _FileProblem(
            line, f"file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _FileProblem(1, "file is empty")
    return text, hashlib.sha256(data).hexdigest()


def _split_front_matter(text: str) -> tuple[dict[str, Any], list[str], list[str], int]:
    """Returns (front matter, its raw lines, body lines, line number of the first body line)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise _FileProblem(1, "file must start with YAML front matter: a '---' line first")
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            closing = index
            break
    else:
        raise _FileProblem(1, "front matter is not closed: add a '---' line after it")
    front_lines = lines[1:closing]
    try:
        data = yaml.load("\n".join(front_lines), Loader=_YAML_LOADER)  # noqa: S506 (safe loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise _FileProblem(line, f"malformed YAML front matter: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _FileProblem(2, "front matter must be 'key: value' lines")
    return data, front_lines, lines[closing + 1 :], closing + 2


def read_front_matter(path: Path) -> dict[str, Any] | None:
    """A file's front matter, or None when the file cannot be read that far."""
    try:
        return _split_front_matter(_read_text(path)[0])[0]
    except (_FileProblem, OSError):
        return None


def _key_line(front_lines: list[str], key: str) -> int:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for index, line in enumerate(front_lines):
        if pattern.match(line):
            return index + 2
    return 1


@dataclass
class _Fields:
    """Checks front-matter fields one by one, collecting a problem per bad field."""

    path: str
    data: dict[str, Any]
    front_lines: list[str]
    allowed: tuple[str, ...]
    problems: list[ContentProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        for key in self.data:
            if key not in self.allowed:
                self._problem(
                    str(key),
                    f"unknown front matter key '{key}' (allowed: {', '.join(self.allowed)})",
                )

    def _problem(self, key: str, message: str) -> None:
        line = _key_line(self.front_lines, key)
        self.problems.append(ContentProblem(self.path, line, message))

    def text(self, key: str, *, required: bool, max_length: int | None = None) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self._problem(key, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self._problem(key, f"'{key}' must be text, got {_yaml_type(value)}")
            return ""
        text = " ".join(value.split())
        if max_length is not None and len(text) > max_length:
            self._problem(key, f"'{key}' is {len(text)} characters; the limit is {max_length}")
            return ""
        return text

    def integer(self, key: str, *, default: int | None, low: int, high: int) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._problem(key, f"'{key}' must be a whole number, got {_yaml_type(value)}")
            return default
        if not low <= value <= high:
            self._problem(key, f"'{key}' must be between {low} and {high}, got {value}")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, default: str) -> str:
        value = self.data.get(key)
        if value is None:
            return default
        text = " ".join(value.split()).lower() if isinstance(value, str) else None
        if text not in choices:
            listed = ", ".join(f"'{choice}'" for choice in choices)
            self._problem(key, f"'{key}' must be one of {listed}, got {value!r}"[:300])
            return default
        return text

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self._problem(key, f"'{key}' must be a list such as [a, b], got {_yaml_type(value)}")
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self._problem(key, f"every item of '{key}' must be non-empty text, got {item!r}")
                continue
            items.append(" ".join(item.split()))
        return tuple(items)


def _yaml_type(value: object) -> str:
    names = {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


# ---------------------------------------------------------------------------------------------
# The lesson body
# ---------------------------------------------------------------------------------------------
@dataclass
class _Block:
    heading: str
    line: int
    lines: list[tuple[int, str]]


def _split_sections(
    body: list[str], first_line: int, path: str, problems: list[ContentProblem]
) -> list[_Block]:
    blocks: list[_Block] = []
    fence: str | None = None
    for offset, line in enumerate(body):
        number = first_line + offset
        fence_match = _FENCE_RE.match(line)
        if fence is not None:
            if fence_match and fence_match["fence"][0] == fence[0] and len(
                fence_match["fence"]
            ) >= len(fence):
                fence = None
            if blocks:
                blocks[-1].lines.append((number, line))
            continue
        if fence_match:
            fence = fence_match["fence"]
        heading = _H2_RE.match(line)
        if heading:
            blocks.append(_Block(heading["text"].strip(), number, []))
            continue
        if _H1_RE.match(line):
            problems.append(
                ContentProblem(
                    path,
                    number,
                    "'# ' headings are not allowed in a lesson: the title comes from the front "
                    "matter; use '## ' for a section",
                )
            )
            continue
        if not blocks:
            if line.strip():
                problems.append(
                    ContentProblem(
                        path, number, "text before the first section: start with a '## ' heading"
                    )
                )
            continue
        blocks[-1].lines.append((number, line))
    return blocks


def _block_text(block: _Block) -> str:
    return "\n".join(line for _, line in block.lines).strip("\n")


def _parse_key_terms(block: _Block, path: str, problems: list[ContentProblem]) -> list[KeyTermSource]:
    terms: list[KeyTermSource] = []
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
    if not terms and not any(p.path == path and p.line > block.line for p in problems):
        problems.append(ContentProblem(path, block.line, "the Key terms section lists no terms"))
    seen: set[str] = set()
    for term in terms:
        if term.term.lower() in seen:
            problems.append(ContentProblem(path, term.line, f"key term '{term.term}' is repeated"))
        seen.add(term.term.lower())
    return terms


@dataclass
class _QuestionDraft:
    number: int
    prompt: list[str]
    line: int
    options: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    see_anchor: str = ""
    see_line: int = 0


def _parse_quiz(block: _Block, path: str, problems: list[ContentProblem]) -> list[_QuestionDraft]:
    drafts: list[_QuestionDraft] = []

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(path, line, message))

    for number, line in block.lines:
        if not line.strip():
            continue
        question = _QUESTION_RE.match(line)
        if question:
            drafts.append(_QuestionDraft(len(drafts) + 1, [question["text"].strip()], number))
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
                problem(number, f"question {draft.number}: options must come before the explanation")
                continue
            draft.options.append(
                {
                    "text": option["text"].strip(),
                    "correct": option["mark"] in "xX",
                    "indent": len(option["indent"]),
                    "feedback": [],
                    "line": number,
                }
            )
            continue
        quote = _QUOTE_RE.match(line)
        if quote:
            text = quote["text"].rstrip()
            is_feedback = (
                draft.options
                and not draft.explanation
                and len(quote["indent"]) > draft.options[-1]["indent"]
            )
            if is_feedback:
                draft.options[-1]["feedback"].append(text)
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
    if not drafts and not any(p.path == path and p.line > block.line for p in problems):
        problem(block.line, "the Quiz section has no questions")
    for draft in drafts:
        if len(draft.options) < 2:
            problem(draft.line, f"question {draft.number} needs at least two options")
        elif not any(option["correct"] for option in draft.options):
            problem(draft.line, f"question {draft.number} has no correct option; mark one '[x]'")
        texts = [option["text"].lower() for option in draft.options]
        if len(set(texts)) != len(texts):
            problem(draft.line, f"question {draft.number} lists the same option twice")
    return drafts


def _check_images(
    section: SectionSource, lesson_path: Path, course_dir: Path, problems: list[ContentProblem]
) -> None:
    path = display_path(lesson_path)
    for offset, line in enumerate(section.markdown.split("\n")):
        for match in _IMAGE_RE.finditer(line):
            src = match["src"]
            if _URL_SCHEME_RE.match(src):
                continue
            target = (lesson_path.parent / src).resolve()
            line_number = section.line + 1 + offset
            if not target.is_relative_to(course_dir.resolve()):
                problems.append(
                    ContentProblem(path, line_number, f"image '{src}' is outside the course folder")
                )
            elif not target.is_file():
                problems.append(ContentProblem(path, line_number, f"image '{src}' does not exist"))


def parse_lesson(
    path: Path, course_slug: str, number: int, file_slug: str, problems: list[ContentProblem]
) -> LessonSource | None:
    """Parses one lesson file; appends its problems and returns None when it has any."""
    shown = display_path(path)
    before = len(problems)
    try:
        text, source_hash = _read_text(path)
        data, front_lines, body, body_line = _split_front_matter(text)
    except _FileProblem as error:
        problems.append(ContentProblem(shown, error.line, error.message))
        return None

    fields = _Fields(
        shown,
        data,
        front_lines,
        ("title", "summary", "minutes", "concepts", "big_idea", "related", "slug"),
    )
    title = fields.text("title", required=True, max_length=MAX_TITLE)
    summary = fields.text("summary", required=True)
    minutes = fields.integer("minutes", default=None, low=1, high=600)
    concepts = fields.text_list("concepts")
    big_idea = fields.text("big_idea", required=False)
    related_refs = fields.text_list("related")
    slug = fields.text("slug", required=False, max_length=MAX_SLUG) or file_slug
    if len(slug) > MAX_SLUG:
        problems.append(ContentProblem(shown, 1, f"the slug is longer than {MAX_SLUG} characters"))
    elif not SLUG_RE.match(slug):
        fields._problem("slug", f"slug '{slug}' may hold only a-z, 0-9 and single hyphens")
    related: list[str] = []
    for ref in related_refs:
        parts = ref.split("/")
        if len(parts) == 1 and SLUG_RE.match(parts[0]):
            related.append(f"{course_slug}/{parts[0]}")
        elif len(parts) == 2 and all(SLUG_RE.match(part) for part in parts):
            related.append(ref)
        else:
            fields._problem("related", f"related '{ref}' must be 'lesson-slug' or 'course/lesson'")
    problems.extend(fields.problems)

    blocks = _split_sections(body, body_line, shown, problems)
    sections: list[SectionSource] = []
    key_terms: list[KeyTermSource] = []
    drafts: list[_QuestionDraft] = []
    seen_special: set[str] = set()
    for block in blocks:
        kind = block.heading.strip().lower().rstrip(":")
        if kind in (KEY_TERMS_HEADING, QUIZ_HEADING):
            if kind in seen_special:
                problems.append(ContentProblem(shown, block.line, f"a second '## {block.heading}'"))
                continue
            seen_special.add(kind)
            if kind == KEY_TERMS_HEADING:
                key_terms = _parse_key_terms(block, shown, problems)
            else:
                drafts = _parse_quiz(block, shown, problems)
            continue
        anchor = slugify(block.heading, "-")
        if len(block.heading) > MAX_HEADING or len(anchor) > MAX_ANCHOR:
            problems.append(
                ContentProblem(
                    shown, block.line, f"a section heading may be at most {MAX_HEADING} characters"
                )
            )
            continue
        if not anchor:
            problems.append(
                ContentProblem(shown, block.line, "a section heading needs letters or digits")
            )
            continue
        if is_reserved_page_id(anchor):
            anchor = f"{anchor}-section"
        if any(section.anchor == anchor for section in sections):
            problems.append(
                ContentProblem(
                    shown, block.line, f"two sections have the anchor '#{anchor}'; rename one"
                )
            )
            continue
        markdown_text = _block_text(block)
        if not markdown_text.strip():
            problems.append(
                ContentProblem(shown, block.line, f"section '{block.heading}' has no text")
            )
        sections.append(SectionSource(block.heading, anchor, markdown_text, block.line))
    if not sections and not any(p.path == shown for p in problems[before:]):
        problems.append(
            ContentProblem(shown, body_line, "the lesson has no sections ('## Heading' + text)")
        )

    anchors = {section.anchor for section in sections}
    questions: list[QuestionSource] = []
    for draft in drafts:
        if draft.see_anchor and draft.see_anchor not in anchors:
            known = ", ".join(f"#{a}" for a in sorted(anchors)) or "none"
            problems.append(
                ContentProblem(
                    shown,
                    draft.see_line,
                    f"question {draft.number}: 'See: #{draft.see_anchor}' names no section of "
                    f"this lesson (sections: {known})",
                )
            )
        questions.append(
            QuestionSource(
                prompt=" ".join(draft.prompt),
                options=tuple(
                    OptionSource(
                        option["text"],
                        option["correct"],
                        "\n".join(option["feedback"]).strip(),
                        option["line"],
                    )
                    for option in draft.options
                ),
                explanation="\n".join(draft.explanation).strip(),
                see_anchor=draft.see_anchor,
                line=draft.line,
            )
        )
    for section in sections:
        _check_images(section, path, path.parent, problems)

    if len(problems) > before:
        return None
    return LessonSource(
        course_slug=course_slug,
        slug=slug,
        number=number,
        path=path,
        title=title,
        summary=summary,
        minutes=minutes,
        concepts=concepts,
        big_idea=big_idea,
        related=tuple(related),
        sections=tuple(sections),
        key_terms=tuple(key_terms),
        questions=tuple(questions),
        source_hash=source_hash,
    )


def parse_course(course_dir: Path, problems: list[ContentProblem]) -> CourseSource | None:
    """Parses one course folder (its course.md and every lesson file in it)."""
    before = len(problems)
    slug = course_dir.name
    course_file = course_dir / COURSE_FILE
    shown = display_path(course_file)
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        problems.append(
            ContentProblem(
                display_path(course_dir), 1,
                f"course folder '{slug}' must be a slug: a-z, 0-9 and single hyphens",
            )
        )
    meta: dict[str, Any] = {}
    description = ""
    source_hash = ""
    if not course_file.is_file():
        problems.append(
            ContentProblem(
                shown, 1, f"course folder '{slug}' has no {COURSE_FILE} (title, summary, track)"
            )
        )
    else:
        try:
            text, source_hash = _read_text(course_file)
            data, front_lines, body, _ = _split_front_matter(text)
        except _FileProblem as error:
            problems.append(ContentProblem(shown, error.line, error.message))
        else:
            keys = ("title", "summary", "track", "order", "completion", "pass_mark")
            fields = _Fields(shown, data, front_lines, keys)
            meta = {
                "title": fields.text("title", required=True, max_length=MAX_TITLE),
                "summary": fields.text("summary", required=True),
                "track": fields.text("track", required=False, max_length=MAX_TRACK) or "Courses",
                "order": fields.integer("order", default=0, low=-10_000, high=10_000),
                "completion": fields.choice("completion", RULES, default=DEFAULT_RULE),
                "pass_mark": fields.integer("pass_mark", default=DEFAULT_PASS_MARK, low=1, high=100),
            }
            description = "\n".join(body).strip()
            problems.extend(fields.problems)

    lessons: list[LessonSource] = []
    numbers: dict[int, Path] = {}
    slugs: dict[str, Path] = {}
    for path in sorted(course_dir.iterdir()):
        if path.name.startswith(".") or path.name == COURSE_FILE or not path.is_file():
            continue
        if path.suffix.lower() != ".md":
            continue  # images and other assets live beside the lessons
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            problems.append(
                ContentProblem(
                    display_path(path), 1,
                    "a lesson file must be named 'NN-lesson-slug.md' (e.g. 01-why-models.md)",
                )
            )
            continue
        number = int(match["number"])
        if number in numbers:
            problems.append(
                ContentProblem(
                    display_path(path), 1,
                    f"lesson number {number} is also used by {display_path(numbers[number])}",
                )
            )
            continue
        numbers[number] = path
        lesson = parse_lesson(path, slug, number, match["slug"], problems)
        if lesson is None:
            continue
        if lesson.slug in slugs:
            problems.append(
                ContentProblem(
                    display_path(path), 1,
                    f"two lessons have the slug '{lesson.slug}': this file and "
                    f"{display_path(slugs[lesson.slug])}",
                )
            )
            continue
        slugs[lesson.slug] = path
        lessons.append(lesson)

    if len(problems) > before:
        return None
    return CourseSource(
        slug=slug,
        path=course_file,
        title=meta["title"],
        summary=meta["summary"],
        track=meta["track"],
        order=meta["order"],
        description=description,
        source_hash=source_hash,
        lessons=tuple(lessons),
        completion=meta["completion"],
        pass_mark=meta["pass_mark"],
    )


def load_content(root: Path) -> tuple[ContentTree, list[ContentProblem]]:
    """Parses every course under ``root``; returns the tree and every problem found in it."""
    root = Path(root)
    problems: list[ContentProblem] = []
    courses: list[CourseSource] = []
    if not root.is_dir():
        problems.append(ContentProblem(display_path(root), 1, "content folder does not exist"))
        return ContentTree(root, ()), problems
    for course_dir in sorted(root.iterdir()):
        if course_dir.is_dir() and not course_dir.name.startswith((".", "_")):
            course = parse_course(course_dir, problems)
            if course is not None:
                courses.append(course)
    courses.sort(key=lambda course: (course.order, course.slug))
    tree = ContentTree(root, tuple(courses))
    _check_related(tree, problems)
    return tree, problems


def _check_related(tree: ContentTree, problems: list[ContentProblem]) -> None:
    known = {lesson.ref for lesson in tree.lessons}
    for lesson in tree.lessons:
        shown = display_path(lesson.path)
        line = _related_line(lesson.path)
        for ref in lesson.related:
            if ref == lesson.ref:
                problems.append(ContentProblem(shown, line, "a lesson cannot be related to itself"))
            elif ref not in known:
                problems.append(
                    ContentProblem(shown, line, f"related lesson '{ref}' does not exist")
                )


def _related_line(path: Path) -> int:
    for index, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if line.startswith("related"):
            return index + 1
    return 1
