"""Taking the quiz with the keyboard only, reviewing it, and retaking it."""

from __future__ import annotations

from playwright.sync_api import expect

from courses.models import Lesson
from quizzes.services import option_value, read_token

LESSON = "/courses/inside-the-black-box/superposition/"


def focused(page) -> dict:
    return page.evaluate(
        """() => { const el = document.activeElement; const style = getComputedStyle(el);
        return {tag: el.tagName, type: el.type || '', value: el.value || '', name: el.name || '',
                text: (el.textContent || '').trim(), outline: style.outlineStyle,
                outlineWidth: style.outlineWidth}; }"""
    )


def test_quiz_with_the_keyboard_only(site, clean_page):
    page = clean_page
    lesson = Lesson.objects.get(slug="superposition")
    questions = list(lesson.questions.current().prefetch_related("options"))
    page.goto(f"{site}{LESSON}#quiz")
    seed = read_token(page.locator('input[name="token"]').get_attribute("value")).seed
    correct = {
        f"q{q.pk}": {option_value(seed, o.pk) for o in q.options.all() if o.is_correct}
        for q in questions
    }

    for question in questions:
        name = f"q{question.pk}"
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["name"] == name, state
        assert state["outline"] != "none", "keyboard focus must be visible"
        if question.is_multiple:
            for index in range(question.options.count()):
                if index:
                    page.keyboard.press("Tab")
                state = focused(page)
                if state["value"] in correct[name]:
                    page.keyboard.press("Space")
        else:
            page.keyboard.press("Space")  # selects the focused radio
            for _ in range(question.options.count()):
                if focused(page)["value"] in correct[name]:
                    break
                page.keyboard.press("ArrowDown")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Submit answers"
    page.keyboard.press("Enter")
    page.wait_for_selector("#quiz-result")
    assert page.evaluate("document.activeElement.id") == "quiz-score"  # focus moved to the score
    assert page.locator(".quiz-score__value").inner_text() == f"{len(questions)} / {len(questions)}"
    assert page.locator(".review-item__explanation").count() == len(questions)
    assert page.locator(".review-item.is-wrong").count() == 0

    for _ in range(400):
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Try again":
            break
    else:
        raise AssertionError("Try again is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_selector("#quiz-form")
    expect(page.locator("#quiz-progress")).to_have_text("Your best score in this browser: 15 / 15.")
    assert page.locator("#quiz-form input:checked").count() == 0


def test_unanswered_questions_are_named_and_can_be_submitted_anyway(site, clean_page):
    page = clean_page
    page.goto(f"{site}{LESSON}")
    page.locator(".quiz-question").first.locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    status = page.locator("#quiz-status")
    assert "Questions 2, 3" in status.inner_text() and "unanswered" in status.inner_text()
    assert page.locator(".quiz-question.is-unanswered").count() == 14
    page.get_by_role("button", name="Submit anyway").click()
    page.wait_for_selector("#quiz-result")
    assert page.locator(".badge", has_text="Unanswered").count() == 14


def test_a_quiz_sent_with_nothing_answered_says_so_in_one_short_line(site, clean_page):
    page = clean_page
    page.goto(f"{site}{LESSON}")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#quiz-status")).to_have_text(
        "None of the 15 questions is answered yet. Answer them, or submit anyway: an "
        "unanswered question counts as wrong."
    )
    assert page.locator(".quiz-question.is-unanswered").count() == 15


def test_quiz_without_javascript_posts_and_shows_the_result_page(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}{LESSON}")
    for question in page.locator(".quiz-question").all():
        question.locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_url("**/quiz/attempts/**")
    assert page.locator(".quiz-score__value").inner_text().endswith("/ 15")
    context.close()


def test_the_quiz_says_where_an_anonymous_score_is_kept_with_and_without_javascript(site, browser):
    """Only the page's script keeps an anonymous learner's score in the browser: without it
    the quiz must not promise that, and says how to keep the score instead."""
    notes = {}
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(f"{site}{LESSON}")
        notes[javascript] = page.locator(".quiz-actions .meta").inner_text()
        context.close()
    assert notes[True] == (
        "Your score saves to your progress in this browser; sign in to keep it everywhere."
    )
    assert "this browser" not in notes[False]
    assert notes[False] == "Sign in to save your score to your progress."
