"""Learning-curve extrapolation: predict a final metric from the first epochs of a curve.

Two predictors share one small surface, usable for early stopping in
multi-fidelity strategies: ``fit(prefixes, finals)`` (returns ``self``) and
``predict(prefixes)``, where ``prefixes`` is an ``(n, k)`` array of a metric
after epochs ``1..k`` (or the ``epochs`` given at construction) and the
prediction is the metric at ``target_epoch``.

:class:`ParametricExtrapolator`
    Fits each curve alone (no training data needed; ``fit`` is a no-op) with
    the parametric families of Domhan et al. 2015 that have at most ``k``
    parameters (:data:`DEFAULT_FAMILIES`, by :func:`scipy.optimize.curve_fit`) and
    takes the median of the successful fits' extrapolations; with too few
    points for any family, or when every fit fails, it falls back to the last
    observed value.
:class:`LearnedCurvePredictor`
    A scikit-learn regressor (ridge or gradient boosting) trained on other
    architectures' curves: features are the prefix values, their successive
    differences and, optionally, extra columns such as an encoding of the cell.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

__all__ = ["DEFAULT_FAMILIES", "FAMILIES", "LearnedCurvePredictor", "ParametricExtrapolator", "last_value"]


def _pow3(x: np.ndarray, c: float, a: float, alpha: float) -> np.ndarray:
    return c - a * np.power(x, -alpha)


def _exp3(x: np.ndarray, c: float, a: float, b: float) -> np.ndarray:
    return c - a * np.exp(-b * x)


def _log_power(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a / (1.0 + np.power(x / np.exp(b), -c))


def _inverse(x: np.ndarray, c: float, a: float) -> np.ndarray:
    return c - a / x


def _log_linear(x: np.ndarray, a: float, b: float) -> np.ndarray:
    return a + b * np.log(x)


#: name -> (function of epoch and parameters, initial guess from the prefix, bounds); ``log_linear`` does not
#: saturate and is not used by default
FAMILIES: dict[str, tuple[Callable[..., np.ndarray], Callable[[np.ndarray, np.ndarray], list[float]], tuple]] = {
    "pow3": (_pow3, lambda x, y: [y[-1] + 1.0, max(y[-1] - y[0], 1.0), 1.0], ([-np.inf, -np.inf, 1e-3], [np.inf, np.inf, 10.0])),
    "exp3": (_exp3, lambda x, y: [y[-1] + 1.0, max(y[-1] - y[0], 1.0), 0.5], ([-np.inf, -np.inf, 1e-3], [np.inf, np.inf, 10.0])),
    "log_power": (_log_power, lambda x, y: [max(y[-1], 1e-3) * 1.1, 0.0, 1.0], ([0.0, -10.0, 1e-3], [np.inf, 10.0, 10.0])),
    "inverse": (_inverse, lambda x, y: [y[-1] + 1.0, max(y[-1] - y[0], 1.0)], ([-np.inf, -np.inf], [np.inf, np.inf])),
    "log_linear": (_log_linear, lambda x, y: [y[0], 1.0], ([-np.inf, -np.inf], [np.inf, np.inf])),
}
#: the families tried by default: the saturating ones
DEFAULT_FAMILIES: tuple[str, ...] = ("pow3", "exp3", "log_power", "inverse")


def last_value(prefixes: np.ndarray) -> np.ndarray:
    """The baseline prediction: each curve's last observed value."""
    return np.asarray(prefixes, dtype=np.float64)[:, -1].copy()


def _prefix_epochs(epochs: Sequence[float] | None, k: int) -> np.ndarray:
    x = np.arange(1, k + 1, dtype=np.float64) if epochs is None else np.asarray(epochs, dtype=np.float64)[:k]
    if len(x) != k:
        raise ValueError(f"got {k} prefix values but only {len(x)} epochs: {list(epochs or [])}")
    return x


