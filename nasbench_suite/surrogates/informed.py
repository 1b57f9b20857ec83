"""A predictor over architectures that also reads the table: zero-cost scores and an early learning-curve prefix.

:class:`InformedRegressor` builds one feature row per architecture from up to
three parts, any of which may be left out: the space's encoding of the cell
(through its bundle's encoder), the zero-cost proxy columns the table stores,
and the cell's own seed-mean curve of a metric up to an early epoch (what a
partial training run measures; its diffs are added, as the slope carries
most of the extrapolation). An array model is fitted on those rows. With all
three and gradient-boosted trees this is the OMNI combination of White et
al. 2021; with the prefix alone and a Bayesian linear model it is a learned
learning-curve extrapolator.

The table is a parameter by catalog name or store path, so the estimator
clones and saves as plainly as :class:`~nasbench_suite.surrogates.estimator.ArchRegressor`.
:meth:`InformedRegressor.table_inputs` says what a prediction reads, so a
benchmark can charge the early epochs' training time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from nasbench_suite.surrogates.estimator import predict_targets
from nasbench_suite.surrogates.models.base import SurrogateDataError, check_target
from nasbench_suite.surrogates.targets import TargetTransform


#: how :class:`InformedRegressor` scales zero-cost scores before the model sees them
ZC_SCALES: tuple[str, ...] = ("raw", "signed-log")


class InformedRegressor(RegressorMixin, BaseEstimator):
    """Encoding ⊕ zero-cost scores ⊕ curve prefix of each architecture, fed to one array model.

    Parameters
    ----------
    model
        An unfitted array regressor; a clone is fitted.
    space
        Search-space name of the architectures.
    benchmark
        The table (catalog name or store path) the zero-cost scores and curves are read from.
    dataset
        Its dataset (``None``: the table's only one).
    encoding
        An encoder kind of the space (``features``, ``onehot``, ...), or ``None`` for no encoding.
    zc
        Zero-cost proxies to read: ``"all"`` (every ``zc/*`` column the dataset stores, possibly none),
        a list of names (each must be stored), or ``()``.
    curve_metric
        Metric of the curve prefix (``valid_acc``), or ``None`` for no prefix.
    observed_epoch, target_epoch
        The prefix holds every held epoch up to ``observed_epoch`` (see
        :func:`~nasbench_suite.surrogates.table_inputs.observed_epochs`: by
        default the last epoch at most a quarter of ``target_epoch``, the epoch
        the targets were measured at, itself by default the table's last).
    target
        Target transform, as for :class:`~nasbench_suite.surrogates.estimator.ArchRegressor`.
    zc_scale
        ``"raw"`` feeds the proxy scores as stored; ``"signed-log"`` feeds
        ``sign(x) * log1p(|x|)``, for linear models: proxies such as ``synflow``
        span many orders of magnitude, and their logarithm is what ranks.
    """

    def __init__(
        self,
        model: Any = None,
        *,
        space: str = "nb201",
        benchmark: str = "",
        dataset: str | None = None,
        encoding: str | None = "features",
        zc: str | Sequence[str] = (),
        curve_metric: str | None = None,
        observed_epoch: int | None = None,
        target_epoch: int | None = None,
        target: str = "quantile",
        zc_scale: str = "raw",
    ) -> None:
        self.model = model
        self.space = space
        self.benchmark = benchmark
        self.dataset = dataset
        self.encoding = encoding
        self.zc = zc
        self.curve_metric = curve_metric
        self.observed_epoch = observed_epoch
        self.target_epoch = target_epoch
        self.target = target
        self.zc_scale = zc_scale

    # ------------------------------------------------------------------ inputs
    def _table(self) -> tuple[Any, str]:
        from nasbench_suite.surrogates.table_inputs import dataset_of, open_table

        if not self.benchmark:
            raise ValueError(f"{type(self).__name__} needs benchmark=: the table its zero-cost scores and curves come from")
        table = open_table(str(self.benchmark))
        if table.search_space.name != self.space:
            raise ValueError(f"{self.benchmark!r} is a table of space {table.search_space.name!r}, the predictor is for {self.space!r}")
        return table, dataset_of(table, self.dataset)

    def _resolve(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        from nasbench_suite.surrogates.table_inputs import observed_epochs, zc_proxies

        if self.zc_scale not in ZC_SCALES:
            raise ValueError(f"zc_scale must be one of {ZC_SCALES}, got {self.zc_scale!r}")
        table, ds = self._table()
        proxies = zc_proxies(table, ds) if self.zc == "all" else tuple(self.zc)
        epochs = () if self.curve_metric is None else observed_epochs(table, ds, self.target_epoch, self.observed_epoch)
        if self.encoding is None and not proxies and not epochs:
            raise ValueError(f"{type(self).__name__} reads nothing: give an encoding, zero-cost proxies or a curve metric")
        return proxies, epochs

    def features(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """The feature rows ``(n, d)`` of ``archs`` (NaN where a proxy is undefined or a curve not measured)."""
        from nasbench_suite.surrogates.table_inputs import curve_matrix, zc_matrix

        table, ds = self._table()
        proxies, epochs = (self.proxies_, self.epochs_) if hasattr(self, "proxies_") else self._resolve()
        archs = list(archs)
        parts = []
        if self.encoding is not None:
            from nasbench_suite.surrogates.encoders import get_encoder

            parts.append(get_encoder(self.space).encode(archs, self.encoding).astype(np.float64))
        if proxies:
            scores = zc_matrix(table, ds, archs, proxies)
            parts.append(np.sign(scores) * np.log1p(np.abs(scores)) if self.zc_scale == "signed-log" else scores)
        if epochs:
            curve = curve_matrix(table, ds, archs, str(self.curve_metric), epochs)
            parts += [curve, np.diff(curve, axis=1)]
        return np.hstack(parts) if parts else np.zeros((len(archs), 0))

    def table_inputs(self) -> dict[str, Any]:
        """What a prediction reads besides the cell: the table, its zero-cost proxies and the curve prefix."""
        proxies, epochs = (self.proxies_, self.epochs_) if hasattr(self, "proxies_") else self._resolve()
        return {"benchmark": self.benchmark, "dataset": self._table()[1], "zc": list(proxies),
                "curve": {"metric": self.curve_metric, "epochs": list(epochs)} if epochs else None}

    # ------------------------------------------------------------ fit / predict
    def fit(self, archs: Sequence[Any] | np.ndarray, y: Any) -> InformedRegressor:
        """Fit on architectures ``archs`` and their targets ``y``."""
        if self.model is None:
            raise ValueError("InformedRegressor needs a model, e.g. InformedRegressor(LGBMRegressor(), ...)")
        y = check_target(y)
        self.proxies_, self.epochs_ = self._resolve()
        X = self.features(archs)
        if len(X) != len(y):
            raise SurrogateDataError(f"got {len(X)} architectures but {len(y)} targets")
        with np.errstate(all="ignore"):
            fill = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0) if len(X) else np.zeros(X.shape[1])
        self.fill_ = np.where(np.isfinite(fill), fill, 0.0)
        self.target_ = TargetTransform.fit(self.target, y)
        self.model_ = clone(self.model).fit(self._filled(X), self.target_.transform(y))
        self.n_encoded_features_ = X.shape[1]
        return self

    def _filled(self, X: np.ndarray) -> np.ndarray:
        """``X`` with every NaN or infinite entry replaced by its column's training median."""
        return np.where(np.isfinite(X), X, self.fill_)

    def predict(self, archs: Sequence[Any] | np.ndarray, return_std: bool = False) -> Any:
        """Predicted targets ``(n,)``; with ``return_std`` also a standard deviation, where the model has one."""
        check_is_fitted(self)
        return predict_targets(self.model_, self.target_, self._filled(self.features(archs)), return_std)

    # ------------------------------------------------------------ persistence
    def _save_files(self, directory: Any) -> dict[str, Any]:
        from nasbench_suite.surrogates.io import save_estimator

        save_estimator(self.model_, directory / "model")
        np.savez(directory / "target.npz", sorted_y=self.target_.sorted_y, fill=self.fill_)
        return {"target": self.target_.kind, "n_encoded_features": int(self.n_encoded_features_),
                "proxies": list(self.proxies_), "epochs": [int(e) for e in self.epochs_]}

    def _load_files(self, directory: Any, meta: dict[str, Any]) -> None:
        from nasbench_suite.surrogates._bundle import check_arch_regressor
        from nasbench_suite.surrogates.io import load_estimator

        self.model_ = load_estimator(directory / "model")
        with np.load(directory / "target.npz", allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        check_arch_regressor(directory, meta, arrays, self.model_)
        self.target_ = TargetTransform(str(meta["target"]), arrays["sorted_y"])
        self.fill_ = np.asarray(arrays["fill"], dtype=np.float64)
        self.n_encoded_features_ = int(meta["n_encoded_features"])
        self.proxies_ = tuple(str(p) for p in meta["proxies"])
        self.epochs_ = tuple(int(e) for e in meta["epochs"])
