"""Accounts: sign-up, sign-in throttling, password flows, data export and deletion."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from courses.importer import import_content
from lessons.models import LessonProgress
from quizzes.models import Attempt
from tests.factories import make_tree, make_user
from tutor.models import TutorQuestion

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_sign_up_signs_in_and_goes_to_my_learning(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "grace",
            "email": "grace@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/learning/"
    assert client.get("/learning/").context["user"].username == "grace"


def test_sign_up_enforces_the_password_validators(client):
    response = client.post(
        "/accounts/signup/",
        {"username": "grace", "email": "grace@example.org", "password1": "123", "password2": "123"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This password is too short" in html and "entirely numeric" in html
    assert not get_user_model().objects.exists()


def test_sign_up_goes_back_to_a_safe_next_page_only(client):
    data = {
        "username": "a1",
        "email": "a@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/", {**data, "next": "/courses/"})
    assert response["Location"] == "/courses/"
    evil = Client().post(
        "/accounts/signup/", {**data, "username": "a2", "next": "https://evil.example/"}
    )
    assert evil["Location"] == "/learning/"


def test_sign_in_changes_the_session_key(client):
    make_user("ada")
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    assert sign_in(client, "ada", PASSWORD).status_code == 302
    assert client.session.session_key != before


def test_failed_sign_in_does_not_reveal_whether_the_account_exists(client):
    make_user("ada")
    wrong_password = sign_in(client, "ada", "nope").content.decode()
    no_account = sign_in(Client(), "nobody", "nope", address="10.0.0.2").content.decode()
    message = "Please enter a correct username and password"
    assert message in wrong_password and message in no_account


def test_sign_in_is_throttled_per_account(client):
    make_user("ada")
    for attempt in range(5):
        sign_in(Client(), "ada", "wrong", address=f"10.0.1.{attempt}")
    blocked = sign_in(client, "ada", PASSWORD, address="10.0.2.1")
    assert blocked.status_code == 429
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    # The same limit applies to a name with no account, so the message reveals nothing.
    for attempt in range(5):
        sign_in(Client(), "ghost", "wrong", address=f"10.0.3.{attempt}")
    assert (
        "Too many failed sign-in attempts"
        in sign_in(Client(), "ghost", "x", address="10.0.4.1").content.decode()
    )


def test_sign_in_is_throttled_per_address(client):
    make_user("ada")
    for attempt in range(20):
        sign_in(Client(), f"user{attempt}", "wrong", address="10.9.9.9")
    blocked = sign_in(client, "ada", PASSWORD, address="10.9.9.9")
    assert "Too many failed sign-in attempts" in blocked.content.decode()
    assert sign_in(Client(), "ada", PASSWORD, address="10.9.9.10").status_code == 302


def test_sign_out_is_a_post(client):
    client.force_login(make_user("ada"))
    # Opened as a page (typed, bookmarked) it signs no one out: it offers the button that does,
    # where it gave an empty "405" page.
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form [^>]*method="post" action="/accounts/logout/"[^>]*data-sign-out', html)
    assert "Signed in as <strong>ada</strong>" in html
    assert client.get("/learning/").status_code == 200  # still signed in
    assert client.post("/accounts/logout/").status_code == 302
    # Signed out already: nothing to offer, so to the catalog.
    assert client.get("/accounts/logout/")["Location"] == "/"
    assert client.get("/learning/").status_code == 302  # signed out: sent to sign in


def test_signing_out_says_so_once(client):
    client.force_login(make_user())
    page = client.post("/accounts/logout/", follow=True)
    assert page.status_code == 200
    assert "You have signed out." in page.content.decode()
    assert "You have signed out." not in client.get("/").content.decode()


def test_password_change(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another long passphrase 7",
            "new_password2": "another long passphrase 7",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another long passphrase 7")


def test_password_reset_mail_and_link(client):
    make_user("ada")
    response = client.post("/accounts/password_reset/", {"email": "ada@example.org"})
    assert response.status_code == 302
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    assert unknown["Location"] == response["Location"]  # same answer either way
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase 9", "new_password2": "a brand new passphrase 9"},
    )
    assert done.status_code == 302
    assert get_user_model().objects.get(username="ada").check_password("a brand new passphrase 9")


USERNAME_FIELD = re.compile(
    r'<input type="text" autocomplete="username" value="([^"]*)"[^>]*hidden'
)


@pytest.mark.parametrize("path", ["/accounts/password_change/", "/accounts/delete/"])
def test_password_forms_of_a_signed_in_learner_name_the_account(client, path):
    """A form with only password fields leaves a password manager guessing whose password it
    is (Chromium warns on such forms): each names the account in a hidden username field,
    which the form does not send."""
    client.force_login(make_user("ada"))
    html = client.get(path).content.decode()
    assert USERNAME_FIELD.findall(html) == ["ada"]
    assert 'name="username"' not in html


def test_the_new_password_form_of_a_reset_names_the_account(client):
    make_user("ada")
    client.post("/accounts/password_reset/", {"email": "ada@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    html = client.get(link, follow=True).content.decode()
    assert USERNAME_FIELD.findall(html) == ["ada"]


@pytest.fixture
def active_learner(client, content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    user = make_user()
    client.force_login(user)
    client.post(
        "/progress/sync/",
        json.dumps(
            {
                "lessons": {
                    "black-box/lesson-1": {
                        "sections_read": ["grown-not-built"],
                        "started_at": "2026-01-01T00:00:00Z",  # long enough ago to have read it
                    }
                }
            }
        ),
        content_type="application/json",
    )
    html = client.get("/courses/black-box/lesson-1/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    client.post("/courses/black-box/lesson-1/quiz/", {"token": token, "submit_incomplete": "1"})
    client.post(
        "/courses/black-box/lesson-1/tutor/",
        json.dumps({"question": "what grows a model?"}),
        content_type="application/json",
    )
    return user


def test_learner_downloads_everything_held_about_them(client, active_learner):
    response = client.get("/accounts/data/")
    assert response["Content-Disposition"] == 'attachment; filename="glassbox-my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["username"] == "ada"
    assert data["progress"]["black-box/lesson-1"]["sections_read"] == ["grown-not-built"]
    assert data["quiz_attempts"][0]["score"] == 0 and data["quiz_attempts"][0]["total"] == 2
    assert data["tutor_questions"][0]["question"] == "what grows a model?"
    other = Client()
    other.force_login(make_user("other"))
    assert json.loads(other.get("/accounts/data/").content)["quiz_attempts"] == []


def test_deleting_the_account_removes_progress_attempts_and_questions(client, active_learner):
    wrong = client.post("/accounts/delete/", {"password": "nope"})
    assert "That password is not right." in wrong.content.decode()
    assert get_user_model().objects.filter(pk=active_learner.pk).exists()
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=active_learner.pk).exists()
    assert LessonProgress.objects.count() == 0
    assert Attempt.objects.count() == 0
    assert TutorQuestion.objects.count() == 0


@pytest.mark.parametrize(
    "url", ["/learning/", "/accounts/", "/accounts/data/", "/accounts/delete/"]
)
def test_learner_pages_require_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"]
)
def test_account_form_labels_read_like_the_rest_of_the_site(client, path):
    # The site's own labels ("Your question", "Search lessons") carry no trailing colon;
    # Django's default label suffix would give these forms one.
    labels = re.findall(r'<label for="id_\w+">([^<]*)</label>', client.get(path).content.decode())
    assert labels and all(label and not label.endswith(":") for label in labels), labels
