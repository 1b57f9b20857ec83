"""The protocol's scores of one fitted predictor on its held-out cells.

Rank scores (Kendall tau, Spearman, precision of the predicted top 5%) come
from :mod:`nasbench_suite.surrogates.metrics`; for predictors with a
predictive standard deviation, the Gaussian negative log-likelihood and the
share of true values inside the central 90% interval.
"""

from __future__ import annotations

import math

import numpy as np

#: every score name, in the order boards show them; the last two need a predictive std
SCORES: tuple[str, ...] = ("kendall_tau", "spearman", "precision_top5", "nll", "coverage90")
#: scores whose larger value is better (the others: smaller is better; coverage: closest to 0.9)
HIGHER_IS_BETTER = {"kendall_tau": True, "spearman": True, "precision_top5": True, "nll": False, "coverage90": None}
#: standard-normal quantile of the central 90% interval
Z90 = 1.6448536269514722
#: smallest predictive std used in the likelihood (a zero std would make it infinite)
MIN_STD = 1e-6


class PredictionError(ValueError):
    """A predictor's output that cannot be scored (non-finite values, wrong shape, negative std)."""


def check_predictions(pred: np.ndarray, n: int, what: str = "predictions") -> np.ndarray:
    """``pred`` as a float array of ``n`` finite values, or :class:`PredictionError` saying what is wrong."""
    p = np.asarray(pred, dtype=np.float64)
    if p.shape != (n,):
        raise PredictionError(f"{what} have shape {p.shape}, expected ({n},)")
    bad = int(np.sum(~np.isfinite(p)))
    if bad:
        raise PredictionError(f"{bad} of {n} {what} are not finite (NaN or inf)")
    return p


def score(y_true: np.ndarray, y_pred: np.ndarray, std: np.ndarray | None = None) -> dict[str, float | None]:
    """Every score of :data:`SCORES` (``None`` for the uncertainty scores of a predictor without std).

    Examples
    --------
    >>> s = score(np.array([1.0, 2.0, 3.0]), np.array([1.1, 2.2, 2.9]), np.array([0.1, 0.1, 0.1]))
    >>> s["kendall_tau"], s["coverage90"]
    (1.0, 0.666667)
    """
    from nasbench_suite.surrogates.metrics import kendall_tau, precision_top, spearman

    t = np.asarray(y_true, dtype=np.float64)
    p = check_predictions(y_pred, t.size)
    out: dict[str, float | None] = {
        "kendall_tau": kendall_tau(t, p),
        "spearman": spearman(t, p),
        "precision_top5": precision_top(t, p, fraction=0.05),
        "nll": None,
        "coverage90": None,
    }
    if std is not None:
        s = check_predictions(std, t.size, "predictive stds")
        if np.any(s < 0):
            raise PredictionError(f"{int(np.sum(s < 0))} predictive stds are negative")
        s = np.maximum(s, MIN_STD)
        z = (t - p) / s
        out["nll"] = float(np.mean(0.5 * z**2 + np.log(s) + 0.5 * math.log(2 * math.pi)))
        out["coverage90"] = float(np.mean(np.abs(z) <= Z90))
    for k, v in out.items():
        if v is not None and not math.isfinite(v):  # e.g. tau of constant predictions
            raise PredictionError(f"{k} is {v} (constant predictions?)")
    return {k: (round(v, 6) if v is not None else None) for k, v in out.items()}


__all__ = ["HIGHER_IS_BETTER", "MIN_STD", "SCORES", "Z90", "PredictionError", "check_predictions", "score"]
