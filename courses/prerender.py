"""Everything the importer stores for a lesson that costs CPU, computed without Django.

Rendering Markdown and sanitizing it is most of an import's work, and it depends on nothing but
the parsed file, so it runs before any row is written, in worker processes when there are many
(`map_in_processes`). For an import, each worker parses a course and at once renders every lesson
of it that the database does not hold (`ImportMapper`), so a lesson crosses between processes
once. An app above the content may register a *preparer* (the tutor does, for its index): work
on the parsed and rendered lesson that needs no database, run in the same worker right after
rendering; its results travel with the rendered lesson to its `lessons_imported` receiver,
which only writes them. (Search builds its documents in its receiver, from the rows just
written: little work beside rendering.) The importer then writes everything in a few bulk
statements.

This module imports nothing from Django (workers must leave the database alone) and its
results are plain, picklable dataclasses.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

from courses.content.front_matter import read_front_matter
from courses.content.imported import Imported
from courses.content.parser import (
    COURSE_FILE,
    RESERVED_PAGE_IDS,
    ContentProblem,
    CourseSource,
    LessonSource,
    QuestionSource,
    display_path,
    is_reserved_page_id,
)
from courses.content.rendering import (
    make_ids_unique,
    render_inline,
    render_markdown,
    text_and_kinds,
)

# Below this many items the cost of starting worker processes outweighs what they save.
PARALLEL_MIN_ITEMS = 48

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class RenderedSection:
    anchor: str
    heading: str
    line: int
    html: str
    text: str
    # What each line of `text` is written in (`rendering.line_kinds`), read in the same pass.
    line_kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedQuestion:
    prompt_html: str
    explanation_html: str
    options: tuple[tuple[str, str], ...]  # (text_html, feedback_html) in file order
    fingerprint: str  # question_fingerprint


@dataclass(frozen=True)
class RenderedLesson:
    ref: str
    key_terms: tuple[dict[str, str], ...]
    sections: tuple[RenderedSection, ...]
    questions: tuple[RenderedQuestion, ...]
    source_hash: str = ""  # of the file rendered, so a result is never used for other bytes
    # Each registered preparer's result, by its name (see `register_preparer`).
    prepared: Mapping[str, Any] = field(default_factory=dict)


class LessonFailed(Exception):
    """Rendering or preparing one lesson raised: the import stops, naming the file."""

    def __init__(self, path: str, error: str) -> None:
        super().__init__(path, error)  # plain args: the exception crosses back from a worker
        self.path = path
        self.error = error

    def __str__(self) -> str:
        return f"{self.path}: {self.error}"


# name -> function(parsed lesson, rendered lesson) -> a picklable result. Registered at start-up
# (an AppConfig.ready), before any worker is forked, so every worker holds the same functions.
Preparer = Callable[[LessonSource, RenderedLesson], Any]
_PREPARERS: dict[str, Preparer] = {}


def register_preparer(name: str, function: Preparer) -> None:
    """Runs ``function`` on every lesson an import renders, beside the rendering (in a worker
    process for a big import). It must be deterministic and touch no database; its result
    reaches the ``lessons_imported`` receivers as ``prepared[i][name]``."""
    _PREPARERS[name] = function


# Most quiz prompts, options, feedback and explanations are plain sentences: letters, digits,
# spaces and commas, sentences ending in "." or "?". Markdown gives such text no meaning (no
# list marker, emphasis, link, entity, typographic replacement or line break can start in it)
# and sanitizing leaves it alone, so it renders exactly as the renderer renders any plain word.
# Rendering that word once and substituting the text skips the renderer for them;
# tests/test_importer.py checks this against the renderer itself on whole catalogs.
_PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ,]*(?:[.?] [A-Z][A-Za-z0-9 ,]*)*[.?]?")
_PLACEHOLDER = "Plainword"


def is_plain(text: str) -> bool:
    return _PLAIN_RE.fullmatch(text) is not None and "  " not in text


@lru_cache(maxsize=1)
def _plain_forms() -> tuple[str, str]:
    return render_inline(_PLACEHOLDER), render_markdown(_PLACEHOLDER)


# Quiz texts also repeat across a catalog ("True", a shared explanation); rendering is a pure
# function of the text, so each distinct text renders once per process.
@lru_cache(maxsize=65536)
def _inline(text: str) -> str:
    if not text:
        return ""
    if is_plain(text):
        return _plain_forms()[0].replace(_PLACEHOLDER, text)
    return render_inline(text)


@lru_cache(maxsize=16384)
def _block(text: str) -> str:
    if not text:
        return ""
    if is_plain(text):
        return _plain_forms()[1].replace(_PLACEHOLDER, text)
    return render_markdown(text)


def question_fingerprint(question: QuestionSource) -> str:
    """What the learner is asked; explanation and feedback may change without a new version."""
    asked = {
        "prompt": question.prompt,
        "options": [[option.text, option.is_correct] for option in question.options],
    }
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def render_lesson(source: LessonSource, asset_base_url: str) -> RenderedLesson:
    """The stored HTML and text of one lesson (sections, key terms and quiz) and what every
    preparer makes of it; `LessonFailed` names the file when any of it raises."""
    try:
        rendered = _render(source, asset_base_url)
        return replace(
            rendered,
            prepared={name: function(source, rendered) for name, function in _PREPARERS.items()},
        )
    except Exception as error:
        raise LessonFailed(display_path(source.path), f"{type(error).__name__}: {error}") from error


def _render(source: LessonSource, asset_base_url: str) -> RenderedLesson:
    used_ids = set(RESERVED_PAGE_IDS) | {section.anchor for section in source.sections}
    sections = []
    for section in source.sections:
        html = make_ids_unique(
            render_markdown(section.markdown, asset_base_url=asset_base_url, doc_id=section.anchor),
            used_ids,
            is_reserved_page_id,
        )
        text, kinds = text_and_kinds(html)
        sections.append(
            RenderedSection(
                anchor=section.anchor,
                heading=section.heading,
                line=section.line,
                html=html,
                text=text,
                line_kinds=kinds,
            )
        )
    return RenderedLesson(
        ref=source.ref,
        key_terms=tuple(
            {"term": term.term, "definition_html": _inline(term.definition)}
            for term in source.key_terms
        ),
        sections=tuple(sections),
        questions=tuple(
            RenderedQuestion(
                prompt_html=_inline(question.prompt),
                explanation_html=_block(question.explanation),
                options=tuple(
                    (_inline(option.text), _inline(option.feedback)) for option in question.options
                ),
                fingerprint=question_fingerprint(question),
            )
            for question in source.questions
        ),
        source_hash=source.source_hash,
    )


def _render_one(job: tuple[LessonSource, str]) -> RenderedLesson:
    return render_lesson(*job)


def render_lessons(
    jobs: Sequence[tuple[LessonSource, str]], workers: int | None = None
) -> list[RenderedLesson]:
    """Renders each (lesson, asset base URL), in worker processes when there are many."""
    return map_in_processes(_render_one, jobs, workers)


ParsedCourse = tuple[CourseSource | None, list[ContentProblem], set[str]]


def _parse_and_render(
    parse: Callable[[Path], ParsedCourse],
    asset_urls: Mapping[str, str],
    imported: Imported,
    course_dir: Path,
) -> tuple[ParsedCourse, list[RenderedLesson]]:
    """One course parsed, and every lesson of it rendered that an import will write: each
    published lesson whose file the database does not hold as it is."""
    parsed = parse(course_dir)
    course = parsed[0]
    if course is None:
        return parsed, []
    return parsed, [
        render_lesson(lesson, asset_urls[course.slug])
        for lesson in course.lessons
        if lesson.body_parsed
        and not lesson.draft
        and not imported.holds(lesson.path, lesson.source_hash)
    ]


class ImportMapper:
    """A `map` for `load_content` that parses each course in a worker process and there also
    renders (and prepares) the lessons the import will write; they wait in `rendered`.

    ``asset_urls``: each course folder's name -> the base URL of its images. ``on_course``, if
    given, is called in this process with each parsed course as soon as its worker returns it,
    while the workers go on with the next courses: the importer writes a course's rows there,
    so the database works while the workers compute.
    """

    def __init__(
        self,
        imported: Imported,
        asset_urls: Mapping[str, str],
        workers: int | None = None,
        on_course: Callable[[ParsedCourse], None] | None = None,
    ) -> None:
        self.imported = imported
        self.asset_urls = asset_urls
        self.workers = workers
        self.on_course = on_course
        self.rendered: dict[str, RenderedLesson] = {}  # by lesson ref

    def __call__(
        self, parse: Callable[[Path], ParsedCourse], course_dirs: Iterable[Path]
    ) -> list[ParsedCourse]:
        course_dirs = list(course_dirs)
        job = partial(_parse_and_render, parse, self.asset_urls, self.imported)
        # In the catalog's order, so that the importer, numbering the catalog as each course is
        # written, gives every lesson its final position at once. Returned in the given order.
        order = sorted(range(len(course_dirs)), key=lambda i: catalog_key(course_dirs[i]))
        parsed: list[ParsedCourse | None] = [None] * len(course_dirs)
        # One course at a time: courses are big and few (46 in the benchmark catalog), and with
        # five to a chunk one worker could still be busy for seconds after the other ran out.
        results = imap_in_processes(
            job, [course_dirs[i] for i in order], self._count(course_dirs), chunk=1
        )
        try:
            for i, (course, rendered) in zip(order, results, strict=True):
                self.rendered.update((lesson.ref, lesson) for lesson in rendered)
                if self.on_course is not None:
                    self.on_course(course)
                parsed[i] = course
        finally:
            # On an exception (a worker's, or the importer's in `on_course`) the workers stop
            # at once rather than go on with the rest of the tree while the import unwinds.
            results.close()
        return parsed  # type: ignore[return-value]  # every slot filled by now

    def _count(self, course_dirs: list[Path]) -> int:
        if self.workers is not None:
            return self.workers
        files = sum(1 for folder in course_dirs for _ in folder.glob("*.md"))
        return default_workers() if files >= PARALLEL_MIN_ITEMS else 1

    def take(self, source: LessonSource) -> RenderedLesson | None:
        """The lesson as a worker rendered it, if one rendered these very bytes."""
        rendered = self.rendered.pop(source.ref, None)
        if rendered is None or rendered.source_hash != source.source_hash:
            return None
        return rendered


def catalog_key(course_dir: Path) -> tuple[int, str]:
    """Where a course folder's course will stand in the catalog (its `order`, then its slug),
    read from its front matter alone; a course.md the parser will refuse sorts as order 0."""
    data = read_front_matter(course_dir / COURSE_FILE)
    order = data.get("order", 0) if isinstance(data, dict) else 0
    return (order if type(order) is int else 0, course_dir.name)


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_processes(
    function: Callable[[T], R],
    items: Iterable[T],
    workers: int | None = None,
    *,
    chunk: int | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, spread over processes when it pays.

    ``function`` must be a module-level function of a Django-free module that never touches the
    database: workers are forked from this process, so they inherit its open connection and
    transaction and must leave them alone. (Forking, unlike a fork server or spawning, neither
    starts a new interpreter nor re-runs the caller's ``__main__``.) ``workers=1`` runs
    everything in this process; None means one per available CPU, and in this process below
    PARALLEL_MIN_ITEMS items. ``chunk``: items handed to a worker at a time (default: a quarter
    of each worker's share, at most 64).
    """
    return list(imap_in_processes(function, items, workers, chunk=chunk))


