"""The settings' readers of the environment (config/settings.py): a value that is not what the
setting takes stops the site at start with `ImproperlyConfigured`, naming the variable, the
value and what it expects, never a bare `ValueError` naming nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_number


def test_a_number_is_read_as_the_type_of_its_default(monkeypatch) -> None:
    monkeypatch.setenv("GLASSBOX_TEST_NUMBER", " 12 ")
    assert env_number("GLASSBOX_TEST_NUMBER", 5) == 12
    assert type(env_number("GLASSBOX_TEST_NUMBER", 5)) is int
    assert env_number("GLASSBOX_TEST_NUMBER", 0.7) == 12.0
    monkeypatch.setenv("GLASSBOX_TEST_NUMBER", "0.25")
    assert env_number("GLASSBOX_TEST_NUMBER", 0.7) == 0.25
    for unset in ("", "  "):
        monkeypatch.setenv("GLASSBOX_TEST_NUMBER", unset)
        assert env_number("GLASSBOX_TEST_NUMBER", 5) == 5
    monkeypatch.delenv("GLASSBOX_TEST_NUMBER")
    assert env_number("GLASSBOX_TEST_NUMBER", 0.7) == 0.7


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("five", 5, "a whole number"),
        ("2.5", 5, "a whole number"),
        ("0,7", 0.7, "a number"),
        ("nan", 0.7, "a number"),
        ("inf", 5.0, "a number"),
    ],
)
def test_a_bad_number_names_the_variable_the_value_and_what_it_takes(
    monkeypatch, value: str, default: float, expected: str
) -> None:
    monkeypatch.setenv("GLASSBOX_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_number("GLASSBOX_TEST_NUMBER", default)
    message = str(raised.value)
    assert message.startswith(f"GLASSBOX_TEST_NUMBER must be {expected}")
    assert repr(value) in message and f"default {default}" in message


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`manage.py check` in a fresh interpreter with exactly ``env``: settings read at start."""
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "check"],
        env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_typo_in_a_numeric_setting_stops_the_site_with_that_message(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PG_PREPARE_THRESHOLD": "five",
    }
    result = _check(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: PG_PREPARE_THRESHOLD must be a whole number" in result.stderr
    assert "'five'" in result.stderr and "ValueError" not in result.stderr
    env["PG_PREPARE_THRESHOLD"] = "off"  # the one word it takes besides a number
    result = _check(env)
    assert result.returncode == 0, result.stderr
