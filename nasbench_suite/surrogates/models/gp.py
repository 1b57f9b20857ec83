"""Gaussian process (scikit-learn) on an architecture encoding."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


class GaussianProcessRegressor(ArrayRegressor):
    """A GP with a Matern-5/2 kernel (isotropic length scale) plus white noise, on normalized targets.

    Kernel hyperparameters are fitted by maximum marginal likelihood. Saved
    as the fitted kernel's log-hyperparameters plus the training set; loading
    refits the GP with those hyperparameters held fixed, which rebuilds the
    same posterior exactly.

    Parameters
    ----------
    nu
        Matern smoothness (0.5, 1.5, 2.5 or ``inf``).
    n_restarts_optimizer
        Extra random restarts of the hyperparameter search.
    random_state
        Seed of the restarts.
    """

    def __init__(self, *, nu: float = 2.5, n_restarts_optimizer: int = 2, random_state: int | None = 0) -> None:
        self.nu = nu
        self.n_restarts_optimizer = n_restarts_optimizer
        self.random_state = random_state

    def _kernel(self, n_features: int) -> Any:
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        scale = float(np.sqrt(max(n_features, 1)))
        return ConstantKernel(1.0, (1e-3, 1e3)) * Matern(scale, (1e-2, 1e4), nu=self.nu) + WhiteKernel(0.1, (1e-6, 1e1))

    def _gp(self, kernel: Any, optimize: bool) -> Any:
        from sklearn.gaussian_process import GaussianProcessRegressor as GP

        return GP(
            kernel=kernel,
            normalize_y=True,
            optimizer="fmin_l_bfgs_b" if optimize else None,
            n_restarts_optimizer=self.n_restarts_optimizer if optimize else 0,
            random_state=seed_of(self.random_state),
        )

    def fit(self, X: Any, y: Any) -> GaussianProcessRegressor:
        """Fit kernel hyperparameters and the posterior on ``X`` ``(n, d)``, ``y`` ``(n,)``."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        X, y = self._validate_fit(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model_ = self._gp(self._kernel(X.shape[1]), optimize=True).fit(X, y)
        self.y_train_ = y
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean ``(n,)``; with ``return_std`` also the posterior standard deviation."""
        X = self._validate_predict(X)
        return self.model_.predict(X, return_std=return_std)

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"theta": self.model_.kernel_.theta, "X_train": self.model_.X_train_, "y_train": self.y_train_}

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        X, y = arrays["X_train"], arrays["y_train"]
        kernel = self._kernel(X.shape[1]).clone_with_theta(arrays["theta"])
        self.model_ = self._gp(kernel, optimize=False).fit(X, y)
        self.y_train_ = y
