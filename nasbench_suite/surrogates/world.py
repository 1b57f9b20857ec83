"""A sampled landscape: a surrogate whose answers carry its own prediction error.

A surrogate predicts a smoothed landscape: its errors are shrunk towards
the mean, so a search on it finds its optimum more easily than on the real
table and reports optimistic regrets. :class:`SampledWorld` answers like the
surrogate plus ``sigma(mean) * z(arch, world)``, where ``sigma`` is the
surrogate's *own* out-of-fold error (calibrated by group K-fold on its
training cells only, see :func:`residual_noise`) and ``z`` a reproducible
standard normal per (world seed, architecture): each world seed is one
plausible rugged landscape consistent with the surrogate and its error.
The same draws are used at every epoch of an architecture (a cell that the
surrogate under-rates at one epoch is under-rated at all, as real residuals
are). Validation and test errors are only partly shared: with the
correlation ``rho`` of the two metrics' out-of-fold residuals (measured on
the same training cells, :func:`residual_correlation`), validation gets
``sqrt(rho) z_shared + sqrt(1 - rho) z_valid`` and test the same with its
own ``z_test``, so selecting on validation meets the validation-to-test gap a
table has, instead of a surrogate's smooth valid-test agreement (without a
measured ``rho`` both share one draw, ``rho = 1``). Training times are
answered without noise.
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
    pred = out_of_fold_predictions(archs, y, space=space, model=model, seed=seed, folds=folds)
    return NoiseModel.from_residuals(pred, np.asarray(y, dtype=np.float64), n_bins=n_bins)


def out_of_fold_predictions(
    archs: Sequence[Any],
    y: np.ndarray,
    *,
    space: str,
    model: str,
    seed: int,
    folds: int = 3,
) -> np.ndarray:
    """Group K-fold (by canonical key) out-of-fold predictions of preset ``model`` for ``(archs, y)``."""
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
    return pred


def residual_correlation(pred_a: np.ndarray, true_a: np.ndarray, pred_b: np.ndarray, true_b: np.ndarray) -> float:
    """Pearson correlation of two metrics' residuals ``true - pred`` on the same cells, clipped to [0, 1].

    NaN pairs are skipped. Fewer than 3 usable cells, or a residual without
    spread, gives 1.0 (one shared draw: nothing measured says otherwise).
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in (pred_a, true_a, pred_b, true_b)]
    if len({a.shape for a in arrays}) != 1:
        raise ValueError(f"residual_correlation needs four arrays of one shape, got {[a.shape for a in arrays]}")
    pa, ta, pb, tb = arrays
    ra, rb = ta - pa, tb - pb
    ok = np.isfinite(ra) & np.isfinite(rb)
    if ok.sum() < 3 or np.std(ra[ok]) == 0 or np.std(rb[ok]) == 0:
        return 1.0
    return float(np.clip(np.corrcoef(ra[ok], rb[ok])[0, 1], 0.0, 1.0))


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
    correlation
        ``(dataset, epoch) -> rho`` in [0, 1]: the share of validation and test
        error drawn in common (see :func:`residual_correlation`); a missing
        key means one shared draw (``rho = 1``).
    """

    def __init__(
        self,
        base: Any,
        noise: dict[tuple[str, str, int], NoiseModel],
        *,
        seed: int,
        correlation: dict[tuple[str, int], float] | None = None,
    ) -> None:
        self.base = base
        self.noise = dict(noise)
        self.correlation = dict(correlation or {})
        bad = {k: v for k, v in self.correlation.items() if not (0.0 <= float(v) <= 1.0)}
        if bad:
            raise ValueError(f"correlation values must lie in [0, 1], got {bad!r}")
        self.seed = int(seed)
        self.name = f"{base.name}@world{self.seed}"
        self.checksum = f"{base.checksum}+world{self.seed}"
        self.search_space = base.search_space
        self.space_name = base.space_name
        self.datasets = base.datasets
        self.metrics = base.metrics
        self._z_all: dict[str, np.ndarray] = {}
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

    def _z(self, parsed: list[Any] | None, salt: str = "world") -> np.ndarray:
        if parsed is None:
            if salt not in self._z_all:
                self._z_all[salt] = standard_normal([a.to_string() for a in self.base._all_archs], seed=self.seed, salt=salt)
            return self._z_all[salt]
        if self.base.enumerable:
            z = self._z(None, salt)
            rows = self.base.__dict__["_row"]
            return z[np.fromiter((rows[a] for a in parsed), dtype=np.intp, count=len(parsed))]
        return standard_normal([a.to_string() for a in parsed], seed=self.seed, salt=salt)

    def _noisy(self, parsed: list[Any] | None, dataset: str, metric: str, epoch: int) -> np.ndarray:
        mean = self.base._mean(parsed, dataset, metric, epoch)
        model = self.noise.get((dataset, metric, epoch))
        if model is None or metric not in NOISY_METRICS:
            return mean
        rho = float(self.correlation.get((dataset, epoch), 1.0))
        z = self._z(parsed)
        if rho < 1.0:
            z = np.sqrt(rho) * z + np.sqrt(1.0 - rho) * self._z(parsed, f"world/{metric}")
        return mean + model.sigma(mean) * z

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


__all__ = ["NOISY_METRICS", "SampledWorld", "out_of_fold_predictions", "residual_correlation", "residual_noise"]
