"""A simulated clock for optimizers with an ask/tell interface, evaluating through the objective API.

SMAC and NePS can be driven by hand: ask for a configuration (and a fidelity),
evaluate it, tell the result. :func:`drive` does that on the harness' clock
(:mod:`nasbench_suite.harness.simulator`): ``W`` simulated workers each ask
as soon as they are free; an evaluation costs what the objective API says
it costs to train from scratch to the fidelity (``bench.objective(...).cost``),
less the epochs this run already trained the same architecture to (the
checkpoint is kept, as in the harness); the earliest finish is told first.
The log of evaluations then goes through
:func:`~nasbench_suite.adapters._records.record_from_evaluations` to become a
results record.

Nothing here is random and no real time is measured: the same optimizer seed
gives the same run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Any

from nasbench_suite.adapters._configs import ConfigMapper
from nasbench_suite.adapters._records import Evaluation
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup

__all__ = ["Asked", "Told", "drive", "fidelity_at_least"]

#: a time-budgeted run stops starting evaluations after this many, whatever the clock says (zero-cost tables)
MAX_STARTS = 1_000_000


@dataclass(frozen=True)
class Asked:
    """What an optimizer asked for: a configuration, the epoch to evaluate, and its own handle on the trial."""

    config: dict[str, Any]
    epoch: int
    tag: Any = None


@dataclass(frozen=True)
class Told:
    """What an optimizer is told about one of its trials.

    ``value`` is the run's selection metric (``valid_acc``, or ``test_acc``
    where the dataset measures no validation metric) at ``epoch``, in percent,
    to be maximized; ``cost`` the clock units charged for it.
    """

    asked: Asked
    arch: str
    epoch: int
    value: float
    cost: float
    finish: float


def fidelity_at_least(fidelities: tuple[int, ...], budget: float | None) -> int:
    """The lowest of ``fidelities`` (ascending) that is at least ``budget``; ``None`` is the highest.

    Multi-fidelity optimizers ask for real-valued budgets (Hyperband's
    ``12 / 9 = 1.33`` epochs); the run evaluates the next held epoch, so it
    never trains less than asked.

    Examples
    --------
    >>> fidelity_at_least((1, 4, 12), 1.33), fidelity_at_least((1, 4, 12), 4.0), fidelity_at_least((1, 4, 12), None)
    (4, 4, 12)
    """
    if budget is None:
        return fidelities[-1]
    b = float(budget)
    if not math.isfinite(b) or b > fidelities[-1] * (1 + 1e-9):
        raise ValueError(f"fidelity {budget!r} is above the run's highest fidelity {fidelities[-1]}; held: {list(fidelities)}")
    return next(e for e in fidelities if e >= b * (1 - 1e-9))


def drive(benchmark: Any, lookup: Lookup, mapper: ConfigMapper, ask: Callable[[], Asked],
          tell: Callable[[Told], None], *, budget: Budget, workers: int = 1) -> tuple[list[Evaluation], str | None]:
    """Run an ask/tell optimizer on the simulated clock until ``budget`` is spent.

    Parameters
    ----------
    benchmark : Benchmark
        A table or surrogate; evaluations go through ``benchmark.objective``.
    lookup : Lookup
        The run's rules (dataset, fidelities, selection metric, clock unit).
    mapper : ConfigMapper
        Configurations -> the architectures the run evaluates.
    ask, tell : callable
        The optimizer's side: ``ask()`` returns an :class:`Asked`, ``tell(told)``
        takes the result of one of them (in finishing order).
    budget : Budget
        Evaluations started, or simulated clock units (no evaluation starts once
        the clock has reached it; later finishes are dropped by the record).
    workers : int
        Simulated asynchronous workers.

    Returns
    -------
    (evaluations, error)
        The evaluations in finishing order (each with its finish time and the
        cost charged) and, where the optimizer raised, why (the run then ends,
        keeping what finished before).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    budget.check_unit(lookup.clock_unit)
    by_evals = budget.kind == "evals"
    max_starts = int(budget.value) if by_evals else MAX_STARTS
    dataset = lookup.dataset
    selection = lookup.selection_metric
    heap: list[tuple[float, int, Told]] = []
    trained: dict[str, int] = {}  # arch -> highest epoch this run finished training it to
    evaluations: list[Evaluation] = []
    now, started, free = 0.0, 0, workers
    phase = "ask"
    try:
        while True:
            while free and started < max_starts and (by_evals or now < budget.value):
                phase = "ask"
                asked = ask()
                phase = "evaluate"
                arch = mapper.arch(asked.config)
                config = mapper.config(arch)
                res = benchmark.objective(config, dataset=dataset, fidelity=int(asked.epoch))
                cost = res.cost
                prev = trained.get(res.arch)
                if prev is not None and prev < res.epoch:
                    cost -= benchmark.objective(config, dataset=dataset, fidelity=prev).cost
                value = res.valid if selection == "valid_acc" else res.test
                told = Told(asked=asked, arch=res.arch, epoch=res.epoch, value=value, cost=cost, finish=now + cost)
                heappush(heap, (told.finish, started, told))
                started += 1
                free -= 1
            if not heap:
                break
            finish, _, told = heappop(heap)
            if not by_evals and finish > budget.value:
                break
            now = finish
            free += 1
            evaluations.append(Evaluation(told.arch, told.epoch, time=finish, cost=told.cost))
            if trained.get(told.arch, 0) < told.epoch:
                trained[told.arch] = told.epoch
            phase = "tell"
            tell(told)
    except Exception as exc:  # an optimizer that fails fails its run, keeping what it evaluated
        where = {"ask": "ask raised", "tell": "tell raised", "evaluate": "evaluating its configuration raised"}[phase]
        return evaluations, f"{where} {type(exc).__name__}: {exc}"
    return evaluations, None
