"""Every URL pattern, visited as an anonymous visitor, a learner, an instructor and staff.

The table below must name every route the site has: a new URL without an expectation fails
the test, so nobody adds a page without deciding who may see it.
"""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from courses.importer import import_content
from quizzes.models import Attempt
from tests.factories import make_tree, make_user, write_file

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "learner", "instructor", "staff")
ALL_OK = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": 302, "learner": 200, "instructor": 200, "staff": 200}
REPORTS = {"anonymous": 302, "learner": 403, "instructor": 200, "staff": 200}

# name -> (method, url, {role: status})
EXPECTATIONS = {
    "health": ("get", "/healthz/", ALL_OK),
    "lessons:catalog": ("get", "/", ALL_OK),
    "lessons:course": ("get", "/courses/black-box/", ALL_OK),
    "lessons:detail": ("get", "/courses/black-box/lesson-1/", ALL_OK),
    "lessons:asset": ("get", "/courses/black-box/files/images/map.png", ALL_OK),
    "lessons:concept": ("get", "/concepts/superposition/", ALL_OK),
    "search:results": ("get", "/search/?q=superposition", ALL_OK),
    "lessons:my_learning": ("get", "/learning/", SIGNED_IN),
    "lessons:sync": ("post-json", "/progress/sync/", {**SIGNED_IN, "anonymous": 403}),
    # Opened as a page, the quiz's and the tutor's form addresses lead to the lesson.
    "quizzes:submit": ("get", "/courses/black-box/lesson-1/quiz/", dict.fromkeys(ROLES, 302)),
    # Someone else's attempt: nobody but its owner sees it here.
    "quizzes:attempt": ("get", "{attempt}", dict.fromkeys(ROLES, 404)),
    "tutor:ask": ("get", "/courses/black-box/lesson-1/tutor/", dict.fromkeys(ROLES, 302)),
    "reports:index": ("get", "/reports/", REPORTS),
    "reports:preview": ("get", "/reports/preview/", REPORTS),
    "reports:import": ("get", "/reports/import/", {**REPORTS, "instructor": 403}),
    "reports:course": ("get", "/reports/black-box/", REPORTS),
    "reports:lesson": ("get", "/reports/black-box/lesson-1/", REPORTS),
    "reports:attempts": ("get", "/reports/black-box/lesson-1/attempts/", REPORTS),
    "reports:gaps": ("get", "/reports/black-box/lesson-1/tutor-gaps.csv", REPORTS),
    "accounts:login": ("get", "/accounts/login/", {**dict.fromkeys(ROLES, 302), "anonymous": 200}),
    "accounts:signup": (
        "get",
        "/accounts/signup/",
        {**dict.fromkeys(ROLES, 302), "anonymous": 200},
    ),
    # Opened as a page it offers the sign-out button (nobody is signed out by a GET).
    "accounts:logout": ("get", "/accounts/logout/", SIGNED_IN),
    "accounts:account": ("get", "/accounts/", SIGNED_IN),
    "accounts:data": ("get", "/accounts/data/", SIGNED_IN),
    "accounts:delete": ("get", "/accounts/delete/", SIGNED_IN),
    "accounts:password_change": ("get", "/accounts/password_change/", SIGNED_IN),
    "accounts:password_change_done": ("get", "/accounts/password_change/done/", SIGNED_IN),
    "accounts:password_reset": ("get", "/accounts/password_reset/", ALL_OK),
    "accounts:password_reset_done": ("get", "/accounts/password_reset/done/", ALL_OK),
    "accounts:password_reset_confirm": ("get", "/accounts/reset/MQ/bad-token/", ALL_OK),
    "accounts:password_reset_complete": ("get", "/accounts/reset/done/", ALL_OK),
}


def route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # checked separately below
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.fixture
def clients(content_root) -> dict[str, Client]:
    make_tree(content_root, lessons=1)
    write_file(content_root / "black-box/images/map.png", b"\x89PNG\r\n\x1a\n")
    import_content(content_root)
    owner = make_user("owner")
    learner, instructor, staff = make_user("learner"), make_user("instructor"), make_user("staff")
    instructor.groups.add(Group.objects.get(name="Instructors"))
    staff.is_staff = True
    staff.save()
    result = {"anonymous": Client()}
    for role, user in (("learner", learner), ("instructor", instructor), ("staff", staff)):
        result[role] = Client()
        result[role].force_login(user)
    owner_client = Client()
    owner_client.force_login(owner)
    html = owner_client.get("/courses/black-box/lesson-1/").content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    owner_client.post(
        "/courses/black-box/lesson-1/quiz/", {"token": token, "submit_incomplete": "1"}
    )
    return result


def test_every_route_has_an_expectation():
    assert route_names(get_resolver()) == set(EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_each_role_sees_only_what_it_may(clients, name):
    method, url, expected = EXPECTATIONS[name]
    url = url.format(attempt=Attempt.objects.get().get_absolute_url())
    for role in ROLES:
        client = clients[role]
        if method == "get":
            response = client.get(url)
        elif method == "post":
            response = client.post(url)
        else:
            response = client.post(url, json.dumps({}), content_type="application/json")
        assert response.status_code == expected[role], f"{name} as {role}: {response.status_code}"


OUR_MODELS = {
    "courses.Course", "courses.Lesson", "courses.Section", "lessons.LessonProgress",
    "courses.Question", "courses.Option", "quizzes.Attempt",
    "tutor.TutorQuestion", "tutor.TutorIndex",
}  # fmt: skip


def test_admin_is_for_staff_only_and_shows_every_model_read_only(clients):
    registered = {model._meta.label: model for model in admin.site._registry}
    assert OUR_MODELS <= set(registered)
    superuser = make_user("root")
    superuser.is_staff = superuser.is_superuser = True
    superuser.save()
    root = Client()
    root.force_login(superuser)
    for label in sorted(OUR_MODELS):
        model = registered[label]
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for role in ("anonymous", "learner", "instructor"):
            assert clients[role].get(url).status_code == 302, (url, role)
        assert root.get(url).status_code == 200, label
        first = model.objects.first()
        if first is not None:
            assert root.get(f"{url}{first.pk}/change/").status_code == 200, label
            assert root.post(f"{url}{first.pk}/change/", {}).status_code == 403, label
        assert root.get(f"{url}add/").status_code == 403, label
    assert "owner" in root.get("/admin/quizzes/attempt/?result=failed").content.decode()
    lesson = registered["courses.Lesson"].objects.get()
    page = root.get(f"/admin/courses/lesson/{lesson.pk}/change/").content.decode()
    assert "edit the file named in “Source path”" in page and lesson.source_path in page
