"""The tutor in the page: answers with citations that highlight the passage, declines honestly."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, axe_violations
from tests.factories import write_course, write_lesson

LESSON = "/courses/inside-the-black-box/superposition/"
# Its "Four traditions" section has a table, and its reasons come as a list of sentences.
TABLE_LESSON = "/courses/inside-the-black-box/why-models-are-hard-to-reason-about/"


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


def test_a_quote_with_inline_math_is_the_text_of_the_passage_it_highlights(site, clean_page):
    """Inline math is quoted as the page's text of it (its MathML's text content), so the
    citation finds the paragraph the quote comes from, not only its section."""
    page = clean_page
    page.goto(f"{site}/courses/inside-the-black-box/features-and-sparse-autoencoders/")
    answer = ask(page, "What is the second term of the loss?")
    assert "is-declined" not in answer.get_attribute("class")
    text = answer.locator(".tutor-message__text").inner_text()
    quotes = [part.split("\u201d")[0] for part in text.split("\u201c")[1:]]
    assert "\\" not in text and any("the second is the L1 sparsity penalty" in q for q in quotes)
    answer.locator(".tutor-citations a").first.click()
    highlighted = page.locator(".is-highlighted")
    highlighted.wait_for()
    assert highlighted.evaluate("el => el.tagName") == "P"
    shown = " ".join(highlighted.text_content().split())
    assert quotes[0] in shown and "\u2112" in shown  # the loss's script L, as MathML shows it


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


def test_a_conversation_passes_axe_in_light_and_dark(site, clean_page):
    page = clean_page
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "What is a black box?")
    ask(page, "How do I run a company?")
    ask(page, "Qu'est-ce qu'une boîte noire ?")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(1500)  # the highlight's colour fades in over 1.2 s
        assert axe_violations(page) == [], scheme


def test_a_citation_of_a_table_row_highlights_that_row(site, clean_page):
    page = clean_page
    page.goto(f"{site}{TABLE_LESSON}")
    answer = ask(page, "What are the blind spots of mechanistic interpretability?")
    highlighted = []
    for link in answer.locator(".tutor-citations a").all():
        link.click()
        passage = page.locator(".is-highlighted")
        passage.wait_for()
        highlighted.append((passage.evaluate("el => el.tagName"), passage.inner_text()))
    assert any(tag == "TR" and "Mechanistic" in text for tag, text in highlighted), highlighted
    # A quote found in the lesson never falls back to its section's heading.
    assert not [tag for tag, _ in highlighted if tag.startswith("H")], highlighted


def test_on_a_phone_each_answer_comes_into_view_and_typing_goes_on(site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{site}{TABLE_LESSON}")
    # The example question is read in full (a placeholder was cut off by the narrow input).
    hint = page.locator("#tutor-question-hint")
    assert "Black box" in hint.inner_text()
    assert hint.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.get_by_label("Your question").get_attribute("placeholder") is None
    for question in ("What is a black box?", "Why can't researchers just read the weights?"):
        answer = ask(page, question)
        asked = page.locator(".tutor-message--learner").last.bounding_box()
        assert asked["y"] >= 0, f"{question!r}: the question scrolled out of view"
        assert answer.bounding_box()["y"] + 60 <= 812, f"{question!r}: the answer is out of view"
        assert page.evaluate("document.activeElement.id") == "tutor-question"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_citations_from_one_section_name_it_once_and_each_keeps_its_number(site, clean_page):
    page = clean_page
    page.goto(f"{site}{TABLE_LESSON}")
    answer = ask(page, "Why can't researchers just read the weights?")
    links = answer.locator(".tutor-citations a")
    assert links.count() >= 3
    sections = answer.locator(".tutor-citations__section").all_inner_texts()
    assert len(sections) == len(set(sections)), sections
    for number in range(1, links.count() + 1):
        link = links.nth(number - 1)
        assert link.inner_text() == f"[{number}]"
        # A screen reader hears which section each number points to.
        assert link.get_attribute("aria-label").startswith(f"[{number}] ")


# Records each tutor message added while the conversation is a live region, that is, each one
# a screen reader would announce. Additions made before the region turns live are not.
ANNOUNCED = """
window.announced = [];
new MutationObserver((records) => {
  let added = [];
  for (const record of records) {
    if (record.type === "attributes") {
      if (record.oldValue === null) added = added.filter((node) => !record.target.contains(node));
      continue;
    }
    for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.classList.contains("tutor-message")) added.push(node);
    }
  }
  for (const node of added) {
    if (node.closest('[aria-live]:not([aria-live="off"])')) window.announced.push(node.textContent);
  }
}).observe(document, {
  childList: true, subtree: true, attributes: true, attributeFilter: ["aria-live"],
  attributeOldValue: true,
});
"""


def test_a_restored_conversation_is_not_announced_again_but_new_answers_are(site, clean_page):
    page = clean_page
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "What is a black box?")
    page.add_init_script(ANNOUNCED)
    page.reload()
    assert page.locator("#tutor-log .tutor-message").count() == 2
    assert page.evaluate("window.announced") == []
    ask(page, "How do I run a company?")
    announced = page.evaluate("window.announced")
    assert any("doesn't cover" in text for text in announced), announced


@pytest.mark.parametrize("width", [375, 1440])
def test_screenshots_of_the_tutor_box(site, clean_page, width):
    """docs/tutor.md and the README show these (`make screenshots` refreshes them): a definition,
    an off-topic question declined, reasons that come as a list, and a two-part question whose
    second part the lesson does not cover, asked last so a phone shows it with the box below."""
    page = clean_page
    page.set_viewport_size({"width": width, "height": 900 if width > 500 else 812})
    page.emulate_media(reduced_motion="reduce")  # no smooth scrolling mid-capture
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "What is a black box?")
    ask(page, "How do I run a company?")
    ask(page, "Why can't researchers just read the weights?")
    last = ask(page, "What is gradient descent and who invented it?")
    assert "doesn't cover this part" in last.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if width < 500:
        page.screenshot(path=str(SCREENSHOTS / f"tutor-{width}.png"))
        return
    box = page.locator("#tutor")
    box.screenshot(path=str(SCREENSHOTS / f"tutor-{width}.png"))
    page.emulate_media(color_scheme="dark")
    box.screenshot(path=str(SCREENSHOTS / f"tutor-dark-{width}.png"))


def test_on_a_phone_a_long_unbroken_question_wraps_inside_the_box(site, clean_page):
    page = clean_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "https://example.org/" + "averyverylongwordwithoutspaces" * 4 + " what is this?")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    box = page.locator("#tutor").bounding_box()
    for message in page.locator(".tutor-message").all():
        edge = message.bounding_box()
        assert edge["x"] >= box["x"] and edge["x"] + edge["width"] <= box["x"] + box["width"]


def test_a_question_that_got_no_answer_is_not_restored_unanswered(site, page):
    # `page`, not `clean_page`: the refused request is this test's point, not a page problem.
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "What is a black box?")
    page.route("**/tutor/", lambda route: route.fulfill(status=503, json={"error": "Try later."}))
    ask(page, "What is a probe?")
    assert "Try later." in page.locator(".tutor-message.is-error").inner_text()
    page.unroute("**/tutor/")
    page.reload()
    restored = page.locator("#tutor-log .tutor-message")
    assert restored.count() == 2
    assert "What is a black box?" in restored.first.inner_text()


def test_clearing_a_conversation_forgets_it_for_this_lesson_only(site, clean_page):
    page = clean_page
    page.goto(f"{site}{LESSON}")
    clear = page.get_by_role("button", name="Clear conversation")
    assert not clear.is_visible()  # nothing to clear yet
    ask(page, "What is a black box?")
    page.goto(f"{site}{TABLE_LESSON}")
    ask(page, "What is a black box?")
    ask(page, "How do I run a company?")
    assert page.locator("#tutor-log .tutor-message").count() == 4
    page.reload()

    clear.focus()  # by keyboard, as a screen reader user would
    page.keyboard.press("Enter")
    assert page.locator("#tutor-log .tutor-message").count() == 0
    assert not clear.is_visible()
    assert page.evaluate("document.activeElement.id") == "tutor-question"
    status = page.locator("#tutor [role=status]")
    assert status.inner_text() == "Conversation cleared."
    assert status.get_attribute("aria-live") in (None, "polite")

    page.reload()
    assert page.locator("#tutor-log .tutor-message").count() == 0
    assert not clear.is_visible()
    ask(page, "What is a black box?")  # a new conversation starts afresh
    assert page.locator("#tutor-log .tutor-message").count() == 2
    assert clear.is_visible()
    assert status.inner_text() == ""

    page.goto(f"{site}{LESSON}")  # the other lesson's conversation is untouched
    assert page.locator("#tutor-log .tutor-message").count() == 2
    assert clear.is_visible()


def test_a_citation_of_a_key_term_highlights_that_term_on_a_phone(site, clean_page):
    """A key-term definition is quoted as "Term: definition"; its citation leads to that term,
    not to the whole Key terms section, which on a phone is taller than the screen and would
    leave the quoted term out of view."""
    page = clean_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{site}{LESSON}")
    answer = ask(page, "What is interference?")
    assert "Interference: the small false signal" in answer.inner_text()
    answer.locator(".tutor-citations a", has_text="[1]").click()
    passage = page.locator(".is-highlighted")
    passage.wait_for()
    assert passage.get_attribute("id") != "key-terms"
    assert passage.inner_text().startswith("Interference")
    box = passage.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 812, box
    assert page.evaluate("document.activeElement.classList.contains('is-highlighted')")
    # The card shows the highlight (its own background must not cover it), legibly.
    background = "el => getComputedStyle(el).backgroundColor"
    other = page.locator(".key-terms__item:not(.is-highlighted)").first
    assert passage.evaluate(background) != other.evaluate(background)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(1500)  # the highlight's colour fades in over 1.2 s
        assert axe_violations(page) == [], scheme


FOOTNOTED = """\
## How circuits work
A circuit is a small subgraph of a network[^sub] that computes one feature from the features
that come before it.

