"""Pareto fronts: exact non-dominated sorting (moocore) of a table's cells and of a run's evaluations.

Every function works in the objectives' own directions (a maximised
accuracy stays a positive accuracy); moocore is told which to maximise.
Where several points share one objective vector, the first one stands for
them (fronts are sets of vectors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import moocore
import numpy as np

from nasbench_suite.multiobjective.objectives import Objective, ObjectiveError, parse_objectives


def maximise_flags(objectives: Sequence[Objective]) -> list[bool]:
    """Per objective, whether it is maximised (moocore's ``maximise=`` argument)."""
    return [o.direction == "max" for o in objectives]


def nondominated_mask(points: Any, objectives: Sequence[Objective]) -> np.ndarray:
    """Which rows of ``points`` (``(n, k)``, own directions) are non-dominated; of equal rows only the first."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != len(objectives):
        raise ObjectiveError(f"points must have shape (n, {len(objectives)}), got {pts.shape}")
    if len(pts) == 0:
        return np.zeros(0, dtype=bool)
    finite = np.all(np.isfinite(pts), axis=1)
    mask = np.zeros(len(pts), dtype=bool)
    if finite.any():
        mask[np.flatnonzero(finite)] = moocore.is_nondominated(pts[finite], maximise=maximise_flags(objectives), keep_weakly=False)
    return mask


def pareto_ranks(points: Any, objectives: Sequence[Objective]) -> np.ndarray:
    """Non-domination rank of every row (0: the front), by moocore's exact sorting; non-finite rows rank last."""
    pts = np.asarray(points, dtype=float)
    ranks = np.zeros(len(pts), dtype=int)
    finite = np.all(np.isfinite(pts), axis=1)
    if finite.any():
        ranks[finite] = moocore.pareto_rank(pts[finite], maximise=maximise_flags(objectives))
    if (~finite).any():
        ranks[~finite] = (ranks[finite].max() + 1) if finite.any() else 0
    return ranks


@dataclass(frozen=True)
class ParetoFront:
    """The non-dominated cells of a benchmark dataset for some objectives, sorted by the first objective."""

    objectives: tuple[Objective, ...]
    #: the metric names the values are of (the objectives' own metrics, or their reported counterparts)
    metrics: tuple[str, ...]
    #: architecture strings of the front, one per distinct objective vector
    archs: tuple[str, ...]
    #: ``(n, k)`` objective values in the objectives' own directions
    values: np.ndarray
    #: complete cells sorted (the others lack a value)
    cells: int
    #: cells of the table
    total: int
    epoch: int

    def __len__(self) -> int:
        return len(self.archs)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: objectives, metrics, epoch, cell counts and the front's points."""
        return {
            "objectives": [o.to_dict() for o in self.objectives],
            "metrics": list(self.metrics),
            "epoch": self.epoch,
            "cells": self.cells,
            "total": self.total,
            "front": [{"arch": a, **dict(zip(self.metrics, map(float, v)))} for a, v in zip(self.archs, self.values)],
        }


def table_values(benchmark: Any, dataset: str, metrics: Sequence[str], *, epoch: int) -> np.ndarray:
    """``(cells, k)`` seed-mean values of curve metrics (at ``epoch``), costs or extra columns of every table cell."""
    from nasbench_suite.errors import UnknownNameError

    costs = benchmark.costs(dataset)
    columns = benchmark.columns(dataset) if hasattr(benchmark, "columns") else {}
    curves = benchmark.metric_names(dataset) if hasattr(benchmark, "metric_names") else benchmark.metrics
    out = []
    for m in metrics:
        if m in curves:
            out.append(np.asarray(benchmark.query_many(None, dataset, metric=m, epoch=epoch), dtype=float))
        elif m in costs:
            out.append(np.asarray(costs[m], dtype=float))
        elif m in columns:
            out.append(np.asarray(columns[m], dtype=float).reshape(-1))
        else:
            curve_names = tuple(c for c in curves if not c.startswith("test_"))
            raise UnknownNameError(f"objective metric of dataset {dataset!r}", m, (*curve_names, *costs, *columns))
    return np.stack(out, axis=1)


def true_front(benchmark: Any, dataset: str, objectives: str | Sequence[Any], *, epoch: int | None = None,
               reported: bool = False) -> ParetoFront:
    """The exact Pareto front of a table over every cell where all objectives are measured.

    ``reported=True`` sorts the objectives' reported counterparts (``test_acc`` for ``valid_acc``): the front
    a run's reported front is measured against. ``epoch`` defaults to the dataset's final epoch.
    """
    objs = parse_objectives(objectives)
    e = int(benchmark.epochs(dataset)[-1] if epoch is None else epoch)
    metrics = tuple(o.report if reported else o.metric for o in objs)
    values = table_values(benchmark, dataset, metrics, epoch=e)
    complete = np.all(np.isfinite(values), axis=1)
    if not complete.any():
        raise ObjectiveError(f"no cell of dataset {dataset!r} holds all of {', '.join(metrics)} at epoch {e}")
    idx = np.flatnonzero(complete)
    mask = nondominated_mask(values[idx], objs)
    rows = idx[mask]
    order = np.lexsort(tuple(values[rows, j] * objs[j].sign for j in reversed(range(len(objs)))))
    rows = rows[order]
    archs = tuple(str(benchmark.archs[r]) for r in rows)
    return ParetoFront(objs, metrics, archs, values[rows], int(complete.sum()), len(values), e)


def run_front(selection: Any, epochs: Sequence[int], target_epoch: int, objectives: Sequence[Objective]) -> list[int]:
    """0-based evaluation indices of a run's front: non-dominated selection vectors among full-fidelity evaluations.

    A low-fidelity result never enters the front (as it never becomes the
    single-objective incumbent over a full-budget one); of equal vectors the
    earliest evaluation stands for them.
    """
    sel = np.asarray(selection, dtype=float).reshape(len(epochs), len(objectives))
    full = np.flatnonzero(np.asarray(epochs) == target_epoch)
    if len(full) == 0:
        return []
    mask = nondominated_mask(sel[full], objectives)
    return [int(i) for i in full[mask]]
