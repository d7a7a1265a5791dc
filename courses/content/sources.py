"""What the content parser returns: typed, frozen results and the problems found on the way."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .completion import DEFAULT_PASS_MARK, DEFAULT_RULE


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
    line: int  # the heading's line
    body_line: int = 0  # the line of the section's first Markdown line


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
    draft: bool = False  # validated, never published
    # Constructs that render here but not the same in GitHub's preview (validate_content warns).
    warnings: tuple[ContentProblem, ...] = ()
    # False when the importer already holds this exact file and the parser read only its front
    # matter (imported.py): sections, key terms and questions are then left empty.
    body_parsed: bool = True

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
    report_basis: str = "first"
    multiple_select_scoring: str = "all-or-nothing"
    completion: str = DEFAULT_RULE
    pass_mark: int = DEFAULT_PASS_MARK
    # (spelling, spelling it means) pairs from `aliases:`, for concept pages.
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ContentTree:
    root: Path
    courses: tuple[CourseSource, ...]

    @property
    def lessons(self) -> tuple[LessonSource, ...]:
        return tuple(lesson for course in self.courses for lesson in course.lessons)
