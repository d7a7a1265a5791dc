"""The PostgreSQL backend's health check (core/backends/postgresql): no query while the
connection is quiet, and a connection the server has ended is still found out and replaced."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.postgresql


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_quiet_connection_is_usable_without_a_query(monkeypatch):
    backend_pid()  # connected, nothing in flight

    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(type(connection.connection), "cursor", no_query)
    monkeypatch.setattr(type(connection.connection), "execute", no_query)
    assert connection.is_usable()


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_fails_the_check_and_the_next_request_reconnects():
    ended = backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(
        **{k: v for k, v in params.items() if k not in ("cursor_factory", "context")},
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [ended])
    # Wait (up to 10 s, no timing asserted) for the server's goodbye to reach the socket.
    poll = select.poll()
    poll.register(connection.connection.fileno(), select.POLLIN)
    assert poll.poll(10_000)
    assert not connection.is_usable()
    # What Django does as a request begins with CONN_HEALTH_CHECKS on.
    connection.health_check_enabled, connection.health_check_done = True, False
    connection.close_if_health_check_failed()
    assert backend_pid() != ended
