"""The fit's recipe options (`tutor.retrieval.fit`): sign bounds, SQuAD's weight, the L2 choice."""

from __future__ import annotations

import math

import pytest

from tutor.retrieval import fit
from tutor.retrieval.answerability import FEATURES, LEXICAL_FEATURES

# Feature 0 rises with the label; feature 1 rises with feature 0 but, given it, falls with the
# label, so an unbounded fit gives feature 1 a negative weight.
XS = [[i / 10, i / 10 + (0.3 if i % 3 == 0 else -0.1)] for i in range(20)]
YS = [int(i > 8) ^ int(i in (4, 13)) ^ int(i % 3 == 0 and i > 9) for i in range(20)]


def test_every_feature_has_a_sign_decided_from_its_meaning() -> None:
    assert set(fit.SIGNS) == set(FEATURES) and set(LEXICAL_FEATURES) < set(fit.SIGNS)
    assert all(sign in (1, -1) for sign in fit.SIGNS.values())


def test_a_weight_bounded_at_zero_is_held_there_and_the_rest_fit_without_it() -> None:
    _, _, free, _ = fit.fit_logistic(XS, YS, [1.0] * 20)
    assert free[0] > 0 > free[1]
    _, _, bounded, bias = fit.fit_logistic(XS, YS, [1.0] * 20, signs=[1, 1])
    assert bounded[1] == 0.0
    # With feature 1 at 0 the optimum is the fit on feature 0 alone (same standardisation).
    _, _, alone, alone_bias = fit.fit_logistic([[x[0]] for x in XS], YS, [1.0] * 20)
    assert bounded[0] == pytest.approx(alone[0], abs=1e-6)
    assert bias == pytest.approx(alone_bias, abs=1e-6)


def test_bounds_the_free_fit_already_meets_change_nothing() -> None:
    _, _, free, free_bias = fit.fit_logistic(XS, YS, [1.0] * 20)
    _, _, bounded, bias = fit.fit_logistic(XS, YS, [1.0] * 20, signs=[1, -1])
    assert bounded == pytest.approx(free, abs=1e-6) and bias == pytest.approx(free_bias, abs=1e-6)
    _, _, zero_sign, _ = fit.fit_logistic(XS, YS, [1.0] * 20, signs=[0, 0])
    assert zero_sign == free


def _examples() -> list[fit.Example]:
    rows = []
    for n, (x, y) in enumerate(zip(XS, YS, strict=True)):
        rows.append(fit.Example("lessons", f"fold{n % 5}", True, bool(y), x, "tuning.yaml"))
        # SQuAD with the opposite relation: its weight must move the fit.
        rows.append(fit.Example("squad", "fit", True, not y, x, "squad"))
    return rows


def test_squad_weight_zero_fits_on_the_lesson_questions_alone() -> None:
    rows = _examples()
    names = ("coverage", "answer_type")
    lessons = [e for e in rows if e.source == "lessons"]
    alone = fit.train(lessons, names, squad_weight=0.0)
    with_zero = fit.train(rows, names, squad_weight=0.0)
    assert with_zero == alone
    _, _, weights, _ = fit.fit_logistic([e.x for e in lessons], YS, [1.0] * 20)
    assert list(alone.weights) == pytest.approx(weights)
    some = fit.train(rows, names, squad_weight=0.25)
    assert some.weights[0] < alone.weights[0]


def test_the_l2_penalty_chosen_has_the_best_out_of_fold_auc_on_the_fit_lessons() -> None:
    rows = _examples()
    lessons = [e for e in rows if e.source == "lessons"]
    names = ("coverage", "answer_type")
    grid = (0.01, 3.0, 30.0)

    def oof_auc(penalty: float) -> float:
        _, _, dev, dev_p, _ = fit.fit_with_threshold([], [], lessons, names, penalty)
        return fit.roc_auc(dev_p["lessons"], [e.correct for e in dev["lessons"]])

    aucs = {penalty: oof_auc(penalty) for penalty in grid}
    assert len(set(aucs.values())) > 1  # the choice is not a tie
    model, _, _, _, chosen = fit.fit_with_threshold([], [], lessons, names, grid)
    assert aucs[chosen] == max(aucs.values())
    assert model == fit.train(lessons, names, chosen)


def test_leave_one_set_out_with_the_new_options_never_fits_on_the_set_it_scores(
    monkeypatch,
) -> None:
    examples = [
        fit.Example("squad", "fit" if i % 2 else "dev", True, i > 9, [i / 20, i % 2], "squad")
        for i in range(20)
    ]
    for group in ("shipped", "tuning.yaml", "tuning3.yaml"):
        examples += [
            fit.Example("lessons", f"fold{i % 5}", i % 3 != 0, i % 3 != 0 and i > 3, x, group)
            for i, x in enumerate(XS[:10])
        ]
    seen = []
    real = fit.fit_with_threshold

    def recording(squad_fit, squad_dev, lessons, *args, **kwargs):
        seen.append(({e.group for e in lessons}, kwargs))
        return real(squad_fit, squad_dev, lessons, *args, **kwargs)

    monkeypatch.setattr(fit, "fit_with_threshold", recording)
    monkeypatch.setattr(fit, "RECIPES", {"all": ("shipped", "tuning.yaml", "tuning3.yaml")})
    rows = fit.leave_one_set_out(
        examples,
        ("coverage", "answer_type"),
        (0.1, 10.0),
        [2.0],
        squad_weights=[0.0],
        signs=True,
    )
    assert [r["left_out"] for r in rows] == ["shipped", "tuning.yaml", "tuning3.yaml"]
    assert all(r["left_out"] not in groups for r, (groups, _) in zip(rows, seen, strict=True))
    assert all(kw == {"squad_weight": 0.0, "signs": True} for _, kw in seen)
    assert all(r["recipe"] == "all, signs" and r["weight"] == "squad 0" for r in rows)
    assert all(r["l2"] in (0.1, 10.0) and not math.isnan(r["roc_auc"]) for r in rows)
