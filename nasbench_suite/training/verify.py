"""Retrain sampled entries of a generated table and compare them with the stored numbers.

The table's recorded protocol says how every entry was trained, and its
provenance records the numerics fingerprint the jobs ran under
(:mod:`nasbench_suite.numerics`). Two comparison modes:

``exact``
    every number must be reproduced bit for bit. Promised where this
    machine's fingerprint (taken with the table's thread count) equals the
    table's, on the CPU.
``band``
    a number must lie within the table's own seed-to-seed band: per epoch
    and metric, the 99.9th percentile of the absolute difference between two
    seeds of the same architecture.

``auto`` (the default) picks ``exact`` where the fingerprints agree and
``band`` otherwise: a fingerprint that differs, a table that records none, or
a GPU on either side. The report says which mode and why. The wall-clock
numbers (``train_time``, ``latency``) are reported but never compared;
``params`` and ``flops`` must always match exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.numerics import (
    FieldDifference,
    NumericsFingerprint,
    NumericsFormatError,
    current_fingerprint,
    diff_fingerprints,
    numerics_context,
)

__all__ = [
    "MODES",
    "ArchCheck",
    "ModeDecision",
    "NotGeneratedError",
    "VerifyReport",
    "choose_mode",
    "recorded_fingerprint",
    "seed_band",
    "verify_table",
]

#: metrics never compared: wall-clock measurements
TIMING = ("train_time", "latency")

#: comparison modes of :func:`verify_table`
MODES = ("auto", "exact", "band")


class NotGeneratedError(NasBenchError, ValueError):
    """A table without a training protocol (imported), which cannot be retrained."""


@dataclass
class ArchCheck:
    """The comparison of one architecture and seed: the worst deviation and every disagreement."""

    arch: str
    trained_as: str
    seed: int
    compared: int = 0
    max_deviation: float = 0.0
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every compared number agreed."""
        return not self.mismatches


@dataclass
class VerifyReport:
    """Everything ``verify`` found, ready for a table or JSON."""

    benchmark: str
    dataset: str
    decision: ModeDecision
    checks: list[ArchCheck]
    #: the table's ``machine`` provenance (information only: a CPU brand string is not an identity of the numerics)
    recorded_machine: dict[str, Any] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        """``"exact"`` or ``"band"``."""
        return self.decision.mode

    @property
    def exact(self) -> bool:
        """Whether every number had to match bit for bit."""
        return self.decision.mode == "exact"

    @property
    def reason(self) -> str:
        """Why this mode was used."""
        return self.decision.reason

    @property
    def ok(self) -> bool:
        """Whether every architecture agreed."""
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form, with both numerics fingerprints and their differences."""
        return {
            "benchmark": self.benchmark,
            "dataset": self.dataset,
            "mode": self.mode,
            "exact": self.exact,
            "reason": self.reason,
            "ok": self.ok,
            "numerics": {**self.decision.to_dict(), "recorded_machine": self.recorded_machine},
            "checks": [{**asdict(c), "ok": c.ok} for c in self.checks],
        }


def seed_band(curves: np.ndarray, *, quantile: float = 0.999) -> np.ndarray:
    """Tolerance ``[epoch, metric]``: the ``quantile`` of |seed a - seed b| over architectures and seed pairs.

    NaN where fewer than two seeds are held (no band can be measured).
    """
    n_seeds = curves.shape[1]
    if n_seeds < 2:
        return np.full(curves.shape[2:], np.nan)
    diffs = [np.abs(curves[:, a] - curves[:, b]) for a, b in itertools.combinations(range(n_seeds), 2)]
    return np.nanquantile(np.concatenate(diffs), quantile, axis=0)


@dataclass(frozen=True)
class ModeDecision:
    """Which comparison mode a verification uses, why, and the fingerprints it was decided from."""

    mode: str
    requested: str
    reason: str
    here: NumericsFingerprint
    recorded: NumericsFingerprint | None
    differences: tuple[FieldDifference, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form: both fingerprints (with digests) and their differences."""
        return {
            "mode": self.mode,
            "requested": self.requested,
            "reason": self.reason,
            "recorded": None if self.recorded is None else {**self.recorded.to_dict(), "digest": self.recorded.digest()},
            "here": {**self.here.to_dict(), "digest": self.here.digest()},
            "differences": [{**d.to_dict(), "text": str(d)} for d in self.differences],
        }


def recorded_fingerprint(bench: Any) -> tuple[NumericsFingerprint | None, str]:
    """The numerics fingerprint a table records, or ``None`` and why there is none."""
    provenance = getattr(bench, "provenance", None) or {}
    data = provenance.get("numerics")
    if data is None:
        return None, str(provenance.get("numerics_note") or "the table records no numerics fingerprint")
    try:
        return NumericsFingerprint.from_dict(data), ""
    except NumericsFormatError as exc:
        return None, f"the table's numerics fingerprint cannot be read ({exc})"


