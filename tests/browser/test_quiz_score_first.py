"""After submitting the quiz the learner sees the score first, with or without JavaScript."""

from __future__ import annotations

import pytest

LESSON = "/courses/inside-the-black-box/superposition/"

SCORE_ON_SCREEN = """() => {
  const score = document.getElementById('quiz-score');
  if (!score) return false;
  const box = score.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


def answer_every_question(page) -> None:
    for question in page.locator(".quiz-question").all():
        question.locator("input").first.check()


@pytest.mark.parametrize("width", [375, 1440])
def test_the_score_is_on_screen_and_focused_after_a_click(site, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(f"{site}{LESSON}")
    answer_every_question(page)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
    page.wait_for_function(SCORE_ON_SCREEN, timeout=5000)
    assert page.evaluate("document.activeElement.id") == "quiz-score"
    # Announced: the focused score has an accessible name that states it.
    assert "questions right" in page.evaluate("document.activeElement.textContent")
    context.close()


def test_the_score_is_on_screen_after_enter(site, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{site}{LESSON}")
    answer_every_question(page)
    page.get_by_role("button", name="Submit answers").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#quiz-result")
    page.wait_for_function(SCORE_ON_SCREEN, timeout=5000)
    assert page.evaluate("document.activeElement.id") == "quiz-score"
    context.close()


@pytest.mark.parametrize("width", [375, 1440])
def test_without_javascript_the_result_page_starts_at_the_score(site, browser, width):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.goto(f"{site}{LESSON}")
    answer_every_question(page)
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/quiz/attempts/**")
    assert page.url.endswith("#quiz-score")
    assert page.evaluate(SCORE_ON_SCREEN)
    context.close()
