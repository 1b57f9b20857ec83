"""Every objective of one evaluation: the multi-objective companion of :class:`~nasbench_suite.harness.lookup.Lookup`.

Built once per (lookup, objectives) before any run starts, it refuses what
cannot be searched -- an unknown metric or cost, a metric the table lacks for
some cells at some fidelity of the run -- and answers ``values(row)`` with the
selection vector (each objective at the evaluated epoch, on validation or the
cost) and the reported vector (the test counterpart, at the run's target
epoch), cached per (architecture, epoch).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import NotMeasuredError, UnknownNameError
from nasbench_suite.harness.lookup import EvalRow, Lookup
from nasbench_suite.multiobjective.objectives import Objective, ObjectiveError, parse_objectives

Vector = tuple[float, ...]


class ObjectiveLookup:
    """The objective vectors of a benchmark dataset's architectures, checked complete for a run's fidelities.

    Parameters
    ----------
    lookup : Lookup
        The run's single-objective lookup (dataset, fidelities, target epoch).
    objectives : str or sequence
        What :func:`~nasbench_suite.multiobjective.objectives.parse_objectives` reads.
    """

    def __init__(self, lookup: Lookup, objectives: str | Sequence[Any]) -> None:
        self.lookup = lookup
        self.objectives: tuple[Objective, ...] = parse_objectives(objectives)
        self.benchmark = lookup.benchmark
        self.dataset = lookup.dataset
        self._table = hasattr(self.benchmark, "row") and hasattr(self.benchmark, "archs")
        self._costs: dict[str, np.ndarray] = {}
        self._extra: dict[str, np.ndarray] = {}
        self._kinds: dict[str, str] = {}
        for o in self.objectives:
            for name in dict.fromkeys((o.metric, o.report)):
                self._kinds[name] = self._kind(name)
        self._check_complete()
        self._cache: dict[tuple[Any, int], tuple[Vector, Vector]] = {}

    # ---------------------------------------------------------- what is stored
    def _curve_metrics(self) -> tuple[str, ...]:
        names = getattr(self.benchmark, "metric_names", None)
        return tuple(names(self.dataset)) if callable(names) else tuple(self.benchmark.metrics)

    def _cost_names(self) -> tuple[str, ...]:
        if self._table:
            if not self._costs:
                self._costs = self.benchmark.costs(self.dataset)
            return tuple(self._costs)
        from nasbench_suite.benchmark import COSTS

        return tuple(dict.fromkeys([*COSTS, *getattr(self.benchmark, "_costs", {}).get(self.dataset, {})]))

    def _column_names(self) -> tuple[str, ...]:
        if self._table and hasattr(self.benchmark, "columns"):
            if not self._extra:
                self._extra = self.benchmark.columns(self.dataset)
            return tuple(self._extra)
        return ()

    def valid_names(self) -> tuple[str, ...]:
        """Every name an objective may use on this dataset (curve metrics other than test ones, costs, columns)."""
        curves = tuple(m for m in self._curve_metrics() if not m.startswith("test_"))
        return (*curves, *self._cost_names(), *self._column_names())

    def _kind(self, name: str) -> str:
        if name in self._curve_metrics():
            return "curve"
        if name in self._cost_names():
            return "cost"
        if name in self._column_names():
            return "column"
        raise UnknownNameError(f"objective metric of dataset {self.dataset!r}", name, self.valid_names())

    def _check_complete(self) -> None:
        """Refuse an objective the benchmark does not hold for every architecture at every fidelity it is read at."""
        lk = self.lookup
        for o in self.objectives:
            for name, epochs in ((o.metric, lk.fidelities), (o.report, (lk.target_epoch,))):
                kind = self._kinds[name]
                for e in epochs if kind == "curve" else (lk.target_epoch,):
                    missing, total = self._missing(name, kind, e)
                    if missing:
                        where = f" at epoch {e}" if kind == "curve" else ""
                        raise ObjectiveError(
                            f"objective {o}: {name!r} is not measured for {missing} of {total} architectures of dataset "
                            f"{self.dataset!r}{where} (a {kind}); choose a metric the table holds for every cell"
                            + (", or a target --epoch where it is complete" if kind == "curve" else "")
                        )

    def _missing(self, name: str, kind: str, epoch: int) -> tuple[int, int]:
        if self._table:
            values = np.asarray(self._array(name, kind, epoch))
            return int(np.isnan(values).sum()), len(values)
        probe = self.lookup.space.sample(np.random.default_rng(0))
        try:
            v = self._query_value(probe, name, kind, epoch)
        except NotMeasuredError:
            v = math.nan
        return (0 if v == v else 1), 1

    def _array(self, name: str, kind: str, epoch: int) -> Sequence[float]:
        if kind == "curve":
            return self.lookup._column(name, epoch)
        if kind == "cost":
            self._cost_names()
            return self._costs[name]
        self._column_names()
        return np.asarray(self._extra[name], dtype=float).reshape(-1)

    def _query_value(self, arch: Any, name: str, kind: str, epoch: int) -> float:
        if kind == "curve":
            return float(self.benchmark.query(arch, self.dataset, epoch=epoch).get(name))
        return float(self.benchmark.cost(arch, self.dataset, name))

    # ---------------------------------------------------------- answering
    def values(self, row: EvalRow) -> tuple[Vector, Vector]:
        """(selection vector at ``row.epoch``, reported vector at the target epoch) of an evaluated row."""
        key = (row.arch, row.epoch)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._compute(row.arch, row.epoch)
        return hit

    def _compute(self, arch: Any, epoch: int) -> tuple[Vector, Vector]:
        target = self.lookup.target_epoch
        if self._table:
            r = self.benchmark.row(arch)
            sel = tuple(float(self._array(o.metric, self._kinds[o.metric], epoch)[r]) for o in self.objectives)
            rep = tuple(float(self._array(o.report, self._kinds[o.report], target)[r]) for o in self.objectives)
        else:
            sel = tuple(self._query_value(arch, o.metric, self._kinds[o.metric], epoch) for o in self.objectives)
            rep = tuple(self._query_value(arch, o.report, self._kinds[o.report], target) for o in self.objectives)
        return sel, rep

    def describe(self) -> list[dict[str, str]]:
        """The objectives as results files record them."""
        return [o.to_dict() for o in self.objectives]


def check_objectives(lookup: Lookup, objectives: str | Sequence[Any] | None) -> ObjectiveLookup | None:
    """An :class:`ObjectiveLookup` for ``objectives`` (``None``: a single-objective run), raising before any run starts."""
    if objectives is None:
        return None
    return ObjectiveLookup(lookup, objectives)


__all__ = ["ObjectiveError", "ObjectiveLookup", "check_objectives"]
