"""The resumable record of a table generation: one SQLite row per finished job.

Every finished (class, seed) job is committed at once, so a generation killed
at any moment (``kill -9`` included) loses at most the jobs in flight; rerun
the same command and it continues. The journal stores the generation's
settings (training protocol, search space, seeds) and refuses to continue a
generation with different ones.

Architectures proposed by a search (rather than drawn by the sampler) are
kept in their own table, numbered in the order they were added; the jobs of
proposal ``p`` are journaled under class number ``-(p + 1)``, so they never
collide with the sampled classes, whose positions grow with the sample.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError

__all__ = ["Journal", "JobResult", "Proposal", "ProtocolMismatchError", "proposal_class"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    cls INTEGER NOT NULL, seed INTEGER NOT NULL, arch TEXT NOT NULL,
    curves BLOB NOT NULL, epochs INTEGER NOT NULL,
    params REAL, flops REAL, latency REAL, seconds REAL, worker TEXT, finished REAL,
    PRIMARY KEY (cls, seed)
);
CREATE TABLE IF NOT EXISTS proposals (
    pos INTEGER PRIMARY KEY, arch TEXT NOT NULL UNIQUE, key TEXT NOT NULL UNIQUE,
    strategy TEXT NOT NULL, source TEXT NOT NULL, added REAL NOT NULL
);
"""


class ProtocolMismatchError(NasBenchError, ValueError):
    """A journal or output written under different generation settings than requested."""


@dataclass(frozen=True)
class JobResult:
    """The numbers of one trained (class, seed) job: ``curves[epoch, metric]`` and costs."""

    cls: int
    seed: int
    arch: str
    curves: np.ndarray
    params: float
    flops: float
    latency: float
    seconds: float
    worker: str = ""


@dataclass(frozen=True)
class Proposal:
    """An architecture a search proposed: its string, the strategy, what it searched, and its canonical key."""

    arch: str
    strategy: str
    #: what the strategy searched, e.g. ``"benchmark nb101-pilot-ensemble (checksum 1a2b...)"``
    source: str
    #: the space's ``canonical_key`` of ``arch`` (filled in when the proposal joins a journal)
    key: str = ""


def proposal_class(pos: int) -> int:
    """The class number under which the jobs of proposal ``pos`` are journaled (negative)."""
    return -(int(pos) + 1)


def _real(value: float | None) -> float:
    """A REAL column as a float: SQLite keeps NaN as NULL."""
    return math.nan if value is None else float(value)


def _canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _without_info(fingerprint: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fingerprint.items() if k != "info"}


