"""axe-core at WCAG 2.1 AA on every main page, in light and dark; screenshots at 375 and 1440."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, axe_violations, fill_sign_up

LESSON = "/courses/inside-the-black-box/superposition/"


def sign_up(page, site: str) -> None:
    page.goto(f"{site}/accounts/signup/")
    fill_sign_up(page, "auditor")
    page.wait_for_url(f"{site}/learning/")


def submit_quiz(page) -> None:
    for question in page.locator(".quiz-question").all():
        question.locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")


PAGES = {
    "catalog": lambda page, site: page.goto(f"{site}/"),
    "course": lambda page, site: page.goto(f"{site}/courses/inside-the-black-box/"),
    "lesson": lambda page, site: page.goto(f"{site}{LESSON}"),
    "sign-in": lambda page, site: page.goto(f"{site}/accounts/login/"),
    "search": lambda page, site: page.goto(f"{site}/search/?q=feature+direction"),
    # A query past the 200 characters searched, in one track: the note and the clear link.
    "search-filtered": lambda page, site: page.goto(
        f"{site}/search/?track=Methods&q=" + "+".join(["probe"] * 45)
    ),
    "concept": lambda page, site: page.goto(f"{site}/concepts/ablation/"),
    "sign-up-errors": lambda page, site: (
        page.goto(f"{site}/accounts/signup/"),
        page.locator("#id_password1").fill("password"),
        page.get_by_role("button", name="Create account").click(),
        page.wait_for_selector("#error-summary"),
    ),
    "quiz-result": lambda page, site: (page.goto(f"{site}{LESSON}"), submit_quiz(page)),
    "my-learning": lambda page, site: (
        sign_up(page, site),
        page.goto(f"{site}{LESSON}"),
        page.goto(f"{site}/learning/"),
    ),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_aa_violations(site, clean_page, name, scheme):
    page = clean_page
    page.emulate_media(color_scheme=scheme)
    PAGES[name](page, site)
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [375, 1440])
@pytest.mark.parametrize("name", PAGES)
def test_screenshots_of_the_main_pages(site, clean_page, name, width):
    page = clean_page
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 812})
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling mid-capture
    PAGES[name](page, site)
    no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overflow, f"{name} scrolls sideways at {width}px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))
    if name == "lesson" and width == 1440:
        page.emulate_media(color_scheme="dark")
        page.screenshot(path=str(SCREENSHOTS / "lesson-dark-1440.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_deleting_an_account_is_a_danger_button_that_passes_axe(site, clean_page, scheme):
    page = clean_page
    page.emulate_media(color_scheme=scheme)
    sign_up(page, site)
    page.goto(f"{site}/accounts/delete/")
    button = page.get_by_role("button", name="Delete my account")
    bad = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bad')")
    swatch = page.evaluate(
        "(c) => { const s = document.createElement('i'); s.style.color = c;"
        " document.body.append(s); const v = getComputedStyle(s).color; s.remove(); return v; }",
        bad.strip(),
    )
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == swatch
    assert axe_violations(page) == []
