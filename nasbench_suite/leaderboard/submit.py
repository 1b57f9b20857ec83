"""Submitting a results file to a leaderboard folder: verify, merge, rebuild -- or change nothing.

A board folder holds ``results/*.jsonl.gz`` (the runs it is built from,
compressed: a 300-evaluation run is ~40 kB of JSON) and the
files :func:`nasbench_suite.leaderboard.board.build` writes. A submission is
verified first; then the new board is computed and rendered in memory from
the old results plus the new file; only when all of that succeeded are the
results file copied in and the board's files replaced (each by an atomic
rename). A rejected or incompatible submission leaves the folder byte-identical.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError
from nasbench_suite.harness.results import read_text, write_gzip
from nasbench_suite.leaderboard.board import JSON_NAME, compute_board, read_board, render_outputs, write_files
from nasbench_suite.leaderboard.records import load_results
from nasbench_suite.leaderboard.verify import VerifyReport, verify_results

log = logging.getLogger(__name__)
RESULTS_DIR = "results"


class SubmissionRejectedError(NasBenchError, ValueError):
    """A results file that failed verification; the report says why, per run."""

    def __init__(self, report: VerifyReport) -> None:
        self.report = report
        super().__init__("\n".join(report.lines()))


@dataclass(frozen=True)
class Submission:
    """What a submission did."""

    report: VerifyReport
    #: the results file's path inside the board, or None when the board already held identical bytes
    added: Path | None
    board: dict[str, Any] | None


def board_results(board_dir: Path) -> list[Path]:
    """The results files of a board folder, sorted by name."""
    folder = board_dir / RESULTS_DIR
    return sorted([*folder.glob("*.jsonl"), *folder.glob("*.jsonl.gz")]) if folder.is_dir() else []


def submit(
    results: str | os.PathLike[str],
    board_dir: str | os.PathLike[str],
    *,
    benchmark: str | None = None,
    sample: int = 5,
    seed: int = 0,
) -> Submission:
    """Verify ``results``, add it to the board in ``board_dir`` and rebuild the board.

    Raises
    ------
    SubmissionRejectedError
        when verification finds any problem; nothing is written.
    BoardMismatchError, DuplicateRunError
        when the runs cannot join this board (another benchmark, dataset,
        budget, or a different run of a (strategy, parameters, seed) already
        there); nothing is written.
    """
    results, board_dir = Path(results), Path(board_dir)
    report = verify_results(results, benchmark=benchmark, sample=sample, seed=seed)
    if not report.ok:
        raise SubmissionRejectedError(report)
    text = read_text(results)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = board_results(board_dir)
    if any(hashlib.sha256(read_text(p).encode("utf-8")).hexdigest() == digest for p in existing):
        log.info("%s is already on the board %s", results, board_dir)
        return Submission(report, None, None)

    old = read_board(board_dir) if (board_dir / JSON_NAME).is_file() else {}
    stem = results.name.removesuffix(".gz").removesuffix(".jsonl")
    target = board_dir / RESULTS_DIR / f"{stem}-{digest[:12]}.jsonl.gz"
    # the file as it will lie in the board (compressed), outside the results folder until the board is rendered
    with tempfile.TemporaryDirectory() as scratch:
        packed = Path(scratch) / target.name
        write_gzip(packed, text)
        # the order and names a later `build results/*` of the folder would use
        sources = sorted([(p.name, p) for p in existing] + [(target.name, packed)])
        loaded = load_results([p for _, p in sources])
        report_epoch = (old.get("report_epoch") or {}).get("epoch")
        bench = None
        if report_epoch is not None:
            from nasbench_suite.harness.runner import open_cached

            bench = open_cached(report.benchmark)
        board = compute_board(loaded, base=board_dir, benchmark=bench, report_epoch=report_epoch,
                              file_names=[f"{RESULTS_DIR}/{name}" for name, _ in sources])
        board["title"] = old.get("title") or f"{board['benchmark']['name']} / {board['dataset']}"
        files = render_outputs(board)

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.partial")
        shutil.copyfile(packed, tmp)
        os.replace(tmp, target)
    write_files(board_dir, files)
    log.info("added %s to %s (%d runs)", target.name, board_dir, report.runs)
    return Submission(report, target, board)


__all__ = ["RESULTS_DIR", "Submission", "SubmissionRejectedError", "board_results", "submit"]
