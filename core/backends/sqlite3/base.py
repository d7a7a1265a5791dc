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
"""

from __future__ import annotations

import logging

from django.db.backends.sqlite3 import base

from core.planner import SQLITE_ANALYSIS_LIMIT

logger = logging.getLogger(__name__)


class DatabaseWrapper(base.DatabaseWrapper):
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
