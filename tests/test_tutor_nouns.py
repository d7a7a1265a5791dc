"""Nouns a lesson has in the other number ("cacti" for "cactus"): found when its index is built,
from the table shipped in tutor/retrieval/noun_forms.json, so answering never loads lemminflect
(docs/tutor.md, "Irregular plurals")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tutor.retrieval import LessonText, SectionText, build_index
from tutor.retrieval.lexicon import term, words
from tutor.retrieval.nouns import TABLE_PATH, compute_table, lesson_nouns, noun_forms

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_table_is_what_lemminflect_and_the_terms_say() -> None:
    """Rewritten by `python -m tutor.retrieval.nouns` when lemminflect, the stemmer or
    `lexicon.term` change; a stale table would make imports miss (or invent) noun forms."""
    assert json.loads(TABLE_PATH.read_text(encoding="utf-8")) == compute_table()


def test_an_index_stores_what_a_question_word_would_have_found_through_lemminflect() -> None:
    """`lesson_nouns` gives, for each word whose term the lesson lacks, the first of its
    `noun_forms` whose term the lesson has: what `match` asked lemminflect for before."""
    lesson = build_index(
        LessonText(
            "",
            "",
            (
                SectionText(
                    "Finds",
                    "finds",
                    "Cactuses grow here. Mice nest. The leaf falls. An analysis of the data.",
                ),
            ),
            (),
        )
    )
    for word in words("cacti cactus mouse mice leaves leaf analyses analysis datum bus fern"):
        expected = None
        if term(word) not in lesson.postings:
            forms = (f for f in noun_forms(word) if term(f) in lesson.postings)
            expected = next(forms, None)
        assert lesson.nouns.get(word) == expected, word
    assert lesson.nouns["cacti"] == "cactus"  # not a lesson word: "cactus" is its term's
    assert lesson.nouns["leaves"] == "leaf"  # "leave" is not in the lesson
    assert lesson_nouns(lesson.postings) == lesson.nouns


ANSWER_WITHOUT_LEMMINFLECT = """
import json, sys
from tutor.retrieval import LessonText, SectionText, ParsedIndexes, answer_question, build_index

text = "The survey found cacti near the old mill.\\nA fern grew by the river."
index = build_index(LessonText("Survey", "", (SectionText("Finds", "finds", text),), ()))
stored = index.to_json()
loaded = ParsedIndexes(10 * len(stored)).load(1, "".join(list(stored)))
answer = answer_question(loaded, "Where did the survey find a cactus?")
print(json.dumps([answer.kind, [c.quote for c in answer.citations], sorted(sys.modules)]))
"""


def in_a_fresh_interpreter(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )


def test_building_storing_and_answering_never_import_lemminflect() -> None:
    """What an import and a web worker do, in a fresh interpreter: build an index, store it as
    JSON, load it back, answer a question that needs the other number."""
    result = in_a_fresh_interpreter(ANSWER_WITHOUT_LEMMINFLECT)
    assert result.returncode == 0, result.stderr
    kind, quotes, modules = json.loads(result.stdout)
    assert kind == "answer" and quotes[0] == "The survey found cacti near the old mill."
    assert "tutor.retrieval.nouns" in modules
    assert not [name for name in modules if name.split(".")[0] == "lemminflect"]


WITHOUT_LEMMINFLECT = """
import sys
sys.modules["lemminflect"] = None  # as if it were not installed: importing it fails
from tutor.retrieval import nouns
sys.exit(nouns.main())
"""


def test_the_table_command_says_what_to_install_without_lemminflect() -> None:
    """lemminflect is a development dependency (pyproject.toml's `dev` extra): a site installed
    without it never needs it, and the command that does says how to get it, writing nothing."""
    before = TABLE_PATH.read_bytes()
    result = in_a_fresh_interpreter(WITHOUT_LEMMINFLECT)
    assert result.returncode == 2
    assert "needs lemminflect" in result.stderr and "pip install -e '.[dev]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert TABLE_PATH.read_bytes() == before