class ParametricExtrapolator:
    """Per-curve parametric extrapolation (see the module docstring).

    Parameters
    ----------
    target_epoch : int
        The epoch to predict.
    families : sequence of str
        Names in :data:`FAMILIES` to try (default: :data:`DEFAULT_FAMILIES`).
    epochs : sequence of float, optional
        Epochs of the prefix columns (default ``1..k``).
    bounds : (float, float)
        Predictions are clipped to this range (default: accuracy in percent).

    Examples
    --------
    >>> x = np.arange(1, 5)
    >>> ParametricExtrapolator(target_epoch=12).predict([90 - 40 * x ** -1.0]).round(1)
    array([85.6])
    """

    def __init__(self, *, target_epoch: int, families: Sequence[str] = DEFAULT_FAMILIES,
                 epochs: Sequence[float] | None = None, bounds: tuple[float, float] = (0.0, 100.0)) -> None:
        unknown = [f for f in families if f not in FAMILIES]
        if unknown:
            from nasbench_suite.errors import UnknownNameError

            raise UnknownNameError("curve family", unknown[0], FAMILIES)
        self.target_epoch = target_epoch
        self.families = tuple(families)
        self.epochs = None if epochs is None else list(epochs)
        self.bounds = bounds

    def fit(self, prefixes: Any = None, finals: Any = None) -> ParametricExtrapolator:
        """Nothing to learn: each curve is fitted alone at prediction time."""
        return self

    def predict_one(self, prefix: Sequence[float]) -> float:
        """The extrapolated value of one curve prefix."""
        from scipy.optimize import OptimizeWarning, curve_fit

        y = np.asarray(prefix, dtype=np.float64)
        x = _prefix_epochs(self.epochs, len(y))
        preds = []
        for name in self.families:
            fn, guess, bounds = FAMILIES[name]
            if len(bounds[0]) > len(y):  # fewer points than parameters
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", OptimizeWarning)
                    warnings.simplefilter("ignore", RuntimeWarning)
                    p, _ = curve_fit(fn, x, y, p0=guess(x, y), bounds=bounds, maxfev=2000)
                value = float(fn(np.float64(self.target_epoch), *p))
            except (RuntimeError, ValueError, FloatingPointError):
                continue
            if np.isfinite(value):
                preds.append(value)
        value = float(np.median(preds)) if preds else float(y[-1])
        return float(np.clip(value, *self.bounds))

    def predict(self, prefixes: Any) -> np.ndarray:
        """Extrapolations of every row of ``prefixes`` (``(n, k)``)."""
        return np.array([self.predict_one(p) for p in np.atleast_2d(np.asarray(prefixes, dtype=np.float64))])


def _features(X: np.ndarray, curve_columns: int | None) -> np.ndarray:
    c = X.shape[1] if curve_columns is None else curve_columns
    curve, extra = X[:, :c], X[:, c:]
    return np.hstack([curve, np.diff(curve, axis=1), extra])


class LearnedCurvePredictor(RegressorMixin, BaseEstimator):
    """A regressor from curve prefixes to the final value, trained on other architectures' curves.

    Parameters
    ----------
    model : {"ridge", "gbm"}
        Standardized ridge regression, or scikit-learn's gradient-boosted trees.
    alpha : float
        Ridge penalty.
    random_state : int
        Seed of the gradient boosting.
    curve_columns : int, optional
        How many leading columns of ``X`` are the curve prefix; the remaining
        columns are extra per-architecture features (``None``: all columns
        are the prefix). With the prefix alone, ``k = 1`` cannot change the
        ranking of the last value; extra features can.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> finals = rng.uniform(60, 95, 200); a = rng.uniform(10, 40, 200)
    >>> curves = finals[:, None] - a[:, None] / np.arange(1, 5)
    >>> LearnedCurvePredictor().fit(curves[:, :2], finals).score(curves[:, :2], finals) > 0.99
    True
    """

    def __init__(self, model: str = "ridge", alpha: float = 1.0, random_state: int = 0,
                 curve_columns: int | None = None) -> None:
        self.model = model
        self.alpha = alpha
        self.random_state = random_state
        self.curve_columns = curve_columns

    def _make(self) -> Any:
        from sklearn.ensemble import GradientBoostingRegressor
        from sklearn.linear_model import Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.model == "ridge":
            return make_pipeline(StandardScaler(), Ridge(alpha=self.alpha))
        if self.model == "gbm":
            # single-threaded (no OpenMP): cheap at this size and unaffected by a busy machine
            return GradientBoostingRegressor(n_estimators=200, max_depth=3, learning_rate=0.05,
                                             random_state=self.random_state)
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("curve model", self.model, ("ridge", "gbm"))

    def fit(self, X: Any, y: Any) -> LearnedCurvePredictor:
        """Learn final values ``y`` from curve prefixes ``X`` (``(n, k)``; NaN-free)."""
        from sklearn.utils.validation import check_X_y

        X, y = check_X_y(X, y, y_numeric=True)
        if self.curve_columns is not None and not 1 <= self.curve_columns <= X.shape[1]:
            raise ValueError(f"curve_columns must lie in 1..{X.shape[1]}, got {self.curve_columns}")
        self.model_ = self._make().fit(_features(X, self.curve_columns), y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted final values of curve prefixes ``X``."""
        from sklearn.utils.validation import check_array, check_is_fitted

        check_is_fitted(self, "model_")
        X = check_array(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected prefixes of {self.n_features_in_} epochs, got {X.shape[1]}")
        return self.model_.predict(_features(X, self.curve_columns))
