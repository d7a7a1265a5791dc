"""Search in a real Chromium: from the header by keyboard, as-you-type, and without JavaScript."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def hit_titles(page) -> list[str]:
    return page.locator(".search-hit .card__title").all_inner_texts()


def test_header_search_by_keyboard_then_results_follow_typing(site, clean_page):
    page = clean_page
    page.goto(f"{site}/")
    page.get_by_role("searchbox", name="Search lessons").focus()
    page.keyboard.type("superposition")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=superposition"))
    assert hit_titles(page)
    assert page.locator(".search-hit mark").first.inner_text().lower().startswith("superposition")

    page.evaluate("window.notReloaded = true")
    box = page.get_by_role("searchbox", name="Words to find")
    box.fill("")
    box.press_sequentially("steer", delay=30)
    page.wait_for_url(re.compile(r"q=steer"))
    page.wait_for_function(
        "[...document.querySelectorAll('.search-hit .card__title')]"
        ".some((h) => /steer/i.test(h.textContent))"
    )
    assert page.evaluate("window.notReloaded") is True  # updated in place, not a new page
    summary = page.locator("[data-search-summary]")
    assert re.search(r"\d+ lessons? match “steer”", summary.inner_text())


def test_search_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site}/")
        page.get_by_role("searchbox", name="Search lessons").fill("probe")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/search/\?q=probe"))
        assert hit_titles(page)
        page.get_by_label("Track").select_option(index=1)
        page.locator(".search-form").get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"track="))
        assert page.locator("[data-search-summary]").inner_text()
    finally:
        context.close()
