"""On a phone the lesson comes first, and wide tables say that they scroll."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations

LESSON = "/courses/inside-the-black-box/superposition/"
WIDE_TABLE = "/courses/inside-the-black-box/why-models-are-hard-to-reason-about/"
PHONE = {"width": 375, "height": 812}
WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def open_page(site, browser):
    """Opens a page of the site in a browser context of its own (a viewport, JavaScript on or
    off); every context is closed at the end of the test, whether it passed or not."""
    contexts = []

    def open_(path: str, viewport: dict, *, javascript: bool = True):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{site}{path}")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_the_first_section_starts_on_the_first_screen(open_page, javascript):
    page = open_page(LESSON, PHONE, javascript=javascript)
    first = page.locator(".lesson-section h2").first
    assert first.bounding_box()["y"] < PHONE["height"]
    # The map and path are one tap away, not gone.
    page.locator("#learning-path summary").click()
    expect(page.locator(".learning-path")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_wide_screen_the_map_and_path_are_open(open_page, javascript):
    page = open_page(LESSON, WIDE, javascript=javascript)
    expect(page.locator(".learning-path")).to_be_visible()
    expect(page.locator(".lesson-map")).to_be_visible()


def test_on_a_phone_the_lesson_maps_concepts_lead_to_their_pages(open_page):
    # The concept cluster's links are hidden on a phone, where the folded lesson map lists the
    # concepts instead: a phone reader must still be able to open a concept's page from there.
    page = open_page(LESSON, PHONE)
    expect(page.locator("#concepts")).to_be_hidden()
    page.locator("#lesson-map summary").click()
    link = page.locator(".lesson-map__concepts").get_by_role("link", name="superposition")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile(r"/concepts/superposition/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("superposition")


def test_a_wide_table_is_a_labelled_keyboard_scroll_region_with_a_cue(open_page):
    page = open_page(WIDE_TABLE, PHONE)
    region = page.locator(".table-scroll.is-overflowing").first
    expect(region).to_have_attribute("role", "region")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label").startswith("Table")
    region.scroll_into_view_if_needed()
    cue = page.locator(".table-scroll__cue.is-shown").first
    expect(cue).to_be_visible()
    region.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("el => el.scrollLeft") > 0


def test_a_code_block_too_wide_for_a_phone_can_be_scrolled_from_the_keyboard(open_page):
    page = open_page(WIDE_TABLE, PHONE)
    block = page.locator(".prose pre").first
    assert block.evaluate("el => el.scrollWidth > el.clientWidth")
    assert [v for v in axe_violations(page) if v["id"] == "scrollable-region-focusable"] == []
    expect(block).to_have_attribute("tabindex", "0")
    expect(block).to_have_attribute("role", "region")
    assert block.get_attribute("aria-label") == "Code"
    block.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert block.evaluate("el => el.scrollLeft") > 0


def test_a_code_block_that_fits_is_no_tab_stop(open_page):
    page = open_page(WIDE_TABLE, WIDE)
    block = page.locator(".prose pre").first
    assert block.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert block.get_attribute("tabindex") is None


def test_a_lesson_on_a_phone_passes_axe_in_light_and_dark(open_page):
    page = open_page(WIDE_TABLE, PHONE)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert axe_violations(page) == [], scheme
