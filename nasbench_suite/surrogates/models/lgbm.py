"""Gradient-boosted trees (LightGBM, leaf-wise growth) on an architecture encoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


class LGBMRegressor(ArrayRegressor):
    """LightGBM regression trees with seeded bagging; saved in LightGBM's own text model format.

    Leaf-wise trees with a small leaf minimum (``min_child_samples=5``) so
    that 10-100 training cells still split; bagging and feature fractions are
    drawn from ``random_state`` and the run is single-threaded and
    ``deterministic``, so a seed gives the same model on any machine.

    Parameters
    ----------
    n_estimators, num_leaves, learning_rate, subsample, colsample_bytree, min_child_samples, reg_lambda
        As in :class:`lightgbm.LGBMRegressor`.
    n_jobs
        Threads used by LightGBM.
    random_state
        Seed of bagging and feature fractions.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 400,
        num_leaves: int = 15,
        learning_rate: float = 0.05,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        min_child_samples: int = 5,
        reg_lambda: float = 1.0,
        n_jobs: int = 1,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.num_leaves = num_leaves
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _params(self) -> dict[str, Any]:
        return dict(
            n_estimators=self.n_estimators,
            num_leaves=self.num_leaves,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            subsample_freq=1 if self.subsample < 1 else 0,
            colsample_bytree=self.colsample_bytree,
            min_child_samples=self.min_child_samples,
            min_child_weight=1e-3,
            reg_lambda=self.reg_lambda,
            n_jobs=self.n_jobs,
            random_state=seed_of(self.random_state),
            deterministic=True,
            force_row_wise=True,
            verbose=-1,
        )

    def fit(self, X: Any, y: Any) -> LGBMRegressor:
        """Fit the trees on encodings ``X`` ``(n, d)`` and targets ``y`` ``(n,)``."""
        import lightgbm

        X, y = self._validate_fit(X, y)
        self.booster_ = lightgbm.LGBMRegressor(**self._params()).fit(X, y).booster_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``(n,)``."""
        X = self._validate_predict(X)
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        return np.asarray(self.booster_.predict(X, num_threads=self.n_jobs), dtype=np.float64)

    def _save_files(self, directory: Path) -> dict[str, Any]:
        (directory / "model.txt").write_text(self.booster_.model_to_string())
        return {"format": "lightgbm-text"}

    def _load_files(self, directory: Path, meta: dict[str, Any]) -> None:
        import lightgbm

        from nasbench_suite.errors import StoreFormatError

        path = directory / "model.txt"
        if not path.is_file():
            raise StoreFormatError(f"{path} is missing: a saved LGBMRegressor keeps its trees there")
        booster = lightgbm.Booster(model_str=path.read_text())
        expected = int(meta.get("n_features_in", -1))
        if booster.num_feature() != expected:
            raise StoreFormatError(f"{path} holds trees over {booster.num_feature()} features, the saved model expects {expected}")
        self.booster_ = booster
