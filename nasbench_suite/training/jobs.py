"""One generation job: train a class representative with one seed, in the current process."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from nasbench_suite.training.journal import JobResult

__all__ = ["JobSpec", "run_job"]


@dataclass(frozen=True)
class JobSpec:
    """What a worker needs to train one (class, seed) job; plain data, cheap to send."""

    cls: int
    seed: int
    arch: str
    protocol: dict[str, Any]
    device: str = "cpu"
    data_root: str | None = None
    #: costs are measured once per class, by the job of its first seed
    measure_costs: bool = True
    #: the search space ``arch`` belongs to (its builder makes the network)
    space: str = "nb201"


def run_job(spec: JobSpec) -> JobResult:
    """Train ``spec.arch`` with ``spec.seed`` under ``spec.protocol`` and return its numbers."""
    from nasbench_suite.training.trainer import TrainProtocol, train_architecture

    protocol = TrainProtocol.from_dict(spec.protocol)
    start = time.perf_counter()
    record = train_architecture(
        spec.arch, protocol, seed=spec.seed, space=spec.space, device=spec.device, data_root=spec.data_root,
        measure_costs=spec.measure_costs,
    )
    return JobResult(
        cls=spec.cls,
        seed=spec.seed,
        arch=spec.arch,
        curves=record.curves,
        params=record.params,
        flops=record.flops,
        latency=record.latency,
        seconds=time.perf_counter() - start,
        worker=f"{socket.gethostname()}:{os.getpid()}",
    )
