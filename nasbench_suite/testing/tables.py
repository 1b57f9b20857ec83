"""Synthetic store contents for tests of code that consumes benchmarks."""

from __future__ import annotations

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.store.model import BenchmarkData, DatasetTable


def make_small_data(
    n_arch: int = 20, seeds: tuple[int, ...] = (0, 1), epochs: int = 4, seed: int = 0, dataset: str = "toy"
) -> BenchmarkData:
    """A random NB201 table of the first ``n_arch`` official architectures, with curves, costs and a column."""
    from nasbench_suite.spaces.nb201 import Architecture

    rng = np.random.default_rng(seed)
    archs = [Architecture.from_index(i).to_string() for i in range(n_arch)]
    table = DatasetTable(
        epochs=np.arange(1, epochs + 1),
        seeds=np.array(seeds),
        metrics=METRICS,
        curves=rng.uniform(10, 90, size=(n_arch, len(seeds), epochs, len(METRICS))),
        costs=rng.uniform(1, 100, size=(n_arch, 3)),
        cost_names=("params", "flops", "latency"),
        columns={"zc/synflow": rng.normal(size=n_arch)},
        provenance={"splits": "synthetic random numbers"},
    )
    return BenchmarkData(name="small", search_space="nb201", archs=archs, datasets={dataset: table})
