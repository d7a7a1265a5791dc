"""Check lesson files without touching the database: `manage.py validate_content [PATH]`.

PATH may be the content folder, one course folder or one lesson file; problems are reported as
`path:line: message`, and the exit status is 1 when there are any. Constructs that render here
but differently in GitHub's Markdown preview are printed as `path:line: warning: message`; they
do not fail the check.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.template.defaultfilters import pluralize

from core.commands import FriendlyCommand
from courses.content.parser import COURSE_FILE, load_content


def content_root_for(path: Path) -> Path:
    """The content tree that holds ``path``, so a single file is checked in its context."""
    if path.is_file():
        return path.parent.parent
    if (path / COURSE_FILE).is_file() or any(path.glob("[0-9]*-*.md")):
        return path.parent
    return path


class Command(FriendlyCommand):
    help = "Validate lesson files and report every problem as path:line: message."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="content folder, course folder or lesson file")

    def handle(self, *args, **options) -> None:
        target = Path(options["path"] or settings.CONTENT_DIR).resolve()
        if not target.exists():
            raise CommandError(f"{target} does not exist")
        tree, problems = load_content(content_root_for(target))
        if target.is_file() or target != tree.root.resolve():
            problems = [p for p in problems if Path(p.path).resolve().is_relative_to(target)]
        warnings = [
            warning
            for lesson in tree.lessons
            for warning in lesson.warnings
            if Path(warning.path).resolve().is_relative_to(target)
        ]
        for warning in warnings:
            self.stderr.write(f"{warning.path}:{warning.line}: warning: {warning.message}")
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise SystemExit(1)
        lessons = tree.lessons
        questions = sum(len(lesson.questions) for lesson in lessons)
        counts = ", ".join(
            f"{count} {noun}{pluralize(count)}"
            for count, noun in (
                (len(tree.courses), "course"),
                (len(lessons), "lesson"),
                (questions, "question"),
            )
        )
        noted = f" ({len(warnings)} warning{pluralize(len(warnings))})" if warnings else ""
        self.stdout.write(self.style.SUCCESS(f"OK: {counts}; no problems{noted}."))
