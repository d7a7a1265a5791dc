"""Every account and content command, run as a user runs it, fails with one line of advice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def run(*args: str, database: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GLASSBOX_INSTRUCTOR_PASSWORD", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(DATABASE_URL=f"sqlite:///{database}", **(env or {}))
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def assert_one_line_failure(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    database = tmp_path_factory.mktemp("db") / "db.sqlite3"
    result = run("migrate", "--noinput", "-v0", database=database)
    assert result.returncode == 0, result.stderr
    return database


def test_create_instructor_without_a_terminal_says_how_to_give_a_password(migrated):
    result = run("create_instructor", "prof", database=migrated)
    assert_one_line_failure(result, "No terminal", "GLASSBOX_INSTRUCTOR_PASSWORD")


def test_create_instructor_reads_the_password_from_the_environment(migrated):
    secret = {"GLASSBOX_INSTRUCTOR_PASSWORD": "a long enough passphrase 42"}
    result = run("create_instructor", "prof2", database=migrated, env=secret)
    assert result.returncode == 0, result.stderr
    assert "Created instructor 'prof2'" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("create_instructor", "prof", "--no-input"),
        ("ask", "black-box/lesson-1", "what is a probe?"),
        ("import_content", "content"),
    ],
)
def test_commands_on_a_database_that_was_never_migrated(tmp_path, args):
    result = run(*args, database=tmp_path / "empty.sqlite3")
    assert_one_line_failure(result, "make migrate")
