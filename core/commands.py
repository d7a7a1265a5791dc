"""The base of every Glassbox management command: a failure is one line, never a traceback.

Django already prints a CommandError as one line. This turns the failures a user can cause
or fix themselves into CommandErrors: a database that is missing or not migrated, a file that
cannot be read or written, input that ended or was cancelled. A bug still shows its traceback.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


class FriendlyCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DatabaseError as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(
                f"The database is not ready ({first_line or type(error).__name__}): "
                "run `make migrate` (or `.venv/bin/python manage.py migrate`) first."
            ) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        except (EOFError, KeyboardInterrupt):
            raise CommandError("Cancelled: no input.") from None
