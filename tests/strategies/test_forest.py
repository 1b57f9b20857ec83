"""strategies._forest grows the trees scikit-learn's RandomForestRegressor grows, node for node."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from nasbench_suite.strategies._forest import fit_forest, forest_mean_std


@pytest.mark.parametrize(("n", "seed"), [(5, 0), (40, 1), (300, 2**31 - 2)])
def test_trees_equal_the_forests(n: int, seed: int) -> None:
    rng = np.random.default_rng(n)
    X, y = (rng.random((n, 30)) < 0.2).astype(float), rng.normal(size=n)
    kw = {"min_samples_split": 3, "min_samples_leaf": 3, "max_features": 5 / 6}
    forest = RandomForestRegressor(n_estimators=7, bootstrap=True, random_state=seed, **kw).fit(X, y)
    trees = fit_forest(X, y, n_trees=7, random_state=seed, **kw)
    assert len(trees) == 7
    Xq = np.ascontiguousarray((rng.random((200, 30)) < 0.2), dtype=np.float32)
    for ours, theirs in zip(trees, forest.estimators_):
        np.testing.assert_array_equal(ours.tree_.threshold, theirs.tree_.threshold)
        np.testing.assert_array_equal(ours.tree_.predict(Xq), theirs.tree_.predict(Xq))
    mean, std = forest_mean_std(trees, Xq)
    preds = np.stack([t.predict(Xq) for t in forest.estimators_])
    np.testing.assert_allclose(mean, preds.mean(axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(std, preds.std(axis=0), rtol=0, atol=1e-12)


def test_bad_inputs_are_refused_with_their_shape() -> None:
    with pytest.raises(ValueError, match=r"shape \(3, 2\) and 2 targets"):
        fit_forest(np.zeros((3, 2)), np.zeros(2), n_trees=2, random_state=0)
    with pytest.raises(ValueError, match="NaN"):
        fit_forest(np.full((3, 2), np.nan), np.zeros(3), n_trees=2, random_state=0)
