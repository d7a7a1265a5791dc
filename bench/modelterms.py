"""Non-linear terms for the answerability model, judged on tuning data only (issue #12).

    python bench/modelterms.py extract          # features of every tuning question, once
    python bench/modelterms.py misses           # the base model's misses on the tuning sets
    python bench/modelterms.py judge VARIANT... # refit each variant, print dev figures

Tuning data only: the SQuAD tuning file (fit / dev articles as `fit_data` splits them), the tuning
half of the shipped set (out-of-fold predictions), the tuning sets of `fit_data.TUNING_SETS`. The
held-out half and the heldout*.yaml sets are never read. Pool A is the shipped fit (the tuning
sets are unseen lessons); pool C adds the tuning sets to the fit (`fit --tuning-sets`), all
lesson questions predicted out of fold. A variant is "base", "prod:<a>*<b>,<c>*<d>...",
"hinge:<feature>@<knot>,..." or "allprod", each with an optional ":l2=<value>".
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.retrieval import fit, fit_data, fit_regression  # noqa: E402
from tutor.retrieval.answerability import FEATURES, Model  # noqa: E402
from tutor.retrieval.index import build_index  # noqa: E402

CACHE = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "modelterms.json"
CONTINUOUS = ("coverage", "section_coverage", "score", "bigrams", "semantic", "definition")


def extract() -> None:
    rows = []
    for source, split, index, question, answers in fit_data.labelled_questions(
        fit_data.DEFAULT_SQUAD, fit_data.DEFAULT_EVAL, ROOT / "content"
    ):
        x, passage = fit_data.passage_features(index, question, True)
        group = "squad" if source == "squad" else "shipped"
        rows.append(_row(group, split, question, answers, x, passage))
    for name, folder in fit_data.TUNING_SETS:
        lessons = {
            ref: build_index(text)
            for ref, text in fit_data.content_lessons(fit_data.DEFAULT_EVAL / folder).items()
        }
        cases = yaml.safe_load((fit_data.DEFAULT_EVAL / name).read_text(encoding="utf-8"))
        for case in cases:
            question = str(case["question"])
            fold = int(hashlib.sha256(question.encode()).hexdigest()[1], 16) % fit_data.FOLDS
            answers = fit_data.expected_phrases(case)
            x, passage = fit_data.passage_features(lessons[case["lesson"]], question, True)
            rows.append(_row(name, f"fold{fold}", question, answers, x, passage))
    CACHE.write_text(json.dumps(rows), encoding="utf-8")
    print(f"{len(rows)} questions -> {CACHE}")


def _row(group, split, question, answers, x, passage):
    return {
        "group": group,
        "split": split,
        "question": question,
        "answerable": bool(answers),
        "correct": bool(answers) and fit_data.holds_expected(passage, answers),
        "x": x,
        "passage": passage,
    }


def load() -> list[dict]:
    return json.loads(CACHE.read_text(encoding="utf-8"))


class Terms:
    """The base features plus derived terms: products of two features, hinges max(0, f - k)."""

    def __init__(self, spec: str, rows: list[dict]):
        self.spec = spec
        self.l2 = fit_regression.L2
        kind, _, rest = spec.partition(":")
        parts = [p for p in rest.split(":") if p]
        for p in list(parts):
            if p.startswith("l2="):
                self.l2 = float(p[3:])
                parts.remove(p)
        self.products: list[tuple[int, int]] = []
        self.hinges: list[tuple[int, float]] = []
        at = {n: i for i, n in enumerate(FEATURES)}
        if kind == "prod":
            for item in parts[0].split(","):
                a, b = item.split("*")
                self.products.append((at[a], at[b]))
        elif kind == "allprod":
            names = parts[0].split(",") if parts else FEATURES
            idx = [at[n] for n in names]
            self.products = [(a, b) for i, a in enumerate(idx) for b in idx[i + 1 :]]
        elif kind == "hinge":
            for item in parts[0].split(","):
                name, _, knot = item.partition("@")
                if knot.startswith("q"):  # quantile knots over the SQuAD fit rows
                    for q in knot[1:].split("/"):
                        values = sorted(
                            r["x"][at[name]]
                            for r in rows
                            if r["group"] == "squad" and r["split"] == "fit"
                        )
                        self.hinges.append((at[name], values[int(len(values) * float(q))]))
                else:
                    self.hinges.append((at[name], float(knot)))
        elif kind != "base":
            raise SystemExit(f"unknown variant {spec}")

    def __call__(self, x: list[float]) -> list[float]:
        return (
            list(x)
            + [x[a] * x[b] for a, b in self.products]
            + [max(0.0, x[i] - k) for i, k in self.hinges]
        )


def train(rows: list[dict], terms: Terms) -> Model:
    totals = {s: sum(_source(r) == s for r in rows) for s in ("squad", "lessons")}
    weights = [len(rows) * fit.SHARE[_source(r)] / totals[_source(r)] for r in rows]
    xs = [terms(r["x"]) for r in rows]
    mean, scale, coef, bias = fit_regression.fit_logistic(
        xs, [r["correct"] for r in rows], weights, terms.l2
    )
    names = tuple(f"t{i}" for i in range(len(coef)))
    return Model(names, tuple(mean), tuple(scale), tuple(coef), bias, 0.5)


def _source(row: dict) -> str:
    return "squad" if row["group"] == "squad" else "lessons"


def predictions(rows: list[dict], terms: Terms, pool: str) -> tuple[dict[int, float], Model]:
    """Dev probability of every row that is not a SQuAD fit row, as `fit` makes them, and the
    model fitted on the whole pool."""
    squad_fit = [r for r in rows if r["group"] == "squad" and r["split"] == "fit"]
    in_fit = ("shipped",) if pool == "A" else ("shipped", *(n for n, _ in fit_data.TUNING_SETS))
    lessons = [r for r in rows if r["group"] in in_fit]
    model = train(squad_fit + lessons, terms)
    out = {}
    for i, r in enumerate(rows):
        squad_dev = r["group"] == "squad" and r["split"] == "dev"
        if squad_dev or r["group"] not in (*in_fit, "squad"):
            out[i] = model.probability(terms(r["x"]))
    for fold in sorted({r["split"] for r in lessons}):
        fold_model = train(squad_fit + [r for r in lessons if r["split"] != fold], terms)
        for i, r in enumerate(rows):
            if r["group"] in in_fit and r["split"] == fold:
                out[i] = fold_model.probability(terms(r["x"]))
    return out, model


def rates(rows, probs, threshold):
    on = [(r, p) for r, p in zip(rows, probs, strict=True) if r["answerable"]]
    off = [(r, p) for r, p in zip(rows, probs, strict=True) if not r["answerable"]]
    hit = sum(r["correct"] and p >= threshold for r, p in on) / len(on)
    declined = sum(p < threshold for _, p in off) / len(off)
    auc = fit_regression.roc_auc(probs, [r["correct"] for r in rows])
    return hit, declined, (hit + declined) / 2, auc


def judge(specs: list[str]) -> None:
    rows = load()
    pools = os.environ.get("POOLS", "AC")
    for pool in pools:
        print(f"pool {pool}: ROC AUC; hit / declined / balanced (threshold by fit's rule)")
        for spec in specs:
            terms = Terms(spec, rows)
            probs, model = predictions(rows, terms, pool)
            groups = {
                "squad dev": [i for i in probs if rows[i]["group"] == "squad"],
                "shipped": [i for i in probs if rows[i]["group"] == "shipped"],
            }
            for name, _ in fit_data.TUNING_SETS:
                groups[name] = [i for i in probs if rows[i]["group"] == name]
            lesson_dev = (
                groups["shipped"]
                if pool == "A"
                else [i for i in probs if rows[i]["group"] != "squad"]
            )
            groups["lessons"] = [i for i in probs if rows[i]["group"] != "squad"]

            threshold = choose_threshold(rows, probs, lesson_dev, groups["squad dev"])
            if os.environ.get("THRESHOLD"):  # a control: the same model at another threshold
                threshold = float(os.environ["THRESHOLD"])
            cells = []
            for name, ids in groups.items():
                h, d, b, a = rates([rows[i] for i in ids], [probs[i] for i in ids], threshold)
                cells.append(f"{name} {a:.3f}; {h:.1%}/{d:.1%}/{b:.3f}")
            size = len(model.weights)
            print(f"  {spec} (t {threshold}, {size} coef): " + " | ".join(cells))
            if os.environ.get("BOOTSTRAP"):
                if spec == specs[0]:
                    reference = probs
                else:
                    print(
                        "    AUC change vs first, 95% bootstrap: "
                        + bootstrap(rows, groups, reference, probs)
                    )


def choose_threshold(rows, probs, lesson_dev, squad_dev) -> float:
    """fit's rule: the best balanced accuracy on the lessons' dev predictions, SQuAD's dev
    articles breaking ties."""

    def balanced(ids, t):
        return round(rates([rows[i] for i in ids], [probs[i] for i in ids], t)[2], 6)

    candidates = [i / 100 for i in range(5, 96)]
    return max(candidates, key=lambda t: (balanced(lesson_dev, t), balanced(squad_dev, t)))


def bootstrap(rows, groups, old, new, draws: int = 500) -> str:
    """Paired bootstrap by question of the ROC AUC change, per group."""
    import random

    rng = random.Random(12)  # noqa: S311 - resampling, not secrets
    out = []
    for name, ids in groups.items():
        if name == "shipped":
            continue
        labels = [rows[i]["correct"] for i in ids]
        changes = []
        for _ in range(draws):
            pick = [rng.randrange(len(ids)) for _ in ids]
            lab = [labels[k] for k in pick]
            a = fit_regression.roc_auc([new[ids[k]] for k in pick], lab)
            b = fit_regression.roc_auc([old[ids[k]] for k in pick], lab)
            changes.append(a - b)
        changes.sort()
        mid = fit_regression.roc_auc([new[i] for i in ids], labels) - fit_regression.roc_auc(
            [old[i] for i in ids], labels
        )
        out.append(f"{name} {mid:+.3f} [{changes[12]:+.3f}, {changes[487]:+.3f}]")
    return "; ".join(out)


def misses() -> None:
    rows = load()
    terms = Terms("base", rows)
    probs, _ = predictions(rows, terms, "A")
    threshold = json.loads((ROOT / "tutor/retrieval/model.json").read_text())["threshold"]
    names = [n[:6] for n in FEATURES]
    print("group | kind | p | " + " ".join(f"{n:>6}" for n in names) + " | question")
    for i, p in sorted(probs.items(), key=lambda kv: (rows[kv[0]]["group"], kv[1])):
        r = rows[i]
        if r["group"] == "squad":
            continue
        if r["answerable"] and r["correct"] and p >= threshold:
            continue
        if not r["answerable"] and p < threshold:
            continue
        kind = (
            "wrong-passage"
            if r["answerable"] and not r["correct"]
            else ("declined" if r["answerable"] else "answered")
        )
        values = " ".join(f"{v:6.2f}" for v in r["x"])
        print(f"{r['group']} | {kind} | {p:.2f} | {values} | {r['question']}")


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["judge", "base"]
    {"extract": lambda: extract(), "misses": lambda: misses(), "judge": lambda: judge(rest)}[
        command
    ]()
