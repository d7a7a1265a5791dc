"""The importer against a real database: atomic, idempotent, incremental, never deletes."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from courses import importer, lesson_writes, rows
from courses.content.imported import Imported
from courses.content.parser import load_content
from courses.importer import ContentInvalid, import_content
from courses.models import Course, Lesson, Option, Question, Section
from tests.factories import LESSON_BODY, make_tree, write_course, write_file, write_lesson
from tutor.models import TutorIndex

pytestmark = pytest.mark.django_db


def database_state() -> list:
    """Everything the importer writes, as comparable values."""
    return [
        list(Course.objects.order_by("pk").values()),
        list(Lesson.objects.order_by("pk").values()),
        list(Section.objects.order_by("pk").values()),
        list(Question.objects.order_by("pk").values()),
        list(Option.objects.order_by("pk").values()),
        list(Lesson.related.through.objects.order_by("pk").values()),
    ]


def test_first_import_adds_everything(content_root):
    make_tree(content_root, lessons=3)
    report = import_content(content_root)
    assert report.added == [
        "course black-box",
        "lesson black-box/lesson-1",
        "lesson black-box/lesson-2",
        "lesson black-box/lesson-3",
    ]
    lesson = Lesson.objects.get(slug="lesson-2")
    assert lesson.catalog_position == 2
    assert [s.anchor for s in lesson.sections.all()] == [
        "a-trillion-parameters-of-fog",
        "grown-not-built",
    ]
    assert "<table>" in lesson.sections.first().html
    assert lesson.key_terms[0] == {
        "term": "Superposition",
        "definition_html": "one neuron carries many features.",
    }
    assert list(lesson.related.values_list("slug", flat=True)) == ["lesson-1"]
    first, second = lesson.questions.current()
    assert (first.is_multiple, second.is_multiple) == (False, True)
    assert [o.is_correct for o in first.options.all()] == [False, True]
    assert first.options.first().feedback_html == (
        "That is the monosemantic ideal, not superposition."
    )


def test_import_is_idempotent(content_root):
    make_tree(content_root, lessons=3)
    import_content(content_root)
    before = database_state()
    report = import_content(content_root)
    assert not report.changed
    assert len(report.unchanged) == 4
    assert database_state() == before


def test_unchanged_files_are_not_rewritten(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    untouched = Lesson.objects.get(slug="lesson-1")
    edited_path = content_root / "black-box/02-lesson-2.md"
    edited_path.write_text(edited_path.read_text().replace("Lesson 2", "Lesson Two"))
    report = import_content(content_root)
    assert report.updated == ["lesson black-box/lesson-2"]
    assert "lesson black-box/lesson-1" in report.unchanged
    assert Lesson.objects.get(slug="lesson-1").imported_at == untouched.imported_at
    assert Lesson.objects.get(slug="lesson-2").title == "Lesson Two"


@pytest.mark.parametrize(
    "breakage",
    [
        lambda root: write_file(root / "black-box/03-bad.md", "---\ntitle: [broken\n---\n"),
        lambda root: write_file(root / "black-box/03-bad.md", b"---\ntitle: \xff\n---\n"),
        lambda root: write_lesson(root, name="03-bad.md", extra_front="related: [missing]\n"),
        lambda root: write_lesson(root, course="orphan"),
    ],
    ids=["malformed-yaml", "not-utf8", "missing-related", "no-course-md"],
)
def test_import_with_one_bad_file_changes_nothing(content_root, breakage):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    edited = content_root / "black-box/01-lesson-1.md"
    edited.write_text(edited.read_text().replace("Lesson 1", "Edited title"))
    breakage(content_root)
    before = database_state()
    with pytest.raises(ContentInvalid) as error:
        import_content(content_root)
    assert error.value.problems
    assert database_state() == before
    assert Lesson.objects.get(slug="lesson-1").title == "Lesson 1"


def test_a_failure_half_way_through_the_writes_rolls_everything_back(content_root, monkeypatch):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    for path in sorted((content_root / "black-box").glob("0*.md")):
        path.write_text(path.read_text().replace("Lesson", "Renamed").replace("Which", "What"))
    before = database_state()
    real_insert_rows = lesson_writes.insert_rows
    written_before_failure = []

    def fail_on_options(model, *args, **kwargs):
        if model is not Option:
            return real_insert_rows(model, *args, **kwargs)
        # Lessons, sections and new question versions are already written by now.
        written_before_failure.append(
            (
                Lesson.objects.filter(title__startswith="Renamed").count(),
                Question.objects.filter(prompt_html__startswith="What of these").count(),
            )
        )
        raise RuntimeError("disk full")

    monkeypatch.setattr(lesson_writes, "insert_rows", fail_on_options)
    with pytest.raises(RuntimeError, match="disk full"):
        import_content(content_root)
    assert written_before_failure == [(2, 2)]
    monkeypatch.setattr(lesson_writes, "insert_rows", real_insert_rows)
    assert database_state() == before


def test_removed_lesson_is_unpublished_and_restored_with_its_rows(content_root):
    make_tree(content_root, lessons=3)
    import_content(content_root)
    lesson = Lesson.objects.get(slug="lesson-3")
    question_ids = set(lesson.questions.values_list("pk", flat=True))
    moved = content_root.parent / "aside.md"
    (content_root / "black-box/03-lesson-3.md").rename(moved)

    report = import_content(content_root)
    assert report.removed == ["lesson black-box/lesson-3"]
    lesson.refresh_from_db()
    assert not lesson.is_published and lesson.catalog_position is None
    assert set(lesson.questions.values_list("pk", flat=True)) == question_ids

    moved.rename(content_root / "black-box/03-lesson-3.md")
    report = import_content(content_root)
    assert report.restored == ["lesson black-box/lesson-3"]
    restored = Lesson.objects.get(slug="lesson-3")
    assert restored.pk == lesson.pk and restored.is_published and restored.catalog_position == 3
    assert set(restored.questions.current().values_list("pk", flat=True)) == question_ids


def test_removed_course_is_unpublished_with_its_lessons(content_root):
    make_tree(content_root, lessons=1)
    write_course(content_root, "second", order=2)
    write_lesson(content_root, "second", "01-next.md")
    import_content(content_root)
    for path in (content_root / "second").iterdir():
        path.unlink()
    (content_root / "second").rmdir()
    report = import_content(content_root)
    assert report.removed == ["course second", "lesson second/next"]
    assert Course.objects.get(slug="second").is_published is False
    assert Course.objects.count() == 2 and Lesson.objects.count() == 2


def test_renamed_file_with_slug_keeps_its_row(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    original = Lesson.objects.get()
    path = content_root / "black-box/01-lesson-1.md"
    text = path.read_text().replace("title: Lesson 1", "title: Lesson 1\nslug: lesson-1")
    path.unlink()
    write_file(content_root / "black-box/05-new-file-name.md", text)
    import_content(content_root)
    lesson = Lesson.objects.get()
    assert lesson.pk == original.pk and lesson.number == 5
    assert lesson.source_path.endswith("05-new-file-name.md")


def test_edited_question_gets_a_new_version_and_the_old_one_is_kept(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    old_first, old_second = Question.objects.order_by("position")
    path = content_root / "black-box/01-lesson-1.md"
    text = path.read_text().replace("What does superposition mean?", "What is superposition?")
    text = text.replace("Features outnumber neurons", "Features outnumber neurons here")
    path.write_text(text)
    import_content(content_root)

    old_first.refresh_from_db()
    assert not old_first.is_current
    new_first = Question.objects.current().get(position=1)
    assert new_first.pk != old_first.pk and new_first.prompt_html == "What is superposition?"
    # An explanation-only edit keeps the version, so statistics keep counting.
    second = Question.objects.current().get(position=2)
    assert second.pk == old_second.pk
    assert Question.objects.count() == 3


def test_removed_questions_are_retired(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(path.read_text().split("2. Which of these")[0])
    import_content(content_root)
    assert Question.objects.current().count() == 1
    assert Question.objects.count() == 2


def test_catalog_positions_follow_course_order(content_root):
    write_course(content_root, "later", order=2)
    write_lesson(content_root, "later", "01-x.md")
    write_course(content_root, "sooner", order=1)
    write_lesson(content_root, "sooner", "02-b.md")
    write_lesson(content_root, "sooner", "01-a.md")
    import_content(content_root)
    positions = dict(Lesson.objects.values_list("slug", "catalog_position"))
    assert positions == {"a": 1, "b": 2, "x": 3}


def test_heading_ids_never_repeat_or_clobber_page_ids(content_root):
    write_course(content_root)
    body = "## First\n### Example\nOne.\n### Quiz\nTwo.\n## Second\n### Example\nThree.\n"
    write_lesson(
        content_root,
        name="01-a.md",
        body=body
        + LESSON_BODY[LESSON_BODY.index("## Key terms") :].replace(
            "a-trillion-parameters-of-fog", "first"
        ),
    )
    import_content(content_root)
    first, second = Lesson.objects.get().sections.all()
    assert 'id="example"' in first.html and 'id="quiz-2"' in first.html
    assert 'id="example-2"' in second.html


def test_import_command_prints_report(content_root, capsys):
    make_tree(content_root, lessons=1)
    call_command("import_content", str(content_root))
    out = capsys.readouterr().out
    assert "added     lesson black-box/lesson-1" in out
    assert "2 added, 0 updated, 0 restored, 0 unchanged, 0 removed" in out


def test_import_command_refuses_bad_content_with_path_and_line(content_root, capsys):
    make_tree(content_root, lessons=1)
    write_file(content_root / "black-box/02-empty.md", "")
    with pytest.raises(CommandError, match=r"1 problem\(s\) found; nothing was imported"):
        call_command("import_content", str(content_root))
    assert "02-empty.md:1: file is empty" in capsys.readouterr().err
    assert Lesson.objects.count() == 0


def test_validate_command_exit_status_and_summary(content_root, capsys):
    make_tree(content_root, lessons=2)
    call_command("validate_content", str(content_root))
    assert "OK: 1 course, 2 lessons, 4 questions; no problems." in capsys.readouterr().out
    write_file(content_root / "black-box/03-empty.md", "")
    with pytest.raises(SystemExit) as exit_info:
        call_command("validate_content", str(content_root / "black-box/03-empty.md"))
    assert exit_info.value.code == 1
    assert "03-empty.md:1: file is empty" in capsys.readouterr().err


def test_editing_only_option_feedback_updates_it_in_place(content_root):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    option_ids = set(Option.objects.values_list("pk", flat=True))
    path = content_root / "black-box/01-lesson-1.md"
    path.write_text(
        path.read_text().replace("the monosemantic ideal", "the one-neuron-one-concept ideal")
    )
    import_content(content_root)
    assert set(Option.objects.values_list("pk", flat=True)) == option_ids
    assert (
        Option.objects.filter(feedback_html__contains="one-neuron-one-concept ideal").count() == 1
    )
    assert Question.objects.count() == 2  # same versions


def test_source_paths_are_relative_to_the_content_root_whatever_the_working_directory(
    content_root, tmp_path, monkeypatch
):
    make_tree(content_root, lessons=2)
    monkeypatch.chdir(content_root)
    import_content(content_root)
    before = database_state()
    assert sorted(Lesson.objects.values_list("source_path", flat=True)) == [
        "black-box/01-lesson-1.md",
        "black-box/02-lesson-2.md",
    ]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = import_content(content_root)
    assert not report.changed
    assert database_state() == before  # not one row rewritten


def set_front(path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_a_draft_validates_but_is_never_published(content_root):
    make_tree(content_root, lessons=3)  # lesson 3 relates to lesson 2
    lesson_2 = content_root / "black-box/02-lesson-2.md"
    set_front(lesson_2, "minutes: 30\n", "minutes: 30\ndraft: true\n")
    report = import_content(content_root)
    assert "lesson black-box/lesson-2" not in report.added
    assert not Lesson.objects.filter(slug="lesson-2").exists()
    lesson_3 = Lesson.objects.get(slug="lesson-3")
    assert list(lesson_3.related.all()) == []  # no link into a draft
    assert lesson_3.catalog_position == 2

    set_front(lesson_2, "draft: true\n", "")
    report = import_content(content_root)
    assert "lesson black-box/lesson-2" in report.added
    assert Lesson.objects.get(slug="lesson-2").is_published
    assert list(lesson_3.related.values_list("slug", flat=True)) == ["lesson-2"]

    # Back to draft: the live lesson is taken down (rows kept, as for a removed file).
    set_front(lesson_2, "minutes: 30\n", "minutes: 30\ndraft: true\n")
    report = import_content(content_root)
    assert report.removed == ["lesson black-box/lesson-2"]
    assert not Lesson.objects.get(slug="lesson-2").is_published
    assert list(lesson_3.related.all()) == []


def test_validate_warns_where_github_would_show_it_differently(content_root, capsys):
    write_course(content_root)
    body = (
        LESSON_BODY.replace(
            "Nobody wrote their rules down.", "Nobody wrote their rules down, ~not one~."
        )
        .replace("| Probing | activations |\n", "| Probing | activations |\n\nTable: Traditions\n")
        .replace(
            "Training grows a model",
            "> Grown, not built.\n>\n> — A saying\n\nTerm\n: Its definition.\n\n"
            "Training grows a model",
        )
    )
    write_lesson(content_root, name="01-a.md", body=body)
    call_command("validate_content", str(content_root))
    out = capsys.readouterr()
    assert "OK: 1 course, 1 lesson, 2 questions; no problems (4 warnings)." in out.out
    assert [line.split("content/", 1)[1] for line in out.err.splitlines()] == [
        "black-box/01-a.md:9: warning: GitHub strikes through '~single tildes~'; here "
        "they stay literal: write '~~text~~' to strike through",
        "black-box/01-a.md:15: warning: GitHub shows a table caption as a 'Table: …' paragraph",
        "black-box/01-a.md:20: warning: GitHub shows a pull quote's '— attribution' as a "
        "plain paragraph",
        "black-box/01-a.md:22: warning: a definition list shows as plain paragraphs on GitHub",
    ]


def test_rendering_in_worker_processes_stores_what_one_process_stores(content_root):
    make_tree(content_root, lessons=3)
    import_content(content_root, workers=1)
    serial = [
        list(Section.objects.order_by("lesson__slug", "position").values("html", "text")),
        list(Option.objects.order_by("pk").values("text_html", "feedback_html")),
        list(Lesson.objects.order_by("slug").values("key_terms")),
        list(TutorIndex.objects.order_by("lesson__slug").values("data")),
    ]
    for path in sorted((content_root / "black-box").glob("0*.md")):
        path.write_text(path.read_text() + "\n")  # a new hash, the same lesson
    report = import_content(content_root, workers=2)
    assert len(report.updated) == 3
    assert [
        list(Section.objects.order_by("lesson__slug", "position").values("html", "text")),
        list(Option.objects.order_by("pk").values("text_html", "feedback_html")),
        list(Lesson.objects.order_by("slug").values("key_terms")),
        list(TutorIndex.objects.order_by("lesson__slug").values("data")),
    ] == serial


def test_plain_quiz_text_shortcut_renders_exactly_as_the_renderer(tmp_path):
    """The importer skips the renderer for plain sentences; on the shipped course and a
    generated catalog every such text must come out exactly as the renderer makes it."""
    import sys
    from pathlib import Path

    from courses.content.parser import load_content
    from courses.content.rendering import render_inline, render_markdown
    from courses.prerender import _block, _inline, is_plain

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from textgen import generate_catalog

    generate_catalog(tmp_path / "generated", 2, 6)
    texts = set()
    for root in (Path(__file__).resolve().parent.parent / "content", tmp_path / "generated"):
        tree, problems = load_content(root)
        assert not problems
        for lesson in tree.lessons:
            texts |= {term.definition for term in lesson.key_terms}
            for question in lesson.questions:
                texts |= {question.prompt, question.explanation}
                texts |= {o.text for o in question.options} | {o.feedback for o in question.options}
    plain = [text for text in texts if text and is_plain(text)]
    assert len(plain) > 100  # the shortcut is taken often enough to matter
    for text in plain:
        assert _inline(text) == render_inline(text), text
        assert _block(text) == render_markdown(text), text
    assert not is_plain("1. A list") and not is_plain("*emphasis*") and not is_plain("a  b")
    assert not is_plain("see example.com") and not is_plain("A & B") and not is_plain("(c) 2024")


def test_parsing_in_worker_processes_finds_the_same_tree_and_problems(content_root):
    from courses.content.parser import load_content
    from courses.prerender import ImportMapper

    def course_mapper(workers: int) -> ImportMapper:
        urls = {"black-box": "/courses/black-box/files/", "methods": "/courses/methods/files/"}
        return ImportMapper(Imported(content_root, {}), urls, workers)

    make_tree(content_root, lessons=3)
    write_course(content_root, "methods", title="Methods", track="Methods", order=2)
    write_lesson(content_root, "methods", "01-probing.md", title="Probing")
    assert load_content(content_root, map_courses=course_mapper(2)) == load_content(content_root)
    write_lesson(content_root, "methods", "02-bad.md", extra_front="related: [nowhere/none]\n")
    write_file(content_root / "black-box/04-broken.md", "---\ntitle: [broken\n---\n")
    parallel_tree, parallel_problems = load_content(content_root, map_courses=course_mapper(2))
    tree, problems = load_content(content_root)
    assert parallel_problems == problems and len(problems) == 2
    assert parallel_tree == tree


def test_an_import_through_a_link_to_the_content_root_stores_the_same_paths(content_root, tmp_path):
    """Source paths are taken against the root with every link followed, resolved once per
    import: through a link to the folder, nothing is new."""
    make_tree(content_root, lessons=2)
    import_content(content_root)
    before = database_state()
    link = tmp_path / "linked-content"
    link.symlink_to(content_root, target_is_directory=True)
    report = import_content(link)
    assert not report.changed
    assert database_state() == before
    assert Imported(link, {}).real_root == content_root.resolve()


def test_set_column_writes_each_rows_own_value_and_leaves_the_rest(content_root):
    make_tree(content_root, lessons=3)
    import_content(content_root)
    lessons = list(Lesson.objects.order_by("number"))
    rows.set_column(Lesson, "minutes", {lessons[0].pk: 41, lessons[2].pk: 43})
    assert [lesson.minutes for lesson in Lesson.objects.order_by("number")] == [
        41,
        lessons[1].minutes,
        43,
    ]
    # More rows than one statement takes (ids with no row change nothing).
    many = {lesson.pk: 7 for lesson in lessons} | {pk: 9 for pk in range(10_000, 10_700)}
    rows.set_column(Lesson, "minutes", many)
    assert set(Lesson.objects.values_list("minutes", flat=True)) == {7}


def imported_now(root) -> Imported:
    """What the importer tells the parser it already holds (as `import_content` builds it)."""
    rows = Lesson.objects.filter(is_published=True).values_list("source_path", "source_hash")
    return Imported(root, dict(rows))


def test_reimport_reads_only_the_front_matter_of_files_it_already_holds(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    edited = content_root / "black-box/02-lesson-2.md"
    set_front(edited, "title: Lesson 2", "title: Lesson Two")
    tree, problems = load_content(content_root, imported=imported_now(content_root))
    assert problems == []
    held, changed = tree.lessons
    assert (held.slug, held.body_parsed, held.sections, held.questions) == (
        "lesson-1",
        False,
        (),
        (),
    )
    assert (held.title, held.related) == ("Lesson 1", ())  # front matter still read
    assert changed.body_parsed and len(changed.sections) == 2 and len(changed.questions) == 2
    full, _ = load_content(content_root)  # validate_content parses everything
    assert all(lesson.body_parsed for lesson in full.lessons)

    report = import_content(content_root)
    assert report.updated == ["lesson black-box/lesson-2"]
    assert Lesson.objects.get(slug="lesson-2").sections.count() == 2
    assert Lesson.objects.get(slug="lesson-1").sections.count() == 2  # nothing stale removed


def test_a_held_lesson_whose_image_is_gone_is_refused_and_nothing_changes(content_root):
    make_tree(content_root, lessons=1)
    lesson = content_root / "black-box/01-lesson-1.md"
    set_front(lesson, "Nobody wrote", "![A diagram](diagram.png) Nobody wrote")
    image = write_file(content_root / "black-box/diagram.png", b"\x89PNG\r\n\x1a\n")
    import_content(content_root)
    before = database_state()
    image.unlink()  # the lesson file itself is unchanged
    with pytest.raises(ContentInvalid) as error:
        import_content(content_root)
    assert [str(p).split("content/", 1)[1] for p in error.value.problems] == [
        "black-box/01-lesson-1.md:9: image 'diagram.png' does not exist"
    ]
    assert database_state() == before


def test_held_lessons_follow_course_md_and_the_lessons_they_name(client, content_root):
    """What a stored lesson shows beyond its own file: course settings, aliases and links."""
    make_tree(content_root, lessons=3)  # lesson 2 relates to lesson 1, lesson 3 to lesson 2
    import_content(content_root)
    assert client.get("/concepts/opacity/").status_code == 404
    lesson_1 = content_root / "black-box/01-lesson-1.md"
    write_course(
        content_root,
        title="Inside the Box",
        extra="aliases:\n  opacity: black box\ncompletion: quiz\n",
    )
    set_front(lesson_1, "minutes: 30\n", "minutes: 30\ndraft: true\n")
    set_front(content_root / "black-box/03-lesson-3.md", "title: Lesson 3", "title: Lesson III")
    report = import_content(content_root)
    assert report.updated == ["course black-box", "lesson black-box/lesson-3"]
    assert report.removed == ["lesson black-box/lesson-1"]
    assert "lesson black-box/lesson-2" in report.unchanged
    course = Course.objects.get()
    assert (course.title, course.completion) == ("Inside the Box", "quiz")
    lesson_2 = Lesson.objects.get(slug="lesson-2")
    assert list(lesson_2.related.all()) == []  # its link pointed at what is a draft now
    assert lesson_2.catalog_position == 1
    concept = client.get("/concepts/opacity/")
    assert concept.status_code == 200
    assert "/courses/black-box/lesson-2/" in concept.text
    page = client.get("/courses/black-box/lesson-3/").text
    assert "Lesson III" in page and "Inside the Box" in page

    set_front(lesson_1, "draft: true\n", "")
    report = import_content(content_root)
    assert report.restored == ["lesson black-box/lesson-1"]
    assert list(lesson_2.related.values_list("slug", flat=True)) == ["lesson-1"]
    lesson_2.refresh_from_db()
    assert lesson_2.catalog_position == 2


def test_a_renderer_version_bump_rewrites_every_held_lesson_in_full(content_root, monkeypatch):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    sections = list(Section.objects.order_by("pk").values_list("anchor", "html", "text"))
    monkeypatch.setattr("courses.content.imported.RENDERER_VERSION", "next")
    report = import_content(content_root)
    assert report.updated == [
        "course black-box",
        "lesson black-box/lesson-1",
        "lesson black-box/lesson-2",
    ]
    assert list(Section.objects.order_by("pk").values_list("anchor", "html", "text")) == sections
    assert Question.objects.current().count() == 4


def test_a_held_file_the_database_no_longer_matches_is_parsed_in_full(content_root):
    """The parser skips a stored file's body by its path and hash; when the import then finds
    the row it belongs to gone (here: renamed in the database), the lesson is written whole."""
    make_tree(content_root, lessons=2)
    import_content(content_root)
    Lesson.objects.filter(slug="lesson-2").update(slug="renamed-elsewhere")
    report = import_content(content_root)
    assert report.added == ["lesson black-box/lesson-2"]
    assert report.removed == ["lesson black-box/renamed-elsewhere"]
    lesson = Lesson.objects.get(slug="lesson-2")
    assert [s.anchor for s in lesson.sections.all()] == [
        "a-trillion-parameters-of-fog",
        "grown-not-built",
    ]
    assert lesson.questions.current().count() == 2


def test_options_belong_to_their_questions_across_insert_batches(content_root):
    """Questions are inserted as plain rows a few hundred at a time (fewer on SQLite) and their
    options attached by the ids they come back with: 120 questions cross those batches."""
    make_tree(content_root, lessons=60)
    import_content(content_root)
    expected = {
        "What does superposition mean?": [
            "Each neuron stands for exactly one concept",
            "Neurons carry many features",
        ],
        "Which of these are interpretability traditions?": [
            "Probing",
            "Mechanistic",
            "Compilation",
        ],
    }
    questions = Question.objects.current().prefetch_related("options")
    assert questions.count() == 120
    for question in questions:
        assert [o.text_html for o in question.options.all()] == expected[question.prompt_html]
    assert Option.objects.count() == 60 * 5


def _planner_statistics_rows() -> int:
    """Rows the planner believes the lesson table holds, or 0 if it has never counted them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", [Lesson._meta.db_table]
            )
            return max(int(cursor.fetchone()[0]), 0)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [Lesson._meta.db_table])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else 0


def test_a_big_import_leaves_the_planner_statistics_of_what_it_wrote(content_root):
    """Without them the planner plans the first searches after a bulk load blind. (PostgreSQL
    keeps statistics outside transactions, so an earlier test may have left some: the lesson
    count here is one they cannot already show.)"""
    lessons = importer.STATISTICS_AFTER
    if _planner_statistics_rows() == lessons:
        lessons += 1
    make_tree(content_root, lessons=lessons)
    import_content(content_root)
    assert _planner_statistics_rows() == lessons


def test_a_small_import_leaves_the_planner_statistics_alone(content_root):
    before = _planner_statistics_rows()
    make_tree(content_root, lessons=2)
    import_content(content_root)
    assert _planner_statistics_rows() == before


@pytest.mark.postgresql  # TOAST compression
def test_the_import_stores_large_values_compressed_with_lz4(content_root):
    make_tree(content_root, lessons=2)
    import_content(content_root)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT pg_column_compression(data) FROM tutor_tutorindex")
        assert cursor.fetchall() == [("lz4",)]
