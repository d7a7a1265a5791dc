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


LONG = ("probe " * 45).strip()  # 269 characters
CUT_NOTE = "Only the first 200 characters of your search were used."


def test_a_pasted_long_query_stays_in_the_box_and_the_live_results_say_it_was_cut(site, clean_page):
    page = clean_page
    page.goto(f"{site}/search/")
    box = page.get_by_role("searchbox", name="Words to find")
    box.fill(LONG)  # as a paste: a maxlength would have cut it here, without a word
    assert box.input_value() == LONG
    summary = page.locator("[data-search-summary]")
    summary.get_by_text(CUT_NOTE).wait_for()
    assert re.search(r"\d+ lessons? match(es)? “probe", summary.inner_text())
    assert box.input_value() == LONG  # the live search leaves the box as typed
    box.fill("probe")
    summary.get_by_text(CUT_NOTE).wait_for(state="detached")
    assert "q=probe&" in page.url


def test_without_javascript_a_cut_query_and_the_filter_are_named(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site}/search/")
        page.get_by_role("searchbox", name="Words to find").fill(LONG)
        page.locator(".search-form").get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/search/\?q=probe"))
        assert CUT_NOTE in page.locator("[data-search-summary]").inner_text()
        page.get_by_label("Track").select_option("Methods")
        page.get_by_role("searchbox", name="Words to find").fill("probe")
        page.locator(".search-form").get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"track=Methods"))
        summary = page.locator("[data-search-summary]")
        in_methods = r"\d+ lessons? in the Methods track match(es)? “probe”"
        assert re.search(in_methods, summary.inner_text())
        summary.get_by_role("link", name="Search all tracks").click()
        page.wait_for_url(re.compile(r"/search/\?q=probe$"))
        assert page.get_by_label("Track").input_value() == ""
        assert "track" not in page.locator("[data-search-summary]").inner_text()
    finally:
        context.close()


def test_the_live_count_names_the_filter_and_its_link_clears_it(site, clean_page):
    page = clean_page
    page.goto(f"{site}/search/?q=probe")
    page.get_by_label("Track").select_option("Methods")
    summary = page.locator("[data-search-summary]")
    link = summary.get_by_role("link", name="Search all tracks")
    link.wait_for()
    assert re.search(r"\d+ lessons? in the Methods track match(es)? “probe”", summary.inner_text())
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=probe$"))
    assert page.get_by_label("Track").input_value() == ""
    assert summary.get_by_role("link").count() == 0
