"""A new learner reads anonymously, keeps progress across a reload, signs up, and finds it
on the server and in another browser."""

from __future__ import annotations

from playwright.sync_api import expect

from lessons.models import LessonProgress
from tests.browser.conftest import PASSWORD, axe_violations, fill_sign_up, pass_the_quiz

LESSON = "/courses/inside-the-black-box/superposition/"


def read_sections(page) -> int:
    return page.locator(".learning-path li.is-read").count()


def sign_up_with_a_score_kept_in_the_browser(page, site: str, username: str) -> None:
    """A new account that has passed the quiz, the page's copy of it kept in localStorage."""
    page.goto(f"{site}/accounts/signup/")
    fill_sign_up(page, username)
    page.goto(f"{site}{LESSON}")
    pass_the_quiz(page)
    page.wait_for_function(
        "() => localStorage.getItem('glassbox:v1:' + document.body.dataset.learner)"
    )


def test_anonymous_progress_survives_reload_and_moves_into_a_new_account(site, clean_page, browser):
    page = clean_page
    page.goto(f"{site}/")
    page.get_by_role("link", name="Inside the Black Box").click()
    page.get_by_role("link", name="Superposition and Polysemantic Neurons").click()
    expect(page.locator("[data-local-note]")).to_be_visible()

    pass_the_quiz(page)
    page.reload()
    expect(page.get_by_text("You completed this lesson on")).to_be_visible()
    expect(page.locator("#quiz-progress")).to_have_text("Your best score in this browser: 15 / 15.")

    page.goto(f"{site}/")
    assert page.locator("progress").first.get_attribute("value") is not None
    page.get_by_role("link", name="Sign up").click()
    fill_sign_up(page, "reader")
    page.wait_for_url(f"{site}/")  # back where the learner was
    page.wait_for_function("() => !localStorage.getItem('glassbox:v1:anon')")
    page.wait_for_load_state("networkidle")

    progress = LessonProgress.objects.get(learner__username="reader", lesson__slug="superposition")
    assert progress.best_score == 15 and progress.completed_at is not None

    other = browser.new_context()
    second = other.new_page()
    second.goto(f"{site}/accounts/login/")
    second.get_by_label("Username").fill("reader")
    second.get_by_label("Password").fill(PASSWORD)
    second.get_by_role("button", name="Sign in").click()
    second.wait_for_url(f"{site}/learning/")
    expect(second.get_by_text("1 of 5 lessons complete")).to_be_visible()
    second.goto(f"{site}{LESSON}")
    expect(second.get_by_text("You completed this lesson on")).to_be_visible()
    other.close()


def test_signing_out_leaves_no_learner_data_in_the_page(site, clean_page):
    page = clean_page
    sign_up_with_a_score_kept_in_the_browser(page, site, "sharer")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site}/")
    keys = page.evaluate("Object.keys(localStorage)")
    assert not [key for key in keys if key != "glassbox:v1:anon"]
    page.goto(f"{site}{LESSON}")
    assert read_sections(page) == 0


def test_the_welcome_after_sign_up_stays_when_the_page_reloads_with_carried_progress(
    site, clean_page
):
    """Carrying a browser's progress into a new account reloads the page to show it; the
    welcome message, shown once by the server, must not vanish with that reload."""
    page = clean_page
    page.goto(f"{site}{LESSON}")
    pass_the_quiz(page)
    page.goto(f"{site}/accounts/signup/")
    fill_sign_up(page, "welcomed")
    page.wait_for_url(f"{site}/learning/")
    # Only the reloaded page shows the carried score.
    expect(page.get_by_text("best quiz 15/15")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Welcome to Glassbox!")).to_be_visible()
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert axe_violations(page) == [], scheme
    # Once: going on to another page does not repeat it.
    page.goto(f"{site}/")
    expect(page.get_by_text("Welcome to Glassbox!")).to_have_count(0)


def test_the_sign_out_page_signs_out_and_forgets_the_browsers_copy(site, clean_page):
    """/accounts/logout/ opened as a page offers a button that does what the header's does."""
    page = clean_page
    sign_up_with_a_score_kept_in_the_browser(page, site, "leaver")
    page.goto(f"{site}/accounts/logout/")
    page.locator("#main").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    keys = page.evaluate("Object.keys(localStorage)")
    assert not [key for key in keys if key != "glassbox:v1:anon"], keys


def test_an_anonymous_learners_course_page_offers_to_continue_where_this_browser_left_off(
    site, clean_page
):
    page = clean_page
    course = f"{site}/courses/inside-the-black-box/"
    page.goto(course)
    button = page.locator(".course-resume .button")
    expect(button).to_have_text("Start with: lesson 1, Why Models Are Hard to Reason About")

    page.goto(f"{site}{LESSON}")
    expect(page.locator("[data-local-note]")).to_be_visible()
    page.goto(course)
    expect(button).to_have_text("Continue with: lesson 2, Superposition and Polysemantic Neurons")
    assert button.get_attribute("href") == LESSON

    page.goto(f"{site}{LESSON}")
    pass_the_quiz(page)  # completes lesson 2: the next unfinished one is lesson 3
    page.goto(course)
    expect(button).to_have_text("Continue with: lesson 3, Features and Sparse Autoencoders")
    third = "/courses/inside-the-black-box/features-and-sparse-autoencoders/"
    assert button.get_attribute("href") == third
    assert axe_violations(page) == []
