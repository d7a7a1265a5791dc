"""Nouns whose other number Snowball stems apart ("cacti" and "cactus", "mice" and "mouse"),
from a table shipped beside this file, so neither an import nor a web worker loads lemminflect.

`noun_forms.json` holds, for every word lemminflect's dictionary knows as a noun, its other
numbers (`noun_forms`, in that order) whose term differs from the word's own; a form
of the same term adds nothing, as a lesson with that term matches the word itself. The table
is what `noun_forms` and `lexicon.term` say; rewrite it when either changes (a test
checks it):

    .venv/bin/python -m tutor.retrieval.nouns

lemminflect is a development dependency (pyproject.toml's `dev` extra, in requirements.lock):
only this command and its test call `noun_forms` and `compute_table`.

An index stores which question words stand for which lesson words (`lesson_nouns`), computed
when the lesson is imported; a question reads that map only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from .lexicon import term

TABLE_PATH = Path(__file__).with_name("noun_forms.json")


def noun_forms(word: str) -> tuple[str, ...]:
    """The other numbers of a noun, from lemminflect's dictionary of English lemmas: its
    singulars and its plurals ("cacti": "cactus"; "mouse": "mice"; "leaves": "leave", "leaf";
    "axis": "axes", "axises"), for the irregular plurals Snowball stems apart from their
    singulars. Only the dictionary, never its guesses for words it does not know ("bus" ->
    "bu"); () for a word it does not know as a noun. Only the table's writer and its test call
    it: lemminflect is imported here, never by an import or a question."""
    from lemminflect import getAllInflections, getAllLemmas

    singulars = getAllLemmas(word, "NOUN").get("NOUN", ())
    plurals = getAllInflections(word, "NOUN").get("NNS", ())
    return tuple(form for form in dict.fromkeys((*singulars, *plurals)) if form != word)


def compute_table() -> dict[str, list[str]]:
    """The table from lemminflect's dictionaries (several seconds): every word it can know as
    a noun (its lemma and inflection keys, lower-cased as its lookups are), those of its other
    numbers whose term differs from the word's."""
    from lemminflect import Inflections, Lemmatizer

    lemmas, inflections = Lemmatizer(), Inflections()
    # Private, as lemminflect has no public way to list the words it knows (0.2.3: its public
    # API looks one word up); a test compares the result with the shipped table.
    tables = (
        lemmas._getLemmaDict(),
        lemmas._getOverridesDict(),
        inflections._getInflDict(),
        inflections._getOverridesDict(),
    )
    table = {}
    for word in sorted({key.lower() for keys in tables for key in keys}):
        own = term(word)
        if others := [form for form in noun_forms(word) if term(form) != own]:
            table[word] = others
    return table


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The shipped table, and its words by the term of each of their forms."""
    table = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    by_term: dict[str, list[str]] = {}
    for word, forms in table.items():
        for form in forms:
            by_term.setdefault(term(form), []).append(word)
    return table, by_term


def lesson_nouns(terms: Collection[str]) -> dict[str, str]:
    """For a lesson with these terms: each word whose own term the lesson lacks -> the first of
    its other numbers whose term the lesson has ("cacti" -> "cactus" in a lesson on cactuses),
    what `LessonIndex.match` answers for that word. In the table's (alphabetical) order."""
    table, by_term = _table()
    words = sorted({word for t in terms if t in by_term for word in by_term[t]})
    found = {}
    for word in words:
        if term(word) in terms:
            continue
        found[word] = next(form for form in table[word] if term(form) in terms)
    return found


INSTALL_HINT = (
    "python -m tutor.retrieval.nouns needs lemminflect, a development dependency: "
    "run `make install`, or `pip install -e '.[dev]'` in the project's folder."
)


def main() -> int:
    try:
        import lemminflect  # noqa: F401 (only to say what is missing before the slow part)
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    # One word a line, so a rewrite's diff shows what changed.
    lines = (f"{json.dumps(w)}: {json.dumps(forms)}" for w, forms in compute_table().items())
    TABLE_PATH.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {TABLE_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
