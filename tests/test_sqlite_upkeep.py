"""The SQLite backend runs PRAGMA optimize as its connections close (core/backends/sqlite3).

Each test opens its own SQLite file through Django's connection handling, so they run the same
whichever database the rest of the suite uses."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler

ENGINE = "core.backends.sqlite3"

# Outside Django's test database, but Django's connection code still asks for the mark.
pytestmark = pytest.mark.django_db


def _connection(path, **options):
    handler = ConnectionHandler({"default": {"ENGINE": ENGINE, "NAME": str(path), **options}})
    return handler["default"]


def _statistics(path) -> dict[str, str]:
    with sqlite3.connect(path) as raw:
        return dict(raw.execute("SELECT idx, stat FROM sqlite_stat1").fetchall())


def _table_that_grew_after_analyze(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE attempt (id INTEGER PRIMARY KEY, lesson INT, score REAL)")
        cursor.execute("CREATE INDEX attempt_lesson ON attempt (lesson)")
        cursor.execute("ANALYZE")  # what an import leaves: statistics of an empty table
        cursor.execute("BEGIN")
        cursor.executemany(
            "INSERT INTO attempt (lesson, score) VALUES (%s, %s)",
            [(row % 40, row / 5000) for row in range(5000)],
        )
        cursor.execute("COMMIT")


def test_closing_refreshes_the_statistics_of_a_table_that_grew_and_was_read(tmp_path):
    path = tmp_path / "site.sqlite3"
    connection = _connection(path)
    _table_that_grew_after_analyze(connection)
    connection.close()
    assert "attempt_lesson" not in _statistics(path)  # written, not yet read

    connection = _connection(path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT avg(score) FROM attempt WHERE lesson = %s", [7])
    connection.close()

    rows, per_lesson = map(int, _statistics(path)["attempt_lesson"].split())
    # analysis_limit makes both estimates, close to 5,000 rows and 125 a lesson
    assert 4000 < rows < 6000
    assert 100 < per_lesson < 150


def test_closing_leaves_fresh_statistics_alone(tmp_path):
    path = tmp_path / "site.sqlite3"
    connection = _connection(path)
    _table_that_grew_after_analyze(connection)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("INSERT INTO attempt (lesson, score) VALUES (1, 0.5)")
        cursor.execute("SELECT avg(score) FROM attempt WHERE lesson = %s", [7])
    connection.close()
    assert _statistics(path)["attempt_lesson"] == "5000 125"


def test_a_locked_database_does_not_turn_closing_into_an_error(tmp_path, caplog):
    path = tmp_path / "site.sqlite3"
    connection = _connection(path, OPTIONS={"timeout": 0.05})
    _table_that_grew_after_analyze(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT avg(score) FROM attempt WHERE lesson = %s", [7])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="core.backends.sqlite3.base"):
            connection.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert connection.connection is None
    assert "PRAGMA optimize skipped: database is locked" in caplog.text
    assert "attempt_lesson" not in _statistics(path)


def test_the_site_uses_this_backend_on_sqlite(tmp_path):
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config import settings; print(settings.DATABASES['default']['ENGINE'])",
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    ).stdout.strip()
    assert printed == ENGINE
