"""Multi-objective boards: hypervolume regret as the score, the same statistics, fronts, tracks and verification."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.catalog import open_benchmark
from nasbench_suite.harness import Budget, SweepSpec, run_sweep
from nasbench_suite.harness.results import read_results
from nasbench_suite.leaderboard import build, compute_board, load_results
from nasbench_suite.leaderboard.board import render_outputs
from nasbench_suite.leaderboard.plots import FRONTS
from nasbench_suite.leaderboard.tracks import STANDARD_TRACKS, Track, standard_track_for
from nasbench_suite.multiobjective.indicators import final_indicators, hypervolume_regret_curve, problem_for

OBJECTIVES = "valid_acc:max,params:min"


@pytest.fixture(scope="module")
def mo_results(toy_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("moresults") / "mo.jsonl"
    spec = SweepSpec(benchmark=str(toy_store), dataset="toy", strategies=("re", "rs", "ls"), seeds=tuple(range(6)),
                     budget=Budget.evals(30), objectives=OBJECTIVES)
    run_sweep(spec, out, progress=False)
    return out


@pytest.fixture(scope="module")
def mo_board(mo_results: Path, toy_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build([mo_results], tmp_path_factory.mktemp("moboard"), benchmark=open_benchmark(toy_store))


def test_the_score_is_hypervolume_regret_of_the_reported_front(mo_board, mo_results, toy_store):
    bench = open_benchmark(toy_store)
    problem = problem_for(bench, "toy", OBJECTIVES, epoch=mo_board["epoch"])
    records = read_results(mo_results)
    assert mo_board["multiobjective"]["true_hypervolume"] == pytest.approx(problem.true_hypervolume, rel=1e-9)
    assert mo_board["settings"]["score"] == "final hypervolume regret (lower is better)"
    for entry in mo_board["entries"]:
        runs = sorted((r for r in records if r["strategy"]["name"] == entry["name"]), key=lambda r: r["seed"])
        final = [final_indicators(r, problem) for r in runs]
        np.testing.assert_allclose(entry["final_regret_per_seed"], [f["hypervolume_regret"] for f in final], rtol=1e-9)
        assert entry["final_test"]["mean"] == pytest.approx(np.mean([f["hypervolume"] for f in final]), rel=1e-9)
        assert entry["multiobjective"]["igd_plus"]["mean"] == pytest.approx(np.mean([f["igd_plus"] for f in final]), rel=1e-9)
        assert sorted(entry["multiobjective"]["final_fronts"]) == sorted(str(r["seed"]) for r in runs)
        curve = np.mean([hypervolume_regret_curve(r, problem) for r in runs], axis=0)
        np.testing.assert_allclose(mo_board["curves"]["evals"]["entries"][entry["name"]]["mean"], curve, rtol=1e-8)
    assert len(mo_board["tests"]["wilcoxon"]) == 3 and mo_board["tests"]["friedman"]["seeds"] == 6


def test_the_board_is_rebuilt_to_the_same_bytes_and_draws_the_fronts(mo_board, mo_results, toy_store, tmp_path):
    again = compute_board(load_results([mo_results]), base=tmp_path, benchmark=open_benchmark(toy_store))
    again["title"] = mo_board["title"]
    files = render_outputs(again)
    assert json.loads(files["leaderboard.json"]) == {**mo_board, "plots": again["plots"]}
    assert FRONTS in files and f"]({FRONTS})" in files["leaderboard.md"].decode()
    md = files["leaderboard.md"].decode()
    assert "hypervolume @" in md and "IGD+" in md and "`valid_acc:max` (reported `test_acc`)" in md


def test_single_objective_and_multi_objective_runs_do_not_share_a_board(mo_results, toy_results, tmp_path):
    from nasbench_suite.leaderboard.records import BoardMismatchError

    with pytest.raises(BoardMismatchError, match="objectives"):
        load_results([toy_results, mo_results])


def test_tracks_fix_the_objectives_and_round_trip():
    track = STANDARD_TRACKS["nb201-digits/digits-hard-mo-params-evals200"]
    assert track.objectives == ("valid_acc:max", "params:min") and track.seeds == tuple(range(20))
    assert Track.from_dict(json.loads(json.dumps(track.to_dict()))) == track
    assert "objectives" not in STANDARD_TRACKS["nb201-digits/digits-hard-evals200"].to_dict()
    record = {"benchmark": {"name": "nb201-digits", "checksum": track.checksum}, "dataset": "digits-hard", "epoch": 12,
              "budget": {"kind": "evals", "value": 200}, "workers": 1,
              "objectives": [{"metric": "valid_acc", "direction": "max"}, {"metric": "params", "direction": "min"}]}
    assert standard_track_for(record) is track
    assert standard_track_for({**record, "objectives": None}).name == "nb201-digits/digits-hard-evals200"
    other = {**record, "objectives": [{"metric": "valid_acc", "direction": "max"}, {"metric": "flops", "direction": "min"}]}
    assert standard_track_for(other) is None
    assert any("objectives" in p for p in track.setting_problems(other))
    with_files = Track("t", "b+latency", None, "d", 1, "evals", 1.0, 1, (0,), ("valid_acc:max", "latency_b1_t1:min"),
                       (("latency", "sha256:" + "1" * 64),))
    assert Track.from_dict(json.loads(json.dumps(with_files.to_dict()))) == with_files
    rec = {"benchmark": {"name": "b+latency", "checksum": "x", "cost_files": {"latency": "sha256:" + "2" * 64}},
           "dataset": "d", "epoch": 1, "budget": {"kind": "evals", "value": 1}, "workers": 1,
           "objectives": [{"metric": "valid_acc", "direction": "max"}, {"metric": "latency_b1_t1", "direction": "min"}]}
    assert with_files.matches(rec) and any("measured-cost files" in p for p in with_files.setting_problems(rec))


def test_verify_replays_multi_objective_runs(mo_results, toy_store):
    from nasbench_suite.leaderboard.verify import verify_results

    report = verify_results(mo_results, full=True, jobs=1, benchmark=str(toy_store))
    assert report.ok, report.lines()
