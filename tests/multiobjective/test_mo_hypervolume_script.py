"""``benchmarks/mo_hypervolume.py``: its figures are the indicators of the runs it made, its tests one-sided and paired."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def script(benchmark_script):
    return benchmark_script("mo_hypervolume")


def test_the_printed_figures_are_the_runs_indicators(script, tmp_path, capsys):
    sys.path.insert(0, str(REPO / "tests" / "leaderboard"))
    from leaderboard_fakes import full_nb201_data

    from nasbench_suite.catalog import open_benchmark
    from nasbench_suite.harness.results import read_results
    from nasbench_suite.multiobjective.indicators import final_indicators, problem_for
    from nasbench_suite.store import write_store

    store = tmp_path / "toy.h5"
    write_store(store, full_nb201_data(varied_params=True))
    results, figures = tmp_path / "mo.jsonl", tmp_path / "mo.json"
    argv = ["--benchmark", str(store), "--dataset", "toy", "--strategies", "rs,nsga2", "--seeds", "0-4",
            "--budget-evals", "20", "--versus", "nsga2:rs", "--results", str(results), "--json", str(figures)]
    assert script.main(argv) == 0
    out = json.loads(figures.read_text())
    problem = problem_for(open_benchmark(store), "toy", "valid_acc:max,params:min", epoch=3)
    records = read_results(results)
    hv = {name: [final_indicators(r, problem)["hypervolume"] for r in records if r["strategy"]["name"] == name]
          for name in ("rs", "nsga2")}
    for name, values in hv.items():
        row = out["strategies"][name]
        assert row["runs"] == 5 and row["hypervolume"] == pytest.approx(np.mean(values), rel=1e-12)
        assert row["hypervolume_ci95"][0] <= row["hypervolume"] <= row["hypervolume_ci95"][1]
    test = out["tests"]["nsga2>rs"]
    assert test["wins"] + test["ties"] + test["losses"] == 5
    assert f"{out['strategies']['rs']['hypervolume']:.4f}" in capsys.readouterr().out
    searched = tmp_path / "searched.json"
    assert script.main([*argv[:-2], "--front", "searched", "--json", str(searched)]) == 0  # the same runs, resumed
    on_valid = problem_for(open_benchmark(store), "toy", "valid_acc:max,params:min", epoch=3, reported=False)
    assert on_valid.metrics == ("valid_acc", "params") and problem.metrics == ("test_acc", "params")
    for name in ("rs", "nsga2"):
        values = [final_indicators(r, on_valid)["hypervolume"] for r in records if r["strategy"]["name"] == name]
        assert json.loads(searched.read_text())["strategies"][name]["hypervolume"] == pytest.approx(np.mean(values), rel=1e-12)
        assert not np.allclose(values, hv[name])  # validation and test values of the fronts differ on this table
    with pytest.raises(SystemExit, match="not A:B"):
        script.main([*argv[:-6], "--versus", "nsga2:re", "--results", str(results)])


def test_the_test_is_one_sided(script):
    better = {s: {"hypervolume": 1.0 + 0.01 * (s + 1)} for s in range(10)}
    worse = {s: {"hypervolume": 1.0} for s in range(10)}
    up, down = script.one_sided(better, worse), script.one_sided(worse, better)
    assert up["wins"] == 10 and up["pvalue"] < 0.01 and down["losses"] == 10 and down["pvalue"] > 0.99
    assert script.one_sided(worse, worse)["pvalue"] == 1.0
