"""Read a content tree of Markdown lesson files into typed, validated objects.

front_matter.py reads a file and its YAML, body.py splits the Markdown body into sections
with the renderer's own parser, quiz.py reads the quiz; this module puts a lesson and a course
together and checks what spans files (lesson numbers, slugs, related lessons).

The tree looks like ``<root>/<course-slug>/course.md`` plus ``<root>/<course-slug>/NN-slug.md``
lesson files (docs/authoring.md describes the format). Nothing here imports Django, so the
format is tested without a database, and `validate_content` and `import_content` share one
parser. Every problem found anywhere in the tree is collected as ``path:line: message``; the
caller decides whether to write anything (the importer writes nothing while any problem exists).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from .body import check_math, parse_body, parse_key_terms
from .confinement import OUTSIDE, leaves
from .front_matter import (
    MAX_FILE_BYTES,
    Fields,
    FileProblem,
    display_path,
    read_front_matter,
    read_text,
    split_front_matter,
)
from .imported import Imported, may_skip_body
from .markup import slugify
from .quiz import QuestionDraft, parse_quiz
from .skeleton import placeholder_problem
from .sources import (
    ContentProblem,
    ContentTree,
    CourseSource,
    KeyTermSource,
    LessonSource,
    OptionSource,
    QuestionSource,
    SectionSource,
)

__all__ = [
    "MAX_FILE_BYTES",
    "ContentProblem",
    "ContentTree",
    "CourseSource",
    "KeyTermSource",
    "LessonSource",
    "OptionSource",
    "QuestionSource",
    "SectionSource",
    "display_path",
    "is_reserved_page_id",
    "load_content",
    "parse_course",
    "parse_lesson",
    "read_front_matter",
]

from .completion import DEFAULT_PASS_MARK, RULES

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
# Course-wide settings in course.md; the first value of each is the default.
REPORT_BASES = ("first", "best", "last")
MULTIPLE_SELECT_SCORING = ("all-or-nothing", "partial")
COURSE_KEYS = (
    "title", "summary", "track", "order", "report_basis", "multiple_select_scoring",
    "completion", "pass_mark", "aliases",
)  # fmt: skip

# Ids the lesson page template uses for its own regions. A section whose heading would slug to
# one of these gets a suffix, so lesson content can never clobber the page's DOM.
RESERVED_PAGE_IDS = frozenset(
    {
        "main",
        "content",
        "site-header",
        "site-nav",
        "site-search-q",
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
        "tutor-question-hint",
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
# Ids the page numbers per question and option (an option's is its opaque form value).
RESERVED_PAGE_ID_RE = re.compile(r"^(question-\d+|q\d+-o(\d+|[0-9a-f]{16}))$")


def is_reserved_page_id(value: str) -> bool:
    return value in RESERVED_PAGE_IDS or bool(RESERVED_PAGE_ID_RE.match(value))


_LESSON_KEYS = (
    "title", "summary", "minutes", "concepts", "big_idea", "related", "slug", "draft",
)  # fmt: skip


def parse_lesson(
    path: Path,
    course_slug: str,
    number: int,
    file_slug: str,
    problems: list[ContentProblem],
    known_refs: set[str] | None = None,
    imported: Imported | None = None,
) -> LessonSource | None:
    """Parses one lesson file; appends its problems and returns None when it has any.

    ``known_refs`` collects the lesson's "course/slug" even when the file has problems, so a
    lesson that links to a broken one is not blamed for it. A file that ``imported`` holds as
    it is now gets only its front matter read (imported.py says why that is safe).
    """
    shown = display_path(path)
    before = len(problems)
    try:
        text, source_hash = read_text(path)
        front = split_front_matter(text)
    except FileProblem as error:
        problems.append(ContentProblem(shown, error.line, error.message))
        if known_refs is not None:
            known_refs.add(f"{course_slug}/{file_slug}")
        return None

    fields = Fields(shown, front, _LESSON_KEYS)
    title = fields.text("title", required=True, max_length=MAX_TITLE)
    summary = fields.text("summary", required=True)
    minutes = fields.integer("minutes", default=None, low=1, high=600)
    concepts = fields.text_list("concepts")
    big_idea = fields.text("big_idea", required=False)
    related_refs = fields.text_list("related")
    draft = fields.boolean("draft")
    slug = fields.text("slug", required=False, max_length=MAX_SLUG) or file_slug
    if known_refs is not None:
        known_refs.add(f"{course_slug}/{slug}")
    if len(slug) > MAX_SLUG:
        problems.append(ContentProblem(shown, 1, f"the slug is longer than {MAX_SLUG} characters"))
    elif not SLUG_RE.match(slug):
        fields.problem("slug", f"slug '{slug}' may hold only a-z, 0-9 and single hyphens")
    related: list[str] = []
    for ref in related_refs:
        parts = ref.split("/")
        if len(parts) == 1 and SLUG_RE.match(parts[0]):
            related.append(f"{course_slug}/{parts[0]}")
        elif len(parts) == 2 and all(SLUG_RE.match(part) for part in parts):
            related.append(ref)
        else:
            fields.problem("related", f"related '{ref}' must be 'lesson-slug' or 'course/lesson'")
    problems.extend(fields.problems)
    placeholder = placeholder_problem(text, shown)
    if placeholder is not None:
        problems.append(placeholder)
    front_only = LessonSource(
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
        sections=(),
        key_terms=(),
        questions=(),
        source_hash=source_hash,
        draft=draft,
        body_parsed=False,
    )
    if imported is not None and imported.holds(path, source_hash) and may_skip_body(text):
        return None if len(problems) > before else front_only

    body = parse_body(front.body, front.body_line, shown, lesson_path=path)
    problems.extend(body.problems)
    sections: list[SectionSource] = []
    key_terms: list[KeyTermSource] = []
    drafts: list[QuestionDraft] = []
    seen_special: set[str] = set()
    for block in body.blocks:
        kind = block.heading.strip().lower().rstrip(":")
        if kind in (KEY_TERMS_HEADING, QUIZ_HEADING):
            if kind in seen_special:
                problems.append(ContentProblem(shown, block.line, f"a second '## {block.heading}'"))
                continue
            seen_special.add(kind)
            if kind == KEY_TERMS_HEADING:
                key_terms = parse_key_terms(block, shown, problems)
            else:
                drafts = parse_quiz(block, shown, problems)
            continue
        anchor = slugify(block.heading)
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
        markdown_text = block.text
        if not markdown_text.strip():
            problems.append(
                ContentProblem(shown, block.line, f"section '{block.heading}' has no text")
            )
        sections.append(
            SectionSource(block.heading, anchor, markdown_text, block.line, block.body_line)
        )
    if not sections and not any(p.path == shown for p in problems[before:]):
        problems.append(
            ContentProblem(
                shown, front.body_line, "the lesson has no sections ('## Heading' + text)"
            )
        )

    anchors = {section.anchor for section in sections}
    questions: list[QuestionSource] = []
    for question in drafts:
        if question.see_anchor and question.see_anchor not in anchors:
            known = ", ".join(f"#{a}" for a in sorted(anchors)) or "none"
            problems.append(
                ContentProblem(
                    shown,
                    question.see_line,
                    f"question {question.number}: 'See: #{question.see_anchor}' names no section "
                    f"of this lesson (sections: {known})",
                )
            )
        source = question.source()
        check_math(source.prompt, source.line, shown, problems)
        check_math(source.explanation, question.see_line or source.line, shown, problems)
        for option in source.options:
            check_math(f"{option.text} {option.feedback}", option.line, shown, problems)
        questions.append(source)

    if len(problems) > before:
        return None
    return replace(
        front_only,
        sections=tuple(sections),
        key_terms=tuple(key_terms),
        questions=tuple(questions),
        warnings=body.warnings,
        body_parsed=True,
    )


def parse_course(
    course_dir: Path,
    problems: list[ContentProblem],
    known_refs: set[str] | None = None,
    imported: Imported | None = None,
) -> CourseSource | None:
    """Parses one course folder (its course.md and every lesson file in it)."""
    before = len(problems)
    slug = course_dir.name
    course_file = course_dir / COURSE_FILE
    shown = display_path(course_file)
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        problems.append(
            ContentProblem(
                display_path(course_dir),
                1,
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
            text, source_hash = read_text(course_file)
            front = split_front_matter(text)
        except FileProblem as error:
            problems.append(ContentProblem(shown, error.line, error.message))
        else:
            fields = Fields(shown, front, COURSE_KEYS)
            meta = {
                "title": fields.text("title", required=True, max_length=MAX_TITLE),
                "summary": fields.text("summary", required=True),
                "track": fields.text("track", required=False, max_length=MAX_TRACK) or "Courses",
                "order": fields.integer("order", default=0, low=-10_000, high=10_000),
                "aliases": fields.aliases("aliases"),
                "report_basis": fields.choice("report_basis", REPORT_BASES),
                "multiple_select_scoring": fields.choice(
                    "multiple_select_scoring", MULTIPLE_SELECT_SCORING
                ),
                "completion": fields.choice("completion", RULES),
                "pass_mark": fields.integer(
                    "pass_mark", default=DEFAULT_PASS_MARK, low=1, high=100
                ),
            }
            description = front.body.strip()
            problems.extend(fields.problems)

    lessons: list[LessonSource] = []
    numbers: dict[int, Path] = {}
    slugs: dict[str, Path] = {}
    for path in sorted(course_dir.iterdir()):
        if leaves(path, course_dir.parent):
            problems.append(ContentProblem(display_path(path), 1, f"this file {OUTSIDE}"))
            continue
        if path.name.startswith(".") or path.name == COURSE_FILE or not path.is_file():
            continue
        if path.suffix.lower() != ".md":
            continue  # images and other assets live beside the lessons
        match = LESSON_FILE_RE.match(path.name)
        if not match:
            problems.append(
                ContentProblem(
                    display_path(path),
                    1,
                    "a lesson file must be named 'NN-lesson-slug.md' (e.g. 01-why-models.md)",
                )
            )
            continue
        number = int(match["number"])
        if number in numbers:
            problems.append(
                ContentProblem(
                    display_path(path),
                    1,
                    f"lesson number {number} is also used by {display_path(numbers[number])}",
                )
            )
            continue
        numbers[number] = path
        lesson = parse_lesson(path, slug, number, match["slug"], problems, known_refs, imported)
        if lesson is None:
            continue
        if lesson.slug in slugs:
            problems.append(
                ContentProblem(
                    display_path(path),
                    1,
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
        report_basis=meta["report_basis"],
        multiple_select_scoring=meta["multiple_select_scoring"],
        description=description,
        source_hash=source_hash,
        lessons=tuple(lessons),
        completion=meta["completion"],
        pass_mark=meta["pass_mark"],
        aliases=meta["aliases"],
    )


def parse_course_dir(
    course_dir: Path, imported: Imported | None = None
) -> tuple[CourseSource | None, list[ContentProblem], set[str]]:
    """One course on its own: (the course or None, its problems, its files' refs)."""
    problems: list[ContentProblem] = []
    known_refs: set[str] = set()
    return parse_course(course_dir, problems, known_refs, imported), problems, known_refs


def load_content(
    root: Path, *, map_courses: Callable[..., Iterable] = map, imported: Imported | None = None
) -> tuple[ContentTree, list[ContentProblem]]:
    """Parses every course under ``root``; returns the tree and every problem found in it.

    ``map_courses(parse, course_dirs)`` parses the courses; the importer passes one that
    spreads them over worker processes, and ``imported``, the files it already holds.
    """
    root = Path(root)
    problems: list[ContentProblem] = []
    courses: list[CourseSource] = []
    if not root.is_dir():
        problems.append(ContentProblem(display_path(root), 1, "content folder does not exist"))
        return ContentTree(root, ()), problems
    # Every lesson file's "course/slug", broken or not: a link to a lesson that has problems of
    # its own is not a problem of the linking file.
    known_refs: set[str] = set()
    course_dirs = []
    for course_dir in sorted(root.iterdir()):
        if leaves(course_dir, root):
            problems.append(ContentProblem(display_path(course_dir), 1, f"this folder {OUTSIDE}"))
            continue
        if course_dir.is_dir() and not course_dir.name.startswith((".", "_")):
            course_dirs.append(course_dir)
    parse = parse_course_dir if imported is None else partial(parse_course_dir, imported=imported)
    for course, course_problems, course_refs in map_courses(parse, course_dirs):
        problems.extend(course_problems)
        known_refs |= course_refs
        if course is not None:
            courses.append(course)
    courses.sort(key=lambda course: (course.order, course.slug))
    tree = ContentTree(root, tuple(courses))
    known_refs.update(lesson.ref for lesson in tree.lessons)
    _check_related(tree, known_refs, problems)
    return tree, problems


def _check_related(tree: ContentTree, known: set[str], problems: list[ContentProblem]) -> None:
    for lesson in tree.lessons:
        for ref in lesson.related:
            # The file is read again for its line only when there is a problem to place.
            if ref == lesson.ref:
                problems.append(
                    ContentProblem(
                        display_path(lesson.path),
                        _related_line(lesson.path),
                        "a lesson cannot be related to itself",
                    )
                )
            elif ref not in known:
                problems.append(
                    ContentProblem(
                        display_path(lesson.path),
                        _related_line(lesson.path),
                        f"related lesson '{ref}' does not exist",
                    )
                )


def _related_line(path: Path) -> int:
    for index, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if line.startswith("related"):
            return index + 1
    return 1
