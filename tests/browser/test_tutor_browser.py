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


def test_the_conversation_survives_a_reload_as_text_and_sign_out_forgets_it(site, clean_page):
    from django.contrib.auth import get_user_model

    from tests.browser.conftest import PASSWORD

    page = clean_page
    get_user_model().objects.create_user("asker", password=PASSWORD)
    page.goto(f"{site}/accounts/login/?next={LESSON}")
    page.get_by_label("Username").fill("asker")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{LESSON}")

    hostile = 'What is <img src=x onerror="window.pwned=1"> superposition?'
    ask(page, hostile)
    answer = ask(page, "Why can a layer store more features than it has neurons?")
    answer_text = answer.locator(".tutor-message__text").inner_text()

    page.reload()
    messages = page.locator("#tutor-log .tutor-message")
    assert messages.count() == 4
    assert messages.nth(0).locator(".tutor-message__text").inner_text() == hostile
    assert page.locator("#tutor-log img").count() == 0
    assert page.evaluate("window.pwned") is None
    restored = messages.nth(3)
    assert restored.locator(".tutor-message__text").inner_text() == answer_text
    restored.locator(".tutor-citations a").first.click()
    page.locator(".is-highlighted").wait_for()

    # Another lesson keeps its own conversation.
    page.goto(f"{site}/courses/inside-the-black-box/why-models-are-hard-to-reason-about/")
    assert page.locator("#tutor-log .tutor-message").count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")
    keys = page.evaluate("Object.keys(localStorage)")
    assert not [key for key in keys if ":tutor:" in key], keys
