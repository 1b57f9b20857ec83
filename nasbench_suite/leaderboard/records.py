"""Reading results files for a leaderboard: schema checks, provenance and the board's settings.

A leaderboard compares runs made under one setting only. :func:`board_settings`
names the fields that must agree between every run on a board (benchmark
checksum, dataset, target epoch, budget, workers and the rules the harness
applied); :func:`load_results` refuses files that disagree.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError
from nasbench_suite.harness.results import ResultsFormatError, parse_line, read_text

#: record fields that must agree between every run of one leaderboard
BOARD_KEYS: tuple[str, ...] = (
    "benchmark",
    "dataset",
    "epoch",
    "fidelities",
    "budget",
    "workers",
    "selection_metric",
    "test_metric",
    "clock_unit",
    "benchmark_seed",
    "optimum",
    "objectives",
)

#: trajectory columns every record carries, all of one length
TRAJECTORY_COLUMNS: tuple[str, ...] = ("eval", "time", "arch", "epoch", "valid", "test", "cost", "incumbent", "incumbent_test")

_TYPES: dict[str, tuple[type, ...]] = {
    "format_version": (int,),
    "suite_version": (str,),
    "benchmark": (dict,),
    "dataset": (str,),
    "epoch": (int,),
    "fidelities": (list,),
    "strategy": (dict,),
    "seed": (int,),
    "budget": (dict,),
    "workers": (int,),
    "selection_metric": (str,),
    "test_metric": (str,),
    "clock_unit": (str,),
    "status": (str,),
    "warnings": (list,),
    "notes": (list,),
    "trajectory": (dict,),
    "trajectory_sha256": (str,),
}


class BoardMismatchError(NasBenchError, ValueError):
    """Results that cannot share one leaderboard: another benchmark, dataset, budget or rule set."""


class DuplicateRunError(NasBenchError, ValueError):
    """Two different runs of the same strategy, parameters and seed offered to one leaderboard."""


def schema_problems(record: Any) -> list[str]:
    """What is wrong with the shape of one record (an empty list: nothing)."""
    if not isinstance(record, dict):
        return [f"a record must be a JSON object, got {type(record).__name__}"]
    problems = []
    for key, types in _TYPES.items():
        value = record.get(key)
        if key not in record:
            problems.append(f"missing field {key!r}")
        elif not isinstance(value, types) or isinstance(value, bool):
            problems.append(f"field {key!r} must be {' or '.join(t.__name__ for t in types)}, got {value!r:.80}")
    if problems:
        return problems
    for key in ("name", "checksum"):
        if not isinstance(record["benchmark"].get(key), str):
            problems.append(f"benchmark.{key} must be a string")
    if not isinstance(record["strategy"].get("name"), str) or not isinstance(record["strategy"].get("params"), dict):
        problems.append("strategy must be {'name': str, 'params': object}")
    if record["budget"].get("kind") not in ("evals", "seconds", "epochs") or not isinstance(record["budget"].get("value"), (int, float)):
        problems.append(f"budget must be {{'kind': evals|seconds|epochs, 'value': number}}, got {record['budget']!r:.80}")
    if record["status"] not in ("ok", "failed"):
        problems.append(f"status must be 'ok' or 'failed', got {record['status']!r}")
    traj = record["trajectory"]
    missing = [c for c in TRAJECTORY_COLUMNS if not isinstance(traj.get(c), list)]
    if missing:
        problems.append(f"trajectory lacks column(s) {', '.join(missing)}")
    else:
        lengths = {c: len(traj[c]) for c in TRAJECTORY_COLUMNS}
        if len(set(lengths.values())) > 1:
            problems.append(f"trajectory columns differ in length: {lengths}")
        elif traj["eval"] != list(range(1, lengths["eval"] + 1)):
            problems.append("trajectory eval numbers must be 1, 2, ..., n")
        elif "search_costs" in record:
            costs = record["search_costs"]
            if not isinstance(costs, list) or not all(isinstance(c, (int, float)) and not isinstance(c, bool) and c >= 0 for c in costs):
                problems.append(f"search_costs must be a list of seconds >= 0, got {costs!r:.80}")
            elif len(costs) < lengths["eval"]:
                problems.append(f"search_costs has {len(costs)} entries for {lengths['eval']} evaluations (one per proposal)")
    opt = record.get("optimum")
    if opt is not None and not (isinstance(opt, dict) and isinstance(opt.get("value"), (int, float))):
        problems.append(f"optimum must be null or {{'value': number, ...}}, got {opt!r:.80}")
    return problems


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class SourceFile:
    """One results file a leaderboard was built from."""

    path: Path
    sha256: str
    runs: int


@dataclass(frozen=True)
class Loaded:
    """Run records with where each came from (``origin[i]`` is ``(file index, line number)``)."""

    records: list[dict[str, Any]]
    origin: list[tuple[int, int]]
    files: list[SourceFile]
    #: identical runs offered twice (same strategy, params, seed and trajectory hash), kept once
    duplicates: int


def read_records(path: str | os.PathLike[str]) -> list[tuple[int, dict[str, Any]]]:
    """``(line number, record)`` for every line of one results file; schema errors raise."""
    out = []
    text = read_text(path)
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        record = parse_line(line, where=f"{path}:{i}")
        problems = schema_problems(record)
        if problems:
            raise ResultsFormatError(f"{path}:{i}: " + "; ".join(problems))
        out.append((i, record))
    return out


def board_settings(record: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record that every run on the same leaderboard must share."""
    return {k: record.get(k) for k in BOARD_KEYS}


