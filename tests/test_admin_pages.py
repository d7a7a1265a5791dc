"""The admin as staff meet it: its name, readable attempts, model names, no missing icon."""

from __future__ import annotations

import pytest
from django.test import Client

from quizzes.models import Attempt
from tests.factories import make_user
from tests.test_quiz import answers_for, quiz_form, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> Client:
    superuser = make_user("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    client = Client()
    client.force_login(superuser)
    return client


def test_the_admin_is_named_glassbox_and_its_plurals_are_english(root):
    page = root.get("/admin/").content.decode()
    assert "Glassbox administration" in page and "Django administration" not in page
    assert "Tutor indexes" in page and "Tutor indexs" not in page
    assert "<title>" in page and "Glassbox admin" in page


def test_an_attempt_reads_as_a_review_not_json(root, lesson):
    learner = Client()
    form = quiz_form(learner)
    answers = answers_for(lesson)
    single = lesson.questions.current().get(is_multiple=False)
    wrong = single.options.filter(is_correct=False).first()
    answers[f"q{single.pk}"] = [wrong.pk]
    submit(learner, form["token"], answers)
    attempt = Attempt.objects.get()
    page = root.get(f"/admin/quizzes/attempt/{attempt.pk}/change/").content.decode()
    assert "1 / 2</strong> questions right" in page
    assert "What does superposition mean?" in page
    assert "Wrong:" in page and "Right:" in page
    multiple = lesson.questions.current().get(is_multiple=True)
    chosen = 1 + len(answers[f"q{multiple.pk}"])
    assert page.count("<td>Chosen</td>") == chosen
    assert "Right answer" in page
    assert '"prompt_html"' not in page and "&quot;prompt_html&quot;" not in page


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
