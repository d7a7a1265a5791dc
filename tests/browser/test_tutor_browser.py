"""The tutor in the page: answers with citations that highlight the passage, declines honestly."""

from __future__ import annotations

LESSON = "/courses/inside-the-black-box/superposition/"


def ask(page, question: str):
    count = page.locator(".tutor-message--tutor:not(.is-pending)").count()
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask").click()
    page.wait_for_function(
        "(count) => document.querySelectorAll('.tutor-message--tutor:not(.is-pending)').length"
        " > count",
        arg=count,
    )
    return page.locator(".tutor-message--tutor").last


def test_answerable_and_unanswerable_questions(site, clean_page):
    page = clean_page
    page.goto(f"{site}{LESSON}")
    assert page.locator("#tutor-log").get_attribute("aria-live") == "polite"

    answer = ask(page, "Why can a layer store more features than it has neurons?")
    assert "is-declined" not in answer.get_attribute("class")
    citation = answer.locator(".tutor-citations a").first
    citation.click()
    highlighted = page.locator(".is-highlighted")
    highlighted.wait_for()
    assert highlighted.count() == 1
    quote = (
        answer.locator(".tutor-message__text").inner_text().split("\u201c")[1].split("\u201d")[0]
    )
    assert quote[:40] in " ".join(highlighted.inner_text().split())
    assert page.evaluate("document.activeElement.classList.contains('is-highlighted')")

    declined = ask(page, "Who won the 2018 football World Cup?")
    assert "is-declined" in declined.get_attribute("class")
    assert "doesn't cover" in declined.inner_text()
