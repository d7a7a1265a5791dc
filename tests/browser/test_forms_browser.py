"""Sign-up errors the GOV.UK way: a focused summary at the top linking to each field, every
message under the field it is about; and a focus ring that does not look like an error."""

from __future__ import annotations

from playwright.sync_api import expect


def rgb(color: str) -> tuple[int, ...]:
    return tuple(int(part) for part in color[color.index("(") + 1 : -1].split(",")[:3])


def test_sign_up_errors_are_summarised_focused_and_placed_under_their_fields(site, clean_page):
    page = clean_page
    page.goto(f"{site}/accounts/signup/")
    assert "Required" in page.locator("#id_email_helptext").inner_text()
    page.get_by_label("Username").fill("newcomer")
    page.locator("#id_password1").fill("password")
    page.locator("#id_password2").fill("password")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#id_email" in targets and "#id_password1" in targets

    password_field = page.locator(".field", has=page.locator("#id_password1"))
    confirmation_field = page.locator(".field", has=page.locator("#id_password2"))
    expect(password_field.locator(".field__error")).to_contain_text(["too common"])
    assert "too common" not in confirmation_field.inner_text()

    summary.locator("a[href='#id_password1']").click()
    assert page.evaluate("document.activeElement.id") == "id_password1"


def test_the_focus_ring_is_not_the_error_colour(site, clean_page):
    page = clean_page
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")  # keyboard focus, so :focus-visible applies
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    error = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--bad').trim()"
    )
    red, _green, blue = rgb(ring)
    assert blue > red, f"focus ring {ring} reads as a warning next to errors ({error})"
