"""Run generation jobs on a local pool of single-threaded worker processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from nasbench_suite._workers import watch_args
from nasbench_suite.training.jobs import JobSpec, run_job
from nasbench_suite.training.journal import JobResult

__all__ = ["run_local"]


def _init_worker(threads: int, parent: int, kernel: bool) -> None:
    from nasbench_suite._workers import die_with_parent

    die_with_parent(parent, kernel)  # the generating process died: do not linger as an orphan
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process
        pass


def run_local(specs: Sequence[JobSpec], *, workers: int = 1, threads: int = 1, **_: object) -> Iterator[JobResult]:
    """Yield the results of ``specs`` as they finish, on ``workers`` spawned processes of ``threads`` threads."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if not specs:
        return
    ctx = multiprocessing.get_context("spawn")
    pending = list(reversed(specs))
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(threads, *watch_args())
    ) as pool:
        running: set[Future[JobResult]] = set()
        try:
            while pending or running:
                while pending and len(running) < 2 * workers:
                    running.add(pool.submit(run_job, pending.pop()))
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
