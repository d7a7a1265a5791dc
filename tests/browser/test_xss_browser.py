"""Hostile text in a lesson file, a tutor question or a quiz never runs in the browser."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from courses.importer import import_content

PAYLOADS = (
    (Path(settings.BASE_DIR) / "tests/data/xss/patt-XSS_Polyglots.txt").read_text().splitlines()
)
SAMPLE = (
    (Path(settings.BASE_DIR) / "tests/data/xss/payloadbox-xss-payload-list.txt")
    .read_text()
    .splitlines()[:400]
)

HOSTILE_BODY = """\
## Scripts and handlers
<script>window.__xss = 'script'</script>
<img src="/static/favicon.svg" onload="window.__xss = 'onload'" onerror="window.__xss = 'onerror'">
<svg onload="window.__xss = 'svg'"><circle r="4"/></svg>
[a javascript link](javascript:window.__xss='link')
<a href="javascript:window.__xss='raw-link'" id="raw-link">raw link</a>
<iframe src="javascript:window.__xss='iframe'"></iframe>
<form action="javascript:window.__xss='form'"><button>go</button></form>

## MathML, allowed for rendered math
<math><mtext><table><mglyph><style><img src=x onerror="window.__xss='mglyph'">
</style></mglyph></table></mtext></math>
<math href="javascript:window.__xss='math-href'"><mi>x</mi></math>
<math><annotation-xml encoding="text/html">
<img src=x onerror="window.__xss='annotation'"></annotation-xml></math>
Inline TeX with a link: $\\href{{javascript:window.__xss='tex'}}{{x}}$ and $x^2$.

## The polyglots
{polyglots}

## A sample of the payload list
{sample}

## Quiz
1. Which is safe? <img src=x onerror="window.__xss='prompt'">
   - [x] <b onmouseover="window.__xss='option'">This one</b>
     > <script>window.__xss='feedback'</script>Right.
   - [ ] <svg onload="window.__xss='option-svg'">That one
   > <img src=x onerror="window.__xss='explanation'"> Explanation.
"""


def test_hostile_lesson_quiz_and_tutor_text_never_run(
    live_server, transactional_db, tmp_path, settings, page, problems
):
    settings.TUTOR_RATE_LIMIT = 0
    root = tmp_path / "content" / "hostile"
    root.mkdir(parents=True)
    (root / "course.md").write_text(
        "---\ntitle: Hostile <script>window.__xss='title'</script>\nsummary: s\n---\n"
    )
    body = HOSTILE_BODY.format(
        polyglots="\n\n".join(f"- {p}" for p in PAYLOADS),
        sample="\n\n".join(f"{p}" for p in SAMPLE),
    )
    front = (
        "---\n"
        "title: \"<img src=x onerror=window.__xss='t'>\"\n"
        "summary: \"<script>window.__xss='s'</script>\"\n"
        "big_idea: \"<svg onload=window.__xss='b'>\"\n"
        "concepts: [\"<script>window.__xss='c'</script>\"]\n"
        "---\n"
    )
    (root / "01-hostile.md").write_text(front + body)
    settings.CONTENT_DIR = tmp_path / "content"
    import_content(tmp_path / "content")

    page.goto(f"{live_server.url}/courses/hostile/hostile/")
    page.wait_for_load_state("networkidle")
    page.mouse.move(200, 400)
    page.locator("text=This one").hover()
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("iframe, svg, form[action^='javascript']").count() == 0
    assert page.locator("main math").count() >= 3  # MathML is there, and inert
    assert (
        page.locator("main mglyph, main annotation-xml, main style, main [href^='javas']").count()
        == 0
    )
    page.locator("#raw-link").click()
    page.get_by_text("a javascript link").click()

    page.get_by_label("Your question").fill(
        "<img src=x onerror=\"window.__xss='tutor'\"> "
        "<script>window.__xss='tutor2'</script> what is safe?"
    )
    page.get_by_role("button", name="Ask").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.tutor-message--tutor:not(.is-pending)').length > 0"
    )
    assert "<img src=x" in page.locator(".tutor-message--learner").inner_text()

    page.locator(".quiz-question input").first.check()
    page.get_by_role("button", name="Submit answers").click()
    page.wait_for_selector("#quiz-result")
    page.locator(".review-item").hover()

    assert page.evaluate("window.__xss") is None
    assert problems.dialogs == []
