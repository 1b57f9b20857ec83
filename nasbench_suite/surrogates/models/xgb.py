"""Gradient-boosted trees (XGBoost) on an architecture encoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


class XGBRegressor(ArrayRegressor):
    """XGBoost regression trees with seeded subsampling; saved in XGBoost's own JSON format.

    The defaults (shallow trees, row and column subsampling, a small
    ``min_child_weight``) were chosen by cross-validation on 100-1,000
    NB201 training cells and stay good across encodings.

    Parameters
    ----------
    n_estimators, max_depth, learning_rate, subsample, colsample_bytree, min_child_weight, reg_lambda
        As in :class:`xgboost.XGBRegressor`.
    n_jobs
        Threads used by XGBoost.
    random_state
        Seed of the row / column subsampling.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 500,
        max_depth: int = 4,
        learning_rate: float = 0.05,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        min_child_weight: float = 1.0,
        reg_lambda: float = 1.0,
        n_jobs: int = 1,
        random_state: int | None = 0,
    ) -> None:
        self.n_estimators = n_estimators
        self.max_depth = max_depth
        self.learning_rate = learning_rate
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _booster_params(self) -> dict[str, Any]:
        return dict(
            n_estimators=self.n_estimators,
            max_depth=self.max_depth,
            learning_rate=self.learning_rate,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            min_child_weight=self.min_child_weight,
            reg_lambda=self.reg_lambda,
            n_jobs=self.n_jobs,
            random_state=seed_of(self.random_state),
            tree_method="hist",
        )

    def fit(self, X: Any, y: Any) -> XGBRegressor:
        """Fit the trees on encodings ``X`` ``(n, d)`` and targets ``y`` ``(n,)``."""
        import xgboost

        X, y = self._validate_fit(X, y)
        self.model_ = xgboost.XGBRegressor(**self._booster_params()).fit(X, y)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``(n,)``."""
        X = self._validate_predict(X)
        return self.model_.predict(X).astype(np.float64)

    def _save_files(self, directory: Path) -> dict[str, Any]:
        self.model_.save_model(directory / "model.json")
        return {"format": "xgboost-json"}

    def _load_files(self, directory: Path, meta: dict[str, Any]) -> None:
        import xgboost

        from nasbench_suite.surrogates._bundle import check_xgboost_json

        check_xgboost_json(directory / "model.json", int(meta.get("n_features_in", -1)))
        self.model_ = xgboost.XGBRegressor(**self._booster_params())
        self.model_.load_model(directory / "model.json")
