"""SMAC3 facades on a benchmark through the objective API; their runs go on a board."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("smac", reason="the SMAC adapter needs the smac extra: pip install 'nasbench-suite[smac]'")

import nasbench_suite as nbs  # noqa: E402
from nasbench_suite.adapters._loop import fidelity_at_least  # noqa: E402
from nasbench_suite.adapters.smac import make_facade, run_smac  # noqa: E402
from nasbench_suite.harness import Budget  # noqa: E402
from nasbench_suite.harness.results import dumps, read_results, write_lines_atomic  # noqa: E402
from nasbench_suite.leaderboard.board import build  # noqa: E402

DATASET = "digits-hard"


@pytest.fixture(scope="module")
def bench():
    return nbs.load("nb201-digits")


def test_hyperband_results_go_on_a_board_beside_suite_strategies(bench, tmp_path: Path) -> None:
    from nasbench_suite.harness.runner import run_search

    budget = Budget.evals(25)
    recs = [run_smac(bench, DATASET, facade="hb", budget=budget, seed=s) for s in (0, 1)]
    recs += [run_search(bench, DATASET, "rs", seed=s, budget=budget) for s in (0, 1)]
    write_lines_atomic(tmp_path / "runs.jsonl", [dumps(r) for r in recs])
    runs = [r for r in read_results(tmp_path / "runs.jsonl") if r["strategy"]["name"] == "smac/hb"]
    assert len(runs) == 2 and all(r["status"] == "ok" for r in runs), [r["error"] for r in runs]
    assert runs[0]["final"]["evals"] == 25
    assert set(runs[0]["trajectory"]["epoch"]) <= set(runs[0]["fidelities"]) and len(set(runs[0]["trajectory"]["epoch"])) > 1
    assert runs[0]["trajectory"]["arch"] != runs[1]["trajectory"]["arch"]  # the seed matters
    board = build([tmp_path / "runs.jsonl"], tmp_path / "board")
    assert sorted(e["name"] for e in board["entries"]) == ["rs", "smac/hb"]


def test_a_seed_gives_the_same_bytes_and_one_worker_clock_sums_costs(bench) -> None:
    a, b = (run_smac(bench, DATASET, facade="random", budget=Budget.seconds(40), seed=3) for _ in range(2))
    assert dumps(a) == dumps(b)
    traj = a["trajectory"]
    assert a["status"] == "ok" and max(traj["time"]) <= 40
    np.testing.assert_allclose(np.cumsum(traj["cost"]), traj["time"], rtol=1e-9)


def test_several_workers_overlap(bench) -> None:
    rec = run_smac(bench, DATASET, facade="random", budget=Budget.seconds(40), seed=0, workers=4)
    traj = rec["trajectory"]
    assert rec["workers"] == 4 and sum(traj["cost"]) > 1.5 * max(traj["time"])


@pytest.mark.slow
def test_random_forest_facade(bench) -> None:
    rec = run_smac(bench, DATASET, facade="hpo", budget=Budget.evals(25), seed=0)
    assert rec["status"] == "ok" and rec["final"]["evals"] == 25 and set(rec["trajectory"]["epoch"]) == {12}


def test_fidelity_rounds_up_to_a_held_epoch() -> None:
    assert fidelity_at_least((1, 2, 4, 12), 1.3333) == 2
    assert fidelity_at_least((1, 2, 4, 12), 12.0) == 12
    with pytest.raises(ValueError, match="13"):
        fidelity_at_least((1, 2, 4, 12), 13)


def test_bad_facade_and_parameters_name_the_value(bench, tmp_path: Path) -> None:
    cs = bench.configspace()
    with pytest.raises(ValueError, match="nosuch"):
        make_facade("nosuch", cs, seed=0, n_trials=5, output_directory=str(tmp_path))
    with pytest.raises(ValueError, match="bogus"):
        make_facade("hpo", cs, seed=0, n_trials=5, output_directory=str(tmp_path), params={"bogus": {}})
    with pytest.raises(ValueError, match="not_a_kw"):
        make_facade("hpo", cs, seed=0, n_trials=5, output_directory=str(tmp_path),
                    params={"initial_design": {"not_a_kw": 1}})
