"""Natural gradient boosting (NGBoost) of a normal predictive distribution on an architecture encoding."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models._trees import tree_arrays, tree_from_arrays
from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


def _require_ngboost() -> Any:
    try:
        import ngboost
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("the ngboost predictor needs NGBoost: pip install 'nasbench-suite[predictors]'") from exc
    return ngboost


class NGBoostRegressor(ArrayRegressor):
    """NGBoost (Duan et al. 2020): shallow trees fit the natural gradient of a normal's mean and log-scale.

    The predictive standard deviation is the fitted normal's scale, so the
    uncertainty is learned from the data rather than from a spread of
    members. Boosted to convergence on the training rows, that scale
    collapses onto the training residuals (a 90% interval then covers almost
    no unseen cell), so the number of stages is chosen by early stopping: a
    seeded ``validation_fraction`` of the rows is held out, boosting on the
    rest stops ``early_stopping_rounds`` stages after the held-out negative
    log-likelihood last improved, and the model is refitted on every row with
    the best stage count. Saved as the trees' node arrays plus the per-stage scalings and
    column draws; predictions are recomputed from those arrays, fresh or
    loaded alike.

    Parameters
    ----------
    n_estimators, learning_rate, minibatch_frac, col_sample
        As in :class:`ngboost.NGBRegressor`.
    max_depth
        Depth of the base trees.
    validation_fraction, early_stopping_rounds
        Rows held out to choose the stage count, and the patience; ``early_stopping_rounds=None``
        boosts all ``n_estimators`` stages on every row (with fewer than 5 rows too).
    random_state
        Seed of minibatch and column draws.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 400,
        learning_rate: float = 0.04,
        max_depth: int = 3,
        minibatch_frac: float = 1.0,
        col_sample: float = 1.0,
        validation_fraction: float = 0.2,
        early_stopping_rounds: int | None = 20,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.minibatch_frac = minibatch_frac
        self.col_sample = col_sample
        self.validation_fraction = validation_fraction
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> NGBoostRegressor:
        """Fit the boosted normal on encodings ``X`` ``(n, d)`` and targets ``y`` ``(n,)``."""
        _require_ngboost()
        from ngboost import NGBRegressor
        from ngboost.distns import Normal
        from sklearn.tree import DecisionTreeRegressor

        X, y = self._validate_fit(X, y)
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must lie in (0, 1), got {self.validation_fraction!r}")
        seed = seed_of(self.random_state)
        base = DecisionTreeRegressor(criterion="friedman_mse", max_depth=self.max_depth, random_state=seed)

        def boost(stages: int) -> Any:
            return NGBRegressor(Dist=Normal, Base=base, n_estimators=stages, learning_rate=self.learning_rate,
                                minibatch_frac=self.minibatch_frac, col_sample=self.col_sample, verbose=False,
                                random_state=seed)

        stages = self.n_estimators
        if self.early_stopping_rounds is not None and len(y) >= 5:
            held = np.zeros(len(y), dtype=bool)
            held[np.random.default_rng([seed or 0, 3]).permutation(len(y))[: max(1, round(self.validation_fraction * len(y)))]] = True
            probe = boost(self.n_estimators).fit(X[~held], y[~held], X_val=X[held], Y_val=y[held],
                                                 early_stopping_rounds=int(self.early_stopping_rounds))
            stages = 1 + int(probe.best_val_loss_itr or 0)
        self.n_stages_ = stages
        model = boost(stages).fit(X, y)
        self.init_params_ = np.asarray(model.init_params, dtype=np.float64)
        self.scalings_ = np.asarray(model.scalings, dtype=np.float64)
        self.col_idxs_ = [np.asarray(c, dtype=np.int64) for c in model.col_idxs]
        self.trees_ = [list(stage) for stage in model.base_models]
        return self

    def _params(self, X: np.ndarray) -> np.ndarray:
        params = np.tile(self.init_params_, (len(X), 1))
        for stage, scale, cols in zip(self.trees_, self.scalings_, self.col_idxs_):
            step = np.stack([tree.predict(X[:, cols]) for tree in stage], axis=1)
            params -= self.learning_rate * step * scale
        return params

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predictive mean ``(n,)``; with ``return_std`` also the predictive standard deviation."""
        X = self._validate_predict(X)
        params = self._params(X)
        mean = params[:, 0].copy()
        return (mean, np.exp(params[:, 1])) if return_std else mean

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays: dict[str, np.ndarray] = {"init_params": self.init_params_, "scalings": self.scalings_}
        depths: list[int] = []
        for i, (stage, cols) in enumerate(zip(self.trees_, self.col_idxs_)):
            arrays[f"cols_{i}"] = cols
            for tree in stage:  # tree k = stage * n_params + parameter
                depth, arrays[f"nodes_{len(depths)}"], arrays[f"values_{len(depths)}"] = tree_arrays(tree)
                depths.append(depth)
        return {"max_depth": depths, "n_stages": len(self.trees_), "n_params": len(self.init_params_)}, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        k = int(meta["n_params"])
        self.init_params_ = np.asarray(arrays["init_params"], dtype=np.float64)
        self.scalings_ = np.asarray(arrays["scalings"], dtype=np.float64)
        self.col_idxs_ = [np.asarray(arrays[f"cols_{i}"], dtype=np.int64) for i in range(int(meta["n_stages"]))]
        self.trees_ = [
            [tree_from_arrays(meta["max_depth"][i * k + j], arrays[f"nodes_{i * k + j}"], arrays[f"values_{i * k + j}"], len(cols)) for j in range(k)]
            for i, cols in enumerate(self.col_idxs_)
        ]
