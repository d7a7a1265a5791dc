"""What completes a lesson: the rule's arithmetic, course.md's keys, and reading times."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from courses.content.completion import (
    MAX_READ_SECONDS,
    MIN_READ_SECONDS,
    CompletionRule,
    read_seconds,
    required_score,
)
from courses.content.parser import load_content
from tests.factories import make_tree


@pytest.fixture(autouse=True)
def run_in(tmp_path):
    old = Path.cwd()
    os.chdir(tmp_path)
    yield
    os.chdir(old)


def test_required_score_rounds_up_to_the_pass_mark():
    assert required_score(15, 70) == 11
    assert required_score(10, 70) == 7
    assert required_score(3, 100) == 3
    assert required_score(2, 1) == 1


def test_reading_time_grows_with_length_within_bounds():
    assert read_seconds(0) == MIN_READ_SECONDS
    assert read_seconds(200) == 15  # a quarter of a minute's reading
    assert read_seconds(400) == MAX_READ_SECONDS
    assert read_seconds(50_000) == MAX_READ_SECONDS


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("read-or-quiz", "Complete by reading every section or scoring 11/15 in the quiz."),
        ("read-and-quiz", "Complete by reading every section and scoring 11/15 in the quiz."),
        ("quiz", "Complete by scoring 11/15 in the quiz."),
        ("read", "Complete by reading every section."),
    ],
)
def test_the_rule_reads_as_a_sentence(rule, text):
    assert CompletionRule(rule, 70).describe(15) == text


def test_a_lesson_without_a_quiz_completes_by_reading_whatever_the_rule():
    rule = CompletionRule("quiz", 70)
    assert rule.describe(0) == "Complete by reading every section."
    assert rule.is_met(all_read=True, score=None, total=None, has_quiz=False)


def write_course_front(root: Path, extra: str) -> None:
    make_tree(root, lessons=1)
    path = root / "black-box" / "course.md"
    path.write_text(path.read_text().replace("order: 1\n", f"order: 1\n{extra}"))


def test_course_md_sets_the_rule_and_pass_mark(tmp_path):
    write_course_front(tmp_path / "content", "completion: read-and-quiz\npass_mark: 80\n")
    tree, problems = load_content(tmp_path / "content")
    assert problems == []
    assert (tree.courses[0].completion, tree.courses[0].pass_mark) == ("read-and-quiz", 80)


def test_the_default_rule_is_read_or_pass_at_70(tmp_path):
    make_tree(tmp_path / "content", lessons=1)
    tree, _ = load_content(tmp_path / "content")
    assert (tree.courses[0].completion, tree.courses[0].pass_mark) == ("read-or-quiz", 70)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "completion: skim\n",
            "content/black-box/course.md:6: 'completion' must be one of read-or-quiz, read, "
            "quiz, read-and-quiz, got skim",
        ),
        (
            "pass_mark: 0\n",
            "content/black-box/course.md:6: 'pass_mark' must be between 1 and 100, got 0",
        ),
        (
            "pass_mark: 70%\n",
            "content/black-box/course.md:6: 'pass_mark' must be a whole number, got str",
        ),
    ],
)
def test_bad_completion_keys_are_problems_at_their_line(tmp_path, extra, message):
    write_course_front(tmp_path / "content", extra)
    _, problems = load_content(tmp_path / "content")
    assert [str(problem) for problem in problems] == [message]
