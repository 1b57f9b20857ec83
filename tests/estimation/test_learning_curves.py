"""Learning-curve predictors beat the last observed value on saturating curves."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.learning_curves import LearnedCurvePredictor, ParametricExtrapolator, last_value

TARGET = 12


def saturating(n: int, seed: int, noise: float = 0.3) -> np.ndarray:
    """``(n, 12)`` curves c - a * t^-alpha whose early values rank the finals poorly (slow starters win)."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, TARGET + 1)
    c = rng.uniform(60, 95, n)
    a = rng.uniform(5, 60, n)
    alpha = rng.uniform(0.5, 1.5, n)
    return c[:, None] - a[:, None] * t[None, :] ** -alpha[:, None] + rng.normal(0, noise, (n, TARGET))


@pytest.fixture(scope="module")
def curves() -> tuple[np.ndarray, np.ndarray]:
    return saturating(400, seed=0), saturating(300, seed=1)


def _beats_last_value(pred: np.ndarray, prefixes: np.ndarray, truth: np.ndarray) -> None:
    """Better rank correlation with the finals, and less than half the last value's absolute error."""
    base = last_value(prefixes)
    assert stats.spearmanr(pred, truth)[0] > stats.spearmanr(base, truth)[0]
    assert np.abs(pred - truth).mean() < 0.5 * np.abs(base - truth).mean()


@pytest.mark.parametrize("k", [2, 4])
def test_learned_predictor_beats_last_value(curves: tuple[np.ndarray, np.ndarray], k: int) -> None:
    train, test = curves
    truth = test[:, -1]
    for model in ("ridge", "gbm"):
        pred = LearnedCurvePredictor(model=model).fit(train[:, :k], train[:, -1]).predict(test[:, :k])
        _beats_last_value(pred, test[:, :k], truth)


@pytest.mark.parametrize("k", [2, 4])
def test_parametric_fit_beats_last_value(curves: tuple[np.ndarray, np.ndarray], k: int) -> None:
    test = curves[1][:150]
    truth = test[:, -1]
    pred = ParametricExtrapolator(target_epoch=TARGET).fit().predict(test[:, :k])
    _beats_last_value(pred, test[:, :k], truth)
    assert np.all((pred >= 0) & (pred <= 100))


def test_parametric_falls_back_to_the_last_value() -> None:
    ex = ParametricExtrapolator(target_epoch=TARGET)
    np.testing.assert_array_equal(ex.predict([[42.0], [17.5]]), [42.0, 17.5])  # one point: nothing to fit
    assert ex.predict_one([10.0, 10.0, 10.0, 10.0]) == pytest.approx(10.0, abs=1e-6)  # flat curves stay flat
    exact = 90 - 40 / np.arange(1, 5)
    assert ParametricExtrapolator(target_epoch=TARGET, families=["pow3"]).predict_one(exact) == pytest.approx(90 - 40 / 12, abs=1e-3)
    with pytest.raises(UnknownNameError, match="unknown curve family 'pow4'"):
        ParametricExtrapolator(target_epoch=TARGET, families=["pow4"])


def test_learned_predictor_follows_the_sklearn_contract(curves: tuple[np.ndarray, np.ndarray]) -> None:
    train, _ = curves
    est = LearnedCurvePredictor(model="ridge", alpha=0.5)
    assert clone(est).get_params() == {"model": "ridge", "alpha": 0.5, "random_state": 0, "curve_columns": None}
    assert est.fit(train[:, :3], train[:, -1]) is est
    with pytest.raises(ValueError, match="expected prefixes of 3 epochs, got 2"):
        est.predict(train[:, :2])
    with pytest.raises(UnknownNameError):
        LearnedCurvePredictor(model="svm").fit(train[:, :2], train[:, -1])


def test_extra_features_can_reorder_a_one_epoch_prefix() -> None:
    """With k = 1 only extra columns (e.g. a cell encoding) can rank better than the first value."""
    rng = np.random.default_rng(0)
    group = rng.integers(0, 2, 600)  # e.g. "has a 3x3 convolution": those finish 20 points higher
    first = rng.uniform(10, 30, 600)
    final = first + 20 * group + rng.normal(0, 1, 600)
    X = np.column_stack([first, group])
    pred = LearnedCurvePredictor(curve_columns=1).fit(X[:300], final[:300]).predict(X[300:])
    truth = final[300:]
    assert stats.spearmanr(pred, truth)[0] > stats.spearmanr(first[300:], truth)[0] + 0.1
    with pytest.raises(ValueError, match="curve_columns must lie in 1..2"):
        LearnedCurvePredictor(curve_columns=3).fit(X, final)
