"""Every Markdown construct of a lesson as Chromium shows it: math laid out as MathML, code
coloured, callouts announced, details open, anchors in any script land on their heading.

`GLASSBOX_SCREENSHOTS=1` also saves the pictures docs/authoring.md shows (docs/screenshots/
authoring-*.png); without it the test checks the same things and writes nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from courses.importer import import_content
from tests.browser.conftest import SCREENSHOTS, axe_violations, click_in_sidebar
from tests.factories import write_course, write_file
from tests.test_any_script import RUSSIAN

SHOWCASE = Path(settings.BASE_DIR) / "tests" / "data" / "rendering" / "showcase.md"
SAVE = os.environ.get("GLASSBOX_SCREENSHOTS") == "1"
SECTIONS = [
    "lists",
    "code",
    "math",
    "callouts",
    "details-and-pull-quotes",
    "tables-tasks-and-links",
]


@pytest.fixture
def showcase(live_server, transactional_db, tmp_path, settings):
    root = tmp_path / "content"
    write_course(root, "showcase", title="Showcase", summary="Every construct.")
    write_file(root / "showcase" / "01-every-construct.md", SHOWCASE.read_text(encoding="utf-8"))
    write_course(root, "ru", title="Интерпретируемость", summary="Курс на русском.", order=2)
    write_file(root / "ru" / "01-priznaki.md", RUSSIAN)
    settings.CONTENT_DIR = root
    import_content(root)
    return live_server.url


def shoot(page, selector: str, name: str) -> None:
    if SAVE:
        page.locator(selector).screenshot(path=str(SCREENSHOTS / f"authoring-{name}.png"))


def colour(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("el => getComputedStyle(el).color")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_construct_renders_in_chromium(showcase, clean_page, scheme):
    page = clean_page
    page.set_viewport_size({"width": 1100, "height": 900})
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{showcase}/courses/showcase/every-construct/")

    # Math is laid out by the browser's MathML engine: a real fraction and square root.
    block = page.locator("section[data-section=math] math[display=block]")
    assert block.evaluate("el => getComputedStyle(el).display") == "block math"
    assert block.bounding_box()["height"] > 40  # the fraction stacks
    assert (
        page.locator("section[data-section=math] mfrac, section[data-section=math] msqrt").count()
        == 2
    )

    # Code is coloured by classes, with no script.
    assert colour(page, "section[data-section=code] .hl-k") != colour(
        page, "section[data-section=code] pre"
    )

    # Callouts are notes a screen reader announces, each with its visible title.
    notes = page.get_by_role("note")
    assert notes.count() == 3
    assert [notes.nth(i).locator(".markdown-alert-title").inner_text() for i in range(3)] == [
        "Note", "Tip", "Warning",
    ]  # fmt: skip

    # <details> opens, and the Markdown inside it is rendered.
    hidden = page.get_by_text("billions", exact=True)
    assert not hidden.is_visible()
    page.get_by_text("Why not read the weights directly?").click()
    assert hidden.is_visible() and hidden.evaluate("el => el.tagName") == "STRONG"

    assert page.locator("figure.pull-quote figcaption").inner_text() == "A workshop slide"
    assert page.locator("table caption").inner_text() == "Two ways to look inside a model"
    boxes = page.locator(".task-list-item-checkbox")
    assert boxes.count() == 2 and all(boxes.nth(i).is_disabled() for i in range(2))
    assert page.locator("a[href='https://transformer-circuits.pub']").count() == 1

    assert axe_violations(page) == []
    if scheme == "dark":
        shoot(page, "section[data-section=code]", "code-dark")
        return
    for anchor in SECTIONS:
        shoot(page, f"section[data-section={anchor}]", anchor)


def test_anchors_in_cyrillic_land_on_their_heading(showcase, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 1100, "height": 700})
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{showcase}/courses/ru/priznaki/")
    click_in_sidebar(page.locator(".learning-path a", has_text="Суперпозиция"))
    page.wait_for_function("() => decodeURIComponent(location.hash) === '#суперпозиция'")
    heading = page.locator("h2#суперпозиция")
    top = heading.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 200
    page.goto(f"{showcase}/courses/ru/priznaki/#пример-из-практики")
    top = page.locator("h3#пример-из-практики").evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 200


def test_the_sae_loss_is_mathml_in_the_shipped_lesson(site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{site}/courses/inside-the-black-box/features-and-sparse-autoencoders/")
    section = "section[data-section=how-a-sparse-autoencoder-works]"
    loss = page.locator(f"{section} math[display=block]")
    assert loss.count() == 1
    assert loss.locator("mtr").count() == 3  # three aligned lines: f, x-hat and the loss
    assert loss.bounding_box()["height"] > 60
    assert page.locator(f"{section} pre").count() == 0
    if SAVE:
        loss.screenshot(path=str(SCREENSHOTS / "authoring-sae-loss.png"))
