"""Ridge regression (scikit-learn) on an architecture encoding, regularization chosen by leave-one-out CV."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor


class RidgeRegressor(ArrayRegressor):
    """Linear least squares with an L2 penalty picked among ``alphas`` by efficient leave-one-out CV.

    Parameters
    ----------
    alphas
        Candidate penalties.
    """

    def __init__(self, *, alphas: tuple[float, ...] = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)) -> None:
        self.alphas = alphas

    def fit(self, X: Any, y: Any) -> RidgeRegressor:
        """Fit coefficients on ``X`` ``(n, d)``, ``y`` ``(n,)``."""
        from sklearn.linear_model import RidgeCV

        X, y = self._validate_fit(X, y)
        model = RidgeCV(alphas=np.asarray(self.alphas, dtype=np.float64)).fit(X, y)
        self.coef_, self.intercept_, self.alpha_ = model.coef_, float(model.intercept_), float(model.alpha_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``(n,)``."""
        X = self._validate_predict(X)
        return X @ self.coef_ + self.intercept_

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"intercept": self.intercept_, "alpha": self.alpha_}, {"coef": self.coef_}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.coef_, self.intercept_, self.alpha_ = arrays["coef"], float(meta["intercept"]), float(meta["alpha"])
