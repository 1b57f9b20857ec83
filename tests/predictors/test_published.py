"""The published predictor boards under ``leaderboards/`` are what their results give, and verify by re-fitting."""

from __future__ import annotations

from pathlib import Path

import pytest

from nasbench_suite.predictors.board import compute_board, dumps, load_records, read_board
from nasbench_suite.predictors.verify import results_files, verify_board

REPO = Path(__file__).resolve().parents[2]
BOARDS = sorted(p.parent for p in (REPO / "leaderboards").glob("*/*/board.json"))


def test_there_are_published_predictor_boards() -> None:
    names = {b.relative_to(REPO / "leaderboards").as_posix() for b in BOARDS}
    assert {"nb201-digits/predictors-digits-hard", "nb101-digits/predictors-digits-hard",
            "nb201-reference/predictors-cifar10", "nb201-reference/predictors-cifar100"} <= names


@pytest.mark.parametrize("board", BOARDS, ids=lambda p: p.relative_to(REPO / "leaderboards").as_posix())
def test_published_board_is_rebuilt_from_its_results(board: Path) -> None:
    published = read_board(board)
    paths = results_files(board, published)
    assert paths and all(p.is_file() and p.parent == board / "results" for p in paths)
    rebuilt = compute_board(load_records(paths))
    for key in ("title", "files", "plots"):
        rebuilt[key] = published[key]
    assert dumps(rebuilt) == dumps(published)
    assert sorted(published["plots"]) == sorted(p.name for p in board.glob("*.png"))
    assert (REPO / "README.md").read_text().count(board.relative_to(REPO).as_posix()) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("table", ["nb201-digits", "nb101-digits"])
def test_digits_board_verifies_by_refitting(table: str) -> None:
    board = REPO / "leaderboards" / table / "predictors-digits-hard"
    report = verify_board(board, benchmark=table, sample=2)
    assert report.ok, (report.problems, [c.note for c in report.cells])


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_cifar_board_verifies_by_refitting(nb201_reference_store: Path, dataset: str) -> None:
    board = REPO / "leaderboards" / "nb201-reference" / f"predictors-{dataset}"
    report = verify_board(board, benchmark=str(nb201_reference_store), sample=2)
    assert report.ok, (report.problems, [c.note for c in report.cells])
