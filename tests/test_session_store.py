"""core.sessions: the database session store whose read is one prepared statement.

Each test drives the store against the real database and sets it beside Django's own
database store, so the two must agree on what a session key loads to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.sessions import SessionStore
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _saved_session(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


def test_a_saved_session_loads_as_django_loads_it():
    key = _saved_session({"answer": 42, "words": ["a", "b"]})
    ours, django = SessionStore(key), DjangoStore(key)
    assert ours.load() == django.load() == {"answer": 42, "words": ["a", "b"]}
    assert ours.session_key == key


def test_the_read_is_one_query():
    key = _saved_session({"x": 1})
    with CaptureQueriesContext(connection) as queries:
        SessionStore(key).load()
    assert len(queries.captured_queries) == 1


def test_an_expired_session_loads_empty_and_forgets_its_key():
    key = _saved_session({"x": 1})
    past = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=key).update(expire_date=past)
    store = SessionStore(key)
    assert store.load() == {} == DjangoStore(key).load()
    assert store.session_key is None  # so the next save makes a new key, never reuses this one


@pytest.mark.parametrize("key", ["nonexistent-key-1234", "' OR 1=1 --", "x" * 40])
def test_an_unknown_or_hostile_key_loads_empty(key):
    _saved_session({"x": 1})
    store = SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None


def test_a_tampered_session_loads_empty():
    key = _saved_session({"x": 1})
    Session.objects.filter(session_key=key).update(session_data="not-a-signed-value")
    assert SessionStore(key).load() == {} == DjangoStore(key).load()


def test_signing_in_and_out_through_the_site(client):
    user = make_user()
    client.force_login(user)
    assert client.get("/").wsgi_request.user == user
    client.post("/accounts/logout/")
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_the_site_uses_this_store_without_redis(settings):
    assert settings.SESSION_ENGINE == "core.sessions"


def _stored_data(key: str) -> str:
    return Session.objects.get(session_key=key).session_data


def test_each_load_gets_its_own_dictionary_though_the_signature_check_is_remembered():
    key = _saved_session({"words": ["a", "b"]})
    first = SessionStore(key).load()
    first["words"].append("c")
    assert SessionStore(key).load() == {"words": ["a", "b"]}


def test_tampered_data_loads_empty_every_time(caplog):
    key = _saved_session({"_auth_user_id": "1"})
    data = _stored_data(key)
    payload, signature = data.rsplit(":", 1)
    forged = f"{payload}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert SessionStore(key).decode(data) == {"_auth_user_id": "1"}
    for _ in range(2):
        assert SessionStore(key).decode(forged) == DjangoStore(key).decode(forged) == {}
    assert "Session data corrupted" in caplog.text


def test_a_new_secret_key_checks_remembered_data_again(settings):
    key = _saved_session({"_auth_user_id": "1"})
    data = _stored_data(key)
    assert SessionStore(key).decode(data) == {"_auth_user_id": "1"}
    old = settings.SECRET_KEY
    settings.SECRET_KEY = old + "-rotated"
    assert SessionStore(key).decode(data) == {}
    settings.SECRET_KEY_FALLBACKS = [old]
    assert SessionStore(key).decode(data) == {"_auth_user_id": "1"}
