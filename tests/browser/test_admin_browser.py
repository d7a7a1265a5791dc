"""Staff in Django's admin: every kind of admin page passes the learner pages' accessibility bar."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_page(site, clean_page):
    boss = make_user("boss", PASSWORD)
    boss.is_staff = boss.is_superuser = True
    boss.save()
    page = clean_page
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_admin_pages_have_no_accessibility_violations(site, admin_page, scheme):
    from django.contrib.auth.models import Group, User

    from courses.models import Lesson

    group = Group.objects.create(name="Reviewers")
    lesson = Lesson.objects.order_by("pk").first()
    boss = User.objects.get(username="boss")
    page = admin_page
    page.emulate_media(color_scheme=scheme)
    found = {}
    for path in (
        "/admin/",
        "/admin/courses/",  # an app's index: breadcrumbs in running text
        "/admin/courses/lesson/",
        f"/admin/courses/lesson/{lesson.pk}/change/",
        f"/admin/auth/user/{boss.pk}/change/",  # dates and times, groups and permissions
        f"/admin/auth/group/{group.pk}/change/",
        "/admin/auth/group/add/",
    ):
        page.goto(f"{site}{path}")
        page.wait_for_load_state("load")
        violations = axe_violations(page, preload_css=False)
        if violations:
            found[path] = violations
    assert found == {}
