"""The incremental GP posterior equals scikit-learn's refit regressor, grown, pruned or refactored."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

from nasbench_suite.strategies._gp import IncrementalGP


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, (60, 30)).astype(float), rng.normal(size=60), rng.integers(0, 2, (25, 30)).astype(float)


def _sklearn(X: np.ndarray, y: np.ndarray, Xc: np.ndarray) -> tuple[np.ndarray, np.ndarray, object]:
    kernel = ConstantKernel(1.3) * Matern(2.0, nu=2.5) + WhiteKernel(1e-2)
    gp = GaussianProcessRegressor(kernel, normalize_y=True, optimizer=None).fit(X, y)
    mean, std = gp.predict(Xc, return_std=True)
    return mean, std, gp.kernel_


def test_grown_one_row_at_a_time_it_predicts_as_a_refit() -> None:
    X, y, Xc = _data()
    mean, std, kernel = _sklearn(X, y, Xc)
    gp = IncrementalGP(kernel).extend(X[:10], y[:10]).track(Xc[:5])
    for i in range(10, len(X)):
        gp.extend(X[i], y[i])
        if i == 30:
            gp.track(Xc[5:])  # tracked midway: its rows are solved against the factor so far
    m, s = gp.predict_tracked()
    np.testing.assert_allclose(m, mean, atol=1e-9)
    np.testing.assert_allclose(s, std, atol=1e-9)
    m, s = gp.predict(Xc)
    np.testing.assert_allclose(m, mean, atol=1e-9)
    np.testing.assert_allclose(s, std, atol=1e-9)


def test_dropping_tracked_points_keeps_the_others_in_order() -> None:
    X, y, Xc = _data(1)
    mean, std, kernel = _sklearn(X, y, Xc)
    gp = IncrementalGP(kernel).extend(X[:40], y[:40]).track(Xc)
    mask = np.ones(len(Xc), dtype=bool)
    mask[[0, 3, 24]] = False
    gp.keep(mask).extend(X[40:], y[40:])
    m, s = gp.predict_tracked()
    assert gp.n_tracked == mask.sum()
    np.testing.assert_allclose(m, mean[mask], atol=1e-9)
    np.testing.assert_allclose(s, std[mask], atol=1e-9)
    with pytest.raises(ValueError, match="mask of 22 tracked points"):
        gp.keep(np.ones(3, dtype=bool))


def test_a_repeated_input_without_noise_refactors_instead_of_failing() -> None:
    X, y, _ = _data(2)
    kernel = ConstantKernel(1.0) * Matern(2.0, nu=2.5)  # no white noise: a duplicate makes K singular but for jitter
    gp = IncrementalGP(kernel).extend(X[:20], y[:20])
    gp.extend(np.vstack([X[3], X[3]]), [y[3], y[3]])
    m, s = gp.predict(X[:5])
    assert np.all(np.isfinite(m)) and np.all(np.isfinite(s)) and len(gp) == 22
