"""Planner statistics after bulk writes.

A query planner chooses its plan from table statistics that it refreshes on its own only after
a while (PostgreSQL's autovacuum) or never (SQLite). Right after a bulk load it plans with none:
on PostgreSQL that read every search document of the catalog to count the first hundred
matches, about ten times the work of the plan it picks once it has statistics. PostgreSQL's
manual says to run ANALYZE after populating a database; this does that on both databases.
"""

from __future__ import annotations

from django.db import connection

# SQLite reads at most this many rows of each index (PRAGMA analysis_limit), so refreshing is
# fast on a big database and the figures stay close enough to plan with.
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
