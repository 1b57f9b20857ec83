"""Boards: built from results, verified by re-fitting, and refused when their results or numbers were changed."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from nasbench_suite.predictors.board import build_board, read_board
from nasbench_suite.predictors.protocol import Target
from nasbench_suite.predictors.runner import RunSpec, run_protocol
from nasbench_suite.predictors.verify import verify_board


@pytest.fixture(scope="module")
def board_dir(pred_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pboard")
    (root / "results").mkdir()
    raw = root / "raw.jsonl"
    spec = RunSpec(str(pred_store), "toy", (Target("valid_acc", 4), Target("valid_acc", 1)), ("ridge", "xgb"),
                   sizes=(10, 50), seeds=(0, 1, 2, 3, 4, 5), test_size=100)
    run_protocol(spec, raw, progress=False)
    (root / "results" / "toy.jsonl.gz").write_bytes(gzip.compress(raw.read_bytes(), mtime=0))
    build_board([root / "results" / "toy.jsonl.gz"], root)
    return root


def test_board_has_tables_ranks_tests_and_curves(board_dir: Path) -> None:
    board = read_board(board_dir)
    assert [t["target"] for t in board["targets"]] == ["valid_acc@4", "valid_acc@1"]
    assert board["files"] == [{"path": "results/toy.jsonl.gz", "sha256": board["files"][0]["sha256"]}]
    size = board["targets"][0]["sizes"][0]
    assert size["size"] == 10 and [e["position"] for e in size["entries"]] == [1, 2]
    assert sorted(size["tests"]["ranks"]) == ["ridge", "xgb"] and size["tests"]["seeds"] == [0, 1, 2, 3, 4, 5]
    (pair,) = size["tests"]["wilcoxon"]
    assert pair["wins"] + pair["losses"] + pair["ties"] == 6 and 0 <= pair["pvalue_holm"] <= 1
    for e in size["entries"]:
        kt = e["scores"]["kendall_tau"]
        assert kt["n"] == 6 and kt["ci95"][0] <= kt["mean"] <= kt["ci95"][1]
        assert e["fit_seconds"] is not None and e["query_seconds"] is not None
    for name in ("curves_valid_acc_4.png", "curves_valid_acc_1.png", "board.md", "index.html"):
        assert (board_dir / name).is_file()
    assert "valid_acc@4, 10 training cells" in (board_dir / "board.md").read_text()


def test_significant_pairs_name_the_better_predictor_first() -> None:
    from nasbench_suite.predictors.board import _tests
    from nasbench_suite.predictors.render import _significant

    # "a-worse" sorts first and loses on every seed: the better one must still be named first
    by_seed = {"a-worse": {s: 0.1 + 0.01 * s for s in range(10)}, "b-better": {s: 0.5 + 0.02 * s for s in range(10)}}
    tests = _tests(["a-worse", "b-better"], by_seed)
    (pair,) = tests["wilcoxon"]
    assert pair["significant"] and pair["median_diff"] < 0 and pair["losses"] == 10
    (line,) = _significant({"tests": tests})
    assert line.startswith("b-better > a-worse (p ") and line.endswith(", 10 seeds)")


def test_a_crowded_markdown_section_summarises_the_leaders_tests() -> None:
    from nasbench_suite.predictors.board import _tests
    from nasbench_suite.predictors.render import MD_PAIRS, _leader_summary, _significant

    # eight predictors a step apart, and one tied with the best: 27 significant pairs, too many to list
    by_seed = {f"p{i}": {s: 0.1 * i + 0.001 * s for s in range(12)} for i in range(8)}
    by_seed["twin"] = {s: 0.7 + 0.001 * s + (0.002 if s % 2 else -0.002) for s in range(12)}
    tests = _tests(sorted(by_seed), by_seed)
    sig = _significant({"tests": tests})
    assert len(sig) > MD_PAIRS
    size = {"entries": [{"predictor": "p7"}], "tests": tests}
    text = _leader_summary(size, sig)
    assert text.startswith("p7 (best mean) ranks significantly better than p0, p1, p2, p3, p4, p5, p6; "
                           "not separated from twin. ")
    # a leader by mean that a paired test puts below others says so
    worse = {"entries": [{"predictor": "p6"}], "tests": tests}
    assert "better than p0, p1, p2, p3, p4, p5; worse than p7, twin; not separated from none." in _leader_summary(worse, sig)
    assert text.endswith(f"All {len(sig)} significant pairs are in `board.json` and `index.html`.")


def test_a_board_verifies_by_refitting_cells(board_dir: Path, pred_store: Path) -> None:
    report = verify_board(board_dir, benchmark=str(pred_store), sample=3, seed=0)
    assert report.ok, (report.problems, [c.note for c in report.cells])
    assert len(report.cells) == 3 and {c.mode for c in report.cells} == {"exact"}


def test_verify_can_refit_one_predictors_cells_only(board_dir: Path, pred_store: Path) -> None:
    report = verify_board(board_dir, benchmark=str(pred_store), sample=4, seed=0, predictors=["xgb"])
    assert report.ok and len(report.cells) == 4 and {c.predictor for c in report.cells} == {"xgb"}
    with pytest.raises(ValueError, match=r"predictors \['gin'\] have no cells on the board; it holds \['ridge', 'xgb'\]"):
        verify_board(board_dir, benchmark=str(pred_store), sample=1, predictors=["gin"])


def test_changed_results_or_numbers_are_refused(board_dir: Path, pred_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "b"
    shutil.copytree(board_dir, copy)
    board = json.loads((copy / "board.json").read_text())
    board["targets"][0]["sizes"][0]["entries"][0]["scores"]["kendall_tau"]["mean"] = 0.99
    (copy / "board.json").write_text(json.dumps(board))
    report = verify_board(copy, benchmark=str(pred_store), sample=0)
    assert not report.ok and "differs from the board rebuilt" in report.problems[0]

    copy2 = tmp_path / "c"
    shutil.copytree(board_dir, copy2)
    lines = gzip.decompress((copy2 / "results" / "toy.jsonl.gz").read_bytes()).decode().splitlines()
    rec = json.loads(lines[0])
    rec["scores"]["kendall_tau"] = 0.99
    lines[0] = json.dumps(rec, sort_keys=True, separators=(",", ":"))
    (copy2 / "results" / "toy.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    report = verify_board(copy2, benchmark=str(pred_store), sample=0)
    assert not report.ok and "has sha256" in report.problems[0]


def test_a_forged_score_with_a_matching_board_fails_the_refit(board_dir: Path, pred_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "d"
    shutil.copytree(board_dir, copy)
    path = copy / "results" / "toy.jsonl.gz"
    recs = [json.loads(x) for x in gzip.decompress(path.read_bytes()).decode().splitlines()]
    for r in recs:
        r["scores"]["kendall_tau"] = round(min(1.0, r["scores"]["kendall_tau"] + 0.3), 6)
    path.write_bytes(gzip.compress(("\n".join(json.dumps(r, sort_keys=True, separators=(",", ":")) for r in recs) + "\n").encode(), mtime=0))
    build_board([path], copy)  # a consistent board of forged records
    report = verify_board(copy, benchmark=str(pred_store), sample=2, seed=0)
    assert not report.problems and not report.ok
    assert all("kendall_tau" in c.note for c in report.cells)
