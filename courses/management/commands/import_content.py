"""Import the content tree into the database: `manage.py import_content [PATH] [--watch]`.

Validates first and changes nothing when any file has a problem; otherwise writes everything in
one transaction and prints what was added, updated, restored, unchanged and removed.

With ``--watch`` it imports once, then polls the tree every ``--interval`` seconds and imports
again whenever a file is added, removed or changed (by path, mtime and size; no dependency),
once nothing has changed for ``--settle`` seconds: an editor that saves a file in several
writes must not have a half-written lesson imported (its quiz would vanish for a moment).
Bad content is reported and skipped, never fatal; Ctrl-C stops it.
"""

import argparse
import os
import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, close_old_connections

from core.commands import FriendlyCommand
from courses.importer import ContentInvalid, import_content

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """(mtime_ns, size) of every file under ``root`` by relative path.

    Hidden files and folders and editor backups (``name~``) are left out: the parser ignores
    them, and an editor's swap file must not trigger an import on every keystroke.
    """
    files: Snapshot = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in names:
            if name.startswith(".") or name.endswith("~"):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:  # removed between listing and stat; the next poll sees it gone
                continue
            files[os.path.relpath(path, root)] = (stat.st_mtime_ns, stat.st_size)
    return files


def describe_changes(before: Snapshot, after: Snapshot, limit: int = 5) -> str:
    changes = [f"+{path}" for path in sorted(after.keys() - before.keys())]
    changes += [f"-{path}" for path in sorted(before.keys() - after.keys())]
    changes += [
        f"~{path}" for path in sorted(after.keys() & before.keys()) if after[path] != before[path]
    ]
    shown = ", ".join(changes[:limit])
    if len(changes) > limit:
        shown += f" and {len(changes) - limit} more"
    return shown


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be a number of seconds above 0")
    return number


class Command(FriendlyCommand):
    help = "Validate and import the whole content tree (atomic, incremental, never deletes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="the content folder (default: CONTENT_DIR)")
        parser.add_argument(
            "--watch",
            action="store_true",
            help="keep running: import again whenever a file under PATH changes (Ctrl-C stops)",
        )
        parser.add_argument(
            "--interval",
            type=positive_float,
            default=0.5,
            help="with --watch, seconds between checks for changes (default 0.5)",
        )
        parser.add_argument(
            "--settle",
            type=positive_float,
            default=1.0,
            help="with --watch, import only once files are unchanged for this long (default 1)",
        )
        # For tests and scripts: stop after N polling cycles instead of running until Ctrl-C.
        parser.add_argument("--max-cycles", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        root = Path(options["path"] or settings.CONTENT_DIR).resolve()
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder")
        if options["watch"]:
            self.watch(root, options["interval"], options["max_cycles"], options["settle"])
            return
        try:
            report = import_content(root)
        except ContentInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s) found; nothing was imported."
            ) from None
        self.write_report(root, report)

    def write_report(self, root: Path, report) -> None:
        for line in report.lines()[:-1]:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Imported {root}: {report.lines()[-1]}."))

    # -----------------------------------------------------------------------------------------
    # --watch
    # -----------------------------------------------------------------------------------------
    def watch(
        self, root: Path, interval: float, max_cycles: int | None, settle: float = 1.0
    ) -> None:
        try:
            current = snapshot(root)
            self.stamp(f"Watching {root} every {interval:g}s (Ctrl-C to stop); importing")
            self.import_once(root)
            cycles = 0
            while max_cycles is None or cycles < max_cycles:
                time.sleep(interval)
                cycles += 1
                latest = snapshot(root)  # taken before reading, so later edits are seen next time
                if latest != current:
                    latest = self.settled(root, latest, settle)
                    changes = describe_changes(current, latest)
                    current = latest
                    self.stamp(f"Changed: {changes}; importing")
                    self.import_once(root)
                close_old_connections()  # a long-running watcher must not hold a stale connection
        except KeyboardInterrupt:
            self.stdout.write("")
            self.stamp("Stopped watching.")
            return
        self.stamp(f"Stopped watching after {max_cycles} check(s).")

    @staticmethod
    def settled(root: Path, latest: Snapshot, settle: float) -> Snapshot:
        """Waits until no file's size or mtime has changed for ``settle`` seconds."""
        while True:
            time.sleep(settle)
            again = snapshot(root)
            if again == latest:
                return latest
            latest = again

    def import_once(self, root: Path) -> None:
        """One import that reports, rather than raises, bad content, so the watcher carries on."""
        try:
            report = import_content(root)
        except ContentInvalid as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            self.stderr.write(
                self.style.ERROR(
                    f"{len(error.problems)} problem(s) found; nothing imported. "
                    "Still watching: fix the file and save it again."
                )
            )
        except DatabaseError as error:
            self.stderr.write(
                self.style.ERROR(f"database error, nothing imported: {error}. Still watching.")
            )
        else:
            self.write_report(root, report)
        self.stdout.flush()
        self.stderr.flush()

    def stamp(self, message: str) -> None:
        self.stdout.write(f"[{datetime.now():%H:%M:%S}] {message}")
        self.stdout.flush()
