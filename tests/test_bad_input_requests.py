"""Bad input found by sending NUL characters, over-long and malformed values to every endpoint
on PostgreSQL and SQLite (session 20): each was a 500, and is now refused with a 4xx and a
message, or ignored as Django ignores the same mistake, and changes nothing."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client

from lessons.models import LessonProgress
from quizzes.models import Attempt
from tests.factories import make_user
from tutor.models import TutorQuestion

pytestmark = pytest.mark.django_db
LESSON = "/courses/black-box/lesson-1/"
TUTOR = f"{LESSON}tutor/"
QUESTION = json.dumps({"question": "what is a lesson?"})

# A cookie value may spell a NUL as an octal escape inside quotes, which Django decodes.
NUL_SESSION = 'sessionid="abcdefgh\\000ij"'


@pytest.mark.parametrize("path", ["/", LESSON, "/search/?q=lesson", "/accounts/login/"])
def test_a_session_cookie_holding_a_nul_is_no_session(lesson, path):
    """Django ignores a session cookie no session can have (a short one); one holding a NUL
    is ignored the same way, rather than looked up (PostgreSQL refuses a NUL in a query)."""
    response = Client(HTTP_COOKIE=NUL_SESSION).get(path)
    assert response.status_code == 200


def test_the_tutor_answers_a_visitor_whose_session_cookie_holds_a_nul(lesson):
    client = Client(HTTP_COOKIE=NUL_SESSION)
    response = client.post(TUTOR, QUESTION, content_type="application/json")
    assert response.status_code == 200 and "answer" in response.json()


def test_a_signed_in_learner_keeps_their_session_beside_an_odd_cookie(lesson):
    client = Client()
    client.force_login(make_user())
    assert client.get("/accounts/").status_code == 200  # a real session key still works


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_USER_AGENT": "Mozilla\x00"},
        {"HTTP_ACCEPT": "text/html\x00"},
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9\x00"},
        {"HTTP_REFERER": "http://testserver/\x00"},
    ],
)
def test_a_header_holding_a_nul_is_a_400(lesson, header):
    """gunicorn refuses such a request before Django sees it; the development server and
    other WSGI servers do not, and django-axes stores the User-Agent and Accept headers of a
    sign-in (PostgreSQL refuses a NUL in text)."""
    make_user()
    client = Client(**header)
    response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 400
    assert "holds a NUL character" in response.content.decode()
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()
    assert Client().get("/").status_code == 200


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", " "])
def test_a_content_length_that_is_not_a_number_is_a_400(lesson, length):
    """gunicorn refuses it too; the views that check a body's declared size read it as a
    number."""
    client = Client()
    client.force_login(make_user())
    for path, body, content_type in [
        (TUTOR, QUESTION, "application/json"),
        ("/progress/sync/", "{}", "application/json"),
        (f"{LESSON}quiz/", "token=x", "application/x-www-form-urlencoded"),
    ]:
        response = client.post(path, body, content_type=content_type, CONTENT_LENGTH=length)
        assert response.status_code == 400, path
        assert "Content-Length" in response.content.decode()
    assert not TutorQuestion.objects.exists() and not LessonProgress.objects.exists()
    assert not Attempt.objects.exists()


SIGN_UP = {
    "username": "newcomer",
    "email": "newcomer@example.org",
    "password1": "a long pass phrase 42",
    "password2": "a long pass phrase 42",
}


@pytest.mark.parametrize("next_url", ["word", "my_learning", "/learning/\x00", "\x00"])
def test_sign_up_with_a_next_that_is_no_address_goes_to_my_learning(client, lesson, next_url):
    """`next` is only followed when it is an address on this site, as Django's sign-in does;
    a bare word is not looked up as a view name, and a NUL never reaches a header."""
    response = client.post("/accounts/signup/", SIGN_UP | {"next": next_url})
    assert response.status_code == 302 and response["Location"] == "/learning/"
    assert get_user_model().objects.filter(username="newcomer").exists()


def test_sign_up_still_follows_a_next_on_this_site(client, lesson):
    response = client.post("/accounts/signup/", SIGN_UP | {"next": LESSON})
    assert response.status_code == 302 and response["Location"] == LESSON


@pytest.mark.parametrize("selected", ["nul\x00here", "abc", "1.5"])
def test_an_admin_action_on_ids_that_are_no_ids_is_a_400(lesson, selected):
    """Django's admin filters by the ids a list action names without checking them: one that
    is no id of the model is a ValueError (and a NUL a PostgreSQL error), a 500."""
    staff = make_user("root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    learner = make_user()
    client = Client()
    client.force_login(staff)
    data = {"action": "delete_selected", "_selected_action": [str(learner.pk), selected]}
    response = client.post("/admin/auth/user/", data)
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert get_user_model().objects.filter(pk=learner.pk).exists()
    ok = client.post("/admin/auth/user/", {**data, "_selected_action": [str(learner.pk)]})
    assert ok.status_code == 200 and "Are you sure" in ok.content.decode()
