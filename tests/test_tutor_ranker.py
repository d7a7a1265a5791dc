"""The fitted re-ranker of BM25's best units (tutor/retrieval/rerank.py, fit_ranker.py)."""

from __future__ import annotations

from tutor.retrieval import fit_ranker, tuning
from tutor.retrieval.index import build_index
from tutor.retrieval.ranking import rank, read_query
from tutor.retrieval.rerank import FEATURES, RANKER_PATH, Ranker, candidate_features, rerank
from tutor.retrieval.units import LessonText, SectionText

LESSON = LessonText(
    "Kites",
    "",
    (
        SectionText(
            "Parts",
            "parts",
            "A kite has a spine and a spar. The spine runs from nose to tail. "
            "Kites fly when wind pushes on the sail. The sail is made of nylon or paper.",
        ),
    ),
    (("Bridle", "the lines that hold a kite at its angle to the wind"),),
)


def test_the_committed_ranker_is_what_the_command_writes(tmp_path) -> None:
    out = tmp_path / "ranker.json"
    assert fit_ranker.main(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == RANKER_PATH.read_text(encoding="utf-8")


def test_a_ranker_that_scores_every_unit_alike_keeps_bm25s_order() -> None:
    index = build_index(LESSON)
    query = read_query(index, "what is the sail of a kite made of?")
    ranked = rank(index, query)
    assert rerank(index, query, ranked, Ranker((0.0,) * len(FEATURES))) == ranked


def test_re_ranking_moves_units_but_each_place_keeps_its_score() -> None:
    index = build_index(LESSON)
    query = read_query(index, "what is the sail of a kite made of?")
    ranked = rank(index, query)
    # Prefer the last candidate: the order turns over, the scores stay best first.
    last = Ranker(tuple(1.0 if f == "position" else 0.0 for f in FEATURES))
    moved = rerank(index, query, ranked, last)
    head = min(len(ranked), tuning.RERANK_UNITS)
    assert [s for s, _ in moved] == [s for s, _ in ranked]
    assert [u for _, u in moved[:head]] == [u for _, u in ranked[:head]][::-1]
    assert len(candidate_features(index, query, ranked)[0]) == len(FEATURES)


def test_each_groups_ranker_is_fitted_without_that_group(monkeypatch) -> None:

    def fake_fit(data, l2=fit_ranker.L2):
        return frozenset(c.group for c in data)

    monkeypatch.setattr(fit_ranker, "fit", fake_fit)
    data = [fit_ranker.Candidates(g, [[0.0] * len(FEATURES)], [True], True) for g in "abc"]
    seen = fit_ranker.leave_each_out(data)
    assert seen == {g: frozenset("abc") - {g} for g in "abc"}
