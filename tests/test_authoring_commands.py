"""The authoring helpers: `new_lesson` writes a valid skeleton; `import_content --watch` re-imports
on every change and survives bad content."""

from __future__ import annotations

import io
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from courses.content.parser import load_content
from courses.importer import ContentInvalid, import_content
from courses.management.commands import import_content as import_command
from courses.models import Lesson, Question
from tests.factories import (
    LESSON_BODY,
    lesson_text,
    make_tree,
    write_course,
    write_file,
    write_lesson,
)


def new_lesson(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("new_lesson", *args, stdout=out, **options)
    return out.getvalue()


def md_files(course_dir) -> list[str]:
    return sorted(path.name for path in course_dir.glob("*.md"))


# ---------------------------------------------------------------------------------------------
# new_lesson
# ---------------------------------------------------------------------------------------------
def test_first_lesson_in_an_empty_course_is_01(content_root):
    write_course(content_root)
    output = new_lesson("black-box", "why-models")
    path = content_root / "black-box" / "01-why-models.md"
    assert path.is_file()
    assert "01-why-models.md" in output
    assert "validate_content" in output and "import_content" in output


def test_number_follows_the_highest_existing_lesson(content_root):
    write_course(content_root)
    for name in ("01-one.md", "02-two.md", "07-seven.md"):
        write_lesson(content_root, name=name)
    new_lesson("black-box", "eight")
    assert md_files(content_root / "black-box") == [
        "01-one.md",
        "02-two.md",
        "07-seven.md",
        "08-eight.md",
        "course.md",
    ]


def fill_in(path) -> None:
    """What an author does with the skeleton: their own words in place of every placeholder."""
    text = path.read_text(encoding="utf-8")
    for placeholder, words in [
        ("First section heading", "Why it matters"),
        ("first-section-heading", "why-it-matters"),
        ("Second section heading", "An example"),
        ("Placeholder term", "Activation"),
        ("A plausible wrong answer", "The weights alone"),
        ("Feedback for this option alone", "Weights are fixed"),
        ("Explanation shown after the learner submits", "Activations change per input"),
        ("Write the first step of the lesson here", "A model is a function"),
        ("Write the second step here", "Take a small model"),
    ]:
        text = text.replace(placeholder, words)
    text = text.replace("Replace this with", "Here is").replace("replace this with", "here is")
    path.write_text(text, encoding="utf-8")


def problems_of(root) -> list[str]:
    return [problem.message for problem in load_content(root)[1]]


@pytest.mark.django_db
def test_the_skeleton_is_a_draft_that_reports_its_placeholders_until_filled_in(content_root):
    make_tree(content_root, lessons=2)
    new_lesson("black-box", "why-models-are-hard")
    path = content_root / "black-box" / "03-why-models-are-hard.md"

    # As written, its one problem is the placeholder text, at the first line holding it.
    _, problems = load_content(content_root)
    [problem] = problems
    assert problem.line == 3 and "still contains the skeleton's placeholder" in problem.message
    with pytest.raises(SystemExit):
        call_command("validate_content", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(ContentInvalid):
        import_content(content_root)
    assert not Lesson.objects.exists()  # nothing half-imported

    fill_in(path)
    tree, problems = load_content(content_root)
    assert problems == []
    lesson = next(lesson for lesson in tree.lessons if lesson.slug == "why-models-are-hard")
    assert lesson.path == path and lesson.draft
    assert lesson.title == "Why models are hard"
    assert lesson.summary and lesson.big_idea and lesson.minutes
    assert lesson.concepts and lesson.related == ()
    assert len(lesson.sections) == 2
    assert len(lesson.key_terms) == 1
    [question] = lesson.questions
    assert not question.is_multiple and question.explanation
    assert question.see_anchor == lesson.sections[0].anchor

    # A draft validates but is not published.
    call_command("validate_content", str(path), stdout=io.StringIO())
    report = import_content(content_root)
    assert "lesson black-box/why-models-are-hard" not in report.added
    assert not Lesson.objects.filter(slug="why-models-are-hard", is_published=True).exists()

    path.write_text(path.read_text(encoding="utf-8").replace("draft: true\n", ""), "utf-8")
    report = import_content(content_root)
    assert "lesson black-box/why-models-are-hard" in report.added
    stored = Lesson.objects.get(course__slug="black-box", slug="why-models-are-hard")
    assert stored.number == 3 and stored.title == "Why models are hard" and stored.is_published
    assert stored.sections.count() == 2
    assert Question.objects.filter(lesson=stored).count() == 1


@pytest.mark.parametrize("title", ["Probes: a first look", "Why 'superposition'?", "#1 idea"])
def test_a_title_that_needs_yaml_quoting_stays_valid(content_root, title):
    write_course(content_root)
    new_lesson("black-box", "probes", title=title)
    fill_in(content_root / "black-box" / "01-probes.md")
    tree, problems = load_content(content_root)
    assert problems == []
    assert tree.lessons[0].title == title


def test_a_missing_course_folder_says_how_to_create_one(content_root):
    with pytest.raises(CommandError) as error:
        new_lesson("no-such-course", "intro")
    message = str(error.value)
    assert "no-such-course" in message and "does not exist" in message
    assert "course.md" in message and "title:" in message and "summary:" in message
    assert not (content_root / "no-such-course").exists()


def test_a_course_folder_without_course_md_is_refused(content_root):
    (content_root / "black-box").mkdir()
    with pytest.raises(CommandError, match=r"has no course\.md"):
        new_lesson("black-box", "intro")
    assert md_files(content_root / "black-box") == []


@pytest.mark.parametrize(
    "slug", ["Intro", "two--hyphens", "trailing-", "snake_case", "ümlaut", "a b"]
)
def test_a_bad_slug_is_refused(content_root, slug):
    write_course(content_root)
    with pytest.raises(CommandError, match="not a valid lesson slug"):
        new_lesson("black-box", slug)
    assert md_files(content_root / "black-box") == ["course.md"]


def test_a_slug_already_used_by_a_file_name_is_refused(content_root):
    make_tree(content_root, lessons=2)
    before = (content_root / "black-box" / "01-lesson-1.md").read_bytes()
    with pytest.raises(
        CommandError, match="already has a lesson with the slug 'lesson-1'"
    ) as error:
        new_lesson("black-box", "lesson-1")
    assert "01-lesson-1.md" in str(error.value)
    assert md_files(content_root / "black-box") == ["01-lesson-1.md", "02-lesson-2.md", "course.md"]
    assert (content_root / "black-box" / "01-lesson-1.md").read_bytes() == before


def test_a_slug_claimed_by_a_slug_override_is_refused(content_root):
    write_course(content_root)
    write_lesson(content_root, name="04-renamed-file.md", extra_front="slug: original-name\n")
    with pytest.raises(CommandError, match="'original-name'") as error:
        new_lesson("black-box", "original-name")
    assert "04-renamed-file.md" in str(error.value)
    assert md_files(content_root / "black-box") == ["04-renamed-file.md", "course.md"]


def test_a_slug_claimed_by_a_lesson_with_problems_is_still_refused(content_root):
    write_course(content_root)
    write_file(
        content_root / "black-box" / "02-draft.md",
        "---\ntitle: A draft\nslug: claimed\n---\n## Only a heading\n",  # no summary, no text
    )
    with pytest.raises(CommandError, match="'claimed'"):
        new_lesson("black-box", "claimed")


def test_an_existing_path_is_never_overwritten(content_root):
    write_course(content_root)
    # Not a lesson file (a folder), so it does not count towards the numbering: 01 is next,
    # and that path is taken.
    (content_root / "black-box" / "01-intro.md").mkdir()
    with pytest.raises(CommandError, match="already exists"):
        new_lesson("black-box", "intro")
    assert (content_root / "black-box" / "01-intro.md").is_dir()


def test_a_dangling_symlink_is_never_written_through(content_root, tmp_path):
    write_course(content_root)
    target = tmp_path / "elsewhere.md"
    (content_root / "black-box" / "01-intro.md").symlink_to(target)
    with pytest.raises(CommandError, match="already exists"):
        new_lesson("black-box", "intro")
    assert not target.exists()


def test_running_it_twice_never_overwrites(content_root):
    write_course(content_root)
    new_lesson("black-box", "intro")
    path = content_root / "black-box" / "01-intro.md"
    path.write_text(path.read_text().replace("title: Intro", "title: My edits"))
    with pytest.raises(CommandError, match="already has a lesson"):
        new_lesson("black-box", "intro")
    assert "title: My edits" in path.read_text()
    assert md_files(content_root / "black-box") == ["01-intro.md", "course.md"]


# ---------------------------------------------------------------------------------------------
# import_content --watch
# ---------------------------------------------------------------------------------------------
def start_watcher(root, max_cycles: int):
    out, err = io.StringIO(), io.StringIO()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            call_command(
                "import_content",
                str(root),
                watch=True,
                interval=0.05,
                max_cycles=max_cycles,
                stdout=out,
                stderr=err,
            )
        except BaseException as error:  # surfaced by the test, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out, err, failures


def wait_for(condition, thread: threading.Thread, timeout: float = 20.0) -> bool:
    """Polls ``condition`` while the watcher runs; True as soon as it holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if not thread.is_alive():
            return bool(condition())
        time.sleep(0.02)
    return False


def title_of(slug: str) -> str | None:
    return Lesson.objects.filter(slug=slug).values_list("title", flat=True).first()


@pytest.mark.django_db(transaction=True)
def test_watch_reimports_an_edited_lesson(content_root):
    make_tree(content_root, lessons=2)
    lesson_file = content_root / "black-box" / "01-lesson-1.md"
    thread, out, err, failures = start_watcher(content_root, max_cycles=60)

    assert wait_for(lambda: title_of("lesson-1") == "Lesson 1", thread), err.getvalue()
    lesson_file.write_text(lesson_text(title="Lesson 1, renamed"), encoding="utf-8")
    assert wait_for(lambda: title_of("lesson-1") == "Lesson 1, renamed", thread), out.getvalue()
    assert thread.is_alive()  # imported by the running watcher, not by a final pass

    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    output = out.getvalue()
    assert "Changed: ~black-box/01-lesson-1.md; importing" in output
    assert "updated   lesson black-box/lesson-1" in output
    assert "Stopped watching after 60 check(s)." in output
    assert err.getvalue() == ""


@pytest.mark.django_db(transaction=True)
def test_watch_reports_a_broken_edit_keeps_running_and_imports_the_fix(content_root):
    make_tree(content_root, lessons=2)
    lesson_file = content_root / "black-box" / "02-lesson-2.md"
    thread, out, err, failures = start_watcher(content_root, max_cycles=80)
    assert wait_for(lambda: title_of("lesson-2") == "Lesson 2", thread), err.getvalue()

    broken = lesson_text(title="[unclosed", extra_front="related: [lesson-1]\n")
    lesson_file.write_text(broken, encoding="utf-8")
    assert wait_for(lambda: "nothing imported" in err.getvalue(), thread), out.getvalue()
    # The unclosed '[' is on line 2 (the title), where the author has to fix it.
    assert "02-lesson-2.md:2: malformed YAML front matter" in err.getvalue()
    assert thread.is_alive()
    assert title_of("lesson-2") == "Lesson 2"  # the bad edit changed nothing

    fixed = lesson_text(title="Lesson 2, fixed", extra_front="related: [lesson-1]\n")
    lesson_file.write_text(fixed, encoding="utf-8")
    assert wait_for(lambda: title_of("lesson-2") == "Lesson 2, fixed", thread), err.getvalue()
    assert thread.is_alive()

    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    assert out.getvalue().count("Changed: ~black-box/02-lesson-2.md; importing") == 2


@pytest.mark.django_db(transaction=True)
def test_watch_starts_even_when_the_content_is_bad(content_root):
    write_course(content_root)
    write_lesson(content_root, name="01-bad.md", title="")  # a missing title
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_content",
        str(content_root),
        watch=True,
        interval=0.01,
        max_cycles=2,
        stdout=out,
        stderr=err,
    )
    assert "01-bad.md:2: 'title' is required" in err.getvalue()
    assert "nothing imported" in err.getvalue()
    assert "Stopped watching after 2 check(s)." in out.getvalue()
    assert not Lesson.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_watch_stops_cleanly_on_ctrl_c(content_root, monkeypatch):
    make_tree(content_root, lessons=1)

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(import_command, "time", SimpleNamespace(sleep=interrupted))
    out = io.StringIO()
    call_command("import_content", str(content_root), watch=True, stdout=out, stderr=io.StringIO())
    assert "2 added" in out.getvalue()
    assert out.getvalue().rstrip().endswith("Stopped watching.")
    assert title_of("lesson-1") == "Lesson 1"


def test_the_watch_snapshot_sees_edits_additions_and_removals(tmp_path):
    write_file(tmp_path / "course" / "01-a.md", "one")
    write_file(tmp_path / "course" / ".01-a.md.swp", "editor noise")
    write_file(tmp_path / ".git" / "HEAD", "ref")
    before = import_command.snapshot(tmp_path)
    assert set(before) == {"course/01-a.md"}

    write_file(tmp_path / "course" / "01-a.md", "one, edited")
    write_file(tmp_path / "course" / "images" / "figure.png", b"\x89PNG")
    after = import_command.snapshot(tmp_path)
    assert after != before
    assert import_command.describe_changes(before, after) == (
        "+course/images/figure.png, ~course/01-a.md"
    )
    (tmp_path / "course" / "01-a.md").unlink()
    assert import_command.describe_changes(after, import_command.snapshot(tmp_path)) == (
        "-course/01-a.md"
    )


@pytest.mark.django_db
def test_without_watch_the_command_still_refuses_bad_content(content_root):
    write_course(content_root)
    write_lesson(content_root, name="01-bad.md", title="")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_content", str(content_root), stdout=io.StringIO(), stderr=err)
    assert "'title' is required" in err.getvalue()
    assert not Lesson.objects.exists()


# ---------------------------------------------------------------------------------------------
# Issue #16, finding 10: a half-saved lesson, and questions whose text did not change
# ---------------------------------------------------------------------------------------------
HALF_SAVED = LESSON_BODY[: LESSON_BODY.index("## Quiz")]  # valid on its own, without the quiz


@pytest.mark.django_db
def test_a_quiz_that_comes_back_unchanged_is_not_a_new_version(content_root):
    make_tree(content_root, lessons=1)
    lesson_file = content_root / "black-box" / "01-lesson-1.md"
    import_content(content_root)
    before = list(Question.objects.order_by("pk").values_list("pk", "position"))
    full = lesson_file.read_text(encoding="utf-8")
    lesson_file.write_text(lesson_text(title="Lesson 1", body=HALF_SAVED), encoding="utf-8")
    import_content(content_root)
    assert not Question.objects.filter(is_current=True).exists()  # the quiz is gone for now
    lesson_file.write_text(full, encoding="utf-8")
    import_content(content_root)
    current = list(
        Question.objects.filter(is_current=True).order_by("pk").values_list("pk", "position")
    )
    assert current == before and Question.objects.count() == 2


@pytest.mark.django_db
def test_a_moved_question_keeps_its_version(content_root):
    make_tree(content_root, lessons=1)
    lesson_file = content_root / "black-box" / "01-lesson-1.md"
    import_content(content_root)
    first, second = Question.objects.order_by("position")
    swapped = HALF_SAVED + (
        "## Quiz\n"
        "1. Which of these are interpretability traditions?\n"
        "   - [x] Probing\n   - [x] Mechanistic\n   - [ ] Compilation\n"
        "2. What does superposition mean?\n"
        "   - [ ] Each neuron stands for exactly one concept\n"
        "   - [x] Neurons carry many features\n"
    )
    lesson_file.write_text(lesson_text(title="Lesson 1", body=swapped), encoding="utf-8")
    import_content(content_root)
    assert [q.pk for q in Question.objects.current().order_by("position")] == [second.pk, first.pk]
    assert Question.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_watch_waits_until_a_file_is_stable_before_importing(content_root):
    make_tree(content_root, lessons=1)
    lesson_file = content_root / "black-box" / "01-lesson-1.md"
    full = lesson_file.read_text(encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            call_command(
                "import_content", str(content_root), watch=True, interval=0.05, settle=0.6,
                max_cycles=40, stdout=out, stderr=err,
            )  # fmt: skip
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert wait_for(lambda: Question.objects.filter(is_current=True).count() == 2, thread)
    # An editor saving in two writes: first the lesson without its quiz, then all of it.
    lesson_file.write_text(lesson_text(title="Lesson 1", body=HALF_SAVED), encoding="utf-8")
    time.sleep(0.2)
    lesson_file.write_text(full + "\n", encoding="utf-8")
    thread.join(timeout=30)
    assert not thread.is_alive() and failures == [] and err.getvalue() == ""
    assert out.getvalue().count("Changed: ~black-box/01-lesson-1.md; importing") == 1
    assert Question.objects.count() == 2 and Question.objects.filter(is_current=True).count() == 2
