"""PostgreSQL with the parameters bound on the server and repeated statements prepared, as the
settings configure it (config/settings.py, docs/deploy.md): the production settings say so, a
connection prepares a search it keeps running, and a long-lived gunicorn worker whose
connection holds prepared statements keeps answering after another process's import rebuilt
the ranking table's indexes and a migration dropped and added back columns it reads (PostgreSQL
plans a prepared statement again when what it reads changes; a stale plan would fail the
request)."""

from __future__ import annotations

import functools
import json
import os
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from courses.importer import import_content
from tests.factories import write_course, write_reading_lesson
from tests.test_production import MANAGE, production_env, request, run, start_gunicorn

pytestmark = pytest.mark.postgresql

PRODUCTION_OPTIONS = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
)


def test_the_production_settings_bind_on_the_server_and_prepare_repeated_statements(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=database_url(connection.settings_dict["NAME"]))
    result = run([*MANAGE, "shell", "-c", PRODUCTION_OPTIONS], env)
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == settings.PG_PREPARE_THRESHOLD > 0


@pytest.mark.django_db
def test_a_search_run_again_and_again_on_one_connection_is_prepared(content_root, client, settings):
    settings.SEARCH_CACHE_RESULTS = False
    write_course(content_root, "circuits", title="Circuits", track="Mechanisms", order=1)
    write_reading_lesson(content_root, "circuits", "01-wiring.md", title="Wiring circuits")
    import_content(content_root)
    assert connection.features.uses_server_side_binding
    for _ in range(settings.PG_PREPARE_THRESHOLD + 1):
        response = client.get("/search/?q=wiring")
        assert response.status_code == 200 and "Wiring circuits" in response.content.decode()
    assert any("search_" in statement for statement in prepared_statements())


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def database_url(name: str) -> str:
    """The URL of database ``name`` on the test run's PostgreSQL server."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{name}"


def admin_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
        dbname="postgres", autocommit=True,
    )  # fmt: skip


@pytest.fixture
def site_database():
    """A database of its own for the site's processes, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_workers_{os.getpid()}"
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_backends(database: str) -> set[int]:
    """The server processes of the connections the site holds to ``database``."""
    with admin_connection() as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        ).fetchall()
    return {row[0] for row in rows}


def ranking_indexes(database: str) -> set[int]:
    """The oids of the indexes of the one-word ranking's table (new ones once rebuilt)."""
    with psycopg.connect(database_url(database)) as conn:
        rows = conn.execute(
            "SELECT indexrelid FROM pg_index WHERE indrelid = 'search_rankedword'::regclass"
        ).fetchall()
    return {row[0] for row in rows}


def answered_again_and_again(port: int, path: str, *texts: str) -> None:
    """``path`` answered with ``texts``, often enough for its statements to be prepared and
    then run prepared."""
    for _ in range(settings.PG_PREPARE_THRESHOLD + 2):
        status, _, body = request(port, "GET", path)
        assert status == 200, (path, status, body[-2000:])
        for text in texts:
            assert text in body.decode(), (path, text)


def test_a_worker_holding_prepared_statements_outlives_an_import_and_a_migration(
    tmp_path, site_database
):
    content = tmp_path / "content"
    write_course(content, "circuits", title="Circuits", track="Mechanisms", order=1)
    write_reading_lesson(content, "circuits", "01-wiring.md", title="Wiring circuits")
    env = production_env(
        tmp_path,
        DATABASE_URL=database_url(site_database),
        CONTENT_DIR=str(content),
        RATE_LIMITS_PER_PROCESS="1",
        SEARCH_CACHE_RESULTS="0",  # every search runs its statements
        TUTOR_SEMANTIC="0",
    )
    env.pop("REDIS_URL")
    for command in (["migrate", "--noinput"], ["import_content"], ["collectstatic", "--noinput"]):
        result = run([*MANAGE, *command], env)
        assert result.returncode == 0, result.stderr
    server, port = start_gunicorn(env, workers=1)
    answers = functools.partial(answered_again_and_again, port)
    try:
        answers("/search/?q=wiring", "Wiring circuits")
        answers("/search/?q=circuits&track=Mechanisms", "Wiring circuits")
        answers("/courses/circuits/wiring/", "Wiring circuits")
        worker_connections = app_backends(site_database)
        indexes = ranking_indexes(site_database)

        # Three new lessons of four: the import drops the ranking table's indexes and builds
        # them again (search.indexing), in its own process.
        for name, title in [("02-probing-heads", "Probing heads"),
                            ("03-wiring-probes", "Wiring probes"),
                            ("04-tracing-wires", "Tracing wires")]:  # fmt: skip
            write_reading_lesson(content, "circuits", f"{name}.md", title=title)
        result = run([*MANAGE, "import_content"], env)
        assert result.returncode == 0, result.stderr
        assert ranking_indexes(site_database).isdisjoint(indexes)
        answers("/search/?q=wiring", "Wiring circuits", "Wiring probes")
        answers("/search/?q=circuits&track=Mechanisms", "Tracing wires")
        answers("/courses/circuits/wiring/", "Wiring circuits")

        # A migration that drops columns the one-word search reads, and adds them back.
        for command in (
            ["migrate", "search", "0011", "--noinput"],
            ["migrate", "search", "--noinput"],
            ["import_content"],
        ):
            result = run([*MANAGE, *command], env)
            assert result.returncode == 0, result.stderr
        answers("/search/?q=wiring", "Wiring circuits", "Wiring probes")
        answers("/search/?q=probing", "Probing heads")
        answers("/courses/circuits/probing-heads/", "Probing heads")
        # The same connection throughout: its statements were prepared before all this.
        assert worker_connections & app_backends(site_database)
    finally:
        server.terminate()
        server.wait(timeout=10)
