"""Syne Tune schedulers on a benchmark through its simulated backend; their runs go on a board."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("syne_tune", reason="the Syne Tune adapter needs the syne-tune extra: pip install 'nasbench-suite[syne-tune]'")

import nasbench_suite as nbs  # noqa: E402
from nasbench_suite.adapters.syne_tune import NasBenchBlackbox, make_scheduler, run_syne_tune  # noqa: E402
from nasbench_suite.harness import Budget  # noqa: E402
from nasbench_suite.harness.lookup import Lookup  # noqa: E402
from nasbench_suite.harness.results import dumps, read_results, write_lines_atomic  # noqa: E402
from nasbench_suite.leaderboard.board import build  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DATASET = "digits-hard"
#: a fresh process runs one ASHA run and prints its results line
RUN_ONE = (
    "import nasbench_suite as nbs\n"
    "from nasbench_suite.adapters.syne_tune import run_syne_tune\n"
    "from nasbench_suite.harness import Budget\n"
    "from nasbench_suite.harness.results import dumps\n"
    "rec = run_syne_tune(nbs.load('nb201-digits'), 'digits-hard', scheduler='ASHA', budget=Budget.seconds(40),"
    " workers=3, seed=7)\n"
    "print(dumps(rec))\n"
)


@pytest.fixture(scope="module")
def bench():
    return nbs.load("nb201-digits")


def _fresh_run() -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", RUN_ONE], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout.strip().splitlines()[-1]


def test_asha_results_go_on_a_board_beside_suite_strategies(bench, tmp_path: Path) -> None:
    """ASHA through the adapter -> results file -> `leaderboard build` lists it beside the suite's rs."""
    from nasbench_suite.harness.runner import run_search

    budget = Budget.seconds(40)
    recs = [run_syne_tune(bench, DATASET, scheduler="ASHA", budget=budget, workers=3, seed=s) for s in (0, 1)]
    recs += [run_search(bench, DATASET, "rs", seed=s, budget=budget, workers=3) for s in (0, 1)]
    write_lines_atomic(tmp_path / "runs.jsonl", [dumps(r) for r in recs])
    st = [r for r in read_results(tmp_path / "runs.jsonl") if r["strategy"]["name"] == "syne-tune/asha"]
    assert len(st) == 2 and all(r["status"] == "ok" for r in st), [r["error"] for r in st]
    assert st[0]["strategy"]["params"] == {"scheduler": "ASHA", "scheduler_params": {}}
    traj = st[0]["trajectory"]
    assert max(traj["time"]) <= 40 and st[0]["final"]["epoch"] == max(st[0]["fidelities"])
    assert len(set(traj["epoch"])) > 1  # ASHA stops trials at its rungs: several fidelities were reported
    assert st[0]["trajectory"]["arch"] != st[1]["trajectory"]["arch"]  # the seed matters
    board = build([tmp_path / "runs.jsonl"], tmp_path / "board")
    assert (tmp_path / "board" / "leaderboard.json").is_file()
    assert sorted(e["name"] for e in board["entries"]) == ["rs", "syne-tune/asha"]


def test_a_seed_gives_the_same_bytes(bench) -> None:
    """Syne Tune's clock adds the scheduler's real compute time; the adapter's does not, so runs repeat exactly."""
    a, b = (dumps(run_syne_tune(bench, DATASET, scheduler="ASHA", budget=Budget.seconds(40), workers=3, seed=7))
            for _ in range(2))
    assert a == b


@pytest.mark.slow
def test_a_seed_gives_the_same_bytes_in_fresh_processes() -> None:
    assert _fresh_run() == _fresh_run()


def test_one_worker_clock_is_the_sum_of_training_costs(bench) -> None:
    """With one worker and no simulated delays, each result finishes when the training before it plus its own did."""
    rec = run_syne_tune(bench, DATASET, scheduler="RandomSearch", budget=Budget.seconds(30), workers=1, seed=0)
    traj = rec["trajectory"]
    assert rec["status"] == "ok" and len(traj["time"]) > 12
    np.testing.assert_allclose(np.cumsum(traj["cost"]), traj["time"], rtol=1e-9)
    # a trial reports every epoch in turn, each costing only the extra epoch
    lookup = Lookup(bench, DATASET)
    first = traj["arch"][0]
    assert traj["arch"][:12] == [first] * 12 and traj["epoch"][:12] == list(range(1, 13))
    assert traj["cost"][1] == pytest.approx(lookup.get(lookup.space.parse(first), 2).cum_cost
                                            - lookup.get(lookup.space.parse(first), 1).cum_cost)


def test_evaluation_budget_counts_reported_results(bench) -> None:
    rec = run_syne_tune(bench, DATASET, scheduler="RandomSearch", budget=Budget.evals(30), workers=2, seed=0)
    assert rec["status"] == "ok" and rec["final"]["evals"] == 30


@pytest.mark.parametrize("space", ["nb101", "darts"])
def test_listed_tables_and_surrogates_of_other_spaces(space: str, tmp_path: Path) -> None:
    """A listed table's run evaluates only held architectures; a surrogate's runs as well."""
    from nasbench_suite.testing.conformance import build_benchmarks

    sb = build_benchmarks(space, tmp_path, n_arch=30)
    for bench in (sb.table, sb.surrogate):
        rec = run_syne_tune(bench, sb.dataset, scheduler="ASHA", budget=Budget.evals(30), workers=2, seed=0)
        assert rec["status"] == "ok", rec["error"]
        assert rec["final"]["evals"] == 30
    space = sb.table.search_space
    rec = run_syne_tune(sb.table, sb.dataset, scheduler="RandomSearch", budget=Budget.evals(20), workers=1, seed=1)
    assert len(set(rec["trajectory"]["arch"])) > 1
    assert all(space.parse(a) in space for a in rec["trajectory"]["arch"])


def test_blackbox_answers_like_the_lookup(bench) -> None:
    box = NasBenchBlackbox(bench, DATASET)
    config = {"edge_0_1": "nor_conv_3x3", "edge_0_2": "nor_conv_3x3", "edge_0_3": "skip_connect",
              "edge_1_2": "nor_conv_1x1", "edge_1_3": "none", "edge_2_3": "avg_pool_3x3"}
    row = box.lookup.get(box.arch_of(config), 4)
    got = box.objective_function(config, fidelity={"epoch": 4})
    assert got["valid_acc"] == pytest.approx(row.value) and got["elapsed_time"] == pytest.approx(row.cum_cost)
    table = box.objective_function(config)
    assert table.shape == (len(box.fidelity_values), len(box.objectives_names))
    assert list(box.fidelity_values) == list(range(1, 13))


def test_bad_scheduler_names_the_value(bench) -> None:
    box = NasBenchBlackbox(bench, DATASET)
    with pytest.raises(ValueError, match="NoSuchScheduler"):
        make_scheduler("NoSuchScheduler", box, seed=0)
    with pytest.raises(ValueError, match="bogus_kw"):
        make_scheduler("ASHA", box, seed=0, params={"bogus_kw": 1})
    with pytest.raises(ValueError, match="random_seed"):
        make_scheduler("ASHA", box, seed=0, params={"random_seed": 3})
    with pytest.raises(ValueError, match="workers"):
        run_syne_tune(bench, DATASET, budget=Budget.evals(5), seed=0, workers=0)
