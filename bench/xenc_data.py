"""Data for the cross-encoder spike (docs/tutor-experiments.md, "Session 25, `xenc`").

    .venv/bin/python bench/xenc_data.py OUT.jsonl

One JSON line per labelled tuning question of `tutor.retrieval.fit` (SQuAD's tuning file as
lessons, the shipped set's tuning half, every tuning set; never a held-out file): its group,
the question, the passage the answerability model judges for it (`fit_data.passage_features`),
`answerable` (the case has an expected phrase), `correct` (the judged passage holds one: the
fit's label), the shipped tutor's confidence (`answer_question(...).confidence`, exact) and the
WordPiece ids of question and passage (`semantic.WordPiece`, without [CLS]/[SEP]).
`bench/xenc_train.py`, which needs torch in a venv of its own, trains and reads on it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.retrieval import fit_data, semantic  # noqa: E402
from tutor.retrieval.answer import answer_question  # noqa: E402


def main(out: Path) -> None:
    tokenizer = semantic.WordPiece(semantic.weights_dir() / "vocab.txt")

    def pieces(text: str) -> list[int]:
        # `WordPiece.ids` cuts at 128 tokens; a long passage is tokenised in windows of words.
        words, ids = text.split(), []
        for n in range(0, len(words), 40):
            ids += tokenizer.ids(" ".join(words[n : n + 40]))[1:-1]
        return ids

    rows = fit_data.grouped_questions(
        fit_data.DEFAULT_SQUAD,
        fit_data.DEFAULT_EVAL,
        ROOT / "content",
        fit_data.TUNING_SETS,
    )
    with out.open("w", encoding="utf-8") as f:
        for group, _source, split, index, question, answers in rows:
            _, passage = fit_data.passage_features(index, question, with_semantic=True)
            reply = answer_question(index, question, low_confidence=1.01)
            row = {
                "group": group,
                "split": split,
                "question": question,
                "passage": passage,
                "answerable": bool(answers),
                "correct": bool(answers) and fit_data.holds_expected(passage, answers),
                "confidence": reply.confidence,
                "q_ids": pieces(question),
                "p_ids": pieces(passage),
            }
            f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
