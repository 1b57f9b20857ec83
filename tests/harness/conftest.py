"""Benchmarks for harness tests: a synthetic full NB201 table with training times, and the reference table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.benchmark import METRICS
from nasbench_suite.store import BenchmarkData, DatasetTable, write_store

EPOCHS = (1, 3, 9, 27)


def make_nb201_table(*, epochs: tuple[int, ...] = EPOCHS, n_arch: int | None = None, seed: int = 0,
                     with_valid: bool = True, with_time: bool = True, name: str = "synthetic-nb201") -> BenchmarkData:
    """Every NB201 cell (or the first ``n_arch``) with smooth synthetic curves.

    Accuracy grows with the number of convolutions plus per-architecture noise
    and rises with the epoch; train_time per epoch is 1 + 0.5 x convolutions
    seconds, so the clock is in seconds and costs differ between cells.
    """
    from nasbench_suite.spaces.nb201 import NB201Space

    space = NB201Space()
    archs = space.all() if n_arch is None else space.all()[:n_arch]
    rng = np.random.default_rng(seed)
    ids = np.array([a.op_ids for a in archs])
    conv = ((ids == 2) | (ids == 3)).sum(axis=1) + (ids == 3).sum(axis=1)
    quality = 50 + 4 * conv + rng.normal(0, 3, size=len(archs))
    e = np.asarray(epochs, dtype=float)
    frac = np.log1p(e) / np.log1p(e[-1])
    seeds = (0, 1)
    curves = np.full((len(archs), len(seeds), len(epochs), len(METRICS)), np.nan)
    for s in range(len(seeds)):
        noise = rng.normal(0, 0.5, size=(len(archs), len(epochs)))
        acc = quality[:, None] * (0.5 + 0.5 * frac[None, :]) + noise
        col = {m: i for i, m in enumerate(METRICS)}
        shift = 10  # accuracies are percentages: the best cells stay below 100
        curves[:, s, :, col["train_acc"]] = acc + 5 - shift
        curves[:, s, :, col["train_loss"]] = 3 - acc / 40
        if with_valid:
            curves[:, s, :, col["valid_acc"]] = acc - shift + rng.normal(0, 0.3, size=acc.shape)
            curves[:, s, :, col["valid_loss"]] = 3 - acc / 40
        curves[:, s, :, col["test_acc"]] = acc - shift + rng.normal(0, 0.3, size=acc.shape)
        curves[:, s, :, col["test_loss"]] = 3 - acc / 40
        if with_time:
            curves[:, s, :, col["train_time"]] = (1 + 0.5 * conv)[:, None] * np.ones(len(epochs))
    table = DatasetTable(
        epochs=np.asarray(epochs),
        seeds=np.asarray(seeds),
        metrics=METRICS,
        curves=curves,
        costs=np.ones((len(archs), 3)),
        cost_names=("params", "flops", "latency"),
        provenance={"splits": "synthetic"},
    )
    return BenchmarkData(name=name, search_space="nb201", archs=[a.to_string() for a in archs], datasets={"synth": table})


@pytest.fixture(scope="session")
def make_table():
    """The :func:`make_nb201_table` builder, for tests that need a variant."""
    return make_nb201_table


@pytest.fixture(scope="session")
def synthetic_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the full synthetic NB201 table (dataset ``synth``, epochs 1, 3, 9, 27, train times)."""
    path = tmp_path_factory.mktemp("synth") / "synthetic-nb201.h5"
    write_store(path, make_nb201_table())
    return path


@pytest.fixture(scope="session")
def synthetic(synthetic_path: Path):
    """The synthetic table opened as a benchmark."""
    from nasbench_suite import open_benchmark

    return open_benchmark(synthetic_path)


@pytest.fixture(scope="session")
def reference(nb201_reference_store: Path):
    """The NB201 reference table (200-epoch test, 12-epoch valid and test; no training times)."""
    from nasbench_suite import open_benchmark

    return open_benchmark(nb201_reference_store)
