"""The lesson page's CSRF token is Django's: a secret set as the cookie, a token that varies from
one response to the next, and the middleware's check on every POST."""

from __future__ import annotations

import re

import pytest
from django.middleware.csrf import (
    CSRF_SECRET_LENGTH,
    _check_token_format,
    _unmask_cipher_token,
    get_token,
)
from django.test import Client, RequestFactory

from courses.importer import import_content
from tests.factories import make_tree

URL = "/courses/black-box/lesson-1/"
TUTOR = f"{URL}tutor/"


def test_without_a_cookie_a_new_secret_is_set_as_django_sets_it():
    request = RequestFactory().get("/")
    token = get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    _check_token_format(secret)
    _check_token_format(token)
    assert len(secret) == CSRF_SECRET_LENGTH and len(token) == 2 * CSRF_SECRET_LENGTH
    assert _unmask_cipher_token(token) == secret


def test_with_a_cookie_the_secret_stays_and_every_token_is_masked_afresh():
    request = RequestFactory().get("/")
    secret = "a" * CSRF_SECRET_LENGTH
    request.META["CSRF_COOKIE"] = secret
    tokens = {get_token(request) for _ in range(50)}
    assert len(tokens) == 50  # against BREACH: no two responses carry the same token
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert request.META["CSRF_COOKIE"] == secret and request.META["CSRF_COOKIE_NEEDS_UPDATE"]


@pytest.fixture
def lesson(content_root, db):
    make_tree(content_root, lessons=2)
    import_content(content_root)


def _page(browser: Client) -> str:
    html = browser.get(URL).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def _ask(browser: Client, token: str | None):
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return browser.post(
        TUTOR, {"question": "What is a feature?"}, content_type="application/json", **headers
    )


def test_each_visitor_gets_their_own_secret_and_a_post_needs_it(lesson):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_token, bob_token = _page(alice), _page(bob)
    alice_secret, bob_secret = alice.cookies["csrftoken"].value, bob.cookies["csrftoken"].value
    assert alice_secret != bob_secret
    assert _unmask_cipher_token(alice_token) == alice_secret
    assert _ask(alice, None).status_code == 403  # no token
    assert _ask(alice, bob_token).status_code == 403  # another visitor's token
    assert _ask(alice, alice_token).status_code == 200
    # The next page keeps the cookie's secret and masks it afresh.
    again = _page(alice)
    assert again != alice_token and _unmask_cipher_token(again) == alice_secret
    assert alice.cookies["csrftoken"].value == alice_secret
