"""In-memory form of one benchmark store file, as the writer takes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: seed label of values that are a mean over seeds taken at the source
AGGREGATED_SEED = -1


@dataclass
class DatasetTable:
    """All numbers of one dataset: dense curves, per-architecture costs and extra columns.

    ``curves[arch, seed, epoch, metric]`` and ``costs[arch, cost]`` are float
    arrays; NaN means "not measured". ``columns`` holds extra per-architecture
    float columns (e.g. zero-cost proxy scores), each of shape ``(n_arch,)``.
    """

    epochs: np.ndarray
    seeds: np.ndarray
    metrics: tuple[str, ...]
    curves: np.ndarray
    costs: np.ndarray
    cost_names: tuple[str, ...]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    #: free-form, JSON-serializable: where the numbers come from, splits, units
    provenance: dict[str, Any] = field(default_factory=dict)


@dataclass
class BenchmarkData:
    """A whole benchmark: architectures (row order) and one table per dataset."""

    name: str
    search_space: str
    archs: list[str]
    datasets: dict[str, DatasetTable]
    #: the training protocol (JSON-serializable); empty for imported tables
    protocol: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)
