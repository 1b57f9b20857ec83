"""Where sweep tasks execute: this process, a local process pool, or a Ray cluster.

Every engine runs :func:`nasbench_suite.harness.runner.run_task` and yields
``(key, line)`` pairs in completion order; the sweep orders the file, so the
engine never changes the output bytes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.harness.runner import Task, run_task

ENGINES: tuple[str, ...] = ("local", "ray")


@contextmanager
def _progress(total: int, enabled: bool, label: str) -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not enabled or total == 0, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda key: bar.update(task, advance=1, description=f"{label} [dim]{key[0]} seed {key[1]}[/]")


def check_engine(engine: str, jobs: int) -> None:
    """Refuse an unknown engine or a job count that is not an int >= 1."""
    if engine not in ENGINES:
        raise UnknownNameError("engine", engine, ENGINES)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")


def run_tasks(
    tasks: Sequence[Task],
    *,
    jobs: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    progress: bool = True,
) -> Iterator[tuple[tuple[str, int], str]]:
    """Execute ``tasks``; yield ``(key, results line)`` as each completes."""
    check_engine(engine, jobs)
    label = f"{engine} x{jobs}"
    with _progress(len(tasks), progress, label) as advance:
        if engine == "ray":
            results = _ray(tasks, jobs, ray_address)
        elif jobs == 1 or len(tasks) <= 1:
            results = (run_task(t) for t in tasks)
        else:
            results = _pool(tasks, jobs)
        for key, line in results:
            advance(key)
            yield key, line


def _pool(tasks: Sequence[Task], jobs: int) -> Iterator[tuple[tuple[str, int], str]]:
    from nasbench_suite._workers import die_with_parent, watch_args

    ctx = multiprocessing.get_context("spawn")  # no inherited locks or threads; same start on every OS
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                             initializer=die_with_parent, initargs=watch_args()) as pool:  # no orphans after kill -9
        pending = {pool.submit(run_task, t) for t in tasks}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(finished, key=lambda f: f.result()[0]):
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()


def _ray(tasks: Sequence[Task], jobs: int, address: str | None) -> Iterator[tuple[tuple[str, int], str]]:
    import ray

    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = jobs
        ray.init(**kwargs)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=0)(run_task)
        pending = [remote.remote(t) for t in tasks]
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield ray.get(ref)
    finally:
        if started:
            ray.shutdown()
