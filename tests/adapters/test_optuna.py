"""Optuna samplers drive a benchmark through the harness and their results go on a board."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nasbench_suite as nbs
from nasbench_suite.adapters.optuna import OptunaSampler, make_sampler, run_optuna
from nasbench_suite.harness import Budget
from nasbench_suite.leaderboard.board import build
from nasbench_suite.strategies import SearchContext, get_strategy

REPO = Path(__file__).resolve().parents[2]


def _nasbench(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "nasbench_suite", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_tpe_study_results_go_on_a_board(tmp_path: Path) -> None:
    """Two sweeps, each in a fresh process (as users run them), give identical bytes; the board accepts them."""
    params = {"sampler": "TPESampler", "sampler_params": {"n_startup_trials": 5}}
    outs = []
    for name in ("a.jsonl", "b.jsonl"):
        _nasbench("run", "--benchmark", "nb201-digits", "--dataset", "digits-hard", "--strategies", "optuna,rs",
                  "--seeds", "0-1", "--budget-evals", "25", "--no-progress",
                  "--param", "optuna.sampler=TPESampler", "--param", 'optuna.sampler_params={"n_startup_trials": 5}',
                  "--out", name, cwd=tmp_path)
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]  # deterministic
    records = [json.loads(line) for line in outs[0].decode().splitlines()]
    optuna_runs = [r for r in records if r["strategy"]["name"] == "optuna"]
    assert len(optuna_runs) == 2 and all(r["status"] == "ok" for r in optuna_runs)
    assert optuna_runs[0]["strategy"]["params"] == params
    assert optuna_runs[0]["final"]["evals"] == 25
    board = build([tmp_path / "a.jsonl"], tmp_path / "board")
    assert (tmp_path / "board" / "leaderboard.json").is_file()
    labels = sorted(e["name"] for e in board["entries"])
    assert labels == ["optuna", "rs"], labels


def test_seed_and_sampler_matter() -> None:
    bench = nbs.load("nb201-digits")
    recs = [run_optuna(bench, "digits-hard", budget=Budget.evals(10), seed=s, sampler=n)
            for s, n in ((0, "RandomSampler"), (1, "RandomSampler"), (0, "QMCSampler"))]
    assert all(r["status"] == "ok" for r in recs)
    archs = [tuple(r["trajectory"]["arch"]) for r in recs]
    assert len(set(archs)) == 3


def test_listed_table_proposals_are_held(tmp_path: Path) -> None:
    from nasbench_suite.testing.conformance import build_benchmarks

    table = build_benchmarks("nb101", tmp_path, n_arch=30).table
    strategy = get_strategy("optuna")(SearchContext(table.search_space, (1,)), seed=0, sampler="RandomSampler")
    assert isinstance(strategy, OptunaSampler)
    for _ in range(10):
        assert strategy.ask().arch in table.search_space


def test_bad_sampler_names_the_value() -> None:
    with pytest.raises(ValueError, match="NoSuchSampler"):
        make_sampler("NoSuchSampler", {}, 0)
    with pytest.raises(ValueError, match="bogus_kw"):
        make_sampler("RandomSampler", {"bogus_kw": 1}, 0)
