"""Bayesian linear regression (scikit-learn's BayesianRidge) on standardized inputs, with a predictive std."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor


class BayesianLinearRegressor(ArrayRegressor):
    """Evidence-maximising Bayesian ridge regression; the posterior predictive std includes the noise.

    Inputs are standardized with the training mean and scale. Small, exact
    and fast, it suits few, informative features, such as a learning-curve
    prefix. Saved as its weights, posterior covariance and scalers.

    Parameters
    ----------
    max_iter
        Evidence-maximisation iterations of :class:`sklearn.linear_model.BayesianRidge`.
    """

    def __init__(self, *, max_iter: int = 300) -> None:
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> BayesianLinearRegressor:
        """Fit on ``X`` ``(n, d)`` and ``y`` ``(n,)``."""
        from sklearn.linear_model import BayesianRidge

        X, y = self._validate_fit(X, y)
        self.x_mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.x_scale_ = np.where(scale > 0, scale, 1.0)
        model = BayesianRidge(max_iter=self.max_iter).fit((X - self.x_mean_) / self.x_scale_, y)
        self.coef_, self.intercept_ = model.coef_.copy(), float(model.intercept_)
        self.sigma_, self.alpha_ = model.sigma_.copy(), float(model.alpha_)
        self.n_iter_ = int(model.n_iter_)
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean ``(n,)``; with ``return_std`` also the predictive standard deviation."""
        X = (self._validate_predict(X) - self.x_mean_) / self.x_scale_
        mean = X @ self.coef_ + self.intercept_
        if not return_std:
            return mean
        return mean, np.sqrt(np.einsum("ij,jk,ik->i", X, self.sigma_, X) + 1.0 / self.alpha_)

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {"coef": self.coef_, "sigma": self.sigma_, "x_mean": self.x_mean_, "x_scale": self.x_scale_}
        return {"intercept": self.intercept_, "alpha": self.alpha_, "n_iter": self.n_iter_}, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        n = int(meta["n_features_in"])
        for key, shape in (("coef", (n,)), ("sigma", (n, n)), ("x_mean", (n,)), ("x_scale", (n,))):
            if arrays[key].shape != shape:
                raise ValueError(f"BayesianLinearRegressor: {key} has shape {arrays[key].shape}, expected {shape}")
        self.coef_, self.sigma_ = arrays["coef"], arrays["sigma"]
        self.x_mean_, self.x_scale_ = arrays["x_mean"], arrays["x_scale"]
        self.intercept_, self.alpha_ = float(meta["intercept"]), float(meta["alpha"])
        self.n_iter_ = int(meta["n_iter"])
