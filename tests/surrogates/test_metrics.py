"""Predictor quality metrics against scipy / scikit-learn and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.surrogates import metrics


def test_rank_correlations_match_scipy() -> None:
    rng = np.random.default_rng(0)
    t = rng.normal(size=200)
    p = t + rng.normal(scale=0.5, size=200)
    assert metrics.kendall_tau(t, p) == pytest.approx(kendalltau(t, p).statistic)
    assert metrics.spearman(t, p) == pytest.approx(spearmanr(t, p).statistic)
    assert metrics.kendall_tau(t, t) == pytest.approx(1.0)
    assert metrics.kendall_tau(t, -t) == pytest.approx(-1.0)


def test_r2_and_rmse() -> None:
    t = np.array([1.0, 2.0, 3.0, 4.0])
    assert metrics.r2(t, t) == 1.0 and metrics.rmse(t, t) == 0.0
    assert metrics.rmse(t, t + 2) == pytest.approx(2.0)
    assert metrics.r2(t, np.full(4, t.mean())) == pytest.approx(0.0)


def test_sparse_kendall_tau_ignores_differences_below_the_rounding() -> None:
    t = np.array([90.0, 91.0, 92.0, 93.0])
    p = np.array([90.04, 90.01, 92.0, 93.0])  # the first pair is swapped by only 0.03 points
    assert metrics.kendall_tau(t, p) < 1.0
    assert metrics.sparse_kendall_tau(t, p) > metrics.kendall_tau(t, p)
    assert metrics.sparse_kendall_tau(t, p, decimals=2) == pytest.approx(metrics.kendall_tau(t, p))


def test_precision_top() -> None:
    t = np.arange(100.0)
    assert metrics.precision_top1(t, t) == 1.0
    assert metrics.precision_top5(t, -t) == 0.0
    p = t.copy()
    p[[99, 0]] = p[[0, 99]]  # the best is predicted worst
    assert metrics.precision_top5(t, p) == pytest.approx(4 / 5)
    # losses: lower is better
    assert metrics.precision_top(t, t, fraction=0.05, higher_is_better=False) == 1.0


def test_evaluate_and_bad_input() -> None:
    t = np.arange(10.0)
    report = metrics.evaluate(t, t)
    assert set(report) == set(metrics.DEFAULT_METRICS)
    with pytest.raises(UnknownNameError, match="kendall_tau"):
        metrics.evaluate(t, t, metrics=("nope",))
    with pytest.raises(ValueError, match="differ in length"):
        metrics.kendall_tau(t, t[:5])
    with pytest.raises(ValueError, match="finite"):
        metrics.kendall_tau(t, np.where(t > 5, np.nan, t))
    with pytest.raises(ValueError, match="at least 2"):
        metrics.kendall_tau([1.0], [1.0])
    with pytest.raises(ValueError, match="fraction"):
        metrics.precision_top(t, t, fraction=0)
