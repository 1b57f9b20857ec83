"""``nasbench demo`` end to end on the shipped table, cut down to a few strategies, seeds and evaluations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasbench_suite.catalog import list_benchmarks
from nasbench_suite.cli import main


@pytest.mark.skipif("nb201-digits" not in list_benchmarks(), reason="the shipped nb201-digits table is not installed")
def test_demo_writes_results_plot_and_leaderboard(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--strategies", "rs,re,hyperband", "--seeds", "0-2", "--budget-evals", "10", "--jobs", "1"]
    assert main(args) == 0
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 9 and {json.loads(x)["strategy"]["name"] for x in lines} == {"rs", "re", "hyperband"}
    assert (out / "anytime.png").stat().st_size > 10_000
    board = json.loads((out / "leaderboard" / "leaderboard.json").read_text())
    assert board["benchmark"]["name"] == "nb201-digits" and {e["strategy"] for e in board["entries"]} == {"rs", "re", "hyperband"}
    assert (out / "leaderboard" / "index.html").is_file()
    assert "leaderboard:" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.skipif("nb201-digits" not in list_benchmarks(), reason="the shipped nb201-digits table is not installed")
def test_demo_again_in_the_same_folder_resumes_and_fresh_starts_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--strategies", "bohb,rs", "--seeds", "0", "--budget-evals", "6", "--jobs", "1"]
    assert main(args) == 0  # bohb's random_fraction is 1/3: stored as 0.333333333333
    results = out / "results.jsonl"
    first = results.read_bytes()
    capsys.readouterr()
    assert main(args) == 0
    assert results.read_bytes() == first
    changed = [*args[:-4], "--budget-evals", "7", "--jobs", "1"]
    assert main(changed) == 2
    err = capsys.readouterr().err
    assert "budget" in err and "--fresh" in err
    assert results.read_bytes() == first  # nothing overwritten on refusal
    assert main([*changed, "--fresh"]) == 0
    assert {json.loads(x)["budget"]["value"] for x in results.read_text().splitlines()} == {7}
