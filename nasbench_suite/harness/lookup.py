"""What one evaluation costs and returns: a memoized view of one benchmark dataset.

:class:`Lookup` decides, once per (benchmark, dataset, target epoch), which
metric selects incumbents, which unit the simulated clock counts in and which
fidelities strategies may ask for, and answers ``get(arch, epoch)`` with an
:class:`EvalRow` cached by ``(arch, epoch)``: after the first query of an
architecture, an evaluation costs one dictionary lookup. One Lookup is shared
by every run of a sweep in a process.

Rules (recorded in every results file):

* **Selection** uses ``valid_acc`` at the evaluated epoch. Where the dataset
  does not measure ``valid_acc`` at every fidelity of the run, selection uses
  ``test_acc`` instead, and :attr:`Lookup.warnings` says so.
* **Cost** of training to epoch ``e`` from scratch is the recorded training
  time summed over the epochs up to ``e``; where only some epochs are held
  (e.g. 12 and 200), each held epoch's time stands for the epochs since the
  previous held one. Rows with a missing time use the dataset's mean at that
  epoch. Where the dataset records no training time at all, the clock counts
  epochs (``clock_unit == "epoch"``, cost of epoch ``e`` = ``e``).
* **Seeds**: the seed mean of every metric (``seed=None``).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple

import numpy as np

from nasbench_suite.benchmark import Metric
from nasbench_suite.errors import InvalidArchitectureError, NotMeasuredError, UnknownNameError

SECONDS, EPOCHS = "seconds", "epoch"


class EvalRow(NamedTuple):
    """The numbers of one architecture at one epoch, as the harness uses them."""

    arch: Any
    arch_str: str
    epoch: int
    #: the selection metric (what strategies are told and incumbents are chosen on)
    value: float
    valid: float
    test: float
    #: clock units to train from scratch to ``epoch``
    cum_cost: float
    #: the test metric at the run's target epoch (what the incumbent is worth)
    final_test: float


class Lookup:
    """Memoized evaluations of one benchmark dataset up to a target epoch.

    Parameters
    ----------
    benchmark : Benchmark
        A table or surrogate implementing the Benchmark protocol.
    dataset : str
        One of ``benchmark.datasets``.
    epoch : int, optional
        The target (full-budget) epoch; ``None`` is the dataset's final epoch.
        Fidelities are the held epochs up to it.
    """

    def __init__(self, benchmark: Any, dataset: str, *, epoch: int | None = None) -> None:
        if dataset not in benchmark.datasets:
            raise UnknownNameError("dataset", dataset, benchmark.datasets)
        held = tuple(int(e) for e in benchmark.epochs(dataset))
        target = held[-1] if epoch is None else int(epoch)
        if target not in held:
            raise NotMeasuredError(f"epoch {epoch!r} is not held for dataset {dataset!r} of {benchmark.name!r}; held: {list(held)}")
        self.benchmark = benchmark
        self.dataset = dataset
        self.space = benchmark.search_space
        self.held_epochs = held
        self.target_epoch = target
        self.fidelities: tuple[int, ...] = tuple(e for e in held if e <= target)
        self.test_metric = Metric.TEST_ACC.value
        self.warnings: list[str] = []
        self._table = hasattr(benchmark, "row") and hasattr(benchmark, "archs")
        self._columns: dict[tuple[str, int], list[float]] = {}

        valid_ok = all(self._measured(Metric.VALID_ACC.value, e) for e in self.fidelities)
        if valid_ok:
            self.selection_metric = Metric.VALID_ACC.value
        else:
            missing = [e for e in self.fidelities if not self._measured(Metric.VALID_ACC.value, e)]
            self.selection_metric = self.test_metric
            self.warnings.append(
                f"valid_acc is not measured for dataset {dataset!r} at epoch(s) {missing}: incumbents are selected "
                f"on {self.test_metric} (test numbers are then optimistic and not a fair final score)"
            )
        self.clock_unit = SECONDS if all(self._measured(Metric.TRAIN_TIME.value, e) for e in held if e <= target) else EPOCHS
        if self.clock_unit == EPOCHS:
            self.warnings.append(f"dataset {dataset!r} records no training time: the simulated clock counts epochs")
        try:
            _, self.optimum = benchmark.optimum(dataset, metric=self.test_metric, epoch=target)
        except NotMeasuredError:
            self.optimum = None
        #: how a surrogate found its optimum (a prediction, not a measurement); None for a table
        self.optimum_method: str | None = getattr(benchmark, "optimum_method", None)
        self._cache: dict[tuple[Any, int], EvalRow] = {}
        self._rows: dict[Any, int] = {}

    # ----------------------------------------------------------- measuring
    def _column(self, metric: str, epoch: int) -> list[float] | None:
        """A metric at one epoch for every table row (tables only), cached."""
        key = (metric, epoch)
        if key not in self._columns:
            try:
                values = np.asarray(self.benchmark.query_many(None, self.dataset, metric=metric, epoch=epoch), dtype=float)
            except (NotMeasuredError, UnknownNameError):
                values = np.full(len(self.benchmark.archs), np.nan)
            self._columns[key] = values.tolist()
        return self._columns[key]

    def _measured(self, metric: str, epoch: int) -> bool:
        if self._table:
            return any(not math.isnan(v) for v in self._column(metric, epoch))
        try:
            probe = self.space.sample(np.random.default_rng(0))
            return self.benchmark.query(probe, self.dataset, epoch=epoch).measured(metric)
        except NotMeasuredError:
            return False

    def _cum_costs(self) -> dict[int, list[float]]:
        """Table rows' cost of training from scratch to each fidelity."""
        out: dict[int, list[float]] = {}
        total = np.zeros(len(self.benchmark.archs))
        prev = 0
        for e in self.held_epochs:
            if e > self.target_epoch:
                break
            if self.clock_unit == EPOCHS:
                out[e] = [float(e)] * len(total)
                continue
            t = np.asarray(self._column(Metric.TRAIN_TIME.value, e))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                t = np.where(np.isnan(t), np.nanmean(t), t)
            total = total + t * (e - prev)
            prev = e
            out[e] = total.tolist()
        return out

    # ----------------------------------------------------------- answering
    def get(self, arch: Any, epoch: int | None) -> EvalRow:
        """The row of ``arch`` at ``epoch`` (``None``: the target epoch); raises for invalid input."""
        row = self._cache.get((arch, epoch))
        if row is None:
            row = self._miss(arch, epoch)
        return row

    def _miss(self, arch: Any, epoch: int | None) -> EvalRow:
        e = self.target_epoch if epoch is None else epoch
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)) or e not in self.fidelities:
            raise NotMeasuredError(f"epoch {epoch!r} is not a fidelity of this run; valid: {list(self.fidelities)}")
        e = int(e)
        other = getattr(arch, "space", None)
        if isinstance(other, str) and other != self.space.name:
            raise InvalidArchitectureError(f"architecture {arch!r:.100} is of space {other!r}, expected {self.space.name!r}")
        parsed = self.space.parse(arch)
        if parsed != arch and hasattr(arch, "space"):
            raise InvalidArchitectureError(f"{arch!r:.100} is not an architecture of space {self.space.name!r}")
        row = self._cache.get((parsed, e))
        if row is None:
            row = self._table_row(parsed, e) if self._table else self._query_row(parsed, e)
            self._cache[(parsed, e)] = row
        self._cache[(arch, epoch)] = row
        return row

    def _table_row(self, parsed: Any, e: int) -> EvalRow:
        r = self._rows.get(parsed)
        if r is None:
            r = self._rows[parsed] = self.benchmark.row(parsed)
        if not hasattr(self, "_cum"):
            self._cum = self._cum_costs()
        valid = self._column(Metric.VALID_ACC.value, e)[r]
        test = self._column(self.test_metric, e)[r]
        value = valid if self.selection_metric == Metric.VALID_ACC.value else test
        final = self._column(self.test_metric, self.target_epoch)[r]
        return EvalRow(parsed, self.benchmark.archs[r], e, value, valid, test, self._cum[e][r], final)

    def _query_row(self, parsed: Any, e: int) -> EvalRow:
        q = self.benchmark.query
        res = q(parsed, self.dataset, epoch=e)
        if self.clock_unit == EPOCHS:
            cum = float(e)
        else:
            cum, prev = 0.0, 0
            for h in self.held_epochs:
                if h > e:
                    break
                t = q(parsed, self.dataset, epoch=h).train_time
                cum += (0.0 if math.isnan(t) else t) * (h - prev)
                prev = h
        final = res.test_acc if e == self.target_epoch else q(parsed, self.dataset, epoch=self.target_epoch).get(self.test_metric)
        value = res.get(self.selection_metric)
        return EvalRow(parsed, parsed.to_string(), e, value, res.valid_acc, res.get(self.test_metric), cum, final)

    def describe(self) -> dict[str, Any]:
        """The rules this lookup applies, for results files."""
        return {
            "selection_metric": self.selection_metric,
            "test_metric": self.test_metric,
            "clock_unit": self.clock_unit,
            "target_epoch": self.target_epoch,
            "fidelities": list(self.fidelities),
            "benchmark_seed": "mean",
            "optimum": None if self.optimum is None else {
                "metric": self.test_metric, "epoch": self.target_epoch, "value": self.optimum,
                **({} if self.optimum_method is None else {"predicted": self.optimum_method}),
            },
            "warnings": list(self.warnings),
        }
