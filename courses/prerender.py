"""Everything the importer stores for a lesson that costs CPU, computed without Django.

Rendering Markdown and sanitizing it is most of an import's work, and it depends on nothing but
the parsed file, so it runs before any row is written, for every changed lesson at once, in
worker processes when there are many (`map_in_processes`). The importer then writes the results
in a few bulk statements.

This module imports nothing from Django (workers start without settings) and its results are
plain, picklable dataclasses.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from courses.content.parser import RESERVED_PAGE_IDS, LessonSource, is_reserved_page_id
from courses.content.rendering import html_to_text, make_ids_unique, render_inline, render_markdown

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


@dataclass(frozen=True)
class RenderedQuestion:
    prompt_html: str
    explanation_html: str
    options: tuple[tuple[str, str], ...]  # (text_html, feedback_html) in file order


@dataclass(frozen=True)
class RenderedLesson:
    ref: str
    key_terms: tuple[dict[str, str], ...]
    sections: tuple[RenderedSection, ...]
    questions: tuple[RenderedQuestion, ...]


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


def render_lesson(source: LessonSource, asset_base_url: str) -> RenderedLesson:
    """The stored HTML and text of one lesson: sections, key terms and quiz."""
    used_ids = set(RESERVED_PAGE_IDS) | {section.anchor for section in source.sections}
    sections = []
    for section in source.sections:
        html = make_ids_unique(
            render_markdown(section.markdown, asset_base_url=asset_base_url, doc_id=section.anchor),
            used_ids,
            is_reserved_page_id,
        )
        sections.append(
            RenderedSection(
                anchor=section.anchor,
                heading=section.heading,
                line=section.line,
                html=html,
                text=html_to_text(html),
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
            )
            for question in source.questions
        ),
    )


def _render_one(job: tuple[LessonSource, str]) -> RenderedLesson:
    return render_lesson(*job)


def render_lessons(
    jobs: Sequence[tuple[LessonSource, str]], workers: int | None = None
) -> list[RenderedLesson]:
    """Renders each (lesson, asset base URL), in worker processes when there are many."""
    return map_in_processes(_render_one, jobs, workers)


def course_mapper(workers: int | None = None) -> Callable[..., list]:
    """A `map` for `load_content` that parses courses in worker processes when the tree holds
    many lesson files (parsing is a good part of a big import's work)."""

    def mapper(function: Callable[[Path], R], course_dirs: Iterable[Path]) -> list[R]:
        course_dirs = list(course_dirs)
        count = workers
        if count is None:
            files = sum(1 for folder in course_dirs for _ in folder.glob("*.md"))
            count = default_workers() if files >= PARALLEL_MIN_ITEMS else 1
        return map_in_processes(function, course_dirs, count)

    return mapper


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_processes(
    function: Callable[[T], R], items: Iterable[T], workers: int | None = None
) -> list[R]:
    """``[function(item) for item in items]``, spread over processes when it pays.

    ``function`` must be a module-level function of a Django-free module that never touches the
    database: workers are forked from this process, so they inherit its open connection and
    transaction and must leave them alone. (Forking, unlike a fork server or spawning, neither
    starts a new interpreter nor re-runs the caller's ``__main__``.) ``workers=1`` runs
    everything in this process; None means one per available CPU, and in this process below
    PARALLEL_MIN_ITEMS items.
    """
    items = list(items)
    if workers is None:
        workers = default_workers() if len(items) >= PARALLEL_MIN_ITEMS else 1
    workers = min(workers, len(items))
    if workers <= 1:
        return [function(item) for item in items]
    chunk = max(1, min(64, len(items) // (workers * 4)))
    context = multiprocessing.get_context("fork")
    # Everything this process holds now (for a big import, its parsed tree and rendered
    # lessons) is frozen out of the cyclic collector's sight before forking: the workers'
    # collections then never walk it, nor write to its pages and so copy them one by one.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(function, items, chunksize=chunk))
    finally:
        gc.unfreeze()