def imap_in_processes(
    function: Callable[[T], R],
    items: Iterable[T],
    workers: int | None = None,
    *,
    chunk: int | None = None,
) -> Iterator[R]:
    """`map_in_processes`, yielding each result in order as soon as it is there, so the caller
    can work on it while the workers compute the next ones. The workers are forked at the
    first ``next``; leaving the loop early (an exception) cancels what they have not begun."""
    items = list(items)
    if workers is None:
        workers = default_workers() if len(items) >= PARALLEL_MIN_ITEMS else 1
    workers = min(workers, len(items))
    if workers <= 1:
        for item in items:
            yield function(item)
        return
    if chunk is None:
        chunk = max(1, min(64, len(items) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    # Everything this process holds now (for a big import, its parsed tree and rendered
    # lessons) is frozen out of the cyclic collector's sight before forking: the workers'
    # collections then never walk it, nor write to its pages and so copy them one by one.
    gc.freeze()
    try:
        # gc.enable: a worker collects cycles even when forked from a pause (importer.py).
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=gc.enable
        ) as pool:
            results = pool.map(function, items, chunksize=chunk)
            # Every worker is forked by now (fork pools start them all at the first submit):
            # what this process creates from here on is no concern of theirs.
            gc.unfreeze()
            yield from results
    finally:
        gc.unfreeze()
