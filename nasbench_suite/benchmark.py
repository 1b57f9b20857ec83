"""The Benchmark protocol shared by tables and surrogates, and its records.

Callers cannot tell a table from a surrogate: both answer ``query`` with an
:class:`EvalResult` and ``query_many`` with a numpy array. Which split and
fidelity a number comes from is always explicit.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np


class Metric(str, enum.Enum):
    """Per-epoch curve metrics. Accuracies are percentages, losses are per-sample means."""

    TRAIN_LOSS = "train_loss"
    TRAIN_ACC = "train_acc"
    VALID_LOSS = "valid_loss"
    VALID_ACC = "valid_acc"
    TEST_LOSS = "test_loss"
    TEST_ACC = "test_acc"
    #: wall-clock seconds spent training during that epoch (evaluation excluded)
    TRAIN_TIME = "train_time"

    def __str__(self) -> str:
        return self.value


class Cost(str, enum.Enum):
    """Per-architecture costs."""

    #: number of trainable parameters
    PARAMS = "params"
    #: floating-point operations of one forward pass of one input
    FLOPS = "flops"
    #: median seconds of one forward pass at batch size 1
    LATENCY = "latency"

    def __str__(self) -> str:
        return self.value


METRICS: tuple[str, ...] = tuple(m.value for m in Metric)
COSTS: tuple[str, ...] = tuple(c.value for c in Cost)

#: unit of each metric and cost as stored and returned (docs/SCHEMA.md)
UNITS: dict[str, str] = {
    **{m: "%" for m in METRICS if m.endswith("_acc")},
    **{m: "mean per sample" for m in METRICS if m.endswith("_loss")},
    "train_time": "s (training in that epoch)",
    "params": "count",
    "flops": "per forward pass of one input",
    "latency": "s (median, batch 1)",
}


def unit(name: str) -> str:
    """The stored unit of a metric or cost ("" where unknown); every ``latency*`` column is in seconds."""
    if name in UNITS:
        return UNITS[name]
    return "s (median)" if name.startswith("latency") else ""


def display_unit(name: str) -> tuple[str, float]:
    """The unit a person reads and the factor from the stored value: latencies in milliseconds, the rest as stored."""
    stored = unit(name)
    return ("ms" + stored[1:], 1e3) if name.startswith("latency") else (stored, 1.0)


class EvalResult(NamedTuple):
    """What a benchmark reports for one architecture, dataset, epoch and seed.

    Every field is a float; a value the benchmark did not measure is NaN and
    :meth:`measured` says so explicitly. ``seed`` is ``None`` for the mean
    over the benchmark's seeds. A named tuple (immutable, typed, and cheap to
    build: ``query`` is on every search strategy's hot path).
    """

    arch: str
    dataset: str
    epoch: int
    seed: int | None
    train_loss: float
    train_acc: float
    valid_loss: float
    valid_acc: float
    test_loss: float
    test_acc: float
    train_time: float

    def measured(self, metric: str | Metric) -> bool:
        """Whether ``metric`` holds a measured value (not NaN)."""
        return not math.isnan(getattr(self, str(metric)))

    def get(self, metric: str | Metric) -> float:
        """The value of ``metric`` by name."""
        return float(getattr(self, str(metric)))


@runtime_checkable
class Benchmark(Protocol):
    """What tables and surrogates both implement."""

    name: str
    search_space: Any  # a nasbench_suite.spaces.SearchSpace
    datasets: tuple[str, ...]
    metrics: tuple[str, ...]
    checksum: str

    def epochs(self, dataset: str) -> tuple[int, ...]:
        """The fidelities (epochs) held for ``dataset``, ascending."""
        ...

    def seeds(self, dataset: str) -> tuple[int, ...]:
        """The seeds held for ``dataset`` (``-1`` marks a mean aggregated at the source)."""
        ...

    def query(self, arch: Any, dataset: str, *, epoch: int | None = None, seed: int | None = None) -> EvalResult:
        """One architecture's numbers; ``epoch=None`` is the final epoch, ``seed=None`` the seed mean."""
        ...

    def query_many(
        self,
        archs: Sequence[Any] | np.ndarray | None,
        dataset: str,
        *,
        metric: str | Metric,
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """One metric for many architectures (``None``: all rows) as a float array."""
        ...

    def cost(self, arch: Any, dataset: str, cost: str | Cost) -> float:
        """One cost of one architecture (NaN where not measured)."""
        ...

    def optimum(self, dataset: str, *, metric: str | Metric = Metric.TEST_ACC, epoch: int | None = None) -> tuple[Any, float]:
        """The architecture with the best seed-mean ``metric`` and that value."""
        ...
