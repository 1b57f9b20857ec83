"""The architecture-level surrogate: encoder, target transform and array model in one estimator.

Array models (:mod:`nasbench_suite.surrogates.models`) take encodings; an
:class:`ArchRegressor` takes architectures (objects, strings or indices of
one search space), encodes them and delegates. It is itself a scikit-learn
estimator, so ``clone`` and ``cross_val_score`` work on lists of
architectures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from nasbench_suite.surrogates.models.base import SurrogateDataError, check_target
from nasbench_suite.surrogates.targets import TargetTransform



def predict_targets(model: Any, target: TargetTransform, X: np.ndarray, return_std: bool = False) -> Any:
    """``model``'s predictions on features ``X`` mapped back through ``target``; with ``return_std`` also a std.

    The std is carried through the transform's local slope (half the width of
    the mapped one-std interval). A model without a predictive std is a TypeError.
    """
    if len(X) == 0:
        empty = np.zeros(0, dtype=np.float64)
        return (empty, empty.copy()) if return_std else empty
    if not return_std:
        return target.inverse(model.predict(X))
    try:
        z, z_std = model.predict(X, return_std=True)
    except TypeError:
        raise TypeError(f"{type(model).__name__} has no predictive std; wrap it in an EnsembleRegressor") from None
    upper, lower = target.inverse(z + z_std), target.inverse(z - z_std)
    return target.inverse(z), (upper - lower) / 2.0

class ArchRegressor(RegressorMixin, BaseEstimator):
    """Predicts a metric of architectures of one search space.

    Parameters
    ----------
    model
        An unfitted array regressor (e.g. :class:`~nasbench_suite.surrogates.models.xgb.XGBRegressor`);
        a clone is fitted. A ``n_nodes=None`` parameter is filled from the encoder.
    space
        Search-space name; architectures of other spaces are rejected.
    encoding
        One of the encoder's kinds (``onehot``, ``adjacency``, ``path``, ``features``, ``graph``).
    target
        ``"quantile"`` (fit rank-based normal scores) or ``"none"``; see :mod:`~nasbench_suite.surrogates.targets`.

    Examples
    --------
    >>> from nasbench_suite.surrogates.models.ridge import RidgeRegressor
    >>> s = ArchRegressor(RidgeRegressor(), space="nb201", encoding="onehot")
    >>> s.fit([0, 1, 2, 3], [80.0, 85.0, 10.0, 90.0]).predict([5]).shape
    (1,)
    """

    def __init__(self, model: Any = None, *, space: str = "nb201", encoding: str = "features", target: str = "quantile") -> None:
        self.model = model
        self.space = space
        self.encoding = encoding
        self.target = target

    def encode(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Encodings ``(n, d)`` of ``archs`` with this surrogate's encoder and kind."""
        from nasbench_suite.errors import UnknownNameError
        from nasbench_suite.surrogates.encoders import get_encoder

        encoder = get_encoder(self.space)
        if self.encoding not in encoder.kinds:
            raise UnknownNameError(f"{self.space} encoding", self.encoding, encoder.kinds)
        return encoder.encode(archs, self.encoding)

    def fit(self, archs: Sequence[Any] | np.ndarray, y: Any) -> ArchRegressor:
        """Fit on architectures ``archs`` and their targets ``y`` (NaN targets are refused)."""
        from nasbench_suite.surrogates.encoders import get_encoder

        if self.model is None:
            raise ValueError("ArchRegressor needs a model, e.g. ArchRegressor(XGBRegressor())")
        y = check_target(y)
        X = self.encode(archs)
        if len(X) != len(y):
            raise SurrogateDataError(f"got {len(X)} architectures but {len(y)} targets")
        model = clone(self.model)
        if "n_nodes" in model.get_params() and model.get_params()["n_nodes"] is None:
            model.set_params(n_nodes=get_encoder(self.space).n_nodes)
        self.target_ = TargetTransform.fit(self.target, y)
        self.model_ = model.fit(X, self.target_.transform(y))
        self.n_encoded_features_ = X.shape[1]
        return self

    def predict(self, archs: Sequence[Any] | np.ndarray, return_std: bool = False) -> Any:
        """Predicted targets ``(n,)``; with ``return_std`` also a standard deviation, where the model has one."""
        check_is_fitted(self)
        return predict_targets(self.model_, self.target_, self.encode(archs), return_std)

    # ------------------------------------------------------------ persistence
    def _save_files(self, directory: Any) -> dict[str, Any]:
        from nasbench_suite.surrogates.io import save_estimator

        save_estimator(self.model_, directory / "model")
        np.savez(directory / "target.npz", sorted_y=self.target_.sorted_y)
        return {"target": self.target_.kind, "n_encoded_features": int(self.n_encoded_features_)}

    def _load_files(self, directory: Any, meta: dict[str, Any]) -> None:
        from nasbench_suite.surrogates.io import load_estimator

        from nasbench_suite.surrogates._bundle import check_arch_regressor

        self.model_ = load_estimator(directory / "model")
        with np.load(directory / "target.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        check_arch_regressor(directory, meta, arrays, self.model_)
        self.target_ = TargetTransform(str(meta["target"]), arrays["sorted_y"])
        self.n_encoded_features_ = int(meta["n_encoded_features"])
