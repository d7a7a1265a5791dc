"""Sync a parsed content tree into the database, all or nothing.

`import_content` validates the whole tree first and writes nothing while any problem exists.
Then, inside one transaction, it matches courses and lessons by slug, rewrites only files whose
content hash changed, unpublishes (never deletes) what left the tree, and recomputes each
lesson's position in the catalog. Learner data points at rows that are never deleted here, so
an import cannot lose anyone's progress.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.planner import refresh_planner_statistics
from courses.caching import forget_content_version
from courses.content.imported import Imported, relative_source_path, stored_hash
from courses.content.parser import (
    LESSON_FILE_RE,
    SLUG_RE,
    ContentProblem,
    CourseSource,
    LessonSource,
    load_content,
    parse_lesson,
)
from courses.content.rendering import render_markdown
from courses.lesson_writes import link_related, write_lessons
from courses.models import Course, Lesson
from courses.prerender import ImportMapper, ParsedCourse, RenderedLesson, render_lessons
from courses.rows import compress_quickly, set_column
from courses.signals import catalog_changed, lessons_imported

# An import writing this many lessons refreshes the planner's statistics (core.planner), the
# same order as the change autovacuum waits for before it analyses a table on its own.
STATISTICS_AFTER = 50


class ContentInvalid(Exception):
    def __init__(self, problems: list[ContentProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the content")
        self.problems = problems


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.restored or self.removed)

    def lines(self) -> list[str]:
        lines = []
        for label in ("added", "updated", "restored", "removed"):
            for name in getattr(self, label):
                lines.append(f"  {label:<9} {name}")
        summary = ", ".join(
            f"{len(getattr(self, label))} {label}"
            for label in ("added", "updated", "restored", "unchanged", "removed")
        )
        return [*lines, summary]


def import_content(root: Path, *, workers: int | None = None) -> ImportReport:
    """Validates ``root`` and syncs it into the database; raises ContentInvalid on problems.

    ``workers``: processes that parse the tree and render changed lessons (None: one per CPU for
    a big import, this process for a small one; see `prerender.map_in_processes`). A lesson
    whose rendering or preparing raises stops the import, named (`prerender.LessonFailed`).
    """
    with _cyclic_gc_paused():
        return _import(root, workers)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A big import holds hundreds of thousands of objects (parsed and rendered lessons, rows)
    until it ends; the cyclic collector walking them again and again as they arrive cost about
    0.5 s of the 4-5 s a cold catalog import spends in this process. What little cyclic garbage
    an import makes is collected once it is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(root: Path, workers: int | None) -> ImportReport:
    if connection.vendor in COMPUTE_FIRST:
        return _import_computed(root, workers)
    with transaction.atomic():
        compress_quickly()
        writer = _CourseWriter(root, workers)
        # The workers parse each course, render (and prepare) the lessons the import will
        # write, and hand it back; `writer` writes it at once, while they go on with the next
        # courses. Whatever turns out wrong later (a problem in a later file, a lesson whose
        # rendering raises, a related lesson that does not exist) raises in this transaction,
        # so nothing is written.
        tree, problems = load_content(root, map_courses=writer.mapper, imported=writer.imported)
        if problems:
            raise ContentInvalid(problems)
        report = writer.finish(tree)
    forget_content_version()  # also when an outer transaction (a test) holds the commit back
    return report


# Databases on which the import computes everything (parse, render, prepare) before its
# transaction starts, and then writes it all at once. SQLite has one write lock for the whole
# database, held from the transaction's start (IMMEDIATE, config/settings.py) to its commit:
# writing each course while the workers compute the next would keep every learner's write
# waiting for the whole import (about 20 s for a big catalog) instead of for its writes.
# PostgreSQL locks rows, so there the import writes while its workers compute.
COMPUTE_FIRST = frozenset({"sqlite"})


def _import_computed(root: Path, workers: int | None) -> ImportReport:
    """`_import` with the writing after the computing: the files the database holds are read
    first, outside any transaction, so that the workers skip what is stored as it is; the
    writer reads them again in its transaction, and renders here whatever it must write that
    the workers skipped (a file another import stored in between)."""
    held = Lesson.objects.filter(is_published=True).values_list("source_path", "source_hash")
    imported = Imported(root, dict(held))
    mapper = ImportMapper(imported, _asset_urls(root), workers)
    tree, problems = load_content(root, map_courses=mapper, imported=imported)
    if problems:
        raise ContentInvalid(problems)
    with transaction.atomic():
        compress_quickly()
        writer = _CourseWriter(root, workers, mapper)
        for course in tree.courses:  # in the catalog's order
            writer.course_parsed((course, [], set()))
        report = writer.finish(tree)
    forget_content_version()
    return report


def _held_hashes(lessons) -> dict[str, str]:
    """Source path -> stored hash of each published lesson (`Imported`)."""
    return {lesson.source_path: lesson.source_hash for lesson in lessons if lesson.is_published}


class _CourseWriter:
    """Writes each course of an import as its worker returns it (`course_parsed`), then what
    spans courses (`finish`): related lessons, unpublished lessons, catalog positions."""

    def __init__(self, root: Path, workers: int | None, mapper: ImportMapper | None = None) -> None:
        """``mapper``: the one that computed the courses already (`_import_computed`); by
        default a new one that hands each course to `course_parsed` as it comes."""
        self.courses = {course.slug: course for course in Course.objects.select_for_update()}
        self.lessons = {
            (lesson.course.slug, lesson.slug): lesson
            for lesson in Lesson.objects.select_related("course").select_for_update(of=("self",))
        }
        self.imported = Imported(root, _held_hashes(self.lessons.values()))
        self.workers = workers
        self.mapper = mapper or ImportMapper(
            self.imported, _asset_urls(root), workers, self.course_parsed
        )
        self.now = timezone.now()
        self.failed = False  # a course came back with problems: the import will not commit
        # By course slug, so `finish` reports and links in the tree's order, not the workers'.
        self.written: dict[str, list[tuple[Lesson, LessonSource]]] = {}
        self.course_reports: dict[str, ImportReport] = {}
        self.lesson_reports: dict[str, ImportReport] = {}
        self.written_count = 0

    def course_parsed(self, parsed: ParsedCourse) -> None:
        course_source, problems, _ = parsed
        self.failed = self.failed or bool(problems)
        if self.failed or course_source is None:
            return  # the import fails: writing more would only be undone
        course_report = self.course_reports[course_source.slug] = ImportReport()
        lesson_report = self.lesson_reports[course_source.slug] = ImportReport()
        real_root = self.imported.real_root
        course = _sync_course(
            course_source,
            real_root,
            self.courses.get(course_source.slug),
            self.now,
            course_report,
        )
        self.courses[course.slug] = course
        changed: list[tuple[LessonSource, Course, Lesson | None]] = []
        for lesson_source in course_source.lessons:
            if lesson_source.draft:
                continue  # validated, never published; unpublished in `finish` if it was live
            existing = self.lessons.get((course.slug, lesson_source.slug))
            if _is_unchanged(lesson_source, real_root, existing):
                course_report.unchanged.append(f"lesson {lesson_source.ref}")
            else:
                changed.append((_in_full(lesson_source), course, existing))
        rendered = _rendered(changed, self.mapper, self.workers)
        written = write_lessons(changed, rendered, real_root, self.now, lesson_report)
        for lesson, _ in written:
            self.lessons[(lesson.course.slug, lesson.slug)] = lesson
        self.written[course.slug] = [
            (lesson, source) for (lesson, _), (source, _, _) in zip(written, changed, strict=True)
        ]
        self.written_count += len(written)
        if written:
            # Positions as the catalog stands so far, so the search cards made now hold the
            # final ones when the courses arrive in the catalog's order (a first import);
            # `finish` numbers again, and `catalog_changed` corrects any card that moved.
            self._number_catalog()
            lessons_imported.send(
                sender=Lesson, lessons=written, prepared=[result.prepared for result in rendered]
            )

    def _number_catalog(self) -> None:
        """`_renumber_catalog` from the rows this import holds in memory (every lesson and
        course of the database, as written so far) rather than a query over the catalog: it
        runs after each course, and reading 2,116 positions 46 times cost more than writing
        them. Only a guess of what the database would say (slugs may sort differently there);
        `finish` numbers from the database itself, and the cards follow it."""
        courses = self.courses
        published = sorted(
            (
                (courses[course_slug].order, course_slug, lesson.number, lesson)
                for (course_slug, _), lesson in self.lessons.items()
                if lesson.is_published and courses[course_slug].is_published
            ),
            key=lambda row: row[:3],
        )
        changed: dict[int, int | None] = {}
        for position, (*_, lesson) in enumerate(published, start=1):
            if lesson.catalog_position != position:
                changed[lesson.pk] = lesson.catalog_position = position
        for (course_slug, _), lesson in self.lessons.items():
            if lesson.catalog_position is not None and not (
                lesson.is_published and courses[course_slug].is_published
            ):
                changed[lesson.pk] = lesson.catalog_position = None
        set_column(Lesson, "catalog_position", changed)

    def finish(self, tree) -> ImportReport:
        order = [course.slug for course in tree.courses]
        report = ImportReport()
        for label in ("added", "updated", "restored", "unchanged"):
            for reports in (self.course_reports, self.lesson_reports):
                for slug in order:
                    getattr(report, label).extend(getattr(reports[slug], label))
        link_related(tree, self.lessons, [pair for slug in order for pair in self.written[slug]])
        _unpublish_missing(tree.courses, self.courses, self.lessons, report, self.now)
        _renumber_catalog()
        if report.changed:
            catalog_changed.send(sender=Lesson)
        if self.written_count >= STATISTICS_AFTER:
            refresh_planner_statistics()
        transaction.on_commit(forget_content_version)
        return report


def _sync_course(
    source: CourseSource, real_root: Path, course: Course | None, now, report: ImportReport
) -> Course:
    path = relative_source_path(source.path, real_root)
    digest = stored_hash(source.source_hash)
    name = f"course {source.slug}"
    if course is not None and course.is_published and course.source_hash == digest:
        if course.source_path != path:
            course.source_path = path
            course.save(update_fields=["source_path"])
        report.unchanged.append(name)
        return course
    if course is None:
        course = Course(slug=source.slug)
        report.added.append(name)
    elif not course.is_published:
        report.restored.append(name)
    else:
        report.updated.append(name)
    course.title = source.title
    course.summary = source.summary
    course.track = source.track
    course.order = source.order
    course.report_basis = source.report_basis
    course.multiple_select_scoring = source.multiple_select_scoring
    course.completion = source.completion
    course.pass_mark = source.pass_mark
    course.description_html = render_markdown(source.description) if source.description else ""
    course.concept_aliases = dict(source.aliases)
    course.is_published = True
    course.source_path = path
    course.source_hash = digest
    course.imported_at = now
    course.save()
    return course


def _is_unchanged(source: LessonSource, real_root: Path, lesson: Lesson | None) -> bool:
    return (
        lesson is not None
        and lesson.is_published
        and lesson.source_hash == stored_hash(source.source_hash)
        and lesson.source_path == relative_source_path(source.path, real_root)
    )


def _in_full(source: LessonSource) -> LessonSource:
    """The lesson with its body, for the rare file the parser skipped as stored but the import
    must write after all (the database changed in between)."""
    if source.body_parsed:
        return source
    problems: list[ContentProblem] = []
    match = LESSON_FILE_RE.match(source.path.name)
    assert match is not None  # the parser matched it a moment ago
    lesson = parse_lesson(source.path, source.course_slug, source.number, match["slug"], problems)
    if lesson is None:
        raise ContentInvalid(problems)
    return lesson


def _asset_base_url(course_slug: str) -> str:
    return reverse("lessons:asset", kwargs={"course": course_slug, "path": "x"})[:-1]


def _asset_urls(root: Path) -> dict[str, str]:
    """The image base URL of every folder that can be a course (its name is a slug)."""
    if not root.is_dir():
        return {}
    return {
        folder.name: _asset_base_url(folder.name)
        for folder in root.iterdir()
        if SLUG_RE.match(folder.name) and folder.is_dir()
    }


def _rendered(
    changed: list[tuple[LessonSource, Course, Lesson | None]],
    mapper: ImportMapper,
    workers: int | None,
) -> list[RenderedLesson]:
    """Each changed lesson rendered: by the parsing workers, or here for the few they did not
    (a file they saw as held that must be written after all)."""
    taken = [mapper.take(source) for source, _, _ in changed]
    late = iter(
        render_lessons(
            [
                (source, _asset_base_url(course.slug))
                for (source, course, _), result in zip(changed, taken, strict=True)
                if result is None
            ],
            workers,
        )
    )
    return [result if result is not None else next(late) for result in taken]


def _unpublish_missing(
    course_sources: tuple[CourseSource, ...],
    courses: dict[str, Course],
    lessons: dict[tuple[str, str], Lesson],
    report: ImportReport,
    now,
) -> None:
    present_courses = {course.slug for course in course_sources}
    present_lessons = {
        (course.slug, lesson.slug)
        for course in course_sources
        for lesson in course.lessons
        if not lesson.draft
    }
    gone_courses = [
        course
        for slug, course in courses.items()
        if slug not in present_courses and course.is_published
    ]
    gone_lessons = [
        lesson
        for key, lesson in lessons.items()
        if key not in present_lessons and lesson.is_published
    ]
    report.removed.extend(f"course {course.slug}" for course in gone_courses)
    report.removed.extend(f"lesson {lesson.course.slug}/{lesson.slug}" for lesson in gone_lessons)
    # imported_at moves too, so the content version (and every cached page) changes.
    Course.objects.filter(pk__in=[course.pk for course in gone_courses]).update(
        is_published=False, imported_at=now
    )
    Lesson.objects.filter(pk__in=[lesson.pk for lesson in gone_lessons]).update(
        is_published=False, catalog_position=None, imported_at=now
    )


def _renumber_catalog() -> None:
    """Gives every published lesson its 1-based place in the catalog; writes only changes."""
    changed: dict[int, int] = {}
    published = Lesson.objects.published().order_by("course__order", "course__slug", "number")
    rows = published.values_list("pk", "catalog_position")
    for position, (pk, stored) in enumerate(rows, start=1):
        if stored != position:
            changed[pk] = position
    Lesson.objects.filter(is_published=False, catalog_position__isnull=False).update(
        catalog_position=None
    )
    set_column(Lesson, "catalog_position", changed)