class Journal:
    """An SQLite file of finished jobs, bound to one set of generation settings."""

    def __init__(self, path: str | Path, settings: dict[str, Any]) -> None:
        self.path = Path(path)
        self.settings = settings
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        row = self._db.execute("SELECT value FROM meta WHERE key='settings'").fetchone()
        wanted = _canonical_json(settings)
        if row is None:
            with self._db:
                self._db.execute("BEGIN")
                self._db.execute("INSERT INTO meta VALUES ('settings', ?)", (wanted,))
                self._db.execute("INSERT INTO meta VALUES ('started', ?)", (repr(time.time()),))
        elif row[0] != wanted:
            stored = json.loads(row[0])
            diff = sorted(k for k in set(stored) | set(settings) if stored.get(k) != settings.get(k))
            self._db.close()
            raise ProtocolMismatchError(
                f"journal {self.path} was written with different generation settings "
                f"(differing: {', '.join(diff)}; recorded {[stored.get(k) for k in diff]}, "
                f"requested {[settings.get(k) for k in diff]}); use another output path or delete the journal"
            )

    def started(self) -> float:
        """Unix time at which the generation first started."""
        row = self._db.execute("SELECT value FROM meta WHERE key='started'").fetchone()
        return float(row[0])

    def record_numerics(self, fingerprint: dict[str, Any] | None) -> list[dict[str, Any] | None]:
        """Add ``fingerprint`` (a numerics fingerprint's dict) to those this generation ran under; all of them.

        ``None`` stands for jobs whose numerics are unknown (run elsewhere, or
        journaled before fingerprints were recorded). A generation resumed
        elsewhere runs under more than one; its table then cannot promise
        bit-exact numbers.
        """
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            recorded = self._numerics()
            if recorded is None:
                recorded = [None] if len(self) else []
            compared = [None if f is None else _without_info(f) for f in recorded]
            if not recorded or (None if fingerprint is None else _without_info(fingerprint)) not in compared:
                recorded.append(fingerprint)
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('numerics', ?)", (_canonical_json(recorded),))
        return recorded

    def numerics(self) -> list[dict[str, Any] | None]:
        """The numerics fingerprints the journaled jobs ran under (see :meth:`record_numerics`)."""
        recorded = self._numerics()
        if recorded is None:
            return [None] if len(self) else []
        return recorded

    def _numerics(self) -> list[dict[str, Any] | None] | None:
        row = self._db.execute("SELECT value FROM meta WHERE key='numerics'").fetchone()
        return None if row is None else list(json.loads(row[0]))

    def record_extended(self, table: str, checksum: str, jobs: int, job_seconds_total: float) -> None:
        """Note that the jobs of ``table`` (its name and checksum) were imported to extend it (see ``training.extend``)."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            held = [e for e in self.extended() if e["checksum"] != checksum]
            seconds = float(job_seconds_total) if math.isfinite(job_seconds_total) else None
            held.append({"table": table, "checksum": checksum, "jobs": int(jobs), "job_seconds_total": seconds})
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('extended', ?)", (_canonical_json(held),))

    def extended(self) -> list[dict[str, Any]]:
        """The tables whose jobs were imported into this journal, in the order imported."""
        row = self._db.execute("SELECT value FROM meta WHERE key='extended'").fetchone()
        return [] if row is None else list(json.loads(row[0]))

    def done(self) -> set[tuple[int, int]]:
        """The (class, seed) pairs already finished."""
        return {(int(c), int(s)) for c, s in self._db.execute("SELECT cls, seed FROM jobs")}

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0])

    def commit(self, result: JobResult) -> None:
        """Record ``result`` durably (a second result for the same job is ignored)."""
        curves = np.ascontiguousarray(result.curves, dtype="<f8")
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR IGNORE INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    result.cls, result.seed, result.arch, curves.tobytes(), curves.shape[0],
                    result.params, result.flops, result.latency, result.seconds, result.worker, time.time(),
                ),
            )

    def results(self) -> Iterator[JobResult]:
        """Every finished job, ordered by class then seed."""
        rows = self._db.execute(
            "SELECT cls, seed, arch, curves, epochs, params, flops, latency, seconds, worker FROM jobs ORDER BY cls, seed"
        )
        for cls, seed, arch, blob, epochs, params, flops, latency, seconds, worker in rows:
            curves = np.frombuffer(blob, dtype="<f8").reshape(int(epochs), -1).copy()
            yield JobResult(int(cls), int(seed), arch, curves, _real(params), _real(flops), _real(latency), _real(seconds),
                            worker or "")

    def add_proposals(self, proposals: list[Proposal]) -> int:
        """Append ``proposals`` whose string and canonical key are new to the journal; how many were added."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            start = int(self._db.execute("SELECT COUNT(*) FROM proposals").fetchone()[0])
            added = 0
            for p in proposals:
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO proposals VALUES (?,?,?,?,?,?)",
                    (start + added, p.arch, p.key, p.strategy, p.source, time.time()),
                )
                added += cur.rowcount
        return added

    def proposals(self) -> list[Proposal]:
        """Every proposed architecture, in the order added (position ``p`` is the list index)."""
        rows = self._db.execute("SELECT arch, key, strategy, source FROM proposals ORDER BY pos")
        return [Proposal(str(a), str(st), str(src), str(k)) for a, k, st, src in rows]

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
