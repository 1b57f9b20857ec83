"""Random forest (scikit-learn) on an architecture encoding, saved as plain node arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


class RandomForestRegressor(ArrayRegressor):
    """scikit-learn's random forest with seeded bootstraps.

    Saved without pickle: each tree's node table (a structured numpy array)
    and leaf values go to ``state.npz`` and are loaded back into
    scikit-learn ``Tree`` objects.

    Parameters
    ----------
    n_estimators, max_features, min_samples_leaf
        As in :class:`sklearn.ensemble.RandomForestRegressor`.
    n_jobs
        Threads used to fit and predict.
    random_state
        Seed of bootstraps and feature draws.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        max_features: float | str | None = 0.5,
        min_samples_leaf: int = 1,
        n_jobs: int = 1,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _forest(self) -> Any:
        from sklearn.ensemble import RandomForestRegressor as Forest

        return Forest(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            n_jobs=self.n_jobs,
            random_state=seed_of(self.random_state),
        )

    def fit(self, X: Any, y: Any) -> RandomForestRegressor:
        """Fit the forest on encodings ``X`` ``(n, d)`` and targets ``y`` ``(n,)``."""
        X, y = self._validate_fit(X, y)
        self.model_ = self._forest().fit(X, y)
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predicted targets ``(n,)``; with ``return_std`` also the spread over trees."""
        X = self._validate_predict(X)
        if not return_std:
            return self.model_.predict(X)
        per_tree = np.stack([t.predict(X) for t in self.model_.estimators_])
        return per_tree.mean(axis=0), per_tree.std(axis=0)

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays: dict[str, np.ndarray] = {}
        depths = []
        for i, tree in enumerate(self.model_.estimators_):
            state = tree.tree_.__getstate__()
            arrays[f"nodes_{i}"] = state["nodes"]
            arrays[f"values_{i}"] = state["values"]
            depths.append(int(state["max_depth"]))
        return {"max_depth": depths, "max_features": [int(t.max_features_) for t in self.model_.estimators_]}, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        from sklearn.tree import DecisionTreeRegressor
        from sklearn.tree._tree import Tree

        forest = self._forest()
        n_features = int(meta["n_features_in"])
        trees = []
        for i, depth in enumerate(meta["max_depth"]):
            nodes, values = arrays[f"nodes_{i}"], arrays[f"values_{i}"]
            tree = Tree(n_features, np.ones(1, dtype=np.intp), 1)
            tree.__setstate__({"max_depth": depth, "node_count": len(nodes), "nodes": nodes, "values": values})
            est = DecisionTreeRegressor(min_samples_leaf=self.min_samples_leaf)
            est.tree_, est.n_features_in_, est.n_outputs_ = tree, n_features, 1
            est.max_features_ = int(meta["max_features"][i])
            trees.append(est)
        forest.estimators_ = trees
        forest.estimator_ = DecisionTreeRegressor()
        forest.n_features_in_, forest.n_outputs_ = n_features, 1
        self.model_ = forest
