"""An ensemble of regressors that reports the mean and the spread of its members."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from nasbench_suite.surrogates.models.base import seed_of


class EnsembleRegressor(RegressorMixin, BaseEstimator):
    """Fits several regressors on the same data; predicts their mean and standard deviation.

    Members are either ``estimators`` as given (e.g. a GIN and XGBoost, each
    on its own encoding when they are :class:`~nasbench_suite.surrogates.estimator.ArchRegressor`\\ s)
    or ``n_members`` clones of ``estimator`` whose ``random_state`` is
    ``random_state + i``. Input is passed through unchanged, so the ensemble
    takes whatever its members take: encoded arrays or architectures.

    Parameters
    ----------
    estimator
        Template of the members, with ``n_members``.
    n_members
        Number of clones of ``estimator``.
    estimators
        Explicit members (overrides ``estimator``); each keeps its own seed
        unless ``reseed`` is true.
    random_state
        Base seed of the members.
    reseed
        Set members' ``random_state`` to ``random_state + i`` (for ``estimators`` too).
    """

    def __init__(
        self,
        estimator: Any = None,
        *,
        n_members: int = 5,
        estimators: list[Any] | None = None,
        random_state: int | None = 0,
        reseed: bool = True,
    ) -> None:
        self.estimator = estimator
        self.n_members = n_members
        self.estimators = estimators
        self.random_state = random_state
        self.reseed = reseed

    def _members(self) -> list[Any]:
        if self.estimators is not None:
            if not self.estimators:
                raise ValueError("EnsembleRegressor got an empty estimators list")
            members = [clone(e) for e in self.estimators]
        elif self.estimator is not None:
            if isinstance(self.n_members, bool) or not isinstance(self.n_members, (int, np.integer)) or self.n_members < 1:
                raise ValueError(f"n_members must be a positive int, got {self.n_members!r}")
            members = [clone(self.estimator) for _ in range(int(self.n_members))]
        else:
            raise ValueError("EnsembleRegressor needs an estimator or a list of estimators")
        if self.reseed:
            base = seed_of(self.random_state)
            for i, member in enumerate(members):
                _reseed(member, base + i)
        return members

    def fit(self, X: Any, y: Any) -> EnsembleRegressor:
        """Fit every member on ``(X, y)``."""
        self.estimators_ = [m.fit(X, y) for m in self._members()]
        first = self.estimators_[0]
        if hasattr(first, "n_features_in_"):
            self.n_features_in_ = first.n_features_in_
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Mean prediction ``(n,)``; with ``return_std``, also the members' standard deviation."""
        check_is_fitted(self)
        preds = np.stack([np.asarray(m.predict(X), dtype=np.float64) for m in self.estimators_])
        mean = preds.mean(axis=0)
        return (mean, preds.std(axis=0)) if return_std else mean

    # ------------------------------------------------------------ persistence
    def _save_files(self, directory: Any) -> dict[str, Any]:
        from nasbench_suite.surrogates.io import save_estimator

        for i, member in enumerate(self.estimators_):
            save_estimator(member, directory / f"member_{i}")
        return {"n_members": len(self.estimators_)}

    def _load_files(self, directory: Any, meta: dict[str, Any]) -> None:
        from nasbench_suite.surrogates.io import load_estimator

        self.estimators_ = [load_estimator(directory / f"member_{i}") for i in range(int(meta["n_members"]))]


def _reseed(estimator: Any, seed: int) -> None:
    """Set every ``random_state`` parameter of ``estimator`` (nested ones too) to ``seed``."""
    params = estimator.get_params(deep=True)
    estimator.set_params(**{k: seed for k in params if k == "random_state" or k.endswith("__random_state")})
