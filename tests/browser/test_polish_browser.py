"""Small things a learner notices: the header at 375 px, the quiz hints, key-term cards,
lesson numbers on a phone, and dates in one format."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from tests.browser.conftest import PASSWORD, pass_the_quiz

CAPSTONE = "/courses/open-frontiers/capstone-one-model-four-lenses/"
LESSON = "/courses/inside-the-black-box/superposition/"


def sign_in(page, site: str, *, staff: bool = False) -> None:
    get_user_model().objects.create_user("polish", password=PASSWORD, is_staff=staff)
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("polish")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/learning/")


def test_signed_in_nav_fits_one_row_at_375_with_sign_out_aligned(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, site, staff=True)  # the longest menu: Reports too
    tops = page.eval_on_selector_all(
        "#site-nav li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    # "Sign out" sits opposite the brand, centred on the same line.
    brand = page.locator(".brand").bounding_box()
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
    assert abs(middle(brand) - middle(sign_out)) <= 1.5
    assert sign_out["x"] + sign_out["width"] <= 375
    context.close()


def test_the_sign_up_pill_has_room_around_its_label(site, page):
    page.goto(f"{site}/")
    pill = page.locator("#site-nav a.button")
    padding = pill.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)")
    assert padding >= 12


def test_select_all_that_apply_appears_once(site, page):
    page.goto(f"{site}{CAPSTONE}")
    for legend in page.locator(".quiz-question legend").all():
        text = legend.inner_text().lower()
        assert text.count("select all that apply") <= 1, text
    assert page.locator(".quiz-question legend", has_text="Select all that apply").count() > 1


def test_key_term_definitions_start_with_a_capital_on_their_cards(site, page):
    page.goto(f"{site}{LESSON}")
    styles = page.eval_on_selector_all(
        ".key-terms dd",
        "dds => dds.map(dd => getComputedStyle(dd, '::first-letter').textTransform)",
    )
    assert styles and set(styles) == {"uppercase"}


def test_lesson_numbers_show_on_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/courses/inside-the-black-box/")
    number = page.locator(".lesson-list__number").first
    assert number.is_visible() and number.inner_text() == "1"
    context.close()


def test_a_completion_date_reads_the_same_signed_in_and_anonymous(site, browser):
    """The anonymous date is drawn by the browser, the signed-in one by the server; a browser
    in an American locale must not turn "26 Nov 2026" into "Nov 26, 2026"."""
    pattern = re.compile(r"You completed this lesson on (\d{1,2} [A-Z][a-z]{2} \d{4})\.")
    dates = []
    for signed_in in (False, True):
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        if signed_in:
            sign_in(page, site)
        page.goto(f"{site}{LESSON}")
        pass_the_quiz(page)
        page.reload()
        status = page.locator("[data-complete-status]")
        status.wait_for()
        dates.append(pattern.fullmatch(status.inner_text())[1])
        context.close()
    assert dates[0] == dates[1]


# The gap between each piece of text a link shows, left to right, on one line.
TEXT_GAPS = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const boxes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.width > 1 && node.textContent.trim()) boxes.push(box);
  }
  return boxes.slice(1).map((box, i) => Math.round(box.left - boxes[i].right));
}"""


def test_the_course_pages_continue_button_reads_as_one_phrase(site, clean_page):
    page = clean_page
    sign_in(page, site)
    page.goto(f"{site}{LESSON}")
    page.goto(f"{site}/courses/inside-the-black-box/")
    button = page.locator(".course-resume .button")
    label = "Continue with: lesson 2, Superposition and Polysemantic Neurons"
    assert button.text_content() == label
    assert all(gap <= 1 for gap in button.evaluate(TEXT_GAPS)), "a gap inside the label"
