"""A long breadcrumb trail on a phone wraps like a line of text, not one item per line."""

from __future__ import annotations

import pytest

from courses.importer import import_content
from tests.browser.conftest import SCREENSHOTS
from tests.factories import write_course, write_lesson

COURSE = "Reading the Internals of Very Large Transformer Language Models"
LESSON = "How Sparse Autoencoders Split Polysemantic Neurons into Readable Features"
PAGES = {
    "lesson": "/courses/internals/split/",
    "course": "/courses/internals/",
    "concept": "/concepts/interpretability/",
}


@pytest.fixture
def long_titles(live_server, transactional_db, content_root):
    write_course(content_root, "internals", title=COURSE)
    write_lesson(content_root, course="internals", name="01-split.md", title=LESSON)
    import_content(content_root)
    return live_server.url


@pytest.mark.parametrize("name", PAGES)
def test_a_long_breadcrumb_flows_and_keeps_the_current_page_to_one_line(long_titles, browser, name):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(f"{long_titles}{PAGES[name]}")
    trail = page.locator(".breadcrumbs ol")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    trail.screenshot(path=str(SCREENSHOTS / f"breadcrumbs-{name}-375.png"))
    line = float(trail.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    # The trail flows like a sentence (items share lines) and the current page, which the
    # heading right below repeats in full, keeps to one line: at most three lines here.
    assert trail.bounding_box()["height"] <= 3.5 * line
    current = trail.locator("[aria-current=page]")
    assert current.bounding_box()["height"] <= 1.5 * line
    assert current.text_content().strip() in (COURSE, LESSON, "Concept: interpretability")
    context.close()
