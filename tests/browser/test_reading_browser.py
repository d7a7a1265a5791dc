"""When a section counts as read, what completes a lesson, and where the learner is now.

A short course of its own keeps these tests quick: each section has about 40 words (three
seconds of reading) laid out as a tall list, so only one or two fill the screen at a time.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from lessons.models import LessonProgress
from tests.browser.conftest import click_in_sidebar, fill_sign_up
from tests.factories import write_course, write_file

LESSON = "/courses/black-box/reading/"
HEADINGS = ["Fog", "Growth", "Features", "Circuits"]
ANCHORS = [heading.lower() for heading in HEADINGS]
REF = "black-box/reading"


def section(heading: str) -> str:
    items = "\n".join(f"- {heading} point {n}" for n in range(1, 15))
    return f"## {heading}\n{items}\n"


BODY = (
    "".join(section(heading) for heading in HEADINGS)
    + """
## Key terms
- **Probe**: a small classifier trained on activations.

## Quiz
1. Is fog a section?
   - [x] Yes
   - [ ] No
2. Is growth a section?
   - [x] Yes
   - [ ] No
3. Is rain a section?
   - [ ] Yes
   - [x] No
"""
)


@pytest.fixture
def reading_site(live_server, settings, transactional_db, tmp_path):
    from courses.importer import import_content

    root = tmp_path / "content"
    settings.CONTENT_DIR = root
    settings.TUTOR_RATE_LIMIT = 0
    write_course(root)
    front = "title: Reading\nsummary: Sections to read.\nminutes: 5\n"
    write_file(root / "black-box" / "01-reading.md", f"---\n{front}---\n{BODY}")
    import_content(root)
    return live_server.url


def local_entry(page) -> dict:
    data = json.loads(page.evaluate("localStorage.getItem('glassbox:v1:anon') || '{}'"))
    return data.get("lessons", {}).get(REF, {})


def scroll_to(page, anchor: str) -> None:
    page.evaluate(
        "(a) => document.getElementById(a).scrollIntoView({block: 'start', behavior: 'instant'})",
        anchor,
    )


def read_path(page) -> list[str]:
    return page.eval_on_selector_all(
        ".learning-path li.is-read", "items => items.map(i => i.dataset.anchor)"
    )


def test_jumping_past_the_sections_reads_nothing(reading_site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 1440, "height": 800})
    page.goto(f"{reading_site}{LESSON}")
    expect(page.locator("#completion-rule")).to_have_text(
        "Complete by reading every section or scoring 3/3 in the quiz."
    )
    click_in_sidebar(page.locator(".learning-path").get_by_role("link", name="Quiz"))
    expect(page).to_have_url(re.compile("#quiz$"))
    page.wait_for_timeout(4500)  # longer than any section's reading time
    assert read_path(page) == []
    assert local_entry(page).get("sections_read") == []
    assert local_entry(page).get("completed_at") is None
    expect(page.locator("[data-complete-status]")).to_be_hidden()


def test_a_section_counts_only_after_its_reading_time_on_screen(reading_site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 1440, "height": 800})
    page.emulate_media(reduced_motion="reduce")  # the jump to #circuits must not still be moving
    page.goto(f"{reading_site}{LESSON}#circuits")
    page.wait_for_timeout(200)
    scroll_to(page, "growth")
    page.wait_for_timeout(1500)
    assert "growth" not in read_path(page)  # on screen, but not yet for long enough
    page.wait_for_function(
        "() => document.querySelector('.learning-path li[data-anchor=growth].is-read')",
        timeout=10000,
    )
    assert "growth" in local_entry(page)["sections_read"]
    assert "circuits" not in read_path(page)  # only glimpsed at load
    current = page.locator(".learning-path a[aria-current=location]")
    expect(current).to_have_text("Growth")
    scroll_to(page, "features")
    expect(current).to_have_text("Features")


def test_passing_the_quiz_completes_the_lesson_without_reading_it(reading_site, clean_page):
    page = clean_page
    page.goto(f"{reading_site}{LESSON}#quiz")
    for question, answer in zip(
        page.locator(".quiz-question").all(), ["Yes", "Yes", "No"], strict=True
    ):
        question.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
    expect(page.locator("[data-complete-status]")).to_contain_text("You completed this lesson on")
    page.reload()
    expect(page.locator("[data-complete-status]")).to_be_visible()


def test_reading_every_section_completes_it_and_carries_into_an_account(reading_site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 1440, "height": 800})
    page.goto(f"{reading_site}{LESSON}")
    for anchor in ANCHORS:
        scroll_to(page, anchor)
        page.wait_for_function(
            f"() => document.querySelector('.learning-path li[data-anchor={anchor}].is-read')",
            timeout=10000,
        )
    status = page.locator("[data-complete-status]")
    expect(status).to_contain_text("You completed this lesson on")
    # The same date format as the server's: "26 Nov 2026".
    assert status.inner_text().split(" on ")[1].split()[1].isalpha()
    assert status.inner_text().split(" on ")[1].split()[0].isdigit()

    page.get_by_role("link", name="Sign up").click()
    fill_sign_up(page, "dweller")
    page.wait_for_function("() => !localStorage.getItem('glassbox:v1:anon')")
    page.wait_for_load_state("networkidle")
    progress = LessonProgress.objects.get(learner__username="dweller")
    assert sorted(progress.sections_read) == sorted(ANCHORS)
    assert progress.completed_at is not None
