"""Warm-started MLP ensemble fits on random row batches: seeded, and no batch when it covers every row."""

from __future__ import annotations

import numpy as np

from nasbench_suite.strategies._ensemble import MLPEnsemble


def _data(n: int = 120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 6))
    return X, X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=n)


def _warm(X, y, **kw) -> np.ndarray:
    m = MLPEnsemble(members=2, hidden=(8,), steps=30, seed=1).fit(X[:60], y[:60])
    return m.partial_fit(X, y, steps=40, **kw).predict(X)


def test_batched_warm_fits_are_seeded_and_differ_from_full_batch() -> None:
    X, y = _data()
    a, b = _warm(X, y, batch=32, seed=5), _warm(X, y, batch=32, seed=5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, _warm(X, y, batch=32, seed=6))
    assert not np.array_equal(a, _warm(X, y))


def test_a_batch_covering_every_row_is_the_full_batch_fit() -> None:
    X, y = _data()
    np.testing.assert_array_equal(_warm(X, y, batch=len(y), seed=3), _warm(X, y))


def test_batched_warm_fits_still_learn() -> None:
    X, y = _data(400)
    m = MLPEnsemble(members=2, hidden=(16,), steps=20, seed=1).fit(X, y)
    before = np.mean((m.predict(X).mean(axis=0) - y) ** 2)
    after = np.mean((m.partial_fit(X, y, steps=200, batch=64, seed=0).predict(X).mean(axis=0) - y) ** 2)
    assert after < 0.5 * before
