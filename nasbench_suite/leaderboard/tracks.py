"""Tracks: what a board's runs must have been, fixed before anyone submits.

A :class:`Track` fixes the benchmark (name and content digest), dataset,
target epoch, budget, worker count and the seed set. Every strategy on a
track's board MUST hold exactly the track's seeds -- no more (no picking the
best runs of many seeds), no fewer, none twice. The standard tracks of
docs/PROTOCOL.md are :data:`STANDARD_TRACKS`; a board folder that is not one
of them states its own in ``track.json`` (written by the first
``nasbench leaderboard submit --seeds ...`` to it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError

TRACK_FILE = "track.json"


class TrackError(NasBenchError, ValueError):
    """A track definition that cannot be used (unreadable ``track.json``, unknown name, bad seeds)."""


def format_seeds(seeds: Iterable[int]) -> str:
    """``[0, 1, 2, 5, 7, 8]`` as ``"0-2,5,7-8"`` (the syntax ``--seeds`` reads)."""
    out: list[str] = []
    values = sorted(set(seeds))
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        out.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ",".join(out)


@dataclass(frozen=True)
class Track:
    """One track of the protocol: the settings and seeds every run on its board must have."""

    name: str
    benchmark: str
    #: the benchmark's content digest (``sha256:...``); None: any store of that name
    checksum: str | None
    dataset: str
    epoch: int
    budget_kind: str
    budget_value: float
    workers: int
    seeds: tuple[int, ...]
    #: a multi-objective track's objectives (``"metric:direction"``, in order); None: single-objective
    objectives: tuple[str, ...] | None = None
    #: measured-cost files the benchmark must have attached, ``((name, content checksum), ...)``; None: none checked
    cost_files: tuple[tuple[str, str], ...] | None = None

    def __post_init__(self) -> None:
        if not self.seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in self.seeds):
            raise TrackError(f"track {self.name!r}: seeds must be a non-empty list of ints >= 0, got {self.seeds!r:.200}")
        if len(set(self.seeds)) != len(self.seeds):
            raise TrackError(f"track {self.name!r}: seeds must be distinct, got {self.seeds!r:.200}")

    # ------------------------------------------------------------- (de)serializing
    def to_dict(self) -> dict[str, Any]:
        """The track as ``track.json`` holds it."""
        out: dict[str, Any] = {"name": self.name, "benchmark": {"name": self.benchmark, "checksum": self.checksum},
                               "dataset": self.dataset, "epoch": self.epoch,
                               "budget": {"kind": self.budget_kind, "value": self.budget_value},
                               "workers": self.workers, "seeds": format_seeds(self.seeds)}
        if self.objectives is not None:
            out["objectives"] = ",".join(self.objectives)
        if self.cost_files is not None:
            out["benchmark"]["cost_files"] = dict(self.cost_files)
        return out

    @classmethod
    def from_dict(cls, data: Any, *, where: str = "track") -> Track:
        """The inverse of :meth:`to_dict`; a malformed definition raises :class:`TrackError` naming ``where``."""
        from nasbench_suite.harness.sweep import parse_seeds

        try:
            objectives = data.get("objectives")
            files = data["benchmark"].get("cost_files")
            return cls(str(data["name"]), str(data["benchmark"]["name"]), data["benchmark"].get("checksum"),
                       str(data["dataset"]), int(data["epoch"]), str(data["budget"]["kind"]),
                       float(data["budget"]["value"]), int(data["workers"]), parse_seeds(str(data["seeds"])),
                       None if objectives is None else tuple(str(objectives).split(",")),
                       None if files is None else tuple(sorted((str(k), str(v)) for k, v in dict(files).items())))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise TrackError(f"{where}: not a track definition ({type(exc).__name__}: {exc}); expected keys name, "
                             f"benchmark.name, benchmark.checksum, dataset, epoch, budget.kind, budget.value, workers, "
                             f"seeds (like \"0-99\")") from None

    @classmethod
    def for_record(cls, record: dict[str, Any], seeds: Sequence[int], *, name: str = "custom") -> Track:
        """A track with a results record's settings and the given seeds."""
        files = record["benchmark"].get("cost_files")
        return cls(name, record["benchmark"]["name"], record["benchmark"]["checksum"], record["dataset"], int(record["epoch"]),
                   record["budget"]["kind"], float(record["budget"]["value"]), int(record["workers"]), tuple(sorted(seeds)),
                   _objectives(record), None if not files else tuple(sorted(files.items())))

    # ------------------------------------------------------------------- checking
    def setting_problems(self, record: dict[str, Any]) -> list[str]:
        """How a record's settings differ from the track's (empty when it belongs)."""
        have = {"benchmark": record["benchmark"]["name"], "dataset": record["dataset"], "epoch": record["epoch"],
                "budget": (record["budget"]["kind"], float(record["budget"]["value"])), "workers": record["workers"]}
        want = {"benchmark": self.benchmark, "dataset": self.dataset, "epoch": self.epoch,
                "budget": (self.budget_kind, self.budget_value), "workers": self.workers}
        have["objectives"], want["objectives"] = _objectives(record), self.objectives
        out = [f"{k} is {have[k]!r}, track {self.name!r} fixes {want[k]!r}" for k in want if have[k] != want[k]]
        if self.checksum is not None and record["benchmark"]["checksum"] != self.checksum:
            out.append(f"the runs name a store with content digest {record['benchmark']['checksum']}, "
                       f"track {self.name!r} is on {self.checksum}")
        files = tuple(sorted((record["benchmark"].get("cost_files") or {}).items()))
        if self.cost_files is not None and files != self.cost_files:
            out.append(f"the runs name measured-cost files with content digest {dict(files) or 'none'}, "
                       f"track {self.name!r} is on {dict(self.cost_files)}")
        return out

    def matches(self, record: dict[str, Any]) -> bool:
        """Whether a record's benchmark name, dataset, epoch, budget, workers and objectives are the track's."""
        return not [p for p in self.setting_problems(record) if "content digest" not in p]

    def seed_problems(self, seeds_by_strategy: dict[str, list[int]]) -> dict[str, str]:
        """Per strategy, how its seeds differ from the track's (strategies that hold exactly them are absent)."""
        want = set(self.seeds)
        out: dict[str, str] = {}
        for name, seeds in sorted(seeds_by_strategy.items()):
            have = set(seeds)
            parts = []
            if len(have) != len(seeds):
                parts.append("some seeds twice")
            if have - want:
                parts.append(f"seeds {format_seeds(have - want)} are not on the track")
            if want - have:
                parts.append(f"seeds {format_seeds(want - have)} are missing")
            if parts:
                out[name] = (f"{len(seeds)} run(s) with {'; '.join(parts)}: track {self.name!r} requires exactly seeds "
                             f"{format_seeds(want)} for every strategy")
        return out


