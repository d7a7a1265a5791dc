"""A staff user opens the reports; they pass the same accessibility bar as learner pages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, axe_violations
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_page(site, clean_page):
    user = make_user("editor")
    user.is_staff = True
    user.save()
    page = clean_page
    page.goto(f"{site}/courses/inside-the-black-box/superposition/")
    for question in page.locator(".quiz-question").all():
        question.locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
    page.get_by_label("Your question").fill("What is the capital of Peru?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_selector(".tutor-message--tutor.is-declined")
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/learning/")
    page.wait_for_load_state("networkidle")  # the sign-in sync of this browser's progress
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_staff_opens_the_reports(site, staff_page, scheme):
    page = staff_page
    page.emulate_media(color_scheme=scheme)
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{site}/reports/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Inside the Black Box").click()
    page.wait_for_url(f"{site}/reports/inside-the-black-box/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Superposition and Polysemantic Neurons").click()
    page.wait_for_url(f"{site}/reports/inside-the-black-box/superposition/")
    page.wait_for_selector("svg.histogram")
    assert (
        "What is the capital of Peru?" in page.locator("#gaps-title + p + .table-wrap").inner_text()
    )
    assert axe_violations(page) == []
    if scheme == "light":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (375, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"report-{width}.png"))
    page.get_by_role("link", name="Every attempt, by learner").click()
    page.wait_for_url("**/attempts/")
    assert axe_violations(page) == []
