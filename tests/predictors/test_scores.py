"""The protocol's scores, against values computed by hand, and their refusal of non-finite predictions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.predictors.scores import PredictionError, score


def test_rank_scores_and_top5_precision() -> None:
    y = np.arange(100, dtype=float)
    s = score(y, y[::-1] * 0.0 + y)  # perfect ranking
    assert s["kendall_tau"] == 1.0 and s["spearman"] == 1.0 and s["precision_top5"] == 1.0
    assert s["nll"] is None and s["coverage90"] is None
    worst = score(y, -y)
    assert worst["kendall_tau"] == -1.0 and worst["precision_top5"] == 0.0


def test_gaussian_nll_and_interval_coverage() -> None:
    y = np.array([0.0, 1.0, 2.0, 3.0])
    mean = np.array([0.0, 1.5, 2.0, 5.0])
    std = np.array([1.0, 1.0, 1.0, 1.0])
    s = score(y, mean, std)
    z = (y - mean) / std
    assert s["nll"] == pytest.approx(np.mean(0.5 * z**2 + 0.5 * math.log(2 * math.pi)), abs=1e-6)
    assert s["coverage90"] == 0.75  # |z| = 2 lies outside the central 90% interval (1.645)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_predictions_are_refused(bad: float) -> None:
    with pytest.raises(PredictionError, match="1 of 3 predictions are not finite"):
        score(np.array([1.0, 2.0, 3.0]), np.array([1.0, bad, 3.0]))
    with pytest.raises(PredictionError, match="predictive stds"):
        score(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]), np.array([1.0, bad, 1.0]))


def test_misshapen_and_constant_predictions_are_refused() -> None:
    with pytest.raises(PredictionError, match="shape"):
        score(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0]))
    with pytest.raises(PredictionError, match="constant"):
        score(np.array([1.0, 2.0, 3.0]), np.array([5.0, 5.0, 5.0]))
