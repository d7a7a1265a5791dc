"""Django's SQLite backend, plus the upkeep SQLite asks of an application: ``PRAGMA optimize``
before each connection closes.

SQLite never refreshes its planner statistics on its own. Tables that grow after the last
ANALYZE (quiz attempts and the tutor log grow with every learner, long after an import ran
core.planner's ANALYZE) are then planned with statistics from when they were small or empty,
and a report over 100,000 attempts picks a plan several times slower than the one it picks
with current figures. SQLite's documentation recommends running ``PRAGMA optimize`` just
before closing each connection: it analyses only the tables this connection's queries used
whose statistics are missing or far out of date (a size change of 25 times or more), so it is
a no-op on almost every close, and ``analysis_limit`` bounds the rare run that does work.

Also: each statement's conversion from Django's ``%s`` placeholders to SQLite's ``?`` is
remembered. Django's cursor runs a regular expression over every statement it executes, about
5 microseconds for a typical SELECT, and a signed-in lesson page runs the same four statements
each time.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.db.backends.sqlite3 import base

from core.planner import SQLITE_ANALYSIS_LIMIT

logger = logging.getLogger(__name__)


# Longer statements (the importer's many-row VALUES lists) are converted each time, so the few
# hundred remembered stay small.
REMEMBERED_STATEMENT_LENGTH = 2000


@lru_cache(maxsize=512)
def _qmark_style(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None and len(query) <= REMEMBERED_STATEMENT_LENGTH:
            return _qmark_style(query)  # what Django's conversion gives, remembered
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=CursorWrapper)

    def _close(self) -> None:
        if self.connection is not None and not self.in_atomic_block:
            self._optimize()
        super()._close()

    def _optimize(self) -> None:
        # Upkeep must never turn a finished request into an error: a database locked by a
        # long writer, or one opened read-only, only means the statistics wait for a later
        # close.
        try:
            self.connection.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
            self.connection.execute("PRAGMA optimize")
        except base.Database.Error as error:
            logger.warning("PRAGMA optimize skipped: %s", error)
