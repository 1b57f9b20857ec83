"""One search run, end to end: strategy + benchmark + budget -> results record.

:func:`run_search` is the library entry point; :func:`run_task` is what the
sweep engines execute in worker processes (it opens each benchmark once per
process and caches its :class:`Lookup`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup
from nasbench_suite.harness.objective_lookup import ObjectiveLookup
from nasbench_suite.harness.results import dumps, make_record, rounded
from nasbench_suite.harness.simulator import FAILED, RunOutcome, simulate
from nasbench_suite.strategies import SearchContext, get_strategy


def run_search(
    benchmark: Any,
    dataset: str,
    strategy: str,
    *,
    seed: int,
    budget: Budget,
    epoch: int | None = None,
    workers: int = 1,
    params: dict[str, Any] | None = None,
    lookup: Lookup | None = None,
    search_costs: Sequence[float] | None = None,
    decisions: dict[str, Any] | None = None,
    objectives: str | Sequence[Any] | ObjectiveLookup | None = None,
) -> dict[str, Any]:
    """Run ``strategy`` (a registry name) with ``seed`` on ``benchmark``'s ``dataset``; return its record.

    ``objectives`` (e.g. ``"valid_acc:max,params:min"``, or an
    :class:`~nasbench_suite.harness.objective_lookup.ObjectiveLookup`) makes
    it a multi-objective run: the strategy is told every objective and the
    record holds them per evaluation (see :mod:`nasbench_suite.harness.results`).

    ``search_costs`` replays a recorded run's own-compute charges (its
    record's ``search_costs``) instead of this run's measurements; see
    :func:`~nasbench_suite.harness.simulator.simulate`. The record of such a
    replay also holds ``measured_search_costs``, what this run measured.
    ``decisions`` (a record's ``decisions``) feeds the strategy what its own
    compute decided in that run instead of computing it, so with both the run
    is replayed exactly on any machine (see :mod:`nasbench_suite.strategies._decisions`).

    Construction errors and misbehaving strategies give a record with
    ``status == "failed"`` and the reason; invalid settings (unknown dataset,
    epoch not held, budget unit the clock cannot count) raise.

    Examples
    --------
    >>> import nasbench_suite as nbs  # doctest: +SKIP
    >>> rec = run_search(nbs.load("nb201-digits"), "digits-hard", "re", seed=0, budget=Budget.evals(100))  # doctest: +SKIP
    >>> rec["final"]["test"]  # doctest: +SKIP
    """
    lookup = lookup if lookup is not None else Lookup(benchmark, dataset, epoch=epoch)
    budget.check_unit(lookup.clock_unit)
    mo = objectives if isinstance(objectives, ObjectiveLookup) or objectives is None else ObjectiveLookup(lookup, objectives)
    cls = get_strategy(strategy)
    requested = dict(params or {})
    context = SearchContext(lookup.space, lookup.fidelities, dataset=lookup.dataset,
                            objectives=mo.objectives if mo is not None else ())
    try:
        instance = cls(context, seed=seed, **requested)
        used = instance.params()
        dumps(used)  # params must be JSON-serializable: fail the run, not the sweep
        if decisions is not None:
            instance.replay_decisions(decisions)
    except Exception as exc:
        outcome = RunOutcome(status=FAILED, error=f"strategy construction raised {type(exc).__name__}: {exc}")
        return make_record(benchmark=benchmark, lookup=lookup, strategy=strategy, params=jsonable_params(requested),
                           seed=seed, budget=budget, workers=workers, outcome=outcome, objectives=mo)
    outcome = simulate(instance, lookup, budget, workers=workers, search_costs=search_costs, objectives=mo)
    decided = instance.decisions() if hasattr(instance, "decisions") else None
    record = make_record(benchmark=benchmark, lookup=lookup, strategy=strategy, params=used, seed=seed,
                         budget=budget, workers=workers, outcome=outcome, decisions=decided,
                         numerics=numerics_record() if cls.own_numerics else None, objectives=mo)
    if search_costs is not None and outcome.measured_costs is not None:
        # a replay (verification) also reports what this machine measured, to compare with the record
        record["measured_search_costs"] = rounded(outcome.measured_costs)
    return record


def numerics_record() -> dict[str, Any]:
    """The numerics fingerprint of this process (see :mod:`nasbench_suite.numerics`), as recorded with a run.

    Taken with one thread: the strategies' own torch compute runs on one
    (one-shot search, proxy scoring and the surrogate ensembles set it), and
    the harness limits the BLAS pools to one (:func:`run_task`).
    """
    from nasbench_suite.numerics import current_fingerprint

    return current_fingerprint(device="cpu", threads=1).to_dict()


def jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` if JSON-serializable, else each value's ``repr`` (for the record of a run that failed to start)."""
    try:
        dumps(params)
        return params
    except (TypeError, ValueError):
        return {k: repr(v) for k, v in params.items()}


@dataclass(frozen=True)
class Task:
    """One (strategy, seed) run of a sweep, as shipped to a worker process."""

    benchmark: str  # a name the catalog knows, or an absolute path
    dataset: str
    epoch: int | None
    budget: Budget
    workers: int
    strategy: str
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    #: recorded own-compute charges to replay (a re-run that checks a record); None: measure
    search_costs: tuple[float, ...] | None = None
    #: recorded own-compute decisions to replay instead of computing them; None: compute
    decisions: dict[str, Any] | None = None
    #: a multi-objective run's objectives as ``"metric:direction"`` strings; None: single-objective
    objectives: tuple[str, ...] | None = None

    @property
    def key(self) -> tuple[str, int]:
        """(strategy, seed): the run's identity within a results file."""
        return (self.strategy, self.seed)


_BENCHMARKS: dict[str, Any] = {}
_LOOKUPS: dict[tuple[str, str, int | None], Lookup] = {}
_OBJECTIVES: dict[tuple[str, str, int | None, tuple[str, ...]], ObjectiveLookup] = {}


def open_cached(ref: str) -> Any:
    """The benchmark named or stored at ``ref``, opened once per process."""
    bench = _BENCHMARKS.get(ref)
    if bench is None:
        from nasbench_suite.catalog import resolve

        bench = _BENCHMARKS[ref] = resolve(ref)
    return bench


def lookup_cached(ref: str, dataset: str, epoch: int | None) -> Lookup:
    """The :class:`Lookup` of one benchmark dataset, built once per process."""
    key = (ref, dataset, epoch)
    lookup = _LOOKUPS.get(key)
    if lookup is None:
        lookup = _LOOKUPS[key] = Lookup(open_cached(ref), dataset, epoch=epoch)
    return lookup


def run_task(task: Task) -> tuple[tuple[str, int], str]:
    """Execute one sweep task with single-threaded numerics; return its key and results line.

    Every engine runs tasks through here with the same thread limits (BLAS
    and OpenMP pools at one thread; torch models set their own), so a line's
    bytes do not depend on the engine or the number of jobs.
    """
    from threadpoolctl import threadpool_limits

    lookup = lookup_cached(task.benchmark, task.dataset, task.epoch)
    mo = None
    if task.objectives is not None:
        key = (task.benchmark, task.dataset, task.epoch, tuple(task.objectives))
        mo = _OBJECTIVES.get(key)
        if mo is None:
            mo = _OBJECTIVES[key] = ObjectiveLookup(lookup, task.objectives)
    with threadpool_limits(limits=1):
        record = run_search(lookup.benchmark, task.dataset, task.strategy, seed=task.seed, budget=task.budget,
                            workers=task.workers, params=task.params, lookup=lookup,
                            search_costs=task.search_costs, decisions=task.decisions, objectives=mo)
    return task.key, dumps(record)
