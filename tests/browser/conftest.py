"""Real-browser tests: Playwright drives Debian's Chromium against Django's live server."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from courses.models import Lesson
from quizzes.services import option_value, read_token

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told that this is deliberate (it is: tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots go to an ignored folder, so a test run changes no tracked file; `make screenshots`
# points SCREENSHOTS_DIR at docs/screenshots to refresh the ones the docs show.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS_DIR") or Path(settings.BASE_DIR) / "test-results" / "screenshots"
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@dataclass
class PageProblems:
    """Everything a page did wrong: console errors, failed requests, dialogs."""

    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def _on_failed(self, request) -> None:
        # A request the page abandoned because the test navigated on is not a page problem;
        # anything else (refused, reset, blocked) is.
        if request.failure != "net::ERR_ABORTED":
            self.requests.append(f"failed {request.url}: {request.failure}")

    def watch(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        page.on("pageerror", lambda e: self.console.append(str(e)))
        page.on("requestfailed", self._on_failed)
        page.on(
            "response",
            lambda r: (
                r.status >= 400 and self.requests.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )

        def on_dialog(dialog) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)


@pytest.fixture
def problems(page) -> PageProblems:
    found = PageProblems()
    found.watch(page)
    return found


@pytest.fixture
def clean_page(page, problems):
    """A page that must finish its test with no console error, failed request or dialog."""
    yield page
    assert problems.console == [], problems.console
    assert problems.requests == [], problems.requests
    assert problems.dialogs == [], problems.dialogs


@pytest.fixture
def site(live_server, settings, transactional_db):
    """The live server with the shipped course imported and no tutor rate limit surprises."""
    from courses.importer import import_content

    settings.TUTOR_RATE_LIMIT = 0
    import_content(Path(settings.BASE_DIR) / "content")
    return live_server.url


def click_in_sidebar(link) -> None:
    """Click a link in the lesson's sticky sidebar as a reader would, once it is on screen.

    Left to itself Playwright scrolls the window to reach the link and measures where to click;
    on a busy machine the sticky sidebar can still be settling, and the click lands between
    two links. Scrolling it into view first, and waiting a frame, leaves nothing moving.
    """
    link.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")
    link.page.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    link.click()


def axe_violations(
    page, *, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa"), preload_css: bool = True
) -> list[dict]:
    """axe's violations on the page. ``preload_css=False`` is for pages whose stylesheets
    ``@import`` others (Django admin's forms): axe copies an imported sheet into an inline
    <style> to read it, which the site's CSP rightly blocks, so the console error is axe's own;
    without the preload axe skips only its orientation-lock check."""
    # Evaluated over the DevTools protocol, which the page's strict CSP does not govern; an
    # injected <script> tag would (rightly) be blocked.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    script = (
        "async ([tags, preload]) =>"
        " (await axe.run(document, {runOnly: {type: 'tag', values: tags}, preload}))"
    )
    result = page.evaluate(script, [list(tags), preload_css])["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
    ]


PASSWORD = "a long enough passphrase 42"


def fill_sign_up(page, username: str) -> None:
    """Fills and sends the sign-up form on the current page, as a person would."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def pass_the_quiz(page) -> None:
    """Answers every question right (the lesson's rule completes it at 70%)."""
    lesson = Lesson.objects.get(slug="superposition")
    seed = read_token(page.locator('input[name="token"]').get_attribute("value")).seed
    for question in lesson.questions.current().prefetch_related("options"):
        for option in question.options.all():
            if option.is_correct:
                page.locator(f"#q{question.pk}-o{option_value(seed, option.pk)}").check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
