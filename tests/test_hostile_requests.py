"""Anonymous input that used to be a 500 (issue #16, finding 4): each is a 400 with a message."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from courses.importer import import_content
from tests.factories import make_tree, make_user
from tutor.models import TutorQuestion

pytestmark = pytest.mark.django_db
TUTOR = "/courses/black-box/lesson-1/tutor/"


@pytest.fixture
def catalog(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [2_000, 3_900])
def test_deeply_nested_json_to_the_tutor_is_a_400(client, catalog, depth):
    body = '{"question": ' + nested(depth) + "}"
    response = client.post(TUTOR, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


def test_deeply_nested_json_to_sync_is_a_400(client, catalog):
    client.force_login(make_user())
    body = '{"lessons": {"black-box/lesson-1": {"sections_read": ' + nested(30_000) + "}}}"
    response = client.post("/progress/sync/", body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["error"]


def test_a_lone_surrogate_in_a_tutor_question_is_a_400(client, catalog):
    response = client.post(
        TUTOR, '{"question": "what is \\ud800 superposition?"}', content_type="application/json"
    )
    assert response.status_code == 400 and "lone surrogate" in response.json()["error"]
    assert not TutorQuestion.objects.exists()


def test_a_lone_surrogate_in_synced_progress_is_a_400(client, catalog):
    client.force_login(make_user())
    body = json.dumps({"lessons": {"black-box/lesson-1": {"sections_read": ["\ud800"]}}})
    response = client.post("/progress/sync/", body, content_type="application/json")
    assert response.status_code == 400 and "lone surrogate" in response.json()["error"]


@pytest.mark.parametrize("charset", ["utf-16", "cp1026", "utf-32"])
@pytest.mark.parametrize("path", ["/accounts/login/", TUTOR, "/accounts/signup/"])
def test_a_form_in_another_charset_is_a_400(catalog, charset, path):
    response = Client().generic(
        "POST",
        path,
        b"username=ada&password=x\xff",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert f"Forms must be sent as UTF-8 (this one declared charset={charset})" in (
        response.content.decode()
    )


def test_a_utf8_form_still_works(client, catalog):
    response = client.post(
        TUTOR,
        b"question=What+is+superposition%3F",
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200
