"""Start a lesson from a valid skeleton: `manage.py new_lesson <course> <slug> [--title "..."]`.

Writes ``CONTENT_DIR/<course>/<NN>-<slug>.md`` where NN is one more than the highest lesson
number already in the course. The skeleton is a draft (`draft: true`) whose placeholder
text `validate_content` reports until the author has replaced it, so an unfinished lesson never
goes live. It never overwrites a file.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import CommandError

from core.commands import FriendlyCommand
from courses.content.markup import slugify
from courses.content.parser import (
    COURSE_FILE,
    LESSON_FILE_RE,
    SLUG_RE,
    read_front_matter,
)
from courses.content.skeleton import FIRST_SECTION, SECOND_SECTION, SKELETON

COURSE_EXAMPLE = """\
---
title: Inside the Black Box
summary: The foundations of AI interpretability.
track: Foundations
order: 1
---
Optional Markdown shown on the course page."""


def shown(path: Path) -> str:
    """A path relative to the working directory when inside it, else absolute."""
    path = path.absolute()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def humanise(slug: str) -> str:
    """``why-models-are-hard`` -> ``Why models are hard``."""
    return slug.replace("-", " ").capitalize()


def yaml_text(value: str) -> str:
    """``value`` as a YAML scalar: bare when YAML reads it back unchanged, else double-quoted."""
    try:
        if yaml.safe_load(f"key: {value}") == {"key": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted string


def lesson_skeleton(title: str) -> str:
    return SKELETON.format(
        title=yaml_text(title),
        first=FIRST_SECTION,
        second=SECOND_SECTION,
        anchor=slugify(FIRST_SECTION),
    )


def existing_lessons(course_dir: Path) -> tuple[set[int], dict[str, Path]]:
    """The course's lesson numbers, and its lesson files by slug (a ``slug:`` override wins)."""
    numbers: set[int] = set()
    slugs: dict[str, Path] = {}
    for path in sorted(course_dir.iterdir()):
        match = LESSON_FILE_RE.match(path.name)
        if not match or not path.is_file():
            continue
        number = int(match["number"])
        numbers.add(number)
        # Even a file with problems claims the slug its front matter (or its name) gives it.
        slugs.setdefault(_front_matter_slug(path) or match["slug"], path)
    return numbers, slugs


def _front_matter_slug(path: Path) -> str | None:
    slug = (read_front_matter(path) or {}).get("slug")
    return slug.strip() if isinstance(slug, str) and slug.strip() else None


class Command(FriendlyCommand):
    help = "Write a new lesson file from a valid skeleton, numbered after the course's last lesson."

    def add_arguments(self, parser) -> None:
        parser.add_argument("course", help="the course folder's slug, e.g. inside-the-black-box")
        parser.add_argument("slug", help="the lesson slug: a-z, 0-9 and single hyphens")
        parser.add_argument("--title", help="the lesson title (default: the slug humanised)")

    def handle(self, *args, **options) -> None:
        course, slug = options["course"], options["slug"]
        root = Path(settings.CONTENT_DIR)
        course_dir = root / course
        if not SLUG_RE.match(slug):
            raise CommandError(
                f"'{slug}' is not a valid lesson slug: use a-z, 0-9 and single hyphens, "
                "e.g. why-models-are-hard"
            )
        if not SLUG_RE.match(course) or not (course_dir / COURSE_FILE).is_file():
            missing = "has no course.md" if course_dir.is_dir() else "does not exist"
            raise CommandError(
                f"course folder {shown(course_dir)} {missing}.\n"
                f"Create a course as a folder named by its slug (a-z, 0-9 and single hyphens) "
                f"holding a {COURSE_FILE}, e.g. {shown(course_dir / COURSE_FILE)}:\n\n"
                f"{COURSE_EXAMPLE}"
            )
        title = " ".join((options["title"] or humanise(slug)).split())
        if not title:
            raise CommandError("--title must not be empty")

        numbers, slugs = existing_lessons(course_dir)
        if slug in slugs:
            raise CommandError(
                f"course '{course}' already has a lesson with the slug '{slug}': "
                f"{shown(slugs[slug])}"
            )
        path = course_dir / f"{max(numbers, default=0) + 1:02d}-{slug}.md"
        exists = f"{shown(path)} already exists; nothing was written"
        if path.exists():
            raise CommandError(exists)
        try:
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                handle.write(lesson_skeleton(title))
        except FileExistsError:
            raise CommandError(exists) from None

        written = shown(path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {written}"))
        self.stdout.write(
            "Next: replace the placeholders in it and check it as you go:\n"
            f"  .venv/bin/python manage.py validate_content {written}\n"
            "Then remove 'draft: true' and publish it:\n"
            "  .venv/bin/python manage.py import_content"
        )
