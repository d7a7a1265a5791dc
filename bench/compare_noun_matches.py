"""Same `LessonIndex.match` from two checkouts, for a large vocabulary against every tuning lesson.

    .venv/bin/python bench/compare_noun_matches.py /path/to/old-checkout /path/to/new-checkout

A check for changes to how a question's word finds its lesson word (`match`: its own term,
another number of the noun, a misspelling, its family). The vocabulary: wordfreq's 50,000
commonest English words, every word of every lesson below, and every word lemminflect's
dictionary knows (the keys `tutor.retrieval.nouns.compute_table` reads), each tokenized as a
question is. The lessons: the tuning sets' (`tuning*_content`), the shipped lessons and the
SQuAD tuning file's articles, all read from the new checkout. Never the held-out files.

Each checkout (in a process of its own) builds every lesson's index and matches every word
against it; prints the counts and each difference; exits 1 when one differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from compare_tutor_answers import squad_file

HERE = Path(__file__).resolve().parents[1]
TOP = 50_000


def lessons(data: Path, squad: Path) -> list:
    from tutor.retrieval.fit_data import TUNING_SETS, content_lessons, squad_lessons

    eval_dir = data / "tests" / "tutor_eval"
    found = [lesson for _, lesson, _ in squad_lessons(squad)]
    found += content_lessons(data / "content").values()
    for _, folder in TUNING_SETS:
        found += content_lessons(eval_dir / folder).values()
    return found


def vocabulary(texts: list) -> list[str]:
    from lemminflect import Inflections, Lemmatizer
    from wordfreq import top_n_list

    from tutor.retrieval.lexicon import tokenize

    lemmas, inflections = Lemmatizer(), Inflections()
    known = [
        *lemmas._getLemmaDict(),
        *lemmas._getOverridesDict(),
        *inflections._getInflDict(),
        *inflections._getOverridesDict(),
    ]
    words = [*top_n_list("en", TOP), *known]
    return sorted({token for text in [*words, *texts] for token in tokenize(text)})


def lesson_strings(lesson) -> list[str]:
    texts = [lesson.title, lesson.summary, lesson.big_idea]
    for section in lesson.sections:
        texts += [section.heading, section.text]
    texts += [f"{t} {d}" for t, d in lesson.key_terms]
    return texts


def dump(checkout: Path, data: Path, squad: Path, out: Path) -> None:
    sys.path.insert(0, str(checkout))
    from tutor.retrieval import build_index

    texts = lessons(data, squad)
    words = vocabulary([s for lesson in texts for s in lesson_strings(lesson)])
    rows, stored = [], 0
    for lesson in texts:
        index = build_index(lesson)
        rows.append([list(index.match(word)) for word in words])
        stored += len(getattr(index, "nouns", ()))
    out.write_text(json.dumps({"words": words, "rows": rows, "stored": stored}), encoding="utf-8")


def main(argv: list[str]) -> int:
    squad = squad_file(argv, __doc__, dump)
    if isinstance(squad, int):
        return squad
    with tempfile.TemporaryDirectory() as folder:
        outs = [Path(folder) / f"{n}.json" for n in range(2)]
        # Both sides at once (a few minutes each): nothing here is timed.
        running = [
            subprocess.Popen(  # noqa: S603 (this script)
                [sys.executable, __file__, "--dump", checkout, str(HERE), str(squad), str(out)],
                cwd=checkout,
            )
            for checkout, out in zip(argv, outs, strict=True)
        ]
        if any(process.wait() for process in running):
            return 2
        results = [json.loads(out.read_text(encoding="utf-8")) for out in outs]
    old, new = results
    words = new["words"]
    assert old["words"] == words
    differing = other_word = 0
    for lesson, (a, b) in enumerate(zip(old["rows"], new["rows"], strict=True)):
        for word, x, y in zip(words, a, b, strict=True):
            other_word += x[0] != word
            if x != y:
                differing += 1
                print(f"DIFFERS lesson {lesson} {word!r}: {x} -> {y}")
    lessons = len(new["rows"])
    print(f"lessons: {lessons}; words: {len(words)}; matches: {len(words) * lessons}")
    print(f"matches to another word (a noun form or a misspelling), old: {other_word}")
    print(f"noun forms stored in the indexes: old {old['stored']}, new {new['stored']}")
    print(f"matches differing: {differing}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
