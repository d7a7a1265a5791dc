"""Same tutor answers from two checkouts, on every question of the tuning data.

    .venv/bin/python bench/compare_tutor_answers.py /path/to/old-checkout /path/to/new-checkout

A check for changes meant to make the tutor cheaper without changing what it says. Each
checkout's `answer_question` (in a process of its own, importing that checkout's
`tutor.retrieval`) answers every question of the tuning data as `fit` reads it
(`fit_data.labelled_questions`): the SQuAD tuning file's questions, the shipped set's tuning
half and the tuning sets (`tuning*.yaml` with their `*_content` folders), all read from the
new checkout so both sides see the same text. Never the held-out files.

Compared exactly, per question: the kind of reply, grounded or not, the reply's text, every
citation (section, anchor, quote) and `best_score`. The confidence is compared too: how many
differ and by how much, whether any answer moves across the tutor-gaps report's line
(`TUTOR_LOW_CONFIDENCE`, 0.7), and the ROC AUC of the confidence (answerable or not) on each
side. Prints the differences; exits 1 when a reply differs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
LOW_CONFIDENCE = 0.7


def dump(checkout: Path, data: Path, squad: Path, out: Path) -> None:
    """Answers every tuning question with `checkout`'s tutor; writes them to `out` (JSON)."""
    sys.path.insert(0, str(checkout))
    from tutor.retrieval import answer_question, semantic
    from tutor.retrieval.fit_data import TUNING_SETS, grouped_questions

    eval_dir, content = data / "tests" / "tutor_eval", data / "content"
    rows = []
    for group, _, _, index, question, answers in grouped_questions(
        squad, eval_dir, content, TUNING_SETS
    ):
        reply = answer_question(index, question)
        rows.append(
            {
                "group": group,
                "question": question,
                "answerable": bool(answers),
                "kind": reply.kind,
                "grounded": reply.grounded,
                "answer": reply.answer,
                "citations": [[c.section, c.anchor, c.quote] for c in reply.citations],
                "best_score": reply.best_score,
                "confidence": reply.confidence,
            }
        )
    encoder = semantic.encoder()
    encoded = len(encoder._cache) if encoder is not None else 0
    out.write_text(json.dumps({"rows": rows, "units_encoded": encoded}), encoding="utf-8")


def roc_auc(rows: list[dict]) -> float:
    """P(an answerable question's confidence > an unanswerable one's), ties counting half."""
    on = sorted(r["confidence"] for r in rows if r["answerable"])
    off = sorted(r["confidence"] for r in rows if not r["answerable"])
    wins = sum(sum(1.0 if a > b else 0.5 if a == b else 0.0 for b in off) for a in on)
    return wins / (len(on) * len(off))


def compare(old: dict, new: dict) -> int:
    exact = ("kind", "grounded", "answer", "citations", "best_score")
    differing = moved = crossed = 0
    largest = 0.0
    assert [r["question"] for r in old["rows"]] == [r["question"] for r in new["rows"]]
    for a, b in zip(old["rows"], new["rows"], strict=True):
        if any(a[key] != b[key] for key in exact):
            differing += 1
            print(f"DIFFERS [{a['group']}] {a['question']!r}: {a['kind']} -> {b['kind']}")
        if a["confidence"] != b["confidence"]:
            moved += 1
            largest = max(largest, abs(a["confidence"] - b["confidence"]))
            low = [r["kind"] == "answer" and r["confidence"] < LOW_CONFIDENCE for r in (a, b)]
            crossed += low[0] != low[1]
    groups = sorted({r["group"] for r in old["rows"]})
    for group in groups:
        mine = [
            (a, b) for a, b in zip(old["rows"], new["rows"], strict=True) if a["group"] == group
        ]
        answered = sum(b["kind"] == "answer" for _, b in mine)
        print(f"{group}: {len(mine)} questions, {answered} answered")
    print(f"questions: {len(old['rows'])}; replies differing: {differing}")
    print(
        f"confidences differing: {moved} (largest by {largest:.4f}); answers crossing the "
        f"low-confidence line ({LOW_CONFIDENCE}): {crossed}"
    )
    print(
        f"ROC AUC of the confidence: old {roc_auc(old['rows']):.4f}, new {roc_auc(new['rows']):.4f}"
    )
    print(f"units encoded: old {old['units_encoded']}, new {new['units_encoded']}")
    return 1 if differing else 0


def squad_file(argv: list[str], doc: str | None, dump: Callable[..., None]) -> Path | int:
    """What a comparing script's command line asks for: with ``--dump CHECKOUT DATA SQUAD OUT``,
    runs ``dump`` and returns 0; with two checkouts, the SQuAD tuning file above this checkout;
    else 2, having said why."""
    if len(argv) == 5 and argv[0] == "--dump":
        dump(*(Path(a) for a in argv[1:]))
        return 0
    if len(argv) != 2:
        print(doc, file=sys.stderr)
        return 2
    shared = (base / "shared" / "data" / "squad" / "squad-v2-tune.json" for base in HERE.parents)
    squad = next((p for p in shared if p.exists()), None)
    if squad is None:
        print("no shared/data/squad/squad-v2-tune.json above this checkout", file=sys.stderr)
        return 2
    return squad


def main(argv: list[str]) -> int:
    squad = squad_file(argv, __doc__, dump)
    if isinstance(squad, int):
        return squad
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for n, checkout in enumerate(argv):
            out = Path(folder) / f"{n}.json"
            command = [
                sys.executable,
                __file__,
                "--dump",
                checkout,
                str(HERE),
                str(squad),
                str(out),
            ]
            subprocess.run(command, check=True, cwd=checkout)  # noqa: S603 (this script)
            results.append(json.loads(out.read_text(encoding="utf-8")))
    return compare(*results)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
