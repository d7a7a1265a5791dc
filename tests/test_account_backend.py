"""accounts.backends.AccountBackend reads the signed-in user as Django's ModelBackend does."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import AccountBackend
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_the_user_read_matches_djangos_field_for_field():
    user = make_user()
    user.is_staff = True
    user.save()
    ours, django = AccountBackend().get_user(user.pk), ModelBackend().get_user(user.pk)
    assert _fields(ours) == _fields(django)
    assert type(ours.is_staff) is bool and ours.date_joined.tzinfo is not None


def test_the_read_is_one_query():
    user = make_user()
    with CaptureQueriesContext(connection) as queries:
        AccountBackend().get_user(user.pk)
    assert len(queries.captured_queries) == 1


def test_no_user_for_an_unknown_id_or_an_inactive_account():
    user = make_user()
    assert AccountBackend().get_user(user.pk + 1000) is None
    user.is_active = False
    user.save()
    assert AccountBackend().get_user(user.pk) is None is ModelBackend().get_user(user.pk)


def test_signing_in_through_the_form_records_this_backend(client):
    make_user("grace", "a long enough password 1")
    response = client.post(
        "/accounts/login/", {"username": "grace", "password": "a long enough password 1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "accounts.backends.AccountBackend"
