"""Shared pieces of the array models: input checks and the save/load contract.

Every model is a scikit-learn regressor over a 2-D float array (an encoding
of architectures). Besides ``fit`` / ``predict`` each implements

* ``_get_state() -> (meta, arrays)``: the fitted state as a JSON-able dict and
  a dict of named numpy arrays (saved with ``allow_pickle=False``), and
* ``_set_state(meta, arrays)``: the inverse, on an unfitted instance built
  from the same parameters.

Models whose library has its own safe format (XGBoost's JSON, torch state
dicts) write that format instead, through ``_save_files`` / ``_load_files``.
Nothing is ever pickled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from nasbench_suite.errors import NasBenchError


class SurrogateDataError(NasBenchError, ValueError):
    """Training data a surrogate cannot learn from: empty, constant, non-finite or too small a split."""


def check_target(y: np.ndarray) -> np.ndarray:
    """``y`` as a finite float64 vector with at least two distinct values.

    A surrogate cannot rank anything from one distinct value, so a constant
    target is refused rather than fitted to a flat line.
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise SurrogateDataError(f"the target must be one value per architecture (1-D), got shape {y.shape}")
    if y.size == 0:
        raise SurrogateDataError("the target is empty: need at least 2 architectures with measured values")
    if not np.all(np.isfinite(y)):
        raise SurrogateDataError(f"the target holds {int(np.sum(~np.isfinite(y)))} NaN or infinite values; drop them first")
    if y.size == 1:
        raise SurrogateDataError("the target has 1 sample (n_samples = 1); need at least 2 distinct values")
    if np.ptp(y) == 0:
        raise SurrogateDataError(f"the target is constant ({y[0]!r} for all {y.size} samples); need at least 2 distinct values")
    return y


def seed_of(random_state: int | None) -> int:
    """An integer seed from ``random_state`` (``None`` means 0: models are deterministic by default)."""
    if random_state is None:
        return 0
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, (int, np.integer)):
        raise ValueError(f"random_state must be an int or None, got {random_state!r}")
    return int(random_state)


class ArrayRegressor(RegressorMixin, BaseEstimator):
    """Base of the array models: validation, fitted checks and persistence hooks."""

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        return X, check_target(y)

    def _validate_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float64)

    # ------------------------------------------------------------ persistence
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        raise NotImplementedError

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def _save_files(self, directory: Path) -> dict[str, Any]:
        """Write the fitted state under ``directory``; returns JSON-able metadata."""
        meta, arrays = self._get_state()
        np.savez(directory / "state.npz", **arrays)
        return meta

    def _load_files(self, directory: Path, meta: dict[str, Any]) -> None:
        """Restore the fitted state written by :meth:`_save_files`."""
        from nasbench_suite.surrogates._bundle import check_state

        with np.load(directory / "state.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        check_state(self, directory, meta, arrays)  # shapes against the saved metadata, before any model is built
        self._set_state(meta, arrays)
