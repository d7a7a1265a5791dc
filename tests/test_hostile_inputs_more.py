"""Input found by fuzzing every route as anonymous, learner, another learner, instructor and staff
(session 16) that was a 500: each is now a 400 or 404, and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from lessons.models import LessonProgress
from tests.factories import make_user, write_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def instructor_client(lesson) -> Client:
    user = make_user("instructor")
    user.groups.add(Group.objects.get(name="Instructors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/courses/black-box/files/%00.png",
        "/courses/black-box/files/images%00/map.png",
        "/courses/black-box/files/images/map.png%00.png",
    ],
)
def test_a_nul_byte_in_an_image_path_is_a_404(client, lesson, content_root, url):
    write_file(content_root / "black-box/images/map.png", b"\x89PNG\r\n\x1a\n")
    assert client.get(url).status_code == 404
    assert client.get("/courses/black-box/files/images/map.png").status_code == 200


@pytest.mark.parametrize("path", ["black-box/%00.md", "black-box/01-lesson-1.md%00.md", "%00"])
def test_a_nul_byte_in_the_preview_path_is_a_404(instructor_client, path):
    assert instructor_client.get(f"/reports/preview/?path={path}").status_code == 404
    page = instructor_client.get("/reports/preview/?path=black-box/01-lesson-1.md")
    assert page.status_code == 200 and "Lesson 1" in page.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/concepts/%00/",
        "/concepts/two%20words/",
        "/concepts/tab%09/",
        "/concepts/" + "a" * 300 + "/",
        "/courses/" + "a" * 300 + "/",
        "/courses/black-box/" + "b" * 300 + "/",
    ],
)
def test_odd_page_addresses_are_a_404_for_anonymous_visitors(client, lesson, url):
    assert client.get(url).status_code == 404


def test_a_file_name_longer_than_the_system_allows_is_a_404(client, instructor_client):
    name = "a" * 300
    assert client.get(f"/courses/black-box/files/{name}.png").status_code == 404
    assert instructor_client.get(f"/reports/preview/?path=black-box/{name}.md").status_code == 404


@pytest.mark.parametrize("field", ["track", "course"])
def test_a_nul_byte_in_a_search_filter_is_a_400(client, lesson, field):
    response = client.get("/search/", {"q": "lesson", field: "Methods\x00"})
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert client.get("/search/", {"q": "lesson", field: "Methods"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/?username=%00",
        "/admin/auth/user/?username__exact=a%00",
        "/admin/courses/lesson/?slug=%00",
        "/admin/axes/accessattempt/?username=%00",
    ],
)
def test_a_nul_byte_in_an_admin_query_string_is_a_400(lesson, url):
    staff = make_user("root")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert client.get(url.replace("%00", "x")).status_code == 200


@pytest.mark.parametrize("ref", ["black-box/lesson-1\x00", "\x00/\x00"])
def test_a_nul_byte_in_a_synced_lesson_name_is_a_400(client, lesson, ref):
    client.force_login(make_user())
    body = json.dumps({"lessons": {ref: {"sections_read": []}}})  # NUL sent as \u0000
    response = client.post("/progress/sync/", body, content_type="application/json")
    assert response.status_code == 400
    assert "a lesson is named 'course/lesson'" in response.json()["error"]
    assert not LessonProgress.objects.exists()
    ok = json.dumps({"lessons": {"black-box/lesson-1": {"sections_read": []}}})
    assert client.post("/progress/sync/", ok, content_type="application/json").status_code == 200