def entry_key(record: dict[str, Any]) -> str:
    """A run's entry on the board: its strategy name and canonical parameters."""
    strategy = record["strategy"]
    return strategy["name"] + json.dumps(strategy["params"], sort_keys=True, separators=(",", ":"))


def load_results(paths: list[str | os.PathLike[str]]) -> Loaded:
    """Every run of ``paths``, checked to belong on one leaderboard.

    Raises
    ------
    BoardMismatchError
        when two runs differ in a :data:`BOARD_KEYS` field (e.g. another
        benchmark checksum or dataset); the message names the field and files.
    DuplicateRunError
        when the same (strategy, parameters, seed) appears with different trajectories.
    """
    if not paths:
        raise ValueError("no results files given")
    records: list[dict[str, Any]] = []
    origin: list[tuple[int, int]] = []
    files: list[SourceFile] = []
    seen: dict[tuple[str, int], tuple[str, int, int]] = {}
    reference: tuple[dict[str, Any], str] | None = None
    duplicates = 0
    for f, path in enumerate(paths):
        path = Path(path)
        rows = read_records(path)
        files.append(SourceFile(path, file_sha256(path), len(rows)))
        for line, rec in rows:
            where = f"{path}:{line}"
            settings = board_settings(rec)
            if reference is None:
                reference = (settings, where)
            elif settings != reference[0]:
                key = next(k for k in BOARD_KEYS if settings[k] != reference[0][k])
                raise BoardMismatchError(
                    f"{where} has {key}={settings[key]!r:.200}, but {reference[1]} has {reference[0][key]!r:.200}: "
                    f"one leaderboard holds runs of one benchmark checksum, dataset, epoch, budget and worker count"
                )
            key2 = (entry_key(rec), int(rec["seed"]))
            prior = seen.get(key2)
            if prior is not None:
                if prior[0] == rec["trajectory_sha256"]:
                    duplicates += 1
                    continue
                first = files[prior[1]].path
                raise DuplicateRunError(
                    f"{where} and {first}:{prior[2]} are different runs of strategy {rec['strategy']['name']!r} "
                    f"with the same parameters and seed {rec['seed']}"
                )
            seen[key2] = (rec["trajectory_sha256"], f, line)
            records.append(rec)
            origin.append((f, line))
    if not records:
        raise ValueError(f"no runs in {', '.join(str(p) for p in paths)}")
    return Loaded(records, origin, files, duplicates)


__all__ = [
    "BOARD_KEYS",
    "BoardMismatchError",
    "DuplicateRunError",
    "Loaded",
    "ResultsFormatError",
    "SourceFile",
    "board_settings",
    "entry_key",
    "file_sha256",
    "load_results",
    "read_records",
    "schema_problems",
]