Researchers still read most circuits by hand, one weight at a time, which is slow work.

- An induction head[^ih] copies the token that followed an earlier copy of the current token.
- A previous-token head moves the identity of each token one position forward.

| Circuit | What it computes |
| --- | --- |
| Curve detector[^cd] | the orientation of a curve in an image |
| Name mover | the indirect object of a sentence |

[^sub]: Olah et al., *Zoom In*.
[^ih]: Olsson et al., *In-context Learning and Induction Heads*.
[^cd]: Cammarata et al., *Curve Detectors*.

## Quiz
1. Is a circuit part of a network?
   - [x] Yes
   - [ ] No
   > It is a subgraph of one.
"""


@pytest.fixture
def footnoted(live_server, transactional_db, tmp_path, settings):
    """A lesson whose paragraph, list item and table row each carry a footnote marker."""
    from courses.importer import import_content

    root = tmp_path / "content"
    write_course(root, "circuits", title="Circuits", summary="Reading circuits.")
    write_lesson(root, course="circuits", name="01-circuits.md", title="Circuits", body=FOOTNOTED)
    settings.CONTENT_DIR = root
    settings.TUTOR_RATE_LIMIT = 0
    import_content(root)
    return f"{live_server.url}/courses/circuits/circuits/"


@pytest.mark.parametrize(
    ("question", "tag", "words"),
    [
        ("What is a circuit?", "P", "small subgraph of a network"),
        ("What does an induction head do?", "LI", "copies the token"),
        ("What does a curve detector compute?", "TR", "the orientation of a curve"),
    ],
)
def test_a_quote_across_a_footnote_marker_highlights_its_passage(
    footnoted, clean_page, question, tag, words
):
    """The tutor quotes a passage without its footnote markers (`<sup>`, as the section's text
    is read on the server), so the citation finds the paragraph, item or row they sit in, not
    only its section."""
    page = clean_page
    page.goto(footnoted)
    answer = ask(page, question)
    text = answer.locator(".tutor-message__text").inner_text()
    assert "is-declined" not in answer.get_attribute("class") and words in text, text
    answer.locator(".tutor-citations a").first.click()
    highlighted = page.locator(".is-highlighted")
    highlighted.wait_for()
    assert highlighted.evaluate("el => el.tagName") == tag, text
    assert words in " ".join(highlighted.text_content().split())
