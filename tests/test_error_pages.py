"""What a person sees when a request goes wrong on their side: the site's own pages, in its
layout, saying what happened and what to do, never Django's bare defaults."""

from __future__ import annotations

import pytest
from django.test import Client

from courses.importer import import_content
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/login/"
QUIZ = "/courses/black-box/lesson-1/quiz/"


@pytest.fixture
def catalog(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)


def test_a_form_sent_with_a_stale_token_gets_the_sites_page_saying_to_reload(catalog):
    # A lesson left open in one tab while the learner signs in in another: Django rotates the
    # CSRF secret at sign-in, so the first tab's forms carry a token that no longer matches.
    browser = Client(enforce_csrf_checks=True)
    browser.get(SIGN_IN)
    response = browser.post(
        SIGN_IN, {"username": "x", "password": "y", "csrfmiddlewaretoken": "0" * 64}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Skip to content" in html  # the site's layout, not Django's bare page
    assert "This form has expired" in html
    assert "Go back, reload the page" in html  # reloading this page would send it again
    assert "CSRF" not in html  # jargon a learner cannot act on


def test_a_stale_token_on_the_quiz_sent_by_script_gets_a_json_message(catalog):
    learner = Client(enforce_csrf_checks=True)
    learner.force_login(make_user())
    response = learner.post(QUIZ, {"csrfmiddlewaretoken": "0" * 64}, HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "reload the page" in response.json()["error"]


def test_a_bad_request_gets_the_sites_400_page(catalog):
    response = Client().get("/", HTTP_HOST="not-ours.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Skip to content" in html
    assert "Bad Request (400)" not in html  # Django's bare default
    assert "couldn't understand that request" in html
