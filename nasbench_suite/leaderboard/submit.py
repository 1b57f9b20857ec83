"""Submitting a results file to a leaderboard folder: verify, merge, rebuild -- or change nothing.

A board folder holds ``results/*.jsonl.gz`` (the runs it is built from,
compressed: a 300-evaluation run is ~40 kB of JSON) and the
files :func:`nasbench_suite.leaderboard.board.build` writes. A submission is
verified first against the board's track (:func:`~nasbench_suite.leaderboard.tracks.board_track`:
exactly the track's seeds for every strategy) with at least
:data:`~nasbench_suite.leaderboard.rerun.MIN_SAMPLE` sampled re-runs drawn
with a fresh nonce; then the new board is computed and rendered in memory from
the old results plus the new file; only when all of that succeeded are the
results file copied in and the board's files replaced (each by an atomic
rename). A rejected or incompatible submission leaves the folder byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError
from nasbench_suite.harness.results import read_text, write_gzip
from nasbench_suite.leaderboard.board import JSON_NAME, compute_board, read_board, render_outputs, write_files
from nasbench_suite.leaderboard.records import load_results
from nasbench_suite.leaderboard.rerun import MIN_SAMPLE
from nasbench_suite.leaderboard.tracks import (
    STANDARD_TRACKS,
    TRACK_FILE,
    Track,
    TrackError,
    board_track,
    format_seeds,
    standard_track_for,
)
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


def _track(results: Path, board_dir: Path, seeds: Sequence[int] | None) -> tuple[Track, bool]:
    """The track a submission to ``board_dir`` must follow, and whether the board has yet to record it."""
    from nasbench_suite.harness.results import read_results

    have = board_track(board_dir)
    if have is not None:
        if seeds is not None and set(seeds) != set(have.seeds):
            raise TrackError(f"{board_dir}: the board's track {have.name!r} fixes seeds {format_seeds(have.seeds)}, "
                             f"not the {format_seeds(seeds)} given")
        return have, False
    try:
        first = read_results(results)[0]
    except (IndexError, KeyError, ValueError, OSError):
        first = None
    if first is None or not isinstance(first.get("benchmark"), dict):
        raise TrackError(f"{results}: no readable run to define the track of {board_dir} from")
    standard = standard_track_for(first)
    if seeds is None:
        if standard is None:
            raise TrackError(f"{board_dir} has no track (no {TRACK_FILE}, not a standard board) and {results} has the "
                             f"settings of none of the standard tracks ({', '.join(STANDARD_TRACKS)}): pass --seeds to "
                             f"define the board's track")
        return standard, False
    if standard is not None and set(seeds) != set(standard.seeds):
        raise TrackError(f"{results} has the settings of the standard track {standard.name!r}, which fixes seeds "
                         f"{format_seeds(standard.seeds)}, not the {format_seeds(seeds)} given")
    return standard or Track.for_record(first, seeds, name=board_dir.name), standard is None


def submit(
    results: str | os.PathLike[str],
    board_dir: str | os.PathLike[str],
    *,
    benchmark: str | None = None,
    sample: int = MIN_SAMPLE,
    nonce: str | None = None,
    seeds: Sequence[int] | None = None,
    jobs: int | None = None,
    full: bool = False,
) -> Submission:
    """Verify ``results`` against the board's track, add it to the board in ``board_dir`` and rebuild the board.

    ``seeds`` defines the track of a new board that is not a standard one
    (written to its ``track.json``); ``sample`` and ``nonce`` are those of
    :func:`~nasbench_suite.leaderboard.verify.verify_results` (by default a
    fresh nonce: the submitter does not choose which expensive runs are re-run).

    Raises
    ------
    SubmissionRejectedError
        when verification finds any problem; nothing is written.
    TrackError
        when the board has no track and none is given, or the given seeds are not the track's; nothing is written.
    BoardMismatchError, DuplicateRunError
        when the runs cannot join this board (another benchmark, dataset,
        budget, or a different run of a (strategy, parameters, seed) already
        there); nothing is written.
    """
    results, board_dir = Path(results), Path(board_dir)
    track, new_track = _track(results, board_dir, seeds)
    report = verify_results(results, benchmark=benchmark, sample=max(sample, MIN_SAMPLE), nonce=nonce, track=track, jobs=jobs,
                            full=full)
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
        if new_track:
            files[TRACK_FILE] = (json.dumps(track.to_dict(), indent=2, sort_keys=True) + "\n").encode("utf-8")

        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.partial")
        shutil.copyfile(packed, tmp)
        os.replace(tmp, target)
    write_files(board_dir, files)
    log.info("added %s to %s (%d runs)", target.name, board_dir, report.runs)
    return Submission(report, target, board)


__all__ = ["RESULTS_DIR", "Submission", "SubmissionRejectedError", "board_results", "submit"]
