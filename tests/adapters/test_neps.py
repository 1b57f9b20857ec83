"""NePS optimizers on a benchmark through the objective API; their runs go on a board."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("neps", reason="the NePS adapter needs the neps extra: pip install 'nasbench-suite[neps]'")

import torch  # noqa: E402

import nasbench_suite as nbs  # noqa: E402
from nasbench_suite.adapters.neps import OPTIMIZERS, make_optimizer, run_neps, search_space  # noqa: E402
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
    recs = [run_neps(bench, DATASET, optimizer="hyperband", budget=budget, seed=s) for s in (0, 1)]
    recs += [run_search(bench, DATASET, "rs", seed=s, budget=budget) for s in (0, 1)]
    write_lines_atomic(tmp_path / "runs.jsonl", [dumps(r) for r in recs])
    runs = [r for r in read_results(tmp_path / "runs.jsonl") if r["strategy"]["name"] == "neps/hyperband"]
    assert len(runs) == 2 and all(r["status"] == "ok" for r in runs), [r["error"] for r in runs]
    assert runs[0]["final"]["evals"] == 25
    assert set(runs[0]["trajectory"]["epoch"]) <= set(runs[0]["fidelities"]) and len(set(runs[0]["trajectory"]["epoch"])) > 1
    assert runs[0]["trajectory"]["arch"] != runs[1]["trajectory"]["arch"]  # the seed matters
    board = build([tmp_path / "runs.jsonl"], tmp_path / "board")
    assert sorted(e["name"] for e in board["entries"]) == ["neps/hyperband", "rs"]


@pytest.mark.parametrize("optimizer", ["random_search", "asha"])
def test_a_seed_gives_the_same_bytes_and_one_worker_clock_sums_costs(bench, optimizer: str) -> None:
    a, b = (run_neps(bench, DATASET, optimizer=optimizer, budget=Budget.seconds(40), seed=3) for _ in range(2))
    assert dumps(a) == dumps(b)
    traj = a["trajectory"]
    assert a["status"] == "ok" and a["strategy"]["name"] == f"neps/{optimizer}" and max(traj["time"]) <= 40
    np.testing.assert_allclose(np.cumsum(traj["cost"]), traj["time"], rtol=1e-9)
    if optimizer == "random_search":
        assert set(traj["epoch"]) == {12}


def test_the_callers_generators_are_left_as_they_were(bench) -> None:
    torch.manual_seed(7), np.random.seed(7), random.seed(7)
    run_neps(bench, DATASET, optimizer="random_search", budget=Budget.evals(5), seed=0)
    after = (torch.rand(1).item(), np.random.rand(), random.random())
    torch.manual_seed(7), np.random.seed(7), random.seed(7)
    assert after == (torch.rand(1).item(), np.random.rand(), random.random())


def test_evaluation_budget_and_several_workers(bench) -> None:
    rec = run_neps(bench, DATASET, optimizer="asha", budget=Budget.evals(12), seed=0, workers=4)
    assert rec["status"] == "ok" and rec["final"]["evals"] == 12 and len(rec["trajectory"]["arch"]) == 12
    rec = run_neps(bench, DATASET, optimizer="asha", budget=Budget.seconds(40), seed=0, workers=4)
    traj = rec["trajectory"]
    assert rec["workers"] == 4 and max(traj["time"]) <= 40 and sum(traj["cost"]) > 1.5 * max(traj["time"])


def test_nothing_is_written_to_the_working_directory(bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run_neps(bench, DATASET, optimizer="successive_halving", budget=Budget.evals(10), seed=0)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_bayesian_optimization(bench) -> None:
    params = {"initial_design_size": 3, "num_restarts": 2, "n_initial_start_points": 16}
    a, b = (run_neps(bench, DATASET, optimizer="bayesian_optimization", optimizer_params=params, budget=Budget.evals(5),
                     seed=0) for _ in range(2))
    assert a["status"] == "ok" and a["final"]["evals"] == 5 and set(a["trajectory"]["epoch"]) == {12}
    assert dumps(a) == dumps(b)


def test_bad_optimizer_and_parameters_name_the_value(bench) -> None:
    with pytest.raises(ValueError, match=r"nosuch.*asha.*hyperband.*random_search"):
        run_neps(bench, DATASET, optimizer="nosuch", budget=Budget.evals(5), seed=0)
    with pytest.raises(ValueError, match="ifbo"):
        run_neps(bench, DATASET, optimizer="ifbo", budget=Budget.evals(5), seed=0)
    space = search_space({"a": ("x", "y")}, (1, 4, 12))
    with pytest.raises(ValueError, match=r"not_a_kw.*eta"):
        make_optimizer("hyperband", space, params={"not_a_kw": 1})
    with pytest.raises(ValueError, match="epoch"):
        search_space({"epoch": ("x", "y")})
    assert "bayesian_optimization" in OPTIMIZERS and "ifbo" not in OPTIMIZERS


def test_multi_fidelity_needs_several_fidelities(bench) -> None:
    with pytest.raises(ValueError, match="several fidelities"):
        run_neps(bench, DATASET, optimizer="hyperband", budget=Budget.evals(5), seed=0, epoch=1)
