"""The content parser on small fixture trees: no Django, no database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from courses.content.parser import MAX_FILE_BYTES, RESERVED_PAGE_IDS, load_content
from tests.factories import (
    LESSON_BODY,
    lesson_text,
    make_tree,
    write_course,
    write_file,
    write_lesson,
)


@pytest.fixture(autouse=True)
def run_in(tmp_path):
    """Problems name paths relative to the working directory, as an author would see them."""
    old = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(old)


def problems_of(root: Path) -> list[str]:
    _, problems = load_content(root)
    return [str(problem) for problem in problems]


def only_problem(root: Path) -> str:
    problems = problems_of(root)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_tree_parses_into_typed_objects(tmp_path):
    tree, problems = load_content(make_tree(tmp_path / "content"))
    assert problems == []
    [course] = tree.courses
    assert (course.slug, course.title, course.track, course.order) == (
        "black-box",
        "Inside the Black Box",
        "Foundations",
        1,
    )
    first, second = course.lessons
    assert first.slug == "lesson-1" and first.number == 1 and first.minutes == 30
    assert first.concepts == ("interpretability", "black box")
    assert second.related == ("black-box/lesson-1",)
    assert [s.anchor for s in first.sections] == ["a-trillion-parameters-of-fog", "grown-not-built"]
    assert "## not a heading" in first.sections[1].markdown  # fenced code is not split
    assert [t.term for t in first.key_terms] == ["Superposition", "Probe"]
    single, multiple = first.questions
    assert not single.is_multiple and multiple.is_multiple
    assert single.see_anchor == "a-trillion-parameters-of-fog"
    assert single.options[0].feedback == "That is the monosemantic ideal, not superposition."
    assert single.explanation == "Features outnumber neurons, so they share them."
    assert [o.is_correct for o in multiple.options] == [True, True, False]
    assert len(first.source_hash) == 64


def test_slug_in_front_matter_overrides_file_name(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="07-old-name.md", extra_front="slug: new-name\n")
    tree, problems = load_content(root)
    assert problems == []
    assert tree.lessons[0].slug == "new-name" and tree.lessons[0].number == 7


def test_related_accepts_lessons_in_other_courses(tmp_path):
    root = tmp_path / "content"
    make_tree(root, lessons=1)
    write_course(root, "other", order=2)
    write_lesson(root, "other", "01-next.md", extra_front="related: [black-box/lesson-1]\n")
    tree, problems = load_content(root)
    assert problems == []
    assert tree.courses[1].lessons[0].related == ("black-box/lesson-1",)


def test_courses_are_sorted_by_order_then_slug(tmp_path):
    root = tmp_path / "content"
    write_course(root, "zeta", order=1)
    write_course(root, "alpha", order=2)
    write_course(root, "beta", order=1)
    tree, _ = load_content(root)
    assert [c.slug for c in tree.courses] == ["beta", "zeta", "alpha"]


# ---------------------------------------------------------------------------------------------
# Every bad input names path:line
# ---------------------------------------------------------------------------------------------
def test_malformed_yaml_names_its_line(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(root / "black-box/01-a.md", "---\ntitle: A\nsummary: [unclosed\n---\n## S\nText.\n")
    problem = only_problem(root)
    assert problem.startswith("content/black-box/01-a.md:")
    assert "malformed YAML" in problem
    # The line that is wrong, not the closing '---' where YAML noticed.
    assert problem.startswith("content/black-box/01-a.md:3: ")


def test_malformed_yaml_in_the_middle_names_the_bad_line(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(
        root / "black-box/01-a.md", "---\ntitle: A\n  bad: indent\nsummary: S\n---\n## S\nT.\n"
    )
    assert only_problem(root).startswith("content/black-box/01-a.md:3: malformed YAML")


def test_a_broken_lesson_is_still_known_to_the_lessons_that_link_to_it(tmp_path):
    """One broken file reports its own problems only, never "does not exist" in others."""
    root = tmp_path / "content"
    make_tree(root, lessons=3)  # lesson 2 relates to 1, lesson 3 to 2
    write_course(root, "other", order=2)
    write_lesson(root, "other", "01-next.md", extra_front="related: [black-box/lesson-2]\n")
    broken = root / "black-box/02-lesson-2.md"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace("minutes: 30", "minuts: 30"), encoding="utf-8"
    )
    assert problems_of(root) == [
        "content/black-box/02-lesson-2.md:4: unknown front matter key 'minuts' (allowed: title, "
        "summary, minutes, concepts, big_idea, related, slug, draft)"
    ]
    # Even a file whose YAML cannot be read is known by its file name.
    broken.write_text("---\ntitle: [unclosed\n---\n## S\nText.\n", encoding="utf-8")
    assert problems_of(root) == [
        "content/black-box/02-lesson-2.md:2: malformed YAML front matter: a flow sequence "
        "starting here is not closed (did not find expected ',' or ']')"
    ]


def test_a_lesson_in_a_broken_course_is_still_known_by_its_slug(tmp_path):
    root = tmp_path / "content"
    make_tree(root, lessons=1)
    write_file(root / "black-box/course.md", "---\ntitle: Broken\n---\n")  # no summary
    write_course(root, "other", order=2)
    write_lesson(root, "other", "01-next.md", extra_front="related: [black-box/lesson-1]\n")
    assert problems_of(root) == ["content/black-box/course.md:1: 'summary' is required"]


def test_draft_must_be_true_or_false(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", extra_front="draft: maybe\n")
    assert (
        only_problem(root) == "content/black-box/01-a.md:7: 'draft' must be true or false, got str"
    )
    write_lesson(root, name="01-a.md", extra_front="draft: true\n")
    tree, problems = load_content(root)
    assert problems == [] and tree.lessons[0].draft


def test_skeleton_placeholder_text_is_a_problem_at_its_line(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace(
        "Nobody wrote their rules down.", "Write the second step here: build on the first."
    )
    write_lesson(root, name="01-a.md", body=body)
    assert only_problem(root).startswith(
        "content/black-box/01-a.md:9: still contains the skeleton's placeholder text"
    )


@pytest.mark.parametrize("field", ["title", "summary"])
def test_missing_required_field(tmp_path, field):
    root = tmp_path / "content"
    write_course(root)
    text = lesson_text().replace(f"{field}: ", f"#{field}: ")  # commented out in YAML
    write_file(root / "black-box/01-a.md", text)
    assert only_problem(root) == f"content/black-box/01-a.md:1: '{field}' is required"


def test_wrong_type_and_unknown_key_name_their_lines(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", extra_front="minuts: 5\n")
    text = (root / "black-box/01-a.md").read_text().replace("minutes: 30", "minutes: soon")
    (root / "black-box/01-a.md").write_text(text)
    problems = problems_of(root)
    assert "content/black-box/01-a.md:4: 'minutes' must be a whole number, got str" in problems
    assert any(
        p.startswith("content/black-box/01-a.md:7: unknown front matter key 'minuts'")
        for p in problems
    )


def test_file_that_is_not_utf8(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(root / "black-box/01-a.md", b"---\ntitle: A\nsummary: caf\xe9\n---\n")
    assert only_problem(root).startswith("content/black-box/01-a.md:3: file is not UTF-8")


def test_empty_file(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(root / "black-box/01-a.md", "  \n\n")
    assert only_problem(root) == "content/black-box/01-a.md:1: file is empty"


def test_file_over_one_megabyte(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", body=LESSON_BODY + "x" * MAX_FILE_BYTES)
    problem = only_problem(root)
    assert problem.startswith("content/black-box/01-a.md:1: file is ")
    assert "the limit is 1,000,000 (1 MB)" in problem


def test_missing_front_matter(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(root / "black-box/01-a.md", "## Just a section\nText.\n")
    assert "01-a.md:1: file must start with YAML front matter" in only_problem(root)


def test_two_lessons_with_one_slug(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-same.md")
    write_lesson(root, name="02-other.md", extra_front="slug: same\n")
    assert only_problem(root) == (
        "content/black-box/02-other.md:1: two lessons have the slug 'same': this file and "
        "content/black-box/01-same.md"
    )


def test_two_lessons_with_one_number(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md")
    write_lesson(root, name="1-b.md")
    assert "lesson number 1 is also used by" in only_problem(root)


def test_related_slug_that_does_not_exist(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", extra_front="related: [nowhere, elsewhere/lesson]\n")
    assert problems_of(root) == [
        "content/black-box/01-a.md:7: related lesson 'black-box/nowhere' does not exist",
        "content/black-box/01-a.md:7: related lesson 'elsewhere/lesson' does not exist",
    ]


def test_question_without_a_correct_option(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", body=LESSON_BODY.replace("- [x] Neurons", "- [ ] Neurons"))
    line = 1 + lesson_text().split("\n").index("1. What does superposition mean?")
    assert only_problem(root) == (
        f"content/black-box/01-a.md:{line}: question 1 has no correct option; mark one '[x]'"
    )


def test_question_with_only_one_option(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("   - [ ] Each neuron stands for exactly one concept\n", "")
    body = body.replace("     > That is the monosemantic ideal, not superposition.\n", "")
    write_lesson(root, name="01-a.md", body=body)
    assert "question 1 needs at least two options" in only_problem(root)


def test_quiz_with_items_that_are_not_questions(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("## Quiz\n", "## Quiz\nSome chatty text.\n- a bullet\n")
    write_lesson(root, name="01-a.md", body=body)
    line = 1 + lesson_text(body=body).split("\n").index("Some chatty text.")
    problems = problems_of(root)
    assert problems[0] == (
        f"content/black-box/01-a.md:{line}: the Quiz section may only hold numbered questions "
        "('1. Question?')"
    )
    assert problems[1].startswith(f"content/black-box/01-a.md:{line + 1}:")


def test_see_anchor_that_names_no_section(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("See: #a-trillion-parameters-of-fog", "See: #nowhere")
    write_lesson(root, name="01-a.md", body=body)
    line = 1 + lesson_text(body=body).split("\n").index("   > See: #nowhere")
    assert only_problem(root).startswith(
        f"content/black-box/01-a.md:{line}: question 1: 'See: #nowhere' names no section"
    )


def test_course_folder_without_course_md(tmp_path):
    root = tmp_path / "content"
    write_lesson(root, course="orphan", name="01-a.md")
    assert only_problem(root) == (
        "content/orphan/course.md:1: course folder 'orphan' has no course.md "
        "(title, summary, track)"
    )


def test_text_before_first_section_and_h1(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", body="Intro text.\n# Title again\n" + LESSON_BODY)
    problems = problems_of(root)
    assert problems[0] == (
        "content/black-box/01-a.md:8: text before the first section: start with a '## ' heading"
    )
    assert problems[1].startswith("content/black-box/01-a.md:9: '# ' headings are not allowed")


def test_section_without_text(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", body="## Empty\n\n" + LESSON_BODY)
    assert only_problem(root) == "content/black-box/01-a.md:8: section 'Empty' has no text"


def test_malformed_key_term(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("- **Probe**: a small", "- Probe - a small")
    write_lesson(root, name="01-a.md", body=body)
    assert "a key term must look like '- **Term**: definition'" in only_problem(root)


def test_badly_named_lesson_file(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="Intro Lesson.md")
    assert "must be named 'NN-lesson-slug.md'" in only_problem(root)


def test_image_that_does_not_exist(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("Nobody wrote", "![A diagram](images/missing.png) Nobody wrote")
    write_lesson(root, name="01-a.md", body=body)
    assert "image 'images/missing.png' does not exist" in only_problem(root)


def test_every_problem_in_every_file_is_collected(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_file(root / "black-box/01-a.md", "")
    write_file(root / "black-box/02-b.md", "---\ntitle: B\n---\n## S\nText\n")
    write_lesson(root, course="orphan")
    assert len(problems_of(root)) == 3


def test_heading_that_collides_with_a_page_id_gets_a_suffix(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", body="## Quiz me, tutor\nText.\n## Tutor\nMore text.\n")
    tree, problems = load_content(root)
    assert problems == []
    anchors = [section.anchor for section in tree.lessons[0].sections]
    assert anchors == ["quiz-me-tutor", "tutor-section"]
    assert "tutor" in RESERVED_PAGE_IDS


def test_values_longer_than_their_columns_are_problems(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    write_lesson(root, name="01-a.md", title="T" * 201)
    write_lesson(root, name="02-b.md", body="## " + "Long " * 70 + "\nText.\n")
    problems = problems_of(root)
    assert "content/black-box/01-a.md:2: 'title' is 201 characters; the limit is 200" in problems
    assert any(
        p.startswith("content/black-box/02-b.md:8: a section heading may be at most")
        for p in problems
    )


def test_setext_headings_split_sections_and_a_quiz_heading_in_a_fence_is_code(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace(
        "## Grown, not built\n",
        "Grown, not built\n----------------\n",
    ).replace("loss.backward()\n", "loss.backward()\n## Quiz\n1. not a question\n")
    write_lesson(root, name="01-a.md", body=body)
    tree, problems = load_content(root)
    assert problems == []
    [lesson] = tree.lessons
    assert [s.anchor for s in lesson.sections] == [
        "a-trillion-parameters-of-fog",
        "grown-not-built",
    ]
    assert "## Quiz\n1. not a question" in lesson.sections[1].markdown
    assert lesson.sections[1].line == 15 and len(lesson.questions) == 2


def test_sections_after_the_quiz_keep_their_lines(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    quiz_first = LESSON_BODY.split("## Key terms")[0] + "## Quiz" + LESSON_BODY.split("## Quiz")[1]
    key_terms = "\n## Key terms\n- **Probe**: a classifier.\n\n## Late section\n![gone](nope.png)\n"
    write_lesson(root, name="01-a.md", body=quiz_first + key_terms)
    problems = problems_of(root)
    text = (root / "black-box/01-a.md").read_text(encoding="utf-8").split("\n")
    line = text.index("![gone](nope.png)") + 1
    assert problems == [f"content/black-box/01-a.md:{line}: image 'nope.png' does not exist"]


def test_math_that_does_not_convert_is_a_problem_at_its_line(tmp_path):
    root = tmp_path / "content"
    write_course(root)
    body = LESSON_BODY.replace("Nobody wrote their rules down.", "So $\\frac{1}{$ fails.").replace(
        "   - [x] Probing", "   - [x] Probing $x^{$"
    )
    write_lesson(root, name="01-a.md", body=body)
    problems = problems_of(root)
    text = (root / "black-box/01-a.md").read_text(encoding="utf-8").split("\n")
    section = next(n for n, line in enumerate(text, 1) if "fails." in line)
    option = next(n for n, line in enumerate(text, 1) if "Probing $" in line)
    assert [p.split(": math")[0] for p in problems] == [
        f"content/black-box/01-a.md:{section}",
        f"content/black-box/01-a.md:{option}",
    ]


def test_course_quiz_settings_are_read_and_default(tmp_path):
    root = tmp_path / "content"
    write_course(root, extra="report_basis: best\nmultiple_select_scoring: partial\n")
    write_course(root, "plain")
    write_lesson(root, name="01-a.md")
    write_lesson(root, course="plain", name="01-a.md")
    tree, problems = load_content(root)
    assert problems == []
    settings = {c.slug: (c.report_basis, c.multiple_select_scoring) for c in tree.courses}
    assert settings == {"black-box": ("best", "partial"), "plain": ("first", "all-or-nothing")}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "report_basis: highest",
            "'report_basis' must be one of first, best, last, got highest",
        ),
        (
            "multiple_select_scoring: [partial]",
            "'multiple_select_scoring' must be one of all-or-nothing, partial, got a list",
        ),
    ],
)
def test_bad_course_quiz_settings_name_the_line(tmp_path, line, message):
    root = tmp_path / "content"
    write_course(root, extra=line + "\n")
    write_lesson(root, name="01-a.md")
    assert only_problem(root) == f"content/black-box/course.md:6: {message}"
