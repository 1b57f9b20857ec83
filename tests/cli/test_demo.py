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
