"""Synthetic inputs for the leaderboard tests: a full NB201 table, and hand-made results records."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.harness.results import dumps, trajectory_hash
from nasbench_suite.store.model import BenchmarkData, DatasetTable

_QUALITY = {"none": 0.0, "skip_connect": 1.0, "avg_pool_3x3": 0.5, "nor_conv_1x1": 2.0, "nor_conv_3x3": 3.0}


def full_nb201_data(*, epochs: int = 3, seed: int = 0, dataset: str = "toy", varied_params: bool = False) -> BenchmarkData:
    """Every NB201 architecture with structured, noisy accuracies and per-epoch training times.

    Accuracy grows with the ops' "quality" (3x3 conv best, none worst), so
    search strategies that exploit structure beat random search. With
    ``varied_params`` the ``params`` cost grows with the convolutions too
    (a 3x3 costs more than a 1x1), so accuracy and size trade off; else every
    cell has ``params`` 1.
    """
    from nasbench_suite.spaces.nb201 import Architecture

    rng = np.random.default_rng(seed)
    archs = [Architecture.from_index(i) for i in range(15625)]
    quality = np.array([sum(_QUALITY[o] for o in a.ops) for a in archs]) / 18.0
    final = 40 + 50 * quality + rng.normal(0, 2.0, len(archs))
    seconds = 1.0 + 0.3 * np.array([sum(o.startswith("nor_conv") for o in a.ops) for a in archs])
    n_seeds = 2
    curves = np.full((len(archs), n_seeds, epochs, len(METRICS)), np.nan)
    m = {k: i for i, k in enumerate(METRICS)}
    for e in range(epochs):
        shape = 1 - 0.5 * np.exp(-(e + 1))
        for s in range(n_seeds):
            valid = final * shape + rng.normal(0, 0.7, len(archs))
            curves[:, s, e, m["valid_acc"]] = valid
            curves[:, s, e, m["test_acc"]] = valid + rng.normal(0, 0.7, len(archs))
            curves[:, s, e, m["train_acc"]] = valid + 5
            curves[:, s, e, m["train_time"]] = seconds * (1 + 0.05 * s)
    table = DatasetTable(
        epochs=np.arange(1, epochs + 1),
        seeds=np.arange(n_seeds),
        metrics=METRICS,
        curves=curves,
        costs=(np.array([[500.0 + sum({"nor_conv_3x3": 4000.0, "nor_conv_1x1": 1000.0}.get(o, 0.0) for o in a.ops)]
                         for a in archs]) if varied_params else np.ones((len(archs), 1))),
        cost_names=("params",),
        columns={},
        provenance={"splits": "synthetic numbers for tests"},
    )
    return BenchmarkData(name="toy-full", search_space="nb201", archs=[a.to_string() for a in archs], datasets={dataset: table})


def record(
    strategy: str,
    seed: int,
    incumbent_test: list[float],
    *,
    optimum: float = 90.0,
    times: list[float] | None = None,
    status: str = "ok",
    params: dict[str, Any] | None = None,
    budget: int | None = None,
    checksum: str = "sha256:" + "0" * 64,
    dataset: str = "toy",
) -> dict[str, Any]:
    """A consistent results record whose incumbent has ``incumbent_test`` after each evaluation.

    Each evaluation's own test value is its incumbent's, so the incumbent is
    always the latest evaluation that improved it.
    """
    n = len(incumbent_test)
    times = times if times is not None else [float(i + 1) for i in range(n)]
    inc, best = [], -np.inf
    for i, v in enumerate(incumbent_test):
        if v > best:
            best, j = v, i
        inc.append(j)
    test = [float(v) for v in incumbent_test]
    traj = {
        "arch": [f"arch-{strategy}-{seed}-{i}" for i in range(n)],
        "cost": [1.0] * n,
        "epoch": [4] * n,
        "eval": list(range(1, n + 1)),
        "incumbent": inc,
        "incumbent_test": [test[j] for j in inc],
        "test": test,
        "time": [float(t) for t in times],
        "valid": test,
    }
    rec = {
        "benchmark": {"checksum": checksum, "name": "fake", "search_space": "nb201"},
        "benchmark_seed": "mean",
        "budget": {"kind": "evals", "value": budget if budget is not None else n},
        "clock_unit": "seconds",
        "dataset": dataset,
        "epoch": 4,
        "error": None if status == "ok" else "ask() raised RuntimeError: boom",
        "fidelities": [4],
        "final": None,
        "format": "nasbench-suite/results",
        "format_version": 1,
        "notes": [],
        "optimum": {"epoch": 4, "metric": "test_acc", "value": optimum},
        "seed": seed,
        "selection_metric": "valid_acc",
        "status": status,
        "strategy": {"name": strategy, "params": params or {}},
        "suite_version": "0.1.0",
        "test_metric": "test_acc",
        "trajectory": traj,
        "warnings": [],
        "workers": 1,
    }
    rec["trajectory_sha256"] = trajectory_hash(traj)
    return rec


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    """``records`` as a results file, one canonical JSON line each."""
    path.write_text("".join(dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def tamper(path: Path, out: Path, *, line: int = 0, column: str = "test", index: int = 0, delta: float = 0.5) -> Path:
    """A copy of a results file with one trajectory number changed (the hash left as it was)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[line])
    rec = copy.deepcopy(rec)
    rec["trajectory"][column][index] = round(rec["trajectory"][column][index] + delta, 6)
    lines[line] = dumps(rec)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
