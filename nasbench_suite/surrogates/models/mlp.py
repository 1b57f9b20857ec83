"""Multi-layer perceptron (scikit-learn) on an architecture encoding, trained on standardized targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


class MLPRegressor(ArrayRegressor):
    """scikit-learn's MLP (Adam, ReLU) on standardized targets; saved as its weight matrices.

    Parameters
    ----------
    hidden_layer_sizes, alpha, learning_rate_init, max_iter, batch_size
        As in :class:`sklearn.neural_network.MLPRegressor`.
    random_state
        Seed of initialisation and batch order.
    """

    def __init__(
        self,
        *,
        hidden_layer_sizes: tuple[int, ...] = (128, 128),
        alpha: float = 1e-2,
        learning_rate_init: float = 1e-3,
        max_iter: int = 500,
        batch_size: int = 32,
        random_state: int | None = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.random_state = random_state

    def _mlp(self, n_samples: int | None = None) -> Any:
        from sklearn.neural_network import MLPRegressor as MLP

        return MLP(
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            alpha=self.alpha,
            learning_rate_init=self.learning_rate_init,
            max_iter=self.max_iter,
            batch_size=min(self.batch_size, n_samples) if n_samples else self.batch_size,
            random_state=seed_of(self.random_state),
        )

    def fit(self, X: Any, y: Any) -> MLPRegressor:
        """Train on ``X`` ``(n, d)``, ``y`` ``(n,)``."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        X, y = self._validate_fit(X, y)
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std()) or 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model_ = self._mlp(len(X)).fit(X, (y - self.y_mean_) / self.y_scale_)
        self.n_iter_ = int(self.model_.n_iter_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``(n,)``."""
        X = self._validate_predict(X)
        return self.model_.predict(X) * self.y_scale_ + self.y_mean_

    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {f"coef_{i}": c for i, c in enumerate(self.model_.coefs_)}
        arrays.update({f"intercept_{i}": b for i, b in enumerate(self.model_.intercepts_)})
        meta = {"n_weights": len(self.model_.coefs_), "y_mean": self.y_mean_, "y_scale": self.y_scale_, "n_iter": self.n_iter_}
        return meta, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        model = self._mlp()
        k = int(meta["n_weights"])
        model.coefs_ = [arrays[f"coef_{i}"] for i in range(k)]
        model.intercepts_ = [arrays[f"intercept_{i}"] for i in range(k)]
        model.n_layers_, model.n_outputs_, model.out_activation_ = k + 1, 1, "identity"
        model.n_features_in_ = model.coefs_[0].shape[0]
        self.model_ = model
        self.y_mean_, self.y_scale_ = float(meta["y_mean"]), float(meta["y_scale"])
        self.n_iter_ = int(meta["n_iter"])