def _objectives(record: dict[str, Any]) -> tuple[str, ...] | None:
    """A record's objectives as ``"metric:direction"`` strings (None: a single-objective run)."""
    objs = record.get("objectives")
    return tuple(f"{o['metric']}:{o['direction']}" for o in objs) if objs else None


#: the standard tracks of docs/PROTOCOL.md, keyed by board folder (relative to the repository root)
STANDARD_TRACKS: dict[str, Track] = {
    t.name: t
    for t in (
        Track("nb201-digits/digits-hard-evals200", "nb201-digits",
              "sha256:fe7d835e54369e376b1cbaf39ae327c0d7f727ce67d80487d59e0f8da7954230",
              "digits-hard", 12, "evals", 200.0, 1, tuple(range(100))),
        Track("nb201-digits/digits-hard-time", "nb201-digits",
              "sha256:fe7d835e54369e376b1cbaf39ae327c0d7f727ce67d80487d59e0f8da7954230",
              "digits-hard", 12, "seconds", 480.0, 1, tuple(range(100))),
        Track("nb201-digits/digits-hard-time-4w", "nb201-digits",
              "sha256:fe7d835e54369e376b1cbaf39ae327c0d7f727ce67d80487d59e0f8da7954230",
              "digits-hard", 12, "seconds", 480.0, 4, tuple(range(20))),
        Track("nb201-digits/mo-params-evals200", "nb201-digits",
              "sha256:fe7d835e54369e376b1cbaf39ae327c0d7f727ce67d80487d59e0f8da7954230",
              "digits-hard", 12, "evals", 200.0, 1, tuple(range(20)), ("valid_acc:max", "params:min")),
        # latency measured beside the table (datasets/nb201-digits.costs/latency.h5), fixed by its content checksum
        Track("nb201-digits/mo-latency-evals200", "nb201-digits+latency",
              "sha256:fe7d835e54369e376b1cbaf39ae327c0d7f727ce67d80487d59e0f8da7954230",
              "digits-hard", 12, "evals", 200.0, 1, tuple(range(20)), ("valid_acc:max", "latency_b1_t1:min"),
              (("latency", "sha256:2026b2f1597059dc811c6075327c26590731ea8d1b9a70080357c1bab0653958"),)),
        # the surrogate benchmark of the sampled NAS-Bench-101 table (surrogates/nb101-digits-surrogate), by its checksum
        Track("nb101-digits-surrogate/digits-hard-evals200", "nb101-digits-surrogate",
              "02d4d0a8e1dd724b9def254934a398c1b9cc26c1cee02a5bf023a8258002cf1b",
              "digits-hard", 12, "evals", 200.0, 1, tuple(range(20))),
        # the same with its runtime model's clock: predicted training seconds per epoch
        Track("nb101-digits-surrogate/digits-hard-time", "nb101-digits-surrogate",
              "02d4d0a8e1dd724b9def254934a398c1b9cc26c1cee02a5bf023a8258002cf1b",
              "digits-hard", 12, "seconds", 480.0, 1, tuple(range(20))),
        Track("nb201-reference/cifar10-evals300", "nb201-reference",
              "sha256:5d2d41f1e332a94f36c7aa05c9f87ffc007f1a2977731b6dd89211de1d1f2d5e",
              "cifar10", 12, "evals", 300.0, 1, tuple(range(100))),
        Track("nb201-reference/cifar100-evals300", "nb201-reference",
              "sha256:5d2d41f1e332a94f36c7aa05c9f87ffc007f1a2977731b6dd89211de1d1f2d5e",
              "cifar100", 12, "evals", 300.0, 1, tuple(range(100))),
    )
}


