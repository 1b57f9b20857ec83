"""A zero-cost proxy as a predictor: it ranks architectures by their stored proxy score (rank only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from nasbench_suite.surrogates.models.base import SurrogateDataError, check_target


class ZeroCostRanker(RegressorMixin, BaseEstimator):
    """Predicts the oriented score of one zero-cost proxy: a ranking, not the metric's value.

    ``fit`` learns only the orientation: the sign of the proxy's Spearman
    correlation with the training targets (``flops`` or ``params`` may rank
    either way round). Predictions are ``sign * score`` in the proxy's own
    units, so only rank scores (Kendall tau, Spearman, top-k precision) are
    meaningful for them; :attr:`rank_only` says so to whoever scores it.
    A cell whose proxy is undefined (NaN in the table) ranks below every cell
    with a defined score.

    Parameters
    ----------
    proxy
        The proxy name; the table must store ``zc/<proxy>``.
    space, benchmark, dataset
        As for :class:`~nasbench_suite.surrogates.informed.InformedRegressor`.
    """

    #: predictions are scores in the proxy's units: only their order is a prediction
    rank_only = True

    def __init__(self, proxy: str = "synflow", *, space: str = "nb201", benchmark: str = "", dataset: str | None = None) -> None:
        self.proxy = proxy
        self.space = space
        self.benchmark = benchmark
        self.dataset = dataset

    def _column(self) -> tuple[Any, str]:
        from nasbench_suite.surrogates.table_inputs import dataset_of, open_table

        if not self.benchmark:
            raise ValueError("ZeroCostRanker needs benchmark=: the table that stores the proxy scores")
        table = open_table(str(self.benchmark))
        if table.search_space.name != self.space:
            raise ValueError(f"{self.benchmark!r} is a table of space {table.search_space.name!r}, the predictor is for {self.space!r}")
        return table, dataset_of(table, self.dataset)

    def _scores(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        from nasbench_suite.surrogates.table_inputs import zc_matrix

        table, ds = self._column()
        return zc_matrix(table, ds, list(archs), [self.proxy])[:, 0]

    def fit(self, archs: Sequence[Any] | np.ndarray, y: Any) -> ZeroCostRanker:
        """Learn the proxy's orientation from ``archs`` and their targets ``y``."""
        from scipy.stats import spearmanr

        y = check_target(y)
        score = self._scores(archs)
        if len(score) != len(y):
            raise SurrogateDataError(f"got {len(score)} architectures but {len(y)} targets")
        ok = np.isfinite(score)
        rho = float(spearmanr(score[ok], y[ok]).statistic) if ok.sum() >= 2 and np.ptp(score[ok]) > 0 else 0.0
        self.train_spearman_ = rho if np.isfinite(rho) else 0.0
        self.sign_ = -1.0 if self.train_spearman_ < 0 else 1.0
        table, ds = self._column()
        column = self.sign_ * np.asarray(table.columns(ds)[f"zc/{self.proxy}"], dtype=np.float64)
        finite = column[np.isfinite(column)]
        if finite.size == 0:
            raise SurrogateDataError(f"proxy {self.proxy!r} is undefined for every architecture of {self.benchmark!r}")
        self.floor_ = float(finite.min()) - max(1.0, float(np.ptp(finite)))  # below every defined score
        return self

    def predict(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Oriented proxy scores ``(n,)`` (higher ranks better); undefined ones below every defined one."""
        check_is_fitted(self)
        oriented = self.sign_ * self._scores(archs)
        return np.where(np.isfinite(oriented), oriented, self.floor_)

    # ------------------------------------------------------------ persistence
    def _save_files(self, directory: Any) -> dict[str, Any]:
        return {"sign": self.sign_, "train_spearman": self.train_spearman_, "floor": self.floor_}

    def _load_files(self, directory: Any, meta: dict[str, Any]) -> None:
        self.sign_ = float(meta["sign"])
        self.train_spearman_ = float(meta["train_spearman"])
        self.floor_ = float(meta["floor"])