def choose_mode(
    recorded: NumericsFingerprint | None, here: NumericsFingerprint, *, requested: str = "auto", missing: str = ""
) -> ModeDecision:
    """Decide the comparison mode: ``requested`` unless ``"auto"``, which is exact only where the fingerprints agree.

    ``missing`` says why ``recorded`` is ``None``.
    """
    if requested not in MODES:
        raise ValueError(f"verify mode must be one of {', '.join(MODES)}, got {requested!r}")
    differences = () if recorded is None else diff_fingerprints(recorded, here)
    gpu = [f"{side} on {fp.device_name}" for side, fp in (("trained", recorded), ("retrained", here)) if fp and fp.on_gpu]
    if recorded is None:
        why = missing or "the table records no numerics fingerprint"
    elif gpu:
        why = f"{' and '.join(gpu)}: GPU kernels are not bit-stable"
    elif differences:
        why = "the numerics differ from the table's (" + "; ".join(map(str, differences)) + ")"
    else:
        why = f"this machine's numerics fingerprint equals the table's ({here.digest()[:19]})"
    agree = recorded is not None and not gpu and not differences
    if requested == "auto":
        mode = "exact" if agree else "band"
        tail = "exact comparison" if agree else "compared within the table's seed-to-seed band"
        return ModeDecision(mode, requested, f"{why}: {tail}", here, recorded, differences)
    note = "the fingerprints agree" if agree else why
    return ModeDecision(requested, requested, f"{requested} comparison requested; {note}", here, recorded, differences)


def verify_table(
    bench: Any,
    *,
    sample: int,
    seed: int = 0,
    device: str = "cpu",
    data_root: str | None = None,
    mode: str = "auto",
) -> VerifyReport:
    """Retrain ``sample`` architectures (drawn with ``seed``) for every stored seed they hold and compare.

    ``mode`` is ``"auto"`` (exact where this machine's numerics fingerprint
    equals the table's, else within the seed-to-seed band), ``"exact"`` or
    ``"band"``. Retraining runs with the recorded thread count and
    deterministic algorithms, and this machine's fingerprint is taken under
    those settings.
    """
    from nasbench_suite.benchmark import METRICS
    from nasbench_suite.spaces import get_space
    from nasbench_suite.spaces.base import isomorphism_rows
    from nasbench_suite.training import trainer

    if not bench.protocol or "dataset" not in bench.protocol:
        raise NotGeneratedError(f"benchmark {bench.name!r} records no training protocol: it was imported, not generated")
    if sample < 1:
        raise ValueError(f"sample must be a positive number of architectures, got {sample}")
    if mode not in MODES:
        raise ValueError(f"verify mode must be one of {', '.join(MODES)}, got {mode!r}")
    protocol = trainer.TrainProtocol.from_dict(bench.protocol)
    dataset = protocol.dataset
    recorded, missing = recorded_fingerprint(bench)
    threads = recorded.threads if recorded is not None else protocol.threads
    curves = bench.curves(dataset)
    metrics = list(bench.metric_names(dataset)) if hasattr(bench, "metric_names") else list(METRICS)
    band = seed_band(curves)
    costs = bench.costs(dataset)
    seeds = bench.seeds(dataset)
    epochs = bench.epochs(dataset)
    rows = np.sort(np.random.default_rng(seed).choice(len(bench.archs), size=min(sample, len(bench.archs)), replace=False))
    # the full space (a table's own search_space may hold only the table's rows)
    space_name = getattr(bench, "space_name", None) or bench.search_space.name
    space = get_space(space_name)
    # generation trained each class's first member in table order (smallest index, or first drawn)
    first, cls_of = isomorphism_rows(space, bench.archs)
    checks: list[ArchCheck] = []
    with numerics_context(threads=threads):
        decision = choose_mode(recorded, current_fingerprint(device=device), requested=mode, missing=missing)
        exact = decision.mode == "exact"
        for row in rows:
            arch = bench.archs[row]
            rep = bench.archs[first[cls_of[row]]]
            for s_pos, s in enumerate(seeds):
                if np.isnan(curves[row, s_pos]).all():
                    continue  # not trained with this seed (a seed held for a subset of the table)
                record = trainer.train_architecture(rep, protocol, seed=int(s), space=space_name, device=device,
                                                    data_root=data_root)
                check = ArchCheck(arch=arch, trained_as=rep, seed=int(s))
                for e_pos, epoch in enumerate(epochs):
                    for m_pos, metric in enumerate(metrics):
                        if metric in TIMING or metric not in METRICS:
                            continue
                        stored = float(curves[row, s_pos, e_pos, m_pos])
                        got = float(record.curves[epoch - 1, METRICS.index(metric)])
                        _compare(check, f"{metric}@{epoch}", stored, got, 0.0 if exact else float(band[e_pos, m_pos]))
                for name, got in (("params", record.params), ("flops", record.flops)):
                    _compare(check, name, float(costs[name][row]), float(got), 0.0)
                checks.append(check)
    machine = (getattr(bench, "provenance", None) or {}).get("machine")
    return VerifyReport(bench.name, dataset, decision, checks, dict(machine) if isinstance(machine, dict) else {})


def _compare(check: ArchCheck, what: str, stored: float, got: float, tolerance: float) -> None:
    check.compared += 1
    if np.isnan(stored) and np.isnan(got):
        return
    deviation = abs(stored - got)
    check.max_deviation = max(check.max_deviation, deviation if np.isfinite(deviation) else np.inf)
    if not deviation <= tolerance:  # NaN tolerance (one seed held) or NaN values fail
        check.mismatches.append({"value": what, "stored": stored, "retrained": got, "tolerance": tolerance})

