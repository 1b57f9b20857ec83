"""Fitting a surrogate benchmark on a table: split, fit, measure, calibrate noise and costs.

:func:`fit_surrogate` fits one predictor per (dataset, epoch) for one metric
on a random subset of the table's architectures, measures it on the others
that are not isomorphic to a training architecture (:func:`group_split_indices`:
a held-out cell never has a twin, by the space's ``canonical_key``, in the
training set, so the score is not inflated by copies), and returns a :class:`~nasbench_suite.surrogates.benchmark.SurrogateBenchmark`
plus the per-model card entries (with held-out predictions for plots).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.store.model import AGGREGATED_SEED
from nasbench_suite.surrogates.benchmark import CostModel, FittedModel, SurrogateBenchmark
from nasbench_suite.surrogates.models.base import SurrogateDataError
from nasbench_suite.surrogates.noise import NoiseModel

log = logging.getLogger(__name__)


@dataclass
class HeldOut:
    """Held-out architectures of one predictor with their true and predicted values."""

    dataset: str
    metric: str
    epoch: int
    archs: list[str]
    y_true: np.ndarray
    y_pred: np.ndarray
    quality: dict[str, float] = field(default_factory=dict)


def split_indices(n: int, train_size: int | float | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A uniform random split of ``n`` rows: ``train_size`` rows (a count, a fraction, or ``None`` for all) and the rest."""
    if isinstance(train_size, float) and 0 < train_size < 1:
        k = int(round(train_size * n))
    elif train_size is None:
        k = n
    elif isinstance(train_size, (int, np.integer)) and not isinstance(train_size, bool):
        k = int(train_size)
    else:
        raise ValueError(f"train_size must be a positive int, a fraction in (0, 1) or None, got {train_size!r}")
    if not 2 <= k <= n:
        raise SurrogateDataError(f"train_size={train_size!r} needs 2..{n} architectures: the table has {n} with a measured value")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:k]), np.sort(order[k:])


#: how every held-out score of the suite is split (recorded on cards and reports)
GROUP_SPLIT = "group-held-out by canonical key"


def canonical_groups(space: Any, archs: Sequence[Any]) -> np.ndarray:
    """Isomorphism class number of every architecture (equal numbers: same ``canonical_key``)."""
    from nasbench_suite.spaces.base import isomorphism_rows

    return isomorphism_rows(space, archs)[1]


