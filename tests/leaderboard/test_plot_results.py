"""`nasbench plot`: the board's anytime figure from results files, duplicates counted once."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nasbench_suite.cli import main
from nasbench_suite.harness.results import dumps, read_results
from nasbench_suite.leaderboard import plots
from nasbench_suite.leaderboard.stats import mean_ci


@pytest.fixture(scope="module")
def records(toy_results):
    return read_results(toy_results)  # ls, re, rs x seeds 0-9, in that order


def _write(path, records) -> None:
    path.write_text("".join(dumps(r) + "\n" for r in records))


def test_mean_ci_matches_scipy() -> None:
    from scipy import stats

    values = np.array([[1.0, 2.0], [2.0, 2.0], [4.0, 2.0]])
    mean, lo, hi = mean_ci(values)
    assert mean.tolist() == pytest.approx([7 / 3, 2.0])
    half = stats.t.ppf(0.975, 2) * stats.sem(values[:, 0])
    assert (lo[0], hi[0]) == pytest.approx((7 / 3 - half, 7 / 3 + half))
    assert lo[1] == hi[1] == 2.0


def test_untitled_plot_is_the_boards_anytime_figure(toy_results, toy_board, tmp_path) -> None:
    assert main(["plot", str(toy_results), "--out", str(tmp_path / "fig.png"), "--title", ""]) == 0
    assert (tmp_path / "fig.png").read_bytes() == (toy_board / plots.ANYTIME).read_bytes()


def test_duplicate_runs_count_once_and_failures_are_reported(records, tmp_path, capsys) -> None:
    rs = [r for r in records if r["strategy"]["name"] == "rs"]
    failed = dict(rs[0], seed=10, status="failed", error="x")
    path = tmp_path / "r.jsonl"
    _write(path, [*records, rs[0], records[5], failed])  # two runs offered twice
    assert main(["plot", str(path), "--out", str(tmp_path / "fig.png")]) == 0
    out = capsys.readouterr().out
    assert "rs 10 (+1 failed)" in out and "re 10" in out and "2 duplicate run(s) counted once" in out
    _, board = plots.plot_results(path, tmp_path / "again.svg")
    assert {e["name"]: e["ok"] for e in board["entries"]} == {"ls": 10, "re": 10, "rs": 10}
    assert board["duplicate_runs_ignored"] == 2
    assert (tmp_path / "again.svg").read_text().lstrip().startswith("<?xml")


def test_plot_is_reproducible_and_refuses_mixed_settings(records, tmp_path, capsys) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write(a, records)
    other = [json.loads(dumps(r)) for r in records[:1]]
    other[0]["dataset"] = "another"
    _write(b, other)
    for name in ("x.png", "y.png"):
        assert main(["plot", str(a), "--out", str(tmp_path / name)]) == 0
    assert (tmp_path / "x.png").read_bytes() == (tmp_path / "y.png").read_bytes()
    assert main(["plot", str(a), str(b), "--out", str(tmp_path / "z.png")]) == 2
    assert "dataset='another'" in capsys.readouterr().err
