"""Retrain sampled entries of a generated table and compare them with the stored numbers.

The table's recorded protocol says how every entry was trained. On the same
machine class (CPU model, torch version, thread count, CPU device) retraining
must reproduce every number bit for bit; elsewhere a number must lie within
the table's own seed-to-seed band: per epoch and metric, the 99.9th percentile
of the absolute difference between two seeds of the same architecture. The
wall-clock numbers (``train_time``, ``latency``) are reported but never
compared; ``params`` and ``flops`` must always match exactly.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError

__all__ = ["ArchCheck", "VerifyReport", "seed_band", "verify_table"]

#: metrics never compared: wall-clock measurements
TIMING = ("train_time", "latency")


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
    exact: bool
    reason: str
    checks: list[ArchCheck]

    @property
    def ok(self) -> bool:
        """Whether every architecture agreed."""
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serializable form."""
        return {
            "benchmark": self.benchmark,
            "dataset": self.dataset,
            "exact": self.exact,
            "reason": self.reason,
            "ok": self.ok,
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


def _same_machine(bench: Any, device: str) -> tuple[bool, str]:
    from nasbench_suite.training.generate import machine_info

    recorded = bench.provenance.get("machine", {})
    threads = int(bench.protocol.get("threads", 1))
    here = machine_info(threads=threads)
    if device != "cpu" or bench.provenance.get("device", "cpu") != "cpu":
        return False, "trained or retrained on a GPU: compared within the seed-to-seed band"
    differs = [k for k in ("cpu", "torch", "threads") if recorded.get(k) != here.get(k)]
    if differs:
        detail = ", ".join(f"{k}: recorded {recorded.get(k)!r}, here {here.get(k)!r}" for k in differs)
        return False, f"different machine class ({detail}): compared within the seed-to-seed band"
    return True, f"same machine class ({here['cpu']}, torch {here['torch']}, {threads} thread(s)): exact comparison"


def verify_table(
    bench: Any,
    *,
    sample: int,
    seed: int = 0,
    device: str = "cpu",
    data_root: str | None = None,
    exact: bool | None = None,
) -> VerifyReport:
    """Retrain ``sample`` architectures (drawn with ``seed``) for every stored seed and compare.

    ``exact=None`` decides from the recorded machine class; ``True``/``False`` force the mode.
    """
    import torch

    from nasbench_suite.benchmark import METRICS
    from nasbench_suite.spaces import get_space
    from nasbench_suite.training.generate import isomorphism_classes
    from nasbench_suite.training.trainer import TrainProtocol, train_architecture

    if not bench.protocol or "dataset" not in bench.protocol:
        raise NotGeneratedError(f"benchmark {bench.name!r} records no training protocol: it was imported, not generated")
    if sample < 1:
        raise ValueError(f"sample must be a positive number of architectures, got {sample}")
    protocol = TrainProtocol.from_dict(bench.protocol)
    dataset = protocol.dataset
    same, reason = _same_machine(bench, device)
    exact = same if exact is None else exact
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
    reps = {space.parse(c.arch).canonical_key(): c.arch for c in isomorphism_classes(space_name)}
    checks: list[ArchCheck] = []
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(protocol.threads)
    try:
        for row in rows:
            arch = bench.archs[row]
            rep = reps[space.parse(arch).canonical_key()]
            for s_pos, s in enumerate(seeds):
                record = train_architecture(rep, protocol, seed=int(s), device=device, data_root=data_root)
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
    finally:
        torch.set_num_threads(previous_threads)
    return VerifyReport(bench.name, dataset, exact, reason, checks)


def _compare(check: ArchCheck, what: str, stored: float, got: float, tolerance: float) -> None:
    check.compared += 1
    if np.isnan(stored) and np.isnan(got):
        return
    deviation = abs(stored - got)
    check.max_deviation = max(check.max_deviation, deviation if np.isfinite(deviation) else np.inf)
    if not deviation <= tolerance:  # NaN tolerance (one seed held) or NaN values fail
        check.mismatches.append({"value": what, "stored": stored, "retrained": got, "tolerance": tolerance})

