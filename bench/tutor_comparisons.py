"""The tutor on the comparison questions of the lesson tuning sets, each reply printed.

    python bench/tutor_comparisons.py [CHECKOUT]

A comparison question here is one of `tests/tutor_eval/tuning*.yaml` (`TUNING_SETS`, read from
this checkout) whose text matches `COMPARISON` ("differ", "difference", " vs", "compare");
some only mention a difference. CHECKOUT (default: this one) is the code that answers, so two
checkouts are compared on the same questions. Judged as the harness judges: an answerable
question passes when a quote holds an expected phrase, an unanswerable one when it is declined.
Never the held-out files.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPARISON = re.compile(r"differ|difference| vs|compare", re.IGNORECASE)


def main(argv: list[str]) -> int:
    checkout = Path(argv[0]).resolve() if argv else ROOT
    sys.path.insert(0, str(checkout))
    import yaml

    from tutor.retrieval import answer_question, build_index
    from tutor.retrieval.fit_data import TUNING_SETS, content_lessons, expected_phrases

    def normalise(text: str) -> str:
        return " ".join(text.casefold().split())

    eval_dir = ROOT / "tests" / "tutor_eval"
    passed = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for name, folder in TUNING_SETS:
        texts = content_lessons(eval_dir / folder)
        for case in yaml.safe_load((eval_dir / name).read_text(encoding="utf-8")) or []:
            question = str(case["question"])
            if not COMPARISON.search(question):
                continue
            reply = answer_question(build_index(texts[case["lesson"]]), question)
            expected = expected_phrases(case)
            quotes = normalise(" ".join(c.quote for c in reply.citations))
            if expected:
                ok = reply.kind == "answer" and any(normalise(e) in quotes for e in expected)
            else:
                ok = not reply.grounded
            passed[bool(expected)] += ok
            total[bool(expected)] += 1
            label = "answerable" if expected else "unanswerable"
            verdict = "PASS" if ok else "FAIL"
            print(f"{verdict} [{name}] {label} {question!r} confidence {reply.confidence:.2f}")
            print("   " + reply.answer.replace("\n", "\n   "))
    print(
        f"answerable answered {passed[True]}/{total[True]}; "
        f"unanswerable declined {passed[False]}/{total[False]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
