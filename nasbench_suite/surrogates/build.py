"""The surrogate benchmark of a trained table, for any space: what ``nasbench surrogate build`` writes.

A space too large to tabulate (DARTS, NB101) is searched through a surrogate
fitted on a sampled table trained here. :func:`build_benchmark` fits, on one
dataset of such a table,

* the accuracies (``valid_acc``, ``test_acc``) with an ensemble (default: GIN
  on the cell graph, XGBoost and a GP on the ``features`` encoding), whose
  spread over members is the predictive standard deviation
  (``predict(..., return_std=True)``);
* the seed noise from the table's seed pairs (networks trained with two seeds
  or more), so a benchmark opened with ``noise=True`` answers each seed with
  its own sample;
* the runtime model: ``train_time`` (seconds of training per epoch) with
  gradient boosting, so a search with ``--budget-seconds`` runs on it;

and scores every predictor on group-held-out cells (no held-out cell has an
isomorph among the training cells). The card records what the table held:
rows, distinct networks, seeds per class and the cells proposed by search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import NotMeasuredError, UnknownNameError
from nasbench_suite.surrogates.benchmark import SurrogateBenchmark
from nasbench_suite.surrogates.training import HeldOut, canonical_groups, fit_surrogate

__all__ = ["ACCURACY_METRICS", "RUNTIME_METRIC", "build_benchmark"]

#: metrics the accuracy ensemble predicts
ACCURACY_METRICS = ("valid_acc", "test_acc")
#: the runtime model's metric: seconds of training per epoch
RUNTIME_METRIC = "train_time"


def build_benchmark(
    table: Any,
    *,
    name: str,
    dataset: str | None = None,
    epochs: Sequence[int] | None = None,
    model: str = "ensemble",
    runtime_model: str = "xgb",
    train_size: int | float = 0.8,
    seed: int = 0,
    optimum_sample: int | None = None,
) -> tuple[SurrogateBenchmark, list[HeldOut]]:
    """Fit the surrogate benchmark ``name`` on ``dataset`` of ``table`` (see the module docstring).

    ``epochs`` are the fidelities to fit (default: the table's final epoch);
    ``train_size`` the training cells (a count or a fraction; the rest, minus
    isomorphs of training cells, are held out). The predicted optimum of
    each accuracy is computed once and recorded in the card (for a space too
    large to enumerate, the best of ``optimum_sample`` architectures sampled
    with seed 0; default :data:`~nasbench_suite.surrogates.benchmark.OPTIMUM_SAMPLE`). Raises
    :class:`~nasbench_suite.errors.NotMeasuredError` for a table without
    trained rows or without training times.
    """
    archs = getattr(table, "archs", None)
    if archs is None or isinstance(table, SurrogateBenchmark):
        raise NotMeasuredError(
            f"a surrogate benchmark is built from a table of trained architectures; {table.name!r} is "
            f"{type(table).__name__}"
        )
    dataset = dataset or table.datasets[0]
    if dataset not in table.datasets:
        raise UnknownNameError(f"dataset of {table.name!r}", dataset, table.datasets)
    final = table.epochs(dataset)[-1]
    times = np.asarray(table.query_many(None, dataset, metric=RUNTIME_METRIC, epoch=final), dtype=np.float64)
    if np.isfinite(times).sum() < 2:
        raise NotMeasuredError(
            f"{table.name!r} records no {RUNTIME_METRIC} for dataset {dataset!r}, so no runtime model can be fitted "
            "(a table trained by 'nasbench generate' has it)"
        )
    bench, held = fit_surrogate(
        table,
        model=model,
        datasets=[dataset],
        metric=[*ACCURACY_METRICS, RUNTIME_METRIC],
        epochs=epochs,
        train_size=train_size,
        seed=seed,
        name=name,
        metric_models={RUNTIME_METRIC: runtime_model},
    )
    protocol = getattr(table, "protocol", None) or {}
    provenance = table.dataset_provenance(dataset) if hasattr(table, "dataset_provenance") else {}
    groups = canonical_groups(table.search_space, list(archs))
    bench.card["runtime_model"] = {
        "metric": RUNTIME_METRIC,
        "preset": runtime_model,
        "unit": str(provenance.get("train_time", "seconds of training per epoch")),
    }
    bench.card["table"] = {
        "rows": len(archs),
        "networks": int(groups.max()) + 1 if len(groups) else 0,
        "seeds": [int(s) for s in table.seeds(dataset)],
        "classes_per_seed": protocol.get("seed_coverage"),
        "sample": protocol.get("sample"),
        "proposed": (protocol.get("proposed") or {}).get("count", 0),
        "proposed_by": (protocol.get("proposed") or {}).get("by", []),
    }
    _record_seed_agreement(bench.card, table, dataset)
    if optimum_sample is not None:
        if int(optimum_sample) < 1:
            raise ValueError(f"optimum_sample must be a positive number of architectures, got {optimum_sample!r}")
        bench.optimum_sample = int(optimum_sample)
    bench.record_optima(ACCURACY_METRICS)
    return bench, held


def _record_seed_agreement(card: dict[str, Any], table: Any, dataset: str) -> None:
    """Add to each accuracy model's card entry how well the table's seeds agree and the held-out ceiling that implies.

    A held-out cell's number is one seed's run for most cells of a sampled
    table, so even a perfect predictor of the noiseless mean scores below 1
    against it; the card states that ceiling beside the score.
    """
    from nasbench_suite.table_stats import distinct_rows, noise_ceilings, table_stats

    rows = distinct_rows(table)
    for entry in card["models"]:
        if entry["metric"] not in ACCURACY_METRICS or entry["dataset"] != dataset:
            continue
        stats = table_stats(table, dataset, metric=entry["metric"], epoch=int(entry["epoch"]), rows=rows)
        ceilings = noise_ceilings(stats)
        if ceilings is None:
            continue
        entry["seed_agreement"] = {
            "paired_networks": stats.paired_networks,
            "kendall": stats.kendall,
            "spearman": stats.spearman,
            "noise_std": stats.noise,
            # per number of seeds k a held-out cell's value averages: the best a predictor can score against it
            "ceiling_kendall": {str(k): v for k, v in ceilings.items()},
            "ceiling_method": "Kendall tau of the noiseless seed mean against the mean of k seeds' runs, from the "
            "seeds' Kendall tau under a Gaussian copula (nasbench_suite.table_stats.kendall_ceiling)",
        }
