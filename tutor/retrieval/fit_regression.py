"""The numbers of the fit (`python -m tutor.retrieval.fit`): a weighted L2 logistic regression
on standardised features by Newton's method (a projected Newton step when weights are bounded to
a sign), the ROC AUC, and the dev figures a threshold is judged by.

numpy is imported inside the functions that need it: fitting is offline, and nothing the tutor
runs imports this module.
"""

from __future__ import annotations

from .fit_data import Example

#: The L2 penalty, in units of the examples' total weight (the number of examples). Stronger
#: penalties (`--l2`) raise the dev ROC AUC a little but move the threshold, not the trade
#: between answers and declines (docs/tutor-experiments.md, "Non-linear terms and a stronger
#: penalty").
L2 = 1.0


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
