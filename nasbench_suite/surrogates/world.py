"""A sampled landscape: a surrogate whose answers carry its own prediction error.

A surrogate predicts a smoothed landscape: its errors are shrunk towards
the mean, so a search on it finds its optimum more easily than on the real
table and reports optimistic regrets. :class:`SampledWorld` answers like the
surrogate plus ``sigma(mean) * z(arch, world)``, where ``sigma`` is the
surrogate's *own* out-of-fold error (calibrated by group K-fold on its
training cells only, see :func:`residual_noise`) and ``z`` a reproducible
standard normal per (world seed, architecture): each world seed is one
plausible rugged landscape consistent with the surrogate and its error.
The same ``z`` is used for every metric and epoch of an architecture (a
cell that the surrogate under-rates at one epoch is under-rated at all, as
real residuals are), so validation-based selection sees the same error the
test numbers carry. Training times are answered without noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.benchmark import METRICS, EvalResult, Metric
from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.surrogates.noise import NoiseModel, standard_normal

#: metrics that carry the residual noise (times and losses are answered as predicted)
NOISY_METRICS = ("valid_acc", "test_acc")


def residual_noise(
    archs: Sequence[Any],
    y: np.ndarray,
    *,
    space: str,
    model: str,
    seed: int,
    folds: int = 3,
    n_bins: int = 10,
) -> NoiseModel:
    """The out-of-fold prediction error of preset ``model`` on ``(archs, y)``, binned by predicted value.

    Folds are grouped by canonical key (isomorphs share a fold), so the
    error is that on cells the model has no twin of, as on a new space.
    """
    from sklearn.model_selection import GroupKFold

    from nasbench_suite.spaces import get_space
    from nasbench_suite.surrogates import make_surrogate
    from nasbench_suite.surrogates.training import canonical_groups

    archs = np.asarray(list(archs), dtype=object)
    y = np.asarray(y, dtype=np.float64)
    if len(archs) < 2 * folds:
        raise ValueError(f"residual_noise needs at least {2 * folds} architectures for {folds} folds, got {len(archs)}")
    groups = canonical_groups(get_space(space), list(archs))
    order = np.random.default_rng(seed).permutation(len(archs))
    pred = np.full(len(archs), np.nan)
    for train, test in GroupKFold(folds).split(order, groups=groups[order]):
        tr, te = order[train], order[test]
        est = make_surrogate(model, space=space, random_state=seed)
        est.fit(list(archs[tr]), y[tr])
        pred[te] = np.asarray(est.predict(list(archs[te])), dtype=np.float64)
    return NoiseModel.from_residuals(pred, y, n_bins=n_bins)


class SampledWorld:
    """The Benchmark protocol over ``base`` plus per-architecture residual noise of world ``seed``.

    Parameters
    ----------
    base
        A :class:`~nasbench_suite.surrogates.benchmark.SurrogateBenchmark`.
    noise
        ``(dataset, metric, epoch) -> NoiseModel`` for the metrics of
        :data:`NOISY_METRICS`; missing keys are answered without noise.
    seed
        The world: which landscape of the family this benchmark is.
    """

    def __init__(self, base: Any, noise: dict[tuple[str, str, int], NoiseModel], *, seed: int) -> None:
        self.base = base
        self.noise = dict(noise)
        self.seed = int(seed)
        self.name = f"{base.name}@world{self.seed}"
        self.checksum = f"{base.checksum}+world{self.seed}"
        self.search_space = base.search_space
        self.space_name = base.space_name
        self.datasets = base.datasets
        self.metrics = base.metrics
        self._z_all: np.ndarray | None = None
        self._optimum: dict[tuple[str, str, int], tuple[Any, float]] = {}

    def __repr__(self) -> str:
        return f"SampledWorld({self.base!r}, seed={self.seed})"

    def epochs(self, dataset: str) -> tuple[int, ...]:
        """The base surrogate's epochs."""
        return self.base.epochs(dataset)

    def seeds(self, dataset: str) -> tuple[int, ...]:
        """Seed means only: the world's noise is fixed per architecture."""
        self.base.seeds(dataset)
        from nasbench_suite.store.model import AGGREGATED_SEED

        return (AGGREGATED_SEED,)

    def _z(self, parsed: list[Any] | None) -> np.ndarray:
        if parsed is None:
            if self._z_all is None:
                self._z_all = standard_normal([a.to_string() for a in self.base._all_archs], seed=self.seed, salt="world")
            return self._z_all
        if self.base.enumerable:
            z = self._z(None)
            rows = self.base.__dict__["_row"]
            return z[np.fromiter((rows[a] for a in parsed), dtype=np.intp, count=len(parsed))]
        return standard_normal([a.to_string() for a in parsed], seed=self.seed, salt="world")

    def _noisy(self, parsed: list[Any] | None, dataset: str, metric: str, epoch: int) -> np.ndarray:
        mean = self.base._mean(parsed, dataset, metric, epoch)
        model = self.noise.get((dataset, metric, epoch))
        if model is None or metric not in NOISY_METRICS:
            return mean
        return mean + model.sigma(mean) * self._z(parsed)

    def _check_seed(self, seed: int | None) -> None:
        if seed is not None and seed != -1:
            raise NotMeasuredError(f"seed {seed!r}: a sampled world answers seed means only (seed=None)")

    def query(self, arch: Any, dataset: str, *, epoch: int | None = None, seed: int | None = None) -> EvalResult:
        """Metrics of one architecture in this world."""
        self.base._check_dataset(dataset)
        self._check_seed(seed)
        e = self.base._epoch(dataset, epoch)
        parsed = self.base._parse([arch])
        values = [float(self._noisy(parsed, dataset, m, e)[0]) for m in METRICS]
        return EvalResult(parsed[0].to_string(), dataset, e, seed, *values)

    def query_many(
        self,
        archs: Sequence[Any] | np.ndarray | None,
        dataset: str,
        *,
        metric: str | Metric,
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """One metric of many architectures in this world (``None``: every one of an enumerable space)."""
        self.base._check_dataset(dataset)
        self._check_seed(seed)
        e = self.base._epoch(dataset, epoch)
        metric = str(metric)
        if archs is None:
            if not self.base.enumerable:
                raise ValueError(f"search space {self.space_name!r} is too large to query every architecture; pass archs")
            return self._noisy(None, dataset, metric, e)
        return self._noisy(self.base._parse(archs), dataset, metric, e)

    def cost(self, arch: Any, dataset: str, cost: str | Any) -> float:
        """The base surrogate's cost."""
        return self.base.cost(arch, dataset, cost)

    def costs_many(self, archs: Sequence[Any] | np.ndarray, dataset: str, cost: str | Any) -> np.ndarray:
        """The base surrogate's costs."""
        return self.base.costs_many(archs, dataset, cost)

    def optimum(self, dataset: str, *, metric: str | Metric = Metric.TEST_ACC, epoch: int | None = None) -> tuple[Any, float]:
        """The best architecture of this world (every architecture of an enumerable space, else the base's sample)."""
        self.base._check_dataset(dataset)
        metric = str(metric)
        e = self.base._epoch(dataset, epoch)
        key = (dataset, metric, e)
        if key not in self._optimum:
            if self.base.enumerable:
                archs = self.base._all_archs
                values = self._noisy(None, dataset, metric, e)
            else:
                from nasbench_suite.surrogates.benchmark import OPTIMUM_SAMPLE

                rng = np.random.default_rng(0)
                archs = [self.search_space.sample(rng) for _ in range(OPTIMUM_SAMPLE)]
                values = self._noisy(archs, dataset, metric, e)
            if np.all(np.isnan(values)):
                raise NotMeasuredError(f"{metric} has no predictor for dataset {dataset!r} at epoch {e} in {self.name!r}")
            lower = metric.endswith(("_loss", "_time"))
            i = int(np.nanargmin(values) if lower else np.nanargmax(values))
            self._optimum[key] = (archs[i], float(values[i]))
        return self._optimum[key]


__all__ = ["NOISY_METRICS", "SampledWorld", "residual_noise"]
