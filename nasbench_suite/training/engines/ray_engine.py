"""Run generation jobs as Ray tasks on whatever cluster ``ray.init`` reaches.

Each job is one task asking for one CPU (and one GPU when training on CUDA).
The address comes from the caller (``--ray-address``), else ``RAY_ADDRESS``,
else a local instance with ``workers`` CPUs is started. Results equal the
local engine's: each task runs the same job function single-threaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from nasbench_suite.training.jobs import JobSpec, run_job
from nasbench_suite.training.journal import JobResult

__all__ = ["run_ray"]


def _job_in_task(spec: JobSpec, threads: int) -> JobResult:
    import torch

    torch.set_num_threads(threads)
    return run_job(spec)


def run_ray(
    specs: Sequence[JobSpec],
    *,
    workers: int = 1,
    threads: int = 1,
    device: str = "cpu",
    address: str | None = None,
    **_: Any,
) -> Iterator[JobResult]:
    """Yield the results of ``specs`` as Ray tasks finish (at most ``2 * workers`` in flight locally)."""
    if not specs:
        return
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("the ray engine needs Ray: pip install 'nasbench-suite[ray]'") from exc
    started = False
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS")
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        gpus = 1 if str(device).startswith("cuda") else 0
        task = ray.remote(num_cpus=1, num_gpus=gpus, max_retries=2)(_job_in_task)
        capacity = max(2 * workers, int(ray.cluster_resources().get("CPU", workers)) * 2)
        pending = list(reversed(specs))
        running: list[Any] = []
        while pending or running:
            while pending and len(running) < capacity:
                running.append(task.remote(pending.pop(), threads))
            done, running = ray.wait(running, num_returns=1)
            for ref in done:
                yield ray.get(ref)
    finally:
        if started:
            ray.shutdown()
