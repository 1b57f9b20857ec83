"""Quality of a performance predictor: rank correlation, fit and top-k precision.

Rank correlations come from :mod:`scipy.stats`, R² and RMSE from
:mod:`sklearn.metrics`. Every function takes ``(y_true, y_pred)`` as in
scikit-learn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: name -> function(y_true, y_pred) of :func:`evaluate`'s default report
DEFAULT_METRICS: tuple[str, ...] = (
    "kendall_tau",
    "spearman",
    "sparse_kendall_tau",
    "r2",
    "rmse",
    "precision_top1",
    "precision_top5",
)


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(y_true, dtype=np.float64).ravel()
    p = np.asarray(y_pred, dtype=np.float64).ravel()
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in length: {t.size} vs {p.size}")
    if t.size < 2:
        raise ValueError(f"need at least 2 (true, predicted) pairs, got {t.size}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        raise ValueError("y_true and y_pred must be finite (drop unmeasured architectures first)")
    return t, p


def kendall_tau(y_true: Any, y_pred: Any) -> float:
    """Kendall's tau-b between true and predicted values (ties handled as in scipy)."""
    from scipy.stats import kendalltau

    t, p = _pair(y_true, y_pred)
    return float(kendalltau(t, p).statistic)


def sparse_kendall_tau(y_true: Any, y_pred: Any, *, decimals: int = 1) -> float:
    """NAS-Bench-301's sparse Kendall tau: predictions rounded to ``decimals`` first.

    With accuracies in percent, ``decimals=1`` ignores rank changes within
    0.1 points, the resolution at which architectures are worth telling apart.
    """
    t, p = _pair(y_true, y_pred)
    return kendall_tau(t, np.round(p, decimals))


def spearman(y_true: Any, y_pred: Any) -> float:
    """Spearman's rank correlation."""
    from scipy.stats import spearmanr

    t, p = _pair(y_true, y_pred)
    return float(spearmanr(t, p).statistic)


def r2(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination R²."""
    from sklearn.metrics import r2_score

    return float(r2_score(*_pair(y_true, y_pred)))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error, in the target's unit."""
    from sklearn.metrics import root_mean_squared_error

    return float(root_mean_squared_error(*_pair(y_true, y_pred)))


def precision_top(y_true: Any, y_pred: Any, *, fraction: float, higher_is_better: bool = True) -> float:
    """Share of the predicted top ``fraction`` that is truly in the top ``fraction``.

    Both sets hold ``max(1, round(fraction * n))`` architectures; ties at the
    border are broken by position (stable sort).
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    t, p = _pair(y_true, y_pred)
    sign = -1.0 if higher_is_better else 1.0
    k = max(1, int(round(fraction * t.size)))
    top_true = np.argsort(sign * t, kind="stable")[:k]
    top_pred = np.argsort(sign * p, kind="stable")[:k]
    return float(np.intersect1d(top_true, top_pred).size / k)


def precision_top1(y_true: Any, y_pred: Any) -> float:
    """:func:`precision_top` of the top 1%."""
    return precision_top(y_true, y_pred, fraction=0.01)


def precision_top5(y_true: Any, y_pred: Any) -> float:
    """:func:`precision_top` of the top 5%."""
    return precision_top(y_true, y_pred, fraction=0.05)


def evaluate(y_true: Any, y_pred: Any, *, metrics: tuple[str, ...] = DEFAULT_METRICS, higher_is_better: bool = True) -> dict[str, float]:
    """Every metric in ``metrics`` by name (top-k precisions respect ``higher_is_better``)."""
    from nasbench_suite.errors import UnknownNameError

    out: dict[str, float] = {}
    for name in metrics:
        if name == "precision_top1":
            out[name] = precision_top(y_true, y_pred, fraction=0.01, higher_is_better=higher_is_better)
        elif name == "precision_top5":
            out[name] = precision_top(y_true, y_pred, fraction=0.05, higher_is_better=higher_is_better)
        elif name in DEFAULT_METRICS:
            out[name] = globals()[name](y_true, y_pred)
        else:
            raise UnknownNameError("surrogate metric", name, DEFAULT_METRICS)
    return out
