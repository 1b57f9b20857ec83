"""Which runs of a results file verification re-runs, and running them.

Strategies whose runs are a pure function of the table and the seed (random
search, evolution, local search, Hyperband, ... : everything that only
queries the table and re-runs in well under a second) are **re-run in full**:
every run. Runs of *expensive* strategies -- those that compute on their own
and are charged for it (one-shot ``ws-*``, ``zc-re``: seconds to minutes of
supernet training or proxy scoring per run) and the slow model-based ones in
:data:`SAMPLED_MODEL_BASED` (a neural-ensemble or GP fit per proposal: 1-2 s
per run, three quarters of a full re-run of a reference board) -- are re-run in an
**unpredictable sample**: at least :data:`MIN_SAMPLE` runs per file and at
least one per expensive strategy, drawn with a generator seeded by the
sha256 of the file's text and a nonce the submitter does not choose
(:func:`new_nonce`, drawn from the OS at verification time and printed in the
report, so ``verify --nonce`` reproduces a verification). Failed runs are
always re-run: a failure drops a seed from a board's tests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.runner import Task
from nasbench_suite.strategies import STRATEGIES, get_strategy
from nasbench_suite.strategies.base import recorded_params

#: fewest expensive runs re-run per file (when it holds that many)
MIN_SAMPLE = 5
#: model-based strategies sampled like the ones with own compute, because their re-runs are slow; measured
#: per run on one core (300 evaluations, reference table): bananas 1.8 s, gp-bo 1.9 s, smac 0.47 s, tpe 0.45 s;
#: mobster 2-4 s (480 simulated seconds, 4 workers, nb201-digits: about 4,000 evaluations, a GP fit per new result
#: at the modelled rung)
SAMPLED_MODEL_BASED = frozenset({"bananas", "gp-bo", "mobster"})


def new_nonce() -> str:
    """A fresh nonce from the operating system's randomness (32 hex digits)."""
    return os.urandom(16).hex()


def is_expensive(name: str, strategy_cls: Any) -> bool:
    """Whether a strategy's runs are sampled rather than all re-run."""
    from nasbench_suite.leaderboard.rules import has_own_compute

    return name in SAMPLED_MODEL_BASED or has_own_compute(strategy_cls)


@dataclass(frozen=True)
class RerunPlan:
    """The indices (into the file's runs) to re-run, and why."""

    #: every run of these strategies
    full: tuple[str, ...]
    #: strategies sampled, with how many of their runs were drawn
    sampled: dict[str, int]
    indices: tuple[int, ...]
    nonce: str
    #: the sha256 of the file's text the draw was seeded with
    file_sha256: str


def plan_reruns(
    runs: Sequence[tuple[str, int, str]],
    *,
    expensive: set[str],
    text: str,
    nonce: str,
    sample: int = MIN_SAMPLE,
    full: bool = False,
) -> RerunPlan:
    """Choose the runs to re-run among ``runs`` (``(strategy, seed, status)`` in file order).

    ``sample`` is how many expensive runs to draw (raised to
    :data:`MIN_SAMPLE`, and to one per expensive strategy); ``full`` re-runs
    every run.
    """
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ValueError(f"sample must be an int >= 0, got {sample!r}")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    names = sorted({name for name, _, _ in runs})
    cheap = tuple(n for n in names if full or n not in expensive)
    chosen = {i for i, (name, _, status) in enumerate(runs) if name in cheap or status != "ok"}
    pools = {n: [i for i, (name, _, _) in enumerate(runs) if name == n and i not in chosen] for n in names if n not in cheap}
    pools = {n: p for n, p in pools.items() if p}
    quota = dict.fromkeys(pools, 0)
    want = min(max(sample, MIN_SAMPLE, len(pools)), sum(len(p) for p in pools.values()))
    while sum(quota.values()) < want:  # round-robin: one per strategy first, then spread evenly
        for n in sorted(pools):
            if sum(quota.values()) < want and quota[n] < len(pools[n]):
                quota[n] += 1
    seed = int.from_bytes(hashlib.sha256(f"{digest}:{nonce}".encode()).digest()[:8], "big")
    rng = np.random.default_rng(seed)
    for n in sorted(pools):
        if quota[n]:
            chosen.update(int(i) for i in rng.choice(pools[n], size=quota[n], replace=False))
    return RerunPlan(cheap, {n: q for n, q in quota.items() if q}, tuple(sorted(chosen)), nonce, digest)


def objectives_of(rec: dict[str, Any]) -> tuple[str, ...] | None:
    """A multi-objective record's objectives as ``"metric:direction"`` strings (``None``: single-objective)."""
    objs = rec.get("objectives")
    if not isinstance(objs, list):
        return None
    return tuple(f"{o['metric']}:{o['direction']}" for o in objs)


def task_for(rec: dict[str, Any], ref: str) -> Task:
    """The harness task that re-runs a record, replaying its measured own compute and its recorded decisions."""
    budget = Budget(rec["budget"]["kind"], rec["budget"]["value"])
    replay = tuple(rec["search_costs"]) if "search_costs" in rec else None  # measured: replayed, and re-measured alongside
    decisions = rec["decisions"] if isinstance(rec.get("decisions"), dict) else None  # decided: replayed, recomputed apart
    name = rec["strategy"]["name"]
    params = dict(rec["strategy"]["params"])
    if name in STRATEGIES:  # an unknown name fails in the re-run, with the registry's message
        params = recorded_params(get_strategy(name), params)
    return Task(ref, rec["dataset"], rec["epoch"], budget, rec["workers"], name, rec["seed"],
                params, search_costs=replay, decisions=decisions, objectives=objectives_of(rec))


def execute(tasks: Sequence[Task], *, jobs: int) -> Iterator[tuple[int, str | Exception]]:
    """Run ``tasks`` (``jobs`` processes; 1: in this process); yield (task index, results line or the exception).

    Pass the slowest tasks first: the pool then ends with short ones and keeps every process busy.
    """
    from nasbench_suite.harness.runner import run_task

    if jobs <= 1 or len(tasks) <= 1:
        for i, t in enumerate(tasks):
            try:
                yield i, run_task(t)[1]
            except Exception as exc:  # an unknown strategy or a setting the harness refuses
                yield i, exc
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from nasbench_suite._workers import die_with_parent, watch_args

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                             initializer=die_with_parent, initargs=watch_args()) as pool:
        futures = [pool.submit(run_task, t) for t in tasks]
        for i, fut in enumerate(futures):
            try:
                yield i, fut.result()[1]
            except Exception as exc:
                yield i, exc


def default_jobs() -> int:
    """Processes for re-runs: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["MIN_SAMPLE", "SAMPLED_MODEL_BASED", "RerunPlan", "default_jobs", "execute", "is_expensive", "new_nonce",
           "plan_reruns", "task_for"]
