"""Checking a predictor board: its results files, its numbers, and a re-fitted sample of its cells.

:func:`verify_board` (1) checks every results file the board names against
its recorded sha256, (2) rebuilds ``board.json`` from them and compares it
byte for byte, (3) checks that the benchmark given is the one the records were
scored on (content checksum), and (4) re-fits an unpredictable sample of cells
and compares their scores: to the recorded 6 digits where this machine's
numerics fingerprint equals the recorded one, else within a band of twice the
seed-to-seed standard deviation of that entry (at least :data:`MIN_BAND`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.predictors.board import JSON_NAME, compute_board, dumps, load_records, read_board

#: scores compared in band mode (rank scores; the likelihood is too sensitive to numerics to band)
BAND_SCORES = ("kendall_tau", "spearman", "precision_top5")
#: smallest band of the band mode
MIN_BAND = 0.02
#: largest difference of a recorded score in exact mode (scores are recorded to 6 decimals)
EXACT_TOL = 2e-6


@dataclass
class CellCheck:
    """One re-fitted cell: recorded and recomputed status and scores, the mode, and whether they agree."""

    target: str
    predictor: str
    size: int
    seed: int
    mode: str
    ok: bool
    recorded: dict[str, Any]
    recomputed: dict[str, Any]
    differences: dict[str, float] = field(default_factory=dict)
    note: str = ""


@dataclass
class BoardReport:
    """What :func:`verify_board` found; ``ok`` when every check passed."""

    board: str
    problems: list[str]
    cells: list[CellCheck]

    @property
    def ok(self) -> bool:
        return not self.problems and all(c.ok for c in self.cells)


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def results_files(folder: Path, board: dict[str, Any]) -> list[Path]:
    """The results files a board names, relative to its folder."""
    return [folder / f["path"] for f in board.get("files", [])]


def _band(board: dict[str, Any], rec: dict[str, Any], score: str, records: list[dict[str, Any]]) -> float:
    vals = [r["scores"][score] for r in records
            if r["status"] == "ok" and r["predictor"] == rec["predictor"] and r["size"] == rec["size"]
            and r["target"] == rec["target"] and r["scores"][score] is not None]
    sd = float(np.std(vals, ddof=1)) if len(vals) >= 2 else 0.0
    return max(MIN_BAND, 2.0 * sd)


def _compare(rec: dict[str, Any], new: dict[str, Any], mode: str, board: dict[str, Any],
             records: list[dict[str, Any]]) -> CellCheck:
    t = f"{rec['target']['metric']}@{rec['target']['epoch']}"
    check = CellCheck(t, rec["predictor"], rec["size"], rec["seed"], mode, True,
                      {"status": rec["status"], "scores": rec["scores"], "error": rec["error"]},
                      {"status": new["status"], "scores": new["scores"], "error": new["error"]})
    if rec["status"] != new["status"]:
        check.ok = False
        check.note = f"status {rec['status']!r} recorded, {new['status']!r} now ({new['error'] or rec['error']})"
        return check
    if rec["status"] != "ok":
        return check
    keys = rec["scores"].keys() if mode == "exact" else BAND_SCORES
    for k in keys:
        a, b = rec["scores"].get(k), new["scores"].get(k)
        if (a is None) != (b is None):
            check.ok = False
            check.note = f"{k}: {a!r} recorded, {b!r} now"
            continue
        if a is None:
            continue
        diff = abs(float(a) - float(b))
        check.differences[k] = round(diff, 8)
        limit = EXACT_TOL if mode == "exact" else _band(board, rec, k, records)
        if diff > limit:
            check.ok = False
            check.note += f"{k}: {a} recorded, {b} now (|diff| {diff:.3g} > {limit:.3g}); "
    return check


def verify_board(folder: str | os.PathLike[str], *, benchmark: str, sample: int = 5, seed: int | None = None,
                 predictors: Sequence[str] | None = None) -> BoardReport:
    """Verify the board in ``folder`` against ``benchmark`` (a catalog name or a store path), re-fitting ``sample`` cells.

    ``predictors`` restricts the re-fitted sample to those predictors' cells (each must be on the board).
    """
    from nasbench_suite.catalog import resolve
    from nasbench_suite.harness.identity import checked_digest
    from nasbench_suite.numerics import current_fingerprint
    from nasbench_suite.predictors.runner import THREADS, Cell, fit_and_score
    from nasbench_suite.predictors.protocol import Target

    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ValueError(f"sample must be an int >= 0, got {sample!r}")
    folder = Path(folder)
    board = read_board(folder)
    problems: list[str] = []
    paths = results_files(folder, board)
    if not paths:
        problems.append(f"{folder / JSON_NAME} names no results files")
    for f, path in zip(board.get("files", []), paths):
        if not path.is_file():
            problems.append(f"results file {f['path']!r} is missing")
        elif _sha256(path) != f["sha256"]:
            problems.append(f"results file {f['path']!r} has sha256 {_sha256(path)}, the board records {f['sha256']}")
    if problems:
        return BoardReport(str(folder), problems, [])
    records = load_records(paths)
    rebuilt = compute_board(records)
    for key in ("title", "files", "plots"):
        if key in board:
            rebuilt[key] = board[key]
    if dumps(rebuilt) != dumps(board):
        diff = sorted(k for k in set(board) | set(rebuilt) if board.get(k) != rebuilt.get(k))
        problems.append(f"{JSON_NAME} differs from the board rebuilt from its results (keys {diff})")
    bench = resolve(benchmark)
    digest = checked_digest(bench)
    if digest != board["benchmark"]["checksum"]:
        problems.append(f"benchmark {benchmark!r} has checksum {digest}; the board was scored on {board['benchmark']['checksum']}")
        return BoardReport(str(folder), problems, [])
    pool = list(range(len(records)))
    if predictors is not None:
        on_board = {r["predictor"] for r in records}
        missing = sorted(set(predictors) - on_board)
        if missing:
            raise ValueError(f"predictors {missing} have no cells on the board; it holds {sorted(on_board)}")
        pool = [i for i in pool if records[i]["predictor"] in set(predictors)]
    rng = np.random.default_rng(seed if seed is not None else int.from_bytes(os.urandom(8), "little"))
    picks = [pool[j] for j in rng.choice(len(pool), size=min(sample, len(pool)), replace=False)] if sample else []
    here = current_fingerprint(device="cpu", threads=THREADS).digest()
    cells = []
    for i in sorted(int(i) for i in picks):
        rec = records[i]
        cell = Cell(Target(rec["target"]["metric"], int(rec["target"]["epoch"])), rec["predictor"], int(rec["size"]), int(rec["seed"]))
        new = fit_and_score(benchmark, rec["dataset"], cell, sizes=sorted({int(rec["size"]), int(rec["split_size"])}), test_size=rec["test_size"])
        mode = "exact" if rec["numerics"] == here else "band"
        cells.append(_compare(rec, new, mode, board, records))
    return BoardReport(str(folder), problems, cells)


def report_json(report: BoardReport) -> str:
    """The report as JSON text."""
    from dataclasses import asdict

    return json.dumps({"board": report.board, "ok": report.ok, "problems": report.problems,
                       "cells": [asdict(c) for c in report.cells]}, indent=1, sort_keys=True)


__all__ = ["BoardReport", "CellCheck", "report_json", "results_files", "verify_board"]
