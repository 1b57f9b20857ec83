"""Building boards from fabricated and from real harness results."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from leaderboard_fakes import record, write_records

from nasbench_suite.leaderboard import BoardMismatchError, DuplicateRunError, build, compute_board, load_results
from nasbench_suite.leaderboard import aggregate as agg
from nasbench_suite.leaderboard.board import BoardError

OPT = 90.0


def compute(*paths: Path) -> dict:
    """The board's JSON content without rendering pages and figures (fast)."""
    return compute_board(load_results(list(paths)), base=paths[0].parent)


def _dominated(tmp_path: Path, *, seeds: int = 12) -> Path:
    """'best' finds the optimum on every seed; 'mid' and 'low' alternate behind it; one 'low' run fails."""
    recs = []
    for s in range(seeds):
        recs.append(record("best", s, [80.0, 88.0, OPT]))
        a, b = (86.0, 84.0) if s % 2 else (84.0, 86.0)
        recs.append(record("mid", s, [80.0, 82.0, a]))
        recs.append(record("low", s, [79.0, 80.0, b]))
    recs.append(record("low", seeds, [70.0], status="failed", budget=3))
    return write_records(tmp_path / "dominated.jsonl", recs)


@pytest.fixture(scope="module")
def dominated_board(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rendered board of :func:`_dominated` (built once: rendering figures takes seconds)."""
    tmp = tmp_path_factory.mktemp("dominated")
    build([_dominated(tmp)], tmp / "board")
    return tmp / "board"


def test_dominating_strategy_ranks_first_and_friedman_is_significant(tmp_path: Path) -> None:
    board = compute(_dominated(tmp_path))
    best = board["entries"][0]
    assert best["name"] == "best" and best["position"] == 1 and best["avg_rank"] == 1.0
    assert best["regret"]["mean"] == 0.0 and best["final_test"]["mean"] == OPT
    assert best["final_test"]["ci95"] == [OPT, OPT]
    assert {e["name"]: e["avg_rank"] for e in board["entries"]} == {"best": 1.0, "mid": 2.5, "low": 2.5}
    fr = board["tests"]["friedman"]
    assert fr["seeds"] == 12 and fr["pvalue"] < 0.01
    pair = {(w["a"], w["b"]): w for w in board["tests"]["wilcoxon"]}
    assert pair[("best", "low")]["significant"] and pair[("best", "mid")]["significant"]
    assert not pair[("low", "mid")]["significant"]
    assert board["tests"]["nemenyi"]["cliques"] == [["low", "mid"]]


def test_failed_runs_are_counted_and_listed(dominated_board: Path) -> None:
    board = json.loads((dominated_board / "leaderboard.json").read_text())
    low = next(e for e in board["entries"] if e["name"] == "low")
    assert (low["runs"], low["ok"], low["failed"]) == (13, 12, 1)
    (failed,) = low["failed_runs"]
    assert failed["seed"] == 12 and "boom" in failed["error"] and failed["line"] == 37
    assert failed["file"] == "../dominated.jsonl"
    md = (dominated_board / "leaderboard.md").read_text()
    assert "13 (1)" in md and "boom" in md
    assert "(1 failed)" in (dominated_board / "index.html").read_text()


def test_pairwise_matrix_marks_significant_wins_and_losses_both_ways(dominated_board: Path) -> None:
    import re

    html = (dominated_board / "index.html").read_text()
    matrix = html[html.index('<table id="pairwise"'):]
    matrix = matrix[: matrix.index("</table>")]
    order = [e["name"] for e in json.loads((dominated_board / "leaderboard.json").read_text())["entries"]]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr><th class="l">(\w+)</th>(.*?)</tr>', matrix)}
    assert list(rows) == order  # rows in board order
    marks = {name: re.findall(r'<td class="c"(?: title="[^"]*")?>(.*?)</td>', cells) for name, cells in rows.items()}
    win, loss, ns = '<span class="win">&#9650;</span>', '<span class="loss">&#9660;</span>', "&middot;"
    col = {name: i for i, name in enumerate(order)}
    assert marks["best"][col["mid"]] == marks["best"][col["low"]] == win
    assert marks["mid"][col["best"]] == marks["low"][col["best"]] == loss
    assert marks["mid"][col["low"]] == marks["low"][col["mid"]] == ns
    assert marks["best"][col["best"]] == ""
    assert '<details id="wilcoxon">' in html and "All 3 pairs" in html


def test_anytime_areas_by_hand(tmp_path: Path) -> None:
    # regrets 10 then 5; finish times 1 and 3; evaluation budget 3
    run = agg.to_run(record("x", 0, [80.0, 85.0], times=[1.0, 3.0], budget=3), (0, 1))
    assert agg.aurc_evals(run, 3) == pytest.approx((10 + 5 + 5) / 3)
    # [0, 1): no incumbent, regret = optimum 90; [1, 3): 10; [3, 4]: 5
    assert agg.aurc_time(run, 4.0, OPT) == pytest.approx((90 * 1 + 10 * 2 + 5 * 1) / 4)
    assert agg.aurc_time(run, 2.0, OPT) == pytest.approx((90 + 10) / 2)
    assert agg.regret_at_times(run, np.array([0.5, 1.0, 10.0]), OPT).tolist() == [90.0, 10.0, 5.0]


def test_horizons_budget_axis_and_smallest_reach(tmp_path: Path) -> None:
    recs = [record("a", 0, [80.0, 85.0], times=[1.0, 3.0], budget=4), record("b", 0, [80.0, 81.0, 82.0], times=[2.0, 5.0, 6.0], budget=4)]
    board = compute(write_records(tmp_path / "r.jsonl", recs))
    assert board["settings"]["horizon"] == {"evals": 4, "time": 3.0}
    a = next(e for e in board["entries"] if e["name"] == "a")
    assert a["aurc_evals"]["mean"] == pytest.approx((10 + 5 + 5 + 5) / 4)


def test_same_strategy_with_other_params_is_another_entry(tmp_path: Path) -> None:
    recs = [record("re", s, [85.0], params={"population_size": p, "sample_size": 10}) for s in range(3) for p in (20, 50)]
    board = compute(write_records(tmp_path / "r.jsonl", recs))
    assert sorted(e["name"] for e in board["entries"]) == ["re(population_size=20)", "re(population_size=50)"]


@pytest.mark.parametrize(("field", "value"), [("checksum", "sha256:" + "1" * 64), ("dataset", "other")])
def test_mixing_benchmarks_or_datasets_is_refused(tmp_path: Path, field: str, value: str) -> None:
    a = write_records(tmp_path / "a.jsonl", [record("rs", 0, [85.0])])
    b = write_records(tmp_path / "b.jsonl", [record("re", 0, [85.0], **{field: value})])
    with pytest.raises(BoardMismatchError, match="benchmark" if field == "checksum" else "dataset"):
        build([a, b], tmp_path / "board")
    assert not (tmp_path / "board" / "leaderboard.json").exists()


def test_mixing_budgets_is_refused(tmp_path: Path) -> None:
    a = write_records(tmp_path / "a.jsonl", [record("rs", 0, [85.0, 86.0])])
    b = write_records(tmp_path / "b.jsonl", [record("re", 0, [85.0])])
    with pytest.raises(BoardMismatchError, match="budget"):
        build([a, b], tmp_path / "board")


def test_conflicting_duplicate_runs_are_refused_identical_ones_counted_once(tmp_path: Path) -> None:
    a = write_records(tmp_path / "a.jsonl", [record("rs", 0, [85.0]), record("re", 0, [84.0])])
    same = write_records(tmp_path / "same.jsonl", [record("rs", 0, [85.0])])
    assert compute(a, same)["duplicate_runs_ignored"] == 1
    other = write_records(tmp_path / "other.jsonl", [record("rs", 0, [86.0])])
    with pytest.raises(DuplicateRunError, match="seed 0"):
        compute(a, other)


def test_results_without_optimum_are_refused(tmp_path: Path) -> None:
    rec = record("rs", 0, [85.0])
    rec["optimum"] = None
    with pytest.raises(BoardError, match="optimum"):
        compute(write_records(tmp_path / "r.jsonl", [rec]))


def test_board_lists_files_with_sha256_and_is_byte_reproducible(dominated_board: Path) -> None:
    src = dominated_board.parent / "dominated.jsonl"
    again = dominated_board.parent / "again"
    build([src], again)
    for name in ("leaderboard.json", "leaderboard.md", "index.html", "anytime_regret.png", "final_regret.png", "cd_diagram.png"):
        assert (dominated_board / name).read_bytes() == (again / name).read_bytes(), name
    board = json.loads((dominated_board / "leaderboard.json").read_text())
    assert board["files"] == [{"path": "../dominated.jsonl", "sha256": hashlib.sha256(src.read_bytes()).hexdigest(), "runs": 37}]


def test_every_table_number_comes_from_the_json(dominated_board: Path) -> None:
    board = json.loads((dominated_board / "leaderboard.json").read_text())
    md = (dominated_board / "leaderboard.md").read_text()
    html = (dominated_board / "index.html").read_text()
    for e in board["entries"]:
        mean = f"{e['final_test']['mean']:.2f}"
        assert mean in md and f"{e['avg_rank']:.2f}" in md
        assert f'data-sort="{e["final_test"]["mean"]}"' in html
    assert 'src="data:image/png;base64,' in html and "http" not in html.split("<body>")[1]


def test_real_harness_results_build(toy_board: Path, toy_results: Path) -> None:
    board = json.loads((toy_board / "leaderboard.json").read_text())
    assert [e["runs"] for e in board["entries"]] == [10, 10, 10]
    assert board["tests"]["seeds"] == list(range(10))
    records = [json.loads(line) for line in toy_results.read_text().splitlines()]
    rs = [r for r in records if r["strategy"]["name"] == "rs"]
    entry = next(e for e in board["entries"] if e["name"] == "rs")
    assert entry["regret"]["mean"] == pytest.approx(np.mean([r["final"]["regret"] for r in rs]))
    assert board["clock_unit"] == "seconds" and board["selection_metric"] == "valid_acc"


def test_report_epoch_looks_incumbents_up(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    import nasbench_suite as nbs

    bench = nbs.open_benchmark(toy_store)
    board = compute_board(load_results([toy_results]), base=tmp_path, benchmark=bench, report_epoch=1)
    records = [json.loads(line) for line in toy_results.read_text().splitlines()]
    want = np.mean([bench.query(r["final"]["arch"], "toy", epoch=1).test_acc for r in records if r["strategy"]["name"] == "ls"])
    entry = next(e for e in board["entries"] if e["name"] == "ls")
    assert entry["report"]["final_test"]["mean"] == pytest.approx(want)
    assert board["report_epoch"]["epoch"] == 1
    board["title"] = "t"
    from nasbench_suite.leaderboard import render_md

    assert "test_acc @1 (%)" in render_md.render(board)


def test_reference_protocol_selects_at_12_and_reports_200(nb201_reference_store: Path, tmp_path: Path) -> None:
    """The standard NB201 reference track: search at 12 epochs on valid_acc, also report 200-epoch test_acc."""
    import nasbench_suite as nbs
    from nasbench_suite.harness import Budget, SweepSpec, run_sweep

    out = tmp_path / "cifar10.jsonl"
    run_sweep(SweepSpec(benchmark=str(nb201_reference_store), dataset="cifar10", strategies=("rs",), seeds=(0, 1, 2),
                        budget=Budget.evals(20), epoch=12), out, progress=False)
    bench = nbs.open_benchmark(nb201_reference_store)
    board = compute_board(load_results([out]), base=tmp_path, benchmark=bench, report_epoch=200)
    assert board["selection_metric"] == "valid_acc" and board["epoch"] == 12 and board["clock_unit"] == "epoch"
    assert board["report_epoch"]["optimum"] == pytest.approx(94.3733, abs=1e-3)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    at200 = [bench.query(r["final"]["arch"], "cifar10", epoch=200).test_acc for r in records]
    assert board["entries"][0]["report"]["final_test"]["mean"] == pytest.approx(np.mean(at200))


def test_entry_whose_runs_all_failed_is_shown_not_ranked(tmp_path: Path) -> None:
    recs = [record("rs", s, [85.0, 86.0]) for s in range(4)] + [record("bad", s, [], status="failed", budget=2) for s in range(4)]
    board = compute(write_records(tmp_path / "r.jsonl", recs))
    bad = next(e for e in board["entries"] if e["name"] == "bad")
    assert (bad["failed"], bad["avg_rank"], bad["position"]) == (4, None, 2)
    assert board["tests"]["seeds"] == [] and "no seed" in board["tests"]["friedman"]["skipped"]
    board["title"] = "t"
    from nasbench_suite.leaderboard import render_md

    assert "| 2 | bad | 4 (4) |" in render_md.render(board)


def test_missing_random_search_is_warned(tmp_path: Path) -> None:
    board = compute(write_records(tmp_path / "r.jsonl", [record("re", 0, [85.0])]))
    assert any("random search" in w for w in board["warnings"])


def test_cli_build(dominated_board: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nasbench_suite.cli import main

    out = dominated_board.parent / "cli"
    assert main(["leaderboard", "build", str(dominated_board.parent / "dominated.jsonl"), "--out", str(out), "--title", "T"]) == 0
    assert "best" in capsys.readouterr().out
    assert json.loads((out / "leaderboard.json").read_text())["title"] == "T"
    assert main(["leaderboard", "build", str(dominated_board.parent / "nope.jsonl"), "--out", str(out)]) != 0


def test_terminal_board_states_its_order_and_units(toy_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nasbench_suite.cli import main

    assert main(["leaderboard", "build", str(toy_results), "--out", str(tmp_path / "b")]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ordered by average rank of final regret over the 10 seeds every entry finished (1 = best)" in out
    assert "test_acc @3 (%)" in out and "regret (pp)" in out and "percentage points" in out
