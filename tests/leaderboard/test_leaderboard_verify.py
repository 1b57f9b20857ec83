"""Verifying results files: real runs pass; edited, forged, misattributed and malformed runs are rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from leaderboard_fakes import tamper

from nasbench_suite.cli import main
from nasbench_suite.harness.results import dumps, trajectory_hash
from nasbench_suite.leaderboard.verify import verify_results


def _edit(src: Path, out: Path, line: int, edit) -> Path:
    lines = src.read_text().splitlines()
    rec = json.loads(lines[line])
    edit(rec)
    lines[line] = dumps(rec)
    out.write_text("\n".join(lines) + "\n")
    return out


def test_real_results_pass(toy_results: Path, toy_store: Path) -> None:
    report = verify_results(toy_results, benchmark=str(toy_store), sample=3, jobs=1)
    assert report.ok, report.lines()
    # rs, re and ls only query the table: every run is re-run
    assert report.runs == 30 and len(report.rerun) == 30


def test_one_changed_number_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    bad = tamper(toy_results, tmp_path / "bad.jsonl", line=4, column="valid", index=7, delta=0.01)
    report = verify_results(bad, benchmark=str(toy_store), sample=0, jobs=1)
    assert not report.ok
    (problem,) = report.problems
    assert problem.line == 5 and "trajectory_sha256" in problem.problem
    assert (problem.strategy, problem.seed) == ("ls", 4)


def test_forged_number_with_recomputed_hash_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    def forge(rec: dict) -> None:
        rec["trajectory"]["test"][3] += 1.0
        rec["trajectory_sha256"] = trajectory_hash(rec["trajectory"])

    report = verify_results(_edit(toy_results, tmp_path / "forged.jsonl", 12, forge), benchmark=str(toy_store), sample=0, jobs=1)
    (problem,) = report.problems
    assert problem.line == 13 and "evaluation 4: test" in problem.problem and "the table says" in problem.problem


def test_edited_final_summary_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    def edit(rec: dict) -> None:
        rec["final"]["test"] += 0.5

    report = verify_results(_edit(toy_results, tmp_path / "final.jsonl", 20, edit), benchmark=str(toy_store), sample=0, jobs=1)
    (problem,) = report.problems
    assert "final.test" in problem.problem


def test_misattributed_run_fails_its_rerun(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    # seed 0's genuine trajectory claimed as seed 77: the table agrees with every number, the re-run does not
    line = toy_results.read_text().splitlines()[20]
    rec = json.loads(line)
    rec["seed"] = 77
    path = tmp_path / "claimed.jsonl"
    path.write_text(dumps(rec) + "\n")
    report = verify_results(path, benchmark=str(toy_store), sample=1, jobs=1)
    (problem,) = report.problems
    assert "re-run differs" in problem.problem and "first difference at evaluation" in problem.problem


def test_other_benchmark_checksum_is_rejected(toy_results: Path, small_store: Path) -> None:
    report = verify_results(toy_results, benchmark=str(small_store), sample=0, jobs=1)
    assert not report.ok and "checksum" in report.file_problems[0]


def test_schema_problems_are_reported_per_line(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    lines = toy_results.read_text().splitlines()
    rec = json.loads(lines[0])
    del rec["trajectory"]["incumbent_test"]
    lines[0] = dumps(rec)
    lines[1] = "{not json"
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = verify_results(path, benchmark=str(toy_store), sample=0, jobs=1)
    assert {p.line for p in report.problems} == {1, 2}
    assert any("incumbent_test" in p.problem for p in report.problems)


def test_sample_must_be_a_count(toy_results: Path) -> None:
    with pytest.raises(ValueError, match="sample"):
        verify_results(toy_results, sample=-1)


def test_cli_exit_status(toy_results: Path, toy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leaderboard", "verify", str(toy_results), "--benchmark", str(toy_store), "--sample", "2"]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tamper(toy_results, tmp_path / "bad.jsonl", line=0, column="test", index=0)
    assert main(["leaderboard", "verify", str(bad), "--benchmark", str(toy_store), "--sample", "0"]) == 1
    err = capsys.readouterr().err
    assert "REJECTED" in err and "line 1" in err


def test_forged_times_with_recomputed_hash_are_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    def faster(rec: dict) -> None:
        rec["trajectory"]["time"] = [t / 2 for t in rec["trajectory"]["time"]]
        rec["trajectory_sha256"] = trajectory_hash(rec["trajectory"])

    report = verify_results(_edit(toy_results, tmp_path / "fast.jsonl", 7, faster), benchmark=str(toy_store), sample=0, jobs=1)
    (problem,) = report.problems
    assert "evaluation 1: finish time" in problem.problem


def test_one_shot_runs_replay_their_measured_search_time(tmp_path: Path) -> None:
    """A one-shot run's supernet time is measured, so it differs between runs; verify replays it and passes,
    and an edited search time is rejected."""
    from leaderboard_fakes import full_nb201_data

    from nasbench_suite.harness import Budget, SweepSpec, run_sweep
    from nasbench_suite.store import write_store

    store = tmp_path / "digits-toy.h5"
    write_store(store, full_nb201_data(dataset="digits-hard"))
    out = tmp_path / "ws.jsonl"
    spec = SweepSpec(benchmark=str(store), dataset="digits-hard", strategies=("ws-rsws",), seeds=(0,), budget=Budget.evals(4),
                     params={"ws-rsws": {"epochs": 1, "steps_per_epoch": 2}})
    run_sweep(spec, out, progress=False)
    rec = json.loads(out.read_text())
    searched = rec["search_costs"]
    assert searched[0] > 0 and searched[1:] == [0.0] * (len(searched) - 1)
    traj = rec["trajectory"]
    assert traj["time"][0] == pytest.approx(searched[0] + traj["cost"][0])
    report = verify_results(out, benchmark=str(store), sample=1, jobs=1)
    assert report.ok and len(report.rerun) == 1, report.lines()

    def slower(r: dict) -> None:
        r["search_costs"][0] += 100.0

    report = verify_results(_edit(out, tmp_path / "slower.jsonl", 0, slower), benchmark=str(store), sample=1, jobs=1)
    assert not report.ok and "finish time" in "\n".join(report.lines())


def test_each_verification_draws_a_fresh_nonce_and_reports_it(toy_results: Path, toy_store: Path) -> None:
    a = verify_results(toy_results, benchmark=str(toy_store), jobs=1)
    b = verify_results(toy_results, benchmark=str(toy_store), jobs=1)
    assert a.plan.nonce != b.plan.nonce and len(a.plan.nonce) == 32
    assert f"--nonce {a.plan.nonce}" in "\n".join(a.lines())
    again = verify_results(toy_results, benchmark=str(toy_store), jobs=1, nonce=a.plan.nonce)
    assert again.plan == a.plan
