"""accounts 0001: sessions signed in through Django's ModelBackend stay signed in once
AccountBackend replaces it (and go back when the migration is reversed)."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import make_user

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.AccountBackend"


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _session_signed_in_through(backend: str, user) -> str:
    store = SessionStore()
    store.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    store.create()
    return store.session_key


@pytest.mark.django_db(transaction=True)
def test_a_session_from_before_stays_signed_in(client):
    user = make_user()
    migrate([("accounts", None)])
    try:
        key = _session_signed_in_through(OLD, user)
        unrelated = SessionStore()
        unrelated.update({"cart": "kept"})
        unrelated.create()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert SessionStore(key).load()[BACKEND_SESSION_KEY] == NEW
    assert SessionStore(unrelated.session_key).load() == {"cart": "kept"}
    client.cookies["sessionid"] = key
    assert client.get("/").wsgi_request.user == user

    migrate([("accounts", None)])
    try:
        assert SessionStore(key).load()[BACKEND_SESSION_KEY] == OLD
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_session_naming_a_backend_no_longer_listed_is_signed_out(client):
    user = make_user()
    client.cookies["sessionid"] = _session_signed_in_through(OLD, user)
    assert not client.get("/").wsgi_request.user.is_authenticated
