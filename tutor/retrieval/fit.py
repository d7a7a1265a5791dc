"""Refit the answerability model: `python -m tutor.retrieval.fit` (needs numpy).

It fits on the labelled tuning data of `fit_data` (SQuAD's fit articles, the tuning half of the
shipped set and, with `--tuning-sets`, the tuning sets of `SHIPPED_SETS` (every set with
`--every-tuning-set`); never the held-out half), each question read as the tutor serves it (chat
around it dropped: `answer.question_parts`), with the regression of `fit_regression`. This
module owns the recipe: how much each example weighs, the threshold, leaving one lesson set out
to compare recipes, and the command line. The defaults are the shipped model's recipe
(`SHIPPED`: `--semantic --tuning-sets --folds groups --threshold-rule group-median`, the one
that did best on lesson sets left out of its fit; docs/tutor.md, "The answerability model"), so
the bare command rewrites `model.json` as shipped. Every older recipe is explicit options:
`--no-semantic`, `--no-tuning-sets`, `--folds questions`, `--threshold-rule pooled` (all four:
the defaults before session 18).

`--leave-one-set-out` writes nothing: for each lesson group (the shipped set's tuning half and
each tuning set of the fit, `SHIPPED_SETS` or with `--every-tuning-set` all) and each recipe in
`RECIPES` (the shipped half only, or every group), it fits on SQuAD's fit part and the recipe's
other groups, chooses the threshold as below on what remains, and scores the group left out: how
the fit generalises to lessons it has not seen. `--lesson-weight` (repeatable there) sets
`LESSON_WEIGHT`; `--recipe` picks recipes. Its fold and threshold rules default to the shipped
ones too (group folds, group median). `--save-decisions FILE` keeps each left-out question's
decision and each group's threshold (`fit_paired`); `--thresholds-from FILE` on a later run also
scores each left-out group at FILE's threshold for it (`fit_fixed`: the judge without the noise
of its refitted thresholds).

Recipe options, judged there and usable in a fit (docs/tutor.md, "Leave one lesson set out"):
`--squad-weight W` weighs each lesson question 1 and each SQuAD question W (0: SQuAD only
breaks the threshold's ties), instead of `--lesson-weight`'s shares; `--signs` bounds each
weight to the sign `SIGNS` gives its feature; `--l2` given more than once chooses the penalty
with the best out-of-fold ROC AUC on the fit's own lesson questions (never a left-out group).
`--folds groups` predicts each lesson question, for the threshold and the penalty, by a model
fitted without its whole lesson group (with one group in the fit, without its lesson): a lesson
the fit has not seen. Leaving one set out, those folds are the remaining groups (`fold_key`;
docs/tutor-experiments.md, "A threshold chosen on lesson groups the fit has not seen").
`--ablate` adds, for each answerable question, the same question asked of its lesson without
what holds its gold answer, labelled 0 (`ablate`), weighing `--ablated-weight` (docs/
tutor-experiments.md, "Answer ablation"). Of these options only `--folds groups` is shipped.

The model is an L2-regularised logistic regression on standardised features, fitted by
Newton's method, with lesson questions weighing `LESSON_WEIGHT` times SQuAD's. The threshold
maximises balanced accuracy on dev predictions: each lesson question predicted by a model
fitted without its fold (its lesson group; with `--folds questions`, `fit_data.FOLDS` hash
folds of questions), SQuAD's dev articles breaking ties; it is the median of each lesson
group's best (with `--threshold-rule pooled`, the best on all of them; with
`mean-group-accuracy`, tried and left out in session 19, the best mean of each group's balanced
accuracy). It writes `model.json` (or `--out`) and prints the dev figures, ROC AUC included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from . import fit_fixed, fit_paired
from .answer import answer_question
from .answerability import FEATURES, LEXICAL_FEATURES, MODEL_PATH, Model
from .fit_data import (
    DEFAULT_EVAL,
    DEFAULT_SQUAD,
    GRANULARITIES,
    ROOT,
    TUNING_SETS,
    Example,
    holds_expected,
    labelled_examples,
    labelled_questions,
)
from .fit_regression import L2, figures, fit_logistic, roc_auc

#: The recipe of the shipped `model.json`, and so the command's defaults: the bare command
#: refits the shipped model (docs/tutor.md, "The answerability model"). Older recipes are
#: explicit options: before session 18 the defaults were `--no-semantic --no-tuning-sets
#: --folds questions --threshold-rule pooled`.
SHIPPED = {
    "semantic": True,
    "tuning_sets": True,
    "folds": "groups",
    "threshold_rule": "group-median",
}
#: The tuning sets of `TUNING_SETS` the shipped model is fitted on (`--tuning-sets`). The later
#: ones judge a recipe when left out, and any set joins the fit with `--every-tuning-set`; a fit
#: with `tuning7.yaml` and `tuning8.yaml` set the threshold too high for the older groups
#: left out (docs/tutor-experiments.md, "Session 19, `thresh9`").
SHIPPED_SETS = (
    "tuning.yaml",
    "tuning2.yaml",
    "tuning3.yaml",
    "tuning4.yaml",
    "tuning5.yaml",
    "tuning6.yaml",
)

#: Lessons are what the tutor is for: their examples weigh this many times SQuAD's, in
#: fitting and in choosing the threshold.
LESSON_WEIGHT = 2.0
SHARE = {"squad": 1 / (1 + LESSON_WEIGHT), "lessons": LESSON_WEIGHT / (1 + LESSON_WEIGHT)}
#: The ablated examples' weight, as a share of a real example of the same source.
ABLATED_WEIGHT = 1.0


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
    # The question asks who made or named something, or when it happened, and the passage
    # holds no name or date beyond the question's own words; or it asks for a superlative, or
    # a kind or brand of a thing, and the passage holds no superlative, or does not say which.
    "origin_missing": -1,
    # The question and the passage are close in meaning (sentence vectors' cosine).
    "semantic": 1,
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


#: How `fit_with_threshold` folds the fit's lesson questions for its dev predictions.
FOLD_RULES = ("questions", "groups")
#: How `fit_with_threshold` picks the threshold from its dev predictions (`choose_threshold`):
#: the one best on all the fit's lesson questions pooled, or the median of the one best on each
#: lesson group alone (a rule that a group whose questions sit apart cannot drag), or, tried and
#: left out in session 19 (`thresh9`; docs/tutor-experiments.md), the one with the best mean over
#: the groups of each group's balanced accuracy. With one group every rule is the pooled one.
THRESHOLD_SAYS = {
    "pooled": "best dev accuracy",
    "group-median": "median of each group's best",
    "mean-group-accuracy": "best mean of each group's accuracy",
}
THRESHOLD_RULES = tuple(THRESHOLD_SAYS)
#: How `leave_one_set_out` names a recipe with each rule ("" for the older default, pooled).
THRESHOLD_NAMES = {
    "pooled": "",
    "group-median": ", group median",
    "mean-group-accuracy": ", mean group accuracy",
}
#: What `fold_key`'s fields fold by, as a fit reports it.
FOLD_NAMES = {"split": "question", "group": "lesson group", "lesson": "lesson"}


def fold_key(lessons: list[Example], folds: str) -> str:
    """The `Example` field whose values are the folds. "questions": the hash folds of
    `fit_data.FOLDS`, so a question's fold model has seen the other questions of its lesson.
    "groups": its lesson group (the shipped set's tuning half, each tuning set), so each dev
    prediction is one on a lesson set the fit has not seen, as a new lesson will be; with a
    single group, its lessons instead (each lesson predicted by a model without it)."""
    if folds not in FOLD_RULES:
        raise ValueError(f"unknown fold rule {folds!r}")
    if folds == "questions":
        return "split"
    return "group" if len({e.group for e in lessons}) > 1 else "lesson"


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
    folds: str = SHIPPED["folds"],
    threshold_rule: str = SHIPPED["threshold_rule"],
) -> tuple[Model, float, dict, dict, float]:
    """The model fitted on SQuAD's fit articles and `lessons`, its threshold, the dev
    examples and probabilities the threshold was chosen on (by source), and its L2 penalty.

    Dev predictions: SQuAD's dev articles from the final model; each lesson question from a
    model fitted without its fold (the lessons' tuning data is too small to set part aside),
    the folds being `fold_key(lessons, folds)`'s.
    The threshold maximises the lessons' balanced accuracy (what the tutor is for), SQuAD's
    breaking ties; without lesson questions, SQuAD's alone. With `threshold_rule`
    "group-median" it is the median of that threshold chosen on each lesson group's questions
    alone. Given several L2 penalties, the
    one whose out-of-fold lesson predictions have the best ROC AUC is fitted (the first on a
    tie; SQuAD's dev articles decide without lesson questions): the choice sees only `lessons`,
    never a group left out of them. Ablated examples (`ablate`) are fitted on, with their
    fold, and never predicted: thresholds and penalties are chosen on real questions."""
    if threshold_rule not in THRESHOLD_RULES:
        raise ValueError(f"unknown threshold rule {threshold_rule!r}")
    options = dict(squad_weight=squad_weight, signs=signs, ablated_weight=ablated_weight)
    penalties = (l2,) if isinstance(l2, int | float) else tuple(l2)
    squad_dev = [e for e in squad_dev if not e.ablated]
    key = fold_key(lessons, folds)
    fold_values = sorted({getattr(e, key) for e in lessons})
    best = None
    for penalty in penalties:
        dev = {"squad": squad_dev}
        model = train(squad_fit + lessons, names, penalty, lesson_weight, **options)
        dev_p = {"squad": [model.probability(e.x) for e in squad_dev]}
        if lessons:
            dev["lessons"], dev_p["lessons"] = [], []
            for fold in fold_values:
                held = [e for e in lessons if getattr(e, key) == fold and not e.ablated]
                rest = [e for e in lessons if getattr(e, key) != fold]
                fold_model = train(squad_fit + rest, names, penalty, lesson_weight, **options)
                dev["lessons"] += held
                dev_p["lessons"] += [fold_model.probability(e.x) for e in held]
        source = "lessons" if lessons else "squad"
        auc = roc_auc(dev_p[source], [e.correct for e in dev[source]])
        if best is None or auc > best[0]:
            best = (auc, penalty, model, dev, dev_p)
    _, penalty, model, dev, dev_p = best

    squad = (dev["squad"], dev_p["squad"])
    if not lessons:
        return model, _best_threshold([squad]), dev, dev_p, penalty
    pairs = list(zip(dev["lessons"], dev_p["lessons"], strict=True))
    groups = []
    for group in dict.fromkeys(e.group for e in dev["lessons"]):
        mine = [(e, p) for e, p in pairs if e.group == group]
        groups.append(([e for e, _ in mine], [p for _, p in mine]))
    return model, choose_threshold(groups, squad, threshold_rule), dev, dev_p, penalty


_CANDIDATES = [i / 100 for i in range(5, 96)]
#: Dev examples and the probabilities predicted for them, one to one.
Predictions = tuple[list[Example], list[float]]


def _balanced(examples: list[Example], probabilities: list[float], threshold: float) -> float:
    f = figures(examples, probabilities, threshold)
    return round((f["answerable_hit"] + f["unanswerable_declined"]) / 2, 6)


def _best_threshold(parts: list[Predictions]) -> float:
    """The candidate with the best balanced accuracy on the first part, the next breaking ties
    (then the lowest)."""
    return max(_CANDIDATES, key=lambda t: tuple(_balanced(e, p, t) for e, p in parts))


def choose_threshold(groups: list[Predictions], squad: Predictions, rule: str) -> float:
    """The threshold `rule` (`THRESHOLD_RULES`) picks from each lesson group's dev predictions,
    SQuAD's dev predictions breaking ties, rounded to three decimals.

    "pooled": the best balanced accuracy on every group's questions together. "group-median":
    the median of each group's own best threshold. "mean-group-accuracy": the best mean over
    the groups of each group's balanced accuracy, so each group counts the same whatever its
    size. With one group all are the pooled rule. (Session 19 also tried the mean of each
    group's best and their median weighted by each group's questions; both added nothing.)"""
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"unknown threshold rule {rule!r}")
    if rule == "pooled":
        pooled = ([e for g, _ in groups for e in g], [p for _, ps in groups for p in ps])
        return round(_best_threshold([pooled, squad]), 3)
    if rule == "mean-group-accuracy":

        def mean_accuracy(t: float) -> tuple[float, float]:
            mean = statistics.fmean(_balanced(e, p, t) for e, p in groups)
            return round(mean, 6), _balanced(*squad, t)

        return round(max(_CANDIDATES, key=mean_accuracy), 3)
    return round(statistics.median(_best_threshold([g, squad]) for g in groups), 3)


#: The recipes `--leave-one-set-out` compares: which lesson groups a fit may use.
RECIPES = {
    "shipped": ("shipped",),
    # The groups the shipped model is fitted on, whichever groups are loaded: with
    # `--every-tuning-set` it scores the later sets as the shipped recipe would.
    "shipped-sets": ("shipped", *SHIPPED_SETS),
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
    folds: list[str] | None = None,
    threshold_rules: list[str] | None = None,
    check: Callable[[list[dict]], None] | None = None,
) -> list[dict]:
    """How each recipe generalises to lessons it has never seen: for every lesson group (the
    shipped set's tuning half and each tuning set), fit on SQuAD's fit articles and the
    recipe's other lesson groups, choose the threshold (and the L2 penalty, given several) as
    `main` does on what remains, and score the left-out group. One row per (recipe, weight,
    left-out group): the weights are `lesson_weights`, or `squad_weights` (each lesson question
    1, each SQuAD question that much) when given, each with every one of `ablated_weights`
    when `examples` hold ablated ones, and each recipe with every fold rule of `folds`
    (`fold_key`; default `SHIPPED`'s group folds; ", group folds" names a recipe with them)
    and every threshold rule of `threshold_rules` (default `SHIPPED`'s group median; ", group
    median" names a recipe with it). The inner folds are made of the fit's own groups: the
    left-out group never enters them. A left-out group's ablated examples leave with it, and it
    is scored on its real questions only. `check`, given, is called before any fit with a row
    stub (recipe, weight, left-out group) for each row to come, and may raise."""
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
    plans = [
        (r, f, t)
        for r in recipes or tuple(RECIPES)
        for f in folds or [SHIPPED["folds"]]
        for t in threshold_rules or [SHIPPED["threshold_rule"]]
    ]
    readings = []
    for recipe, fold_rule, threshold_rule in plans:
        name = recipe + (", signs" if signs else "")
        name += ", group folds" if fold_rule == "groups" else ""
        name += THRESHOLD_NAMES[threshold_rule]
        rules = {"signs": signs, "folds": fold_rule, "threshold_rule": threshold_rule}
        for label, weight, squad_weight in weightings:
            for ablated_weight in ablated:
                label_here = f"{label}, ablated {ablated_weight:g}" if augmented else label
                extra = {"ablated_weight": ablated_weight} if augmented else {}
                options = rules | {"squad_weight": squad_weight} | extra
                readings.append((name, label_here, RECIPES[recipe], weight, options))
    if check:
        check(
            [
                {"recipe": r[0], "weight": r[1], "left_out": left}
                for r in readings
                for left in groups
            ]
        )
    rows = []
    for name, label_here, allowed, weight, options in readings:
        for left in groups:
            fit_on = [e for e in lessons if e.group in allowed and e.group != left]
            model, threshold, _, _, penalty = fit_with_threshold(
                squad_fit, squad_dev, fit_on, names, l2, weight, **options
            )
            held = [e for e in lessons if e.group == left and not e.ablated]
            probabilities = [model.probability(e.x) for e in held]
            numbers = figures(held, probabilities, threshold)
            pairs = list(zip(held, probabilities, strict=True))
            numbers["answered"] = sum(e.correct and p >= threshold for e, p in pairs)
            numbers["declined"] = sum(not e.answerable and p < threshold for e, p in pairs)
            numbers["answerable"] = sum(e.answerable for e in held)
            numbers["right"] = fit_fixed.decided(pairs, threshold)
            numbers["scored"] = pairs
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, repeatable options given as lists; the defaults are `SHIPPED`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--tuning-sets",
        action=argparse.BooleanOptionalAction,
        default=SHIPPED["tuning_sets"],
        help="also fit on every question of the tuning sets in SHIPPED_SETS "
        "(tests/tutor_eval/tuning*.yaml; default: on, as shipped)",
    )
    parser.add_argument(
        "--save-decisions",
        type=Path,
        metavar="FILE",
        help="with --leave-one-set-out, write whether each left-out question was decided "
        "right, and each left-out group's threshold",
    )
    parser.add_argument(
        "--thresholds-from",
        type=Path,
        metavar="FILE",
        help="with --leave-one-set-out, also score each left-out group at the threshold of a "
        "reference run (FILE from its --save-decisions) and print both (fit_fixed)",
    )
    parser.add_argument(
        "--paired",
        type=Path,
        metavar="FILE",
        help="with --leave-one-set-out, compare each question's decision with a file "
        "--save-decisions wrote (questions right in one reading only, sign test)",
    )
    parser.add_argument(
        "--every-tuning-set",
        action="store_true",
        help="with --tuning-sets or --leave-one-set-out, every set of TUNING_SETS, not only "
        "SHIPPED_SETS",
    )
    parser.add_argument(
        "--semantic",
        action=argparse.BooleanOptionalAction,
        default=SHIPPED["semantic"],
        help="add the sentence encoder's cosine as a feature (tutor/retrieval/semantic.py; "
        "default: on, as shipped)",
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
        "--folds",
        choices=FOLD_RULES,
        action="append",
        help="how the threshold's and penalty's dev predictions are folded: hash folds of the "
        "questions, or the fit's lesson groups (default, as shipped), each predicted by a model "
        "without it (its lessons with one group); --leave-one-set-out takes it more than once",
    )
    parser.add_argument(
        "--threshold-rule",
        choices=THRESHOLD_RULES,
        action="append",
        help="the threshold best on the fit's lesson questions pooled, or the median of the one "
        "best on each lesson group (default, as shipped), or the one with the best mean of "
        "each group's accuracy (choose_threshold); --leave-one-set-out takes it more than once",
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
    if args.thresholds_from and not args.leave_one_set_out:
        parser.error("--thresholds-from needs --leave-one-set-out")
    # Not argparse defaults: "append" would add to them instead of replacing them.
    args.folds = args.folds or [SHIPPED["folds"]]
    args.threshold_rule = args.threshold_rule or [SHIPPED["threshold_rule"]]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    weights = args.lesson_weight or [LESSON_WEIGHT]
    penalties = tuple(args.l2 or [L2])
    l2 = penalties[0] if len(penalties) == 1 else penalties
    sets = tuple(s for s in TUNING_SETS if args.every_tuning_set or s[0] in SHIPPED_SETS)
    tuning = sets if args.tuning_sets or args.leave_one_set_out else ()
    if args.figures:
        answer_figures(args.squad, args.eval_dir, args.content, tuning)
        return 0

    try:
        return _fit_or_judge(args, weights, l2, tuning)
    except fit_fixed.BadReference as err:
        print(f"fit: error: --thresholds-from {err}", file=sys.stderr)
        return 2


def _fit_or_judge(
    args: argparse.Namespace, weights: list[float], l2: float | tuple[float, ...], tuning: tuple
) -> int:
    """`main` past its options: a fit, or leaving one set out (`fit_fixed.BadReference` for a
    --thresholds-from file that cannot serve)."""
    reference = fit_fixed.load(args.thresholds_from) if args.thresholds_from else None
    names = FEATURES if args.semantic else LEXICAL_FEATURES
    examples = labelled_examples(
        args.squad, args.eval_dir, args.content, tuning, args.semantic, args.ablate
    )
    ablated_weights = args.ablated_weight or [ABLATED_WEIGHT]
    if args.leave_one_set_out:
        # The reference's readings checked before the first fit, not after the last.
        where = (args.thresholds_from, reference[0]) if reference else None
        rows = leave_one_set_out(
            examples,
            names,
            l2,
            weights,
            recipes=tuple(args.recipe) if args.recipe else None,
            squad_weights=args.squad_weight,
            signs=args.signs,
            ablated_weights=ablated_weights,
            folds=args.folds,
            threshold_rules=args.threshold_rule,
            check=partial(fit_fixed.check_readings, *where) if where else None,
        )
        print_leave_one_set_out(rows)
        if reference:
            fit_fixed.print_fixed(fit_fixed.compare(rows, *reference))
        if args.paired:
            fit_paired.print_paired(fit_paired.load(args.paired), fit_paired.decisions(rows))
        if args.save_decisions:
            found = fit_paired.decisions(rows)
            fit_paired.save(args.save_decisions, found, fit_paired.thresholds(rows))
        return 0
    squad_fit = [e for e in examples if e.source == "squad" and e.split == "fit"]
    squad_dev = [e for e in examples if e.source == "squad" and e.split == "dev"]
    lessons = [e for e in examples if e.source == "lessons"]
    squad_weight = args.squad_weight[0] if args.squad_weight else None
    fold_rule = args.folds[0]
    threshold_rule = args.threshold_rule[0]
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
        folds=fold_rule,
        threshold_rule=threshold_rule,
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
        | ({"ablated": f"{args.ablate}, weight {ablated_weights[0]:g}"} if args.ablate else {})
        | ({"folds": fold_rule} if fold_rule != "questions" else {})
        | ({"threshold_rule": threshold_rule} if threshold_rule != "pooled" else {}),
        "dev": {s: {k: round(v, 4) for k, v in report[s].items()} for s in report},
    }
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in payload.items()]
    args.out.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(
        f"fitted on {payload['fitted_on']}; L2 {penalty:g}; threshold {threshold} "
        f"({THRESHOLD_SAYS[threshold_rule]}, {FOLD_NAMES[fold_key(lessons, fold_rule)]} folds)"
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
