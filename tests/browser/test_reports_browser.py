"""A staff user opens the reports; they pass the same accessibility bar as learner pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, axe_violations
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff_page(site, clean_page):
    user = make_user("editor")
    user.is_staff = True
    user.save()
    page = clean_page
    page.goto(f"{site}/courses/inside-the-black-box/superposition/")
    for question in page.locator(".quiz-question").all():
        question.locator("input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
    page.get_by_label("Your question").fill("What is the capital of Peru?")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_selector(".tutor-message--tutor.is-declined")
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/learning/")
    page.wait_for_load_state("networkidle")  # the sign-in sync of this browser's progress
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_staff_opens_the_reports(site, staff_page, scheme):
    page = staff_page
    page.emulate_media(color_scheme=scheme)
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{site}/reports/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Inside the Black Box").click()
    page.wait_for_url(f"{site}/reports/inside-the-black-box/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Superposition and Polysemantic Neurons").click()
    page.wait_for_url(f"{site}/reports/inside-the-black-box/superposition/")
    page.wait_for_selector("svg.histogram")
    assert (
        "What is the capital of Peru?" in page.locator("#gaps-title + p + .table-wrap").inner_text()
    )
    assert axe_violations(page) == []
    if scheme == "light":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (375, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"report-{width}.png"))
    page.get_by_role("link", name="Every attempt, by learner").click()
    page.wait_for_url("**/attempts/")
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [375, 1440])
def test_histogram_and_question_table_are_readable(site, staff_page, width):
    """The chart has a count axis and a count on each bar; the question table fits the screen
    (on a phone, one card per question with every figure visible), at both widths."""
    page = staff_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/reports/inside-the-black-box/superposition/")
    chart = page.locator("svg.histogram")
    assert chart.locator(".histogram__tick").count() >= 2  # a count axis: 0 and the top
    assert chart.locator(".histogram__count").first.text_content() == "1"  # the one attempt
    assert "Attempts" in chart.text_content() and "Score" in chart.text_content()
    # Rendered text sizes on screen: ticks and labels at least 10 px tall.
    heights = chart.locator("text").evaluate_all(
        "els => els.map(e => e.getBBox ? e.getBoundingClientRect().height : 0)"
    )
    assert min(heights) >= 10, heights
    chart.screenshot(path=str(SCREENSHOTS / f"report-histogram-{width}.png"))
    table = page.locator("table.question-stats")
    table.locator("tbody tr").nth(1).screenshot(
        path=str(SCREENSHOTS / f"report-question-{width}.png")
    )
    layout = table.evaluate(
        """t => ({
            overflow: t.parentElement.scrollWidth - t.parentElement.clientWidth,
            right: Math.max(...[...t.querySelectorAll('td')].map(
                c => c.getBoundingClientRect().right)),
            height: t.getBoundingClientRect().height,
            rows: t.querySelectorAll('tbody tr').length,
        })"""
    )
    assert layout["overflow"] <= 1, layout  # nothing hidden to the right
    assert layout["right"] <= width, layout
    assert layout["rows"] == 15
    # Was about 1,070 px a question (16,000 px for 15) with columns cut off.
    assert layout["height"] / layout["rows"] < 500, layout
    for label in ("Facility", "Discrimination", "Efficiency"):
        assert page.locator(f'td[data-label="{label}"]').first.is_visible()


def test_on_a_phone_a_wide_report_table_says_it_scrolls_and_scrolls_from_the_keyboard(
    site, staff_page
):
    page = staff_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{site}/reports/inside-the-black-box/")
    region = page.locator(".table-scroll.is-overflowing").first
    expect(region).to_have_attribute("role", "region")
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label") == "Lessons of Inside the Black Box"
    expect(page.locator(".table-scroll__cue.is-shown").first).to_be_visible()
    region.focus()
    for _ in range(30):
        page.keyboard.press("ArrowRight")
    assert region.evaluate("el => el.scrollLeft") > 0
    assert axe_violations(page) == []


REPORT_PAGES = (
    "/reports/",
    "/reports/inside-the-black-box/",
    "/reports/inside-the-black-box/?basis=best",
    "/reports/inside-the-black-box/superposition/",
    "/reports/inside-the-black-box/superposition/?basis=last",
    "/reports/inside-the-black-box/superposition/attempts/",
    "/reports/preview/",
    "/reports/preview/?path=inside-the-black-box/02-superposition.md",
    "/reports/import/",
)

# Every form control on the page whose text does not fit in it: a select narrower than its
# longest option (any may be the one shown), a button's or a label's text, and any control
# reaching past the screen.
CUT_OFF_CONTROLS = """() => {
    const cut = [];
    for (const select of document.querySelectorAll("main select")) {
        // A select is as wide as its longest option unless something squeezes it: a copy
        // set free shows how wide it wants to be.
        const free = select.cloneNode(true);
        free.style.cssText = "position: absolute; width: auto; max-width: none; min-width: 0";
        select.parentElement.append(free);
        const wanted = free.getBoundingClientRect().width;
        free.remove();
        const shown = select.getBoundingClientRect().width;
        if (shown + 0.5 < wanted) cut.push(`#${select.id} is ${shown | 0}px of ${wanted | 0}px`);
    }
    const controls = "main button, main label, main input, main select, main a";
    for (const el of document.querySelectorAll(controls)) {
        const box = el.getBoundingClientRect();
        const name = `${el.tagName} "${el.textContent.trim().slice(0, 30)}"`;
        if (box.width && (box.right > innerWidth + 0.5 || box.left < -0.5)) {
            cut.push(`${name} reaches past the screen`);
        }
        if (el.matches("button, label") && el.scrollWidth > el.clientWidth + 1) {
            cut.push(`${name} is cut off`);
        }
    }
    return cut;
}"""


def test_on_a_phone_every_report_control_reads_in_full_without_sideways_scrolling(site, staff_page):
    page = staff_page
    page.set_viewport_size({"width": 375, "height": 812})
    found = {}
    for path in REPORT_PAGES:
        page.goto(f"{site}{path}")
        assert page.locator("main h1").count() == 1, path
        problems = page.evaluate(CUT_OFF_CONTROLS)
        if page.evaluate("document.documentElement.scrollWidth > innerWidth"):
            problems.append("the page scrolls sideways")
        if problems:
            found[path] = problems
    assert found == {}, "\n".join(f"{p}: {m}" for p, ms in found.items() for m in ms)
