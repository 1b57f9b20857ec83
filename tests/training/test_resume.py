"""Resumability: a generation killed with SIGKILL and rerun gives the uninterrupted table."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.benchmark import METRICS
from nasbench_suite.training.generate import journal_path

LIMIT = 5


def _cmd(tiny_args: list[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "nasbench_suite", *tiny_args, "--limit", str(LIMIT), "--seeds", "0", "1",
            "--workers", "1", "--out", str(out)]


def _jobs(out: Path) -> list[tuple[int, int]]:
    path = journal_path(out)
    if not path.exists():
        return []
    try:
        with sqlite3.connect(path, timeout=5) as db:
            return db.execute("SELECT cls, seed FROM jobs ORDER BY cls, seed").fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return []


def _reproducible(bench) -> tuple[np.ndarray, np.ndarray]:
    curves = np.delete(bench.curves("digits"), METRICS.index("train_time"), axis=3)
    costs = bench.costs("digits")
    return curves, np.stack([costs["params"], costs["flops"]])


@pytest.mark.slow
def test_kill_9_then_rerun_equals_an_uninterrupted_run(tmp_path: Path, tiny_args: list[str]) -> None:
    killed, clean = tmp_path / "killed.h5", tmp_path / "clean.h5"
    proc = subprocess.Popen(_cmd(tiny_args, killed), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 900
        while not _jobs(killed):
            assert proc.poll() is None, "generation ended before it could be killed"
            assert time.monotonic() < deadline, "no job was journaled in time"
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    partial = _jobs(killed)
    assert 1 <= len(partial) < 2 * LIMIT and not killed.exists()

    subprocess.run(_cmd(tiny_args, killed), check=True, capture_output=True, timeout=600)
    subprocess.run(_cmd(tiny_args, clean), check=True, capture_output=True, timeout=600)
    expected = [(c, s) for c in range(LIMIT) for s in (0, 1)]
    assert _jobs(killed) == expected  # every job exactly once, none lost

    a, b = nasbench_suite.open_benchmark(killed), nasbench_suite.open_benchmark(clean)
    assert a.archs == b.archs
    for x, y in zip(_reproducible(a), _reproducible(b)):
        assert np.array_equal(x, y)
