"""Import the content tree into the database: `manage.py import_content [PATH]`.

Validates first and changes nothing when any file has a problem; otherwise writes everything in
one transaction and prints what was added, updated, restored, unchanged and removed.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.importer import ContentInvalid, import_content


class Command(BaseCommand):
    help = "Validate and import the whole content tree (atomic, incremental, never deletes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="the content folder (default: CONTENT_DIR)")

    def handle(self, *args, **options) -> None:
        root = Path(options["path"] or settings.CONTENT_DIR).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder")
        try:
            report = import_content(root)
        except ContentInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was imported."
            ) from None
        for line in report.lines()[:-1]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {root}: {report.lines()[-1]}."))