def standard_track_for(record: dict[str, Any]) -> Track | None:
    """The standard track whose settings a results record has, if any."""
    return next((t for t in STANDARD_TRACKS.values() if t.matches(record)), None)


def get_track(name: str) -> Track:
    """A standard track by name (its board folder, e.g. ``nb201-digits/digits-hard-time``)."""
    from nasbench_suite.errors import UnknownNameError

    if name not in STANDARD_TRACKS:
        raise UnknownNameError("track", name, STANDARD_TRACKS)
    return STANDARD_TRACKS[name]


def read_track_file(board_dir: str | Path) -> Track | None:
    """The track a board folder states in ``track.json`` (None when it has none)."""
    path = Path(board_dir) / TRACK_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrackError(f"{path}: cannot read the track definition: {exc}") from None
    return Track.from_dict(data, where=str(path))


def board_track(board_dir: str | Path) -> Track | None:
    """A board folder's track: its ``track.json``, else the standard track of its ``leaderboard.json``; None: neither."""
    board_dir = Path(board_dir)
    stated = read_track_file(board_dir)
    if stated is not None:
        return stated
    lb = board_dir / "leaderboard.json"
    if not lb.is_file():
        return None
    try:
        board = json.loads(lb.read_text(encoding="utf-8"))
        probe = {"benchmark": board["benchmark"], "dataset": board["dataset"], "epoch": board["epoch"],
                 "budget": board["budget"], "workers": board["workers"], "objectives": board.get("objectives")}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise TrackError(f"{lb}: cannot read the board's settings: {exc}") from None
    return standard_track_for(probe)


__all__ = ["STANDARD_TRACKS", "TRACK_FILE", "Track", "TrackError", "board_track", "format_seeds", "get_track",
           "read_track_file", "standard_track_for"]
