"""Attempts made after the learner has seen the quiz's answers (issue #16, finding 11): marked,
carried through signing up and through claiming anonymous attempts, and left out of the
reports' "first attempt"."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from courses.models import Lesson
from quizzes.models import Attempt
from quizzes.services import receipt_for
from reports.queries import counted_attempts
from tests.factories import make_user
from tests.test_quiz import answers_for, quiz_form, submit

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def take(browser: Client, lesson: Lesson, *, right: bool) -> Attempt:
    response = submit(browser, quiz_form(browser)["token"], answers_for(lesson, right=right))
    assert response.status_code == 303
    return Attempt.objects.order_by("-pk").first()


def test_a_first_account_attempt_after_an_anonymous_review_is_marked(lesson):
    browser = Client()
    anonymous = take(browser, lesson, right=False)
    assert browser.get(anonymous.get_absolute_url()).status_code == 200  # the answers, shown
    signed_up = browser.post(
        "/accounts/signup/",
        {"username": "ada", "email": "ada@example.org", "password1": PASSWORD,
         "password2": PASSWORD},
    )  # fmt: skip
    assert signed_up.status_code == 302
    perfect = take(browser, lesson, right=True)
    assert perfect.learner.username == "ada" and perfect.score == perfect.total
    assert perfect.after_answers_seen and not anonymous.after_answers_seen
    assert not Attempt.objects.filter(learner=perfect.learner).before_answers_seen().exists()
    # The report's "first attempt" leaves it out; best and last still count it.
    assert perfect not in counted_attempts([lesson], "first")
    assert perfect in counted_attempts([lesson], "best")
    assert perfect in counted_attempts([lesson], "last")


def test_a_signed_in_retake_is_marked_even_from_another_device(lesson):
    user = make_user()
    laptop, phone = Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    first = take(laptop, lesson, right=False)
    again = take(phone, lesson, right=True)
    assert not first.after_answers_seen and again.after_answers_seen
    assert list(counted_attempts([lesson], "first")) == [first]


def test_claiming_an_earlier_anonymous_attempt_marks_the_later_ones(lesson):
    anonymous_browser = Client()
    earlier = take(anonymous_browser, lesson, right=False)
    user = make_user()
    account = Client()
    account.force_login(user)
    later = take(account, lesson, right=True)  # on another device: this session saw nothing
    assert not later.after_answers_seen
    response = account.post(
        "/progress/sync/",
        json.dumps({"attempts": [receipt_for(earlier)]}),
        content_type="application/json",
    )
    assert response.status_code == 200
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert earlier.learner == user and not earlier.after_answers_seen
    assert later.after_answers_seen
    assert list(counted_attempts([lesson], "first")) == [earlier]


def test_an_anonymous_retake_in_the_same_browser_is_marked(lesson):
    browser = Client()
    first = take(browser, lesson, right=False)
    second = take(browser, lesson, right=True)
    assert not first.after_answers_seen and second.after_answers_seen
    assert list(counted_attempts([lesson], "first")) == [first]
    assert second in counted_attempts([lesson], "last")
