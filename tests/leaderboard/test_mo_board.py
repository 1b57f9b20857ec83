"""Multi-objective boards: hypervolume regret as the score, the same statistics, fronts, tracks and verification."""

from __future__ import annotations

import json
from itertools import combinations
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
STRATEGIES = ("mo-asha", "mo-re", "nsga2", "rs")


@pytest.fixture(scope="module")
def mo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy table with ``params`` growing with the convolutions, so accuracy and size trade off."""
    from leaderboard_fakes import full_nb201_data

    from nasbench_suite.store import write_store

    path = tmp_path_factory.mktemp("mostore") / "toy-mo.h5"
    write_store(path, full_nb201_data(varied_params=True))
    return path


@pytest.fixture(scope="module")
def mo_results(mo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("moresults") / "mo.jsonl"
    spec = SweepSpec(benchmark=str(mo_store), dataset="toy", strategies=STRATEGIES, seeds=tuple(range(6)),
                     budget=Budget.evals(30), objectives=OBJECTIVES)
    run_sweep(spec, out, progress=False)
    return out


@pytest.fixture(scope="module")
def mo_board(mo_results: Path, mo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build([mo_results], tmp_path_factory.mktemp("moboard"), benchmark=open_benchmark(mo_store))


def test_the_score_is_hypervolume_regret_of_the_reported_front(mo_board, mo_results, mo_store):
    bench = open_benchmark(mo_store)
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
    assert len(mo_board["tests"]["wilcoxon"]) == len(list(combinations(STRATEGIES, 2)))
    assert mo_board["tests"]["friedman"]["seeds"] == 6 and mo_board["tests"]["friedman"]["pvalue"] is not None
    assert mo_board["multiobjective"]["true_front_size"] > 1  # the objectives trade off on this table
    # the time curve starts at the true hypervolume (no evaluation yet) and never goes below zero
    for band in mo_board["curves"]["time"]["entries"].values():
        assert band["mean"][0] <= problem.true_hypervolume + 1e-9 and min(band["mean"]) >= -1e-9


def test_the_board_is_rebuilt_to_the_same_bytes_and_draws_the_fronts(mo_board, mo_results, mo_store, tmp_path):
    again = compute_board(load_results([mo_results]), base=tmp_path, benchmark=open_benchmark(mo_store))
    again["title"] = mo_board["title"]
    files = render_outputs(again)
    assert json.loads(files["leaderboard.json"]) == {**mo_board, "plots": again["plots"]}
    assert FRONTS in files and f"]({FRONTS})" in files["leaderboard.md"].decode()
    md = files["leaderboard.md"].decode()
    assert "hypervolume @" in md and "IGD+" in md and "`valid_acc:max` (reported `test_acc`)" in md


def test_single_objective_and_multi_objective_runs_do_not_share_a_board(mo_results, mo_store, tmp_path):
    from nasbench_suite.leaderboard.records import BoardMismatchError

    single = tmp_path / "single.jsonl"
    run_sweep(SweepSpec(benchmark=str(mo_store), dataset="toy", strategies=("rs",), seeds=(0,), budget=Budget.evals(30)),
              single, progress=False)
    with pytest.raises(BoardMismatchError, match="objectives"):
        load_results([single, mo_results])


def test_tracks_fix_the_objectives_and_round_trip():
    track = STANDARD_TRACKS["nb201-digits/mo-params-evals200"]
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


def test_verify_replays_multi_objective_runs(mo_results, mo_store):
    from nasbench_suite.leaderboard.verify import verify_results

    report = verify_results(mo_results, full=True, jobs=1, benchmark=str(mo_store))
    assert report.ok, report.lines()
    assert report.runs == len(STRATEGIES) * 6 and len(report.rerun) == report.runs


def _edited(src: Path, out: Path, lines_to_edit: list[int], edit) -> Path:
    """A copy of ``src`` with records ``lines_to_edit`` (0-based) edited and their trajectory hashes recomputed."""
    from nasbench_suite.harness.results import dumps, trajectory_hash

    lines = src.read_text().splitlines()
    for line in lines_to_edit:
        rec = json.loads(lines[line])
        edit(rec)
        rec["trajectory_sha256"] = trajectory_hash(rec["trajectory"])
        lines[line] = dumps(rec)
    out.write_text("\n".join(lines) + "\n")
    return out


def _nsga2_line(path: Path) -> int:
    return next(i for i, r in enumerate(read_results(path)) if r["strategy"]["name"] == "nsga2")


def _shrink_reported_params(rec: dict) -> None:
    """Report the first front point as smaller than the table says: a better hypervolume if it were believed."""
    i = rec["final"]["front"][0]
    rec["trajectory"]["report:params"][i] = rec["trajectory"]["report:params"][i] / 2


def _drop_front_point(rec: dict) -> None:
    rec["final"]["front"] = rec["final"]["front"][1:]


def _report_valid_acc(rec: dict) -> None:
    rec["objectives"][0]["report"] = "valid_acc"


@pytest.mark.parametrize(("edit", "message"), [
    (_shrink_reported_params, "report:params is"),
    (_drop_front_point, "final.front is"),
], ids=["reported-value", "front"])
def test_verify_rejects_a_tampered_multi_objective_record(mo_results, mo_store, tmp_path, edit, message):
    from nasbench_suite.leaderboard.verify import verify_results

    line = _nsga2_line(mo_results)
    bad = _edited(mo_results, tmp_path / "bad.jsonl", [line], edit)
    # a re-run would catch the edit too; the sample is empty and the edited run is not re-run: the table checks reject it
    report = verify_results(bad, sample=0, jobs=1, benchmark=str(mo_store))
    assert not report.ok
    (problem,) = report.problems
    assert problem.line == line + 1 and problem.strategy == "nsga2" and message in problem.problem, problem


def test_verify_rejects_objectives_reported_on_validation_in_every_record(mo_results, mo_store, tmp_path):
    from nasbench_suite.leaderboard.verify import verify_results

    n = len(read_results(mo_results))
    bad = _edited(mo_results, tmp_path / "bad.jsonl", list(range(n)), _report_valid_acc)
    report = verify_results(bad, sample=0, jobs=1, benchmark=str(mo_store))
    assert len(report.problems) == n and all("the harness records" in p.problem for p in report.problems), report.lines()


def test_a_tampered_reported_value_would_have_changed_the_board(mo_results, mo_store, tmp_path):
    """The edit the verifier rejects above is one the board would reward: it is worth catching."""
    bench = open_benchmark(mo_store)
    line = _nsga2_line(mo_results)
    bad = _edited(mo_results, tmp_path / "bad.jsonl", [line], _shrink_reported_params)
    problem = problem_for(bench, "toy", OBJECTIVES, epoch=read_results(mo_results)[0]["epoch"])
    honest, forged = (final_indicators(read_results(p)[line], problem)["hypervolume"] for p in (mo_results, bad))
    assert forged > honest


def test_the_cli_builds_a_multi_objective_board_and_prints_its_scores(mo_results, mo_store, tmp_path, capsys):
    from nasbench_suite.cli import main

    out = tmp_path / "board"
    assert main(["leaderboard", "build", str(mo_results), "--out", str(out), "--benchmark", str(mo_store)]) == 0
    printed = capsys.readouterr().out
    assert "HV regret" in printed and "IGD+" in printed and "front size" in printed and "regret (pp)" not in printed
    board = json.loads((out / "leaderboard.json").read_text())
    best = board["entries"][0]
    assert f"{best['regret']['mean']:.4f}" in printed
    assert {p.name for p in out.glob("*.png")} == set(board["plots"]) and FRONTS in board["plots"]


def test_a_cost_spanning_orders_of_magnitude_over_the_table_gets_a_log_axis():
    from nasbench_suite.leaderboard.plots import log_axis

    latency = {"metrics": ["test_acc", "latency_b1_t1"], "ideal": [82.1, 0.00026], "worst": [8.3, 0.083]}
    params = {"metrics": ["test_acc", "params"], "ideal": [82.1, 1154.0], "worst": [8.3, 74402.0]}
    assert log_axis(latency, 1) and not log_axis(latency, 0) and not log_axis(params, 1)
