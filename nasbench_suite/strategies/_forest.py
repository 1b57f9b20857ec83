"""scikit-learn's bootstrapped random forest, fitted without the per-tree bookkeeping of ``RandomForestRegressor``.

SMAC refits its forest every few proposals. ``RandomForestRegressor.fit``
clones, reconfigures and re-validates one estimator object per tree
(``get_params`` through ``inspect`` each time), which on a few hundred
observations costs as much as growing the tree. :func:`fit_forest` grows the
same trees directly: the same per-tree seeds (``randint(2**31 - 1)`` of a
``RandomState(random_state)``, in tree order), the same bootstrap sample
(``randint(0, n, n)`` of a ``RandomState(tree_seed)``, as weights) and the
same tree builder, so its trees equal the forest's node for node (the test
suite checks it against ``RandomForestRegressor``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["fit_forest", "forest_mean_std"]

_MAX_INT = np.iinfo(np.int32).max


def fit_forest(X: np.ndarray, y: np.ndarray, *, n_trees: int, random_state: int, min_samples_split: int = 2,
               min_samples_leaf: int = 1, max_features: float | int | str | None = 1.0) -> list[Any]:
    """The fitted trees of ``RandomForestRegressor(n_estimators=n_trees, bootstrap=True, random_state=..., ...)``.

    ``X`` must be finite (the forest's missing-value handling is not reproduced); ``y`` is one target.
    Returns scikit-learn ``DecisionTreeRegressor`` objects; predict with :func:`forest_mean_std`.
    """
    from sklearn.tree import DecisionTreeRegressor

    X = np.asarray(X, dtype=np.float32)
    y = np.ascontiguousarray(np.asarray(y, dtype=np.float64).reshape(-1, 1))
    if X.ndim != 2 or len(X) != len(y) or len(X) == 0:
        raise ValueError(f"expected a non-empty (n, d) X and n targets, got X of shape {X.shape} and {len(y)} targets")
    if not np.isfinite(X).all():
        raise ValueError("expected finite inputs, got NaN or infinity in X")
    n = len(X)
    seeds = np.random.RandomState(random_state)
    trees = []
    for _ in range(int(n_trees)):
        tree_seed = seeds.randint(_MAX_INT)
        indices = np.random.RandomState(tree_seed).randint(0, n, n, dtype=np.int32)
        weight = np.ones(n, dtype=np.float64) * np.bincount(indices, minlength=n)
        tree = DecisionTreeRegressor(min_samples_split=min_samples_split, min_samples_leaf=min_samples_leaf,
                                     max_features=max_features, random_state=tree_seed)
        tree._fit(X, y, sample_weight=weight, check_input=False, missing_values_in_feature_mask=None)
        trees.append(tree)
    return trees


def forest_mean_std(trees: list[Any], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and spread (population standard deviation) of the trees' predictions at the rows of ``X``."""
    X = np.ascontiguousarray(X, dtype=np.float32)
    preds = np.stack([t.tree_.predict(X).reshape(len(X), -1)[:, 0] for t in trees])  # no per-call checks
    return preds.mean(axis=0), preds.std(axis=0)