def group_split_indices(
    groups: Sequence[Any] | np.ndarray, train_size: int | float | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A split of ``len(groups)`` rows in which no held-out row shares a group with a training row.

    Training rows are drawn uniformly at random as :func:`split_indices` does
    (``train_size`` rows, same seed, same rows); the held-out rows are the
    others *minus* every row whose group (e.g. isomorphism class, see
    :func:`canonical_groups`) has a member in the training set.
    """
    groups = np.asarray(groups)
    train, rest = split_indices(len(groups), train_size, seed)
    twin = np.isin(groups[rest], groups[train])
    return train, rest[~twin]


def heldout_split(split: dict[str, Any], groups: np.ndarray) -> np.ndarray:
    """The group-held-out rows of a card's ``split`` record (``groups`` of the measured rows, in order).

    Cards written before splits were grouped record a uniform split; their
    training rows are the same (:func:`group_split_indices` draws exactly
    :func:`split_indices`' training rows), so their held-out set is grouped too.
    """
    return group_split_indices(groups, split["train_size"], split["seed"])[1]


def _per_seed(table: Any, dataset: str, metric: str, epoch: int) -> np.ndarray | None:
    seeds = [s for s in table.seeds(dataset) if s != AGGREGATED_SEED]
    if len(seeds) < 2:
        return None
    return np.stack([table.query_many(None, dataset, metric=metric, epoch=epoch, seed=s) for s in seeds], axis=1)


def _cost_models(table: Any, dataset: str, space: str) -> dict[str, CostModel]:
    from nasbench_suite.spaces import get_bundle
    from nasbench_suite.surrogates.costs import fit_linear_cost
    from nasbench_suite.surrogates.encoders import get_encoder

    out: dict[str, CostModel] = {}
    measured = table.costs(dataset) if hasattr(table, "costs") else {}
    X = None
    for name, values in measured.items():
        if np.sum(np.isfinite(values)) >= 2:
            if X is None:
                X = get_encoder(space).encode(table.archs, "onehot").astype(np.float64)
            fitted = fit_linear_cost(X, np.asarray(values, dtype=np.float64))
            if fitted is not None:
                out[name] = CostModel("linear", fitted[0], fitted[1], fitted[2])
    if get_bundle(space).refusal("cost_formula") is None:
        for name in ("params", "flops"):
            out.setdefault(name, CostModel("formula"))
    return out


def fit_surrogate(
    table: Any,
    *,
    model: str = "xgb",
    datasets: Sequence[str] | None = None,
    metric: str | Sequence[str] = "test_acc",
    epochs: Sequence[int] | None = None,
    train_size: int | float | None = 1000,
    seed: int = 0,
    noise_std: float | None = None,
    n_virtual_seeds: int = 3,
    name: str | None = None,
    metric_models: dict[str, str] | None = None,
) -> tuple[SurrogateBenchmark, list[HeldOut]]:
    """Fit preset ``model`` on ``table`` and measure it on the held-out architectures.

    Parameters
    ----------
    table
        A table benchmark (``archs``, ``query_many``, ``seeds``, ``epochs``, ``costs``).
    model
        A :data:`~nasbench_suite.surrogates.SURROGATES` preset.
    datasets, epochs
        What to fit (default: every dataset, its final epoch).
    metric
        The metric(s) to predict (seed means); one predictor per (dataset, metric, epoch).
        Combinations the table does not measure are skipped with a warning.
    train_size
        Training architectures: a count, a fraction, or ``None`` (all, nothing held out).
    seed
        Seed of the split and of the model.
    noise_std
        Seed noise standard deviation to use where the table holds only a seed mean.
    n_virtual_seeds
        Seeds a noisy surrogate answers for where the table holds only a seed mean.
    name
        Benchmark name (default ``<table>-<model>``).
    metric_models
        Presets for particular metrics instead of ``model`` (e.g. a cheap one
        for ``train_time``, the runtime model).
    """
    space = table.search_space.name
    datasets = tuple(datasets) if datasets else tuple(table.datasets)
    fitted: list[FittedModel] = []
    held: list[HeldOut] = []
    entries: list[dict[str, Any]] = []
    seeds: dict[str, tuple[int, ...]] = {}
    costs: dict[str, dict[str, CostModel]] = {}
    archs = np.asarray(table.archs, dtype=object)
    metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    skipped: list[str] = []
    for ds in datasets:
        wanted = tuple(epochs) if epochs else (table.epochs(ds)[-1],)
        for epoch in wanted:
            if epoch not in table.epochs(ds):
                raise NotMeasuredError(f"epoch {epoch!r} is not held for dataset {ds!r}; held: {list(table.epochs(ds))}")
            for m in metrics:
                preset = (metric_models or {}).get(m, model)
                entry = _fit_one(table, ds, m, int(epoch), preset, space, train_size, seed, noise_std, archs, fitted, held)
                if entry is None:
                    skipped.append(f"{ds}/{m}@{epoch}")
                else:
                    entries.append(entry)
        real = tuple(s for s in table.seeds(ds) if s != AGGREGATED_SEED)
        seeds[ds] = real if len(real) >= 2 else tuple(range(n_virtual_seeds))
        costs[ds] = _cost_models(table, ds, space)
    if not fitted:
        raise NotMeasuredError(f"nothing to fit: {', '.join(skipped)} measure fewer than 2 architectures")
    card = {
        "preset": model,
        **({"metric_presets": dict(metric_models)} if metric_models else {}),
        "random_state": seed,
        "source": {"benchmark": table.name, "checksum": getattr(table, "checksum", "")},
        "models": entries,
        "skipped": skipped,
    }
    bench = SurrogateBenchmark(
        name=name or f"{table.name}-{model}", space=space, models=fitted, seeds=seeds, costs=costs, card=card
    )
    return bench, held


def _groups(table: Any, archs: np.ndarray) -> np.ndarray:
    """Isomorphism classes of the table's rows, computed once per table object."""
    cached = getattr(table, "_canonical_groups", None)
    if cached is None or len(cached) != len(archs):
        cached = canonical_groups(table.search_space, list(archs))
        try:
            table._canonical_groups = cached
        except AttributeError:  # a table with __slots__: recompute next time
            pass
    return cached


def _fit_one(
    table: Any,
    ds: str,
    metric: str,
    epoch: int,
    model: str,
    space: str,
    train_size: int | float | None,
    seed: int,
    noise_std: float | None,
    archs: np.ndarray,
    fitted: list[FittedModel],
    held: list[HeldOut],
) -> dict[str, Any] | None:
    """Fit, measure and calibrate one predictor; ``None`` (with a warning) where the table has < 2 values."""
    from nasbench_suite.surrogates import make_surrogate
    from nasbench_suite.surrogates.metrics import evaluate

    y = np.asarray(table.query_many(None, ds, metric=metric, epoch=epoch), dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(y))
    if ok.size < 2:
        log.warning("skipping %s/%s@%s: measured for %d architectures", ds, metric, epoch, ok.size)
        return None
    groups = _groups(table, archs)
    train, test = group_split_indices(groups[ok], train_size, seed)
    train, test = ok[train], ok[test]
    estimator = make_surrogate(model, space=space, random_state=seed)
    start = time.perf_counter()
    estimator.fit(list(archs[train]), y[train])
    fit_seconds = time.perf_counter() - start
    per_seed = _per_seed(table, ds, metric, epoch)
    # one row per isomorphism class: a generated table copies a class's numbers to all its members
    distinct = np.unique(groups, return_index=True)[1]
    per_seed = None if per_seed is None else per_seed[np.sort(distinct)]
    noise = NoiseModel.calibrate(per_seed) if per_seed is not None else None
    paired = 0 if per_seed is None else int((np.isfinite(per_seed).sum(axis=1) >= 2).sum())
    if noise is None and noise_std is not None:
        noise = NoiseModel.constant(noise_std)
    fitted.append(FittedModel(ds, metric, epoch, estimator, noise))
    entry: dict[str, Any] = {
        "dataset": ds,
        "metric": metric,
        "epoch": epoch,
        "preset": model,
        "fit_seconds": round(fit_seconds, 3),
        "split": {
            "method": GROUP_SPLIT,
            "seed": seed,
            "train_size": int(train.size),
            "test_size": int(test.size),
            "n_measured": int(ok.size),
            "isomorphs_excluded": int(ok.size - train.size - test.size),
        },
        "quality": None,
        "noise_model": {
            "source": noise.source if noise is not None else None,
            "paired_networks": paired,
        },
    }
    if test.size >= 2:
        start = time.perf_counter()
        pred = np.asarray(estimator.predict(list(archs[test])), dtype=np.float64)
        entry["predict_seconds"] = round(time.perf_counter() - start, 3)
        quality = evaluate(y[test], pred, higher_is_better=not metric.endswith(("_loss", "_time")))
        entry["quality"] = {k: round(v, 6) for k, v in quality.items()}
        held.append(HeldOut(ds, metric, epoch, list(archs[test]), y[test], pred, quality))
    log.info("fitted %s on %s/%s@%s: %s", model, ds, metric, epoch, entry["quality"])
    return entry
