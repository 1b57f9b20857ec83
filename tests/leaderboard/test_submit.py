"""Submitting to a board: verify, merge, rebuild -- and a rejected submission changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from leaderboard_fakes import tamper

from nasbench_suite.cli import main
from nasbench_suite.harness.results import read_text, write_gzip
from nasbench_suite.leaderboard import build
from nasbench_suite.leaderboard.submit import SubmissionRejectedError, submit


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def other_budget_results(toy_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Genuine runs under another budget (they verify, but do not belong on the same board)."""
    from nasbench_suite.harness import Budget, SweepSpec, run_sweep

    out = tmp_path_factory.mktemp("other") / "other.jsonl"
    run_sweep(SweepSpec(benchmark=str(toy_store), dataset="toy", strategies=("rs",), seeds=(0, 1), budget=Budget.evals(12)), out,
              progress=False)
    return out


@pytest.fixture()
def board(toy_results: Path, toy_store: Path, tmp_path: Path) -> Path:
    """A board folder holding :func:`toy_results`, made by a submission."""
    folder = tmp_path / "board"
    result = submit(toy_results, folder, benchmark=str(toy_store), sample=2, seeds=range(10), jobs=1)
    assert result.added is not None
    return folder


def test_submission_copies_and_builds(board: Path, toy_results: Path) -> None:
    (copied,) = sorted((board / "results").iterdir())
    assert copied.name.endswith(".jsonl.gz") and read_text(copied) == toy_results.read_text()
    lb = json.loads((board / "leaderboard.json").read_text())
    assert lb["files"][0]["path"] == f"results/{copied.name}"
    assert {"index.html", "leaderboard.md", "anytime_regret.png", "cd_diagram.png"} <= {p.name for p in board.iterdir()}


def test_submitted_board_equals_a_rebuild_of_its_results(board: Path, tmp_path: Path) -> None:
    before = snapshot(board)
    build(sorted((board / "results").glob("*.jsonl.gz")), board)
    assert snapshot(board) == before


def test_rejected_submission_leaves_the_board_byte_identical(board: Path, toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    before = snapshot(board)
    bad = tamper(toy_results, tmp_path / "bad.jsonl", line=3, column="test", index=2, delta=0.1)
    with pytest.raises(SubmissionRejectedError, match="trajectory_sha256"):
        submit(bad, board, benchmark=str(toy_store), sample=1, jobs=1)
    assert snapshot(board) == before


def test_incompatible_submission_leaves_the_board_byte_identical(board: Path, other_budget_results: Path, toy_store: Path) -> None:
    before = snapshot(board)
    with pytest.raises(SubmissionRejectedError, match="budget"):  # the board's track fixes the budget
        submit(other_budget_results, board, benchmark=str(toy_store), sample=1, jobs=1)
    assert snapshot(board) == before


def test_resubmitting_the_same_file_changes_nothing(board: Path, toy_results: Path, toy_store: Path) -> None:
    before = snapshot(board)
    assert submit(toy_results, board, benchmark=str(toy_store), sample=0, jobs=1).added is None
    assert snapshot(board) == before


def test_cli_rejects_with_nonzero_status(board: Path, toy_results: Path, toy_store: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(board)
    bad = tamper(toy_results, tmp_path / "bad.jsonl", line=0, column="valid", index=0)
    assert main(["leaderboard", "submit", str(bad), "--board", str(board), "--benchmark", str(toy_store), "--sample", "0"]) == 1
    assert "left unchanged" in capsys.readouterr().err
    assert snapshot(board) == before


def test_compressed_results_build_and_verify_like_plain_ones(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    """Boards keep results gzip-compressed; every reader takes either form and gives the same board."""
    from nasbench_suite.leaderboard.verify import verify_results

    packed = tmp_path / "toy.jsonl.gz"
    write_gzip(packed, toy_results.read_text())
    again = tmp_path / "again.jsonl.gz"
    write_gzip(again, toy_results.read_text())
    assert packed.read_bytes() == again.read_bytes()  # no timestamp in the header
    plain_board, packed_board = tmp_path / "plain", tmp_path / "packed"
    build([toy_results], plain_board)
    build([packed], packed_board)
    strip = lambda d: {k: v for k, v in json.loads((d / "leaderboard.json").read_text()).items() if k != "files"}  # noqa: E731
    assert strip(plain_board) == strip(packed_board)
    assert verify_results(packed, benchmark=str(toy_store), sample=1, jobs=1).ok
