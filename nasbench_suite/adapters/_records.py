"""Results records of runs whose loop another library drives: its evaluations in, a normal record out.

Syne Tune, SMAC and NePS run their own optimization loops; they do not ask a
strategy of this suite what to evaluate. Their adapters log each evaluation
(architecture, epoch, and where the library keeps a clock, the simulated
time it finished) and hand the log to :func:`record_from_evaluations`, which
applies the harness' rules to it (:mod:`nasbench_suite.harness.simulator`):
metrics and costs from the run's :class:`~nasbench_suite.harness.lookup.Lookup`,
the budget (evaluations, or simulated time: later finishes are dropped), the
incumbent rule (highest selection value at the highest fidelity evaluated,
earliest on ties) and the results format. The record is then read, compared
and put on boards exactly like a ``nasbench run`` record.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup
from nasbench_suite.harness.results import make_record
from nasbench_suite.harness.simulator import FAILED, OK, RunOutcome

__all__ = ["Evaluation", "outcome_from_evaluations", "record_from_evaluations"]


@dataclass(frozen=True)
class Evaluation:
    """One evaluation an external optimizer made.

    Attributes
    ----------
    arch : Any
        The architecture (any form the space parses, e.g. its canonical string).
    epoch : int
        The fidelity evaluated, one of the run's fidelities.
    time : float or None
        When it finished on the optimizer's simulated clock; ``None``: the
        optimizer evaluates one at a time, so it finished when the previous one
        did plus its cost.
    cost : float or None
        Clock units the optimizer was charged for it; ``None``: the harness'
        rule (continuing an architecture this run trained to a lower epoch costs
        the extra epochs, anything else trains from scratch).
    """

    arch: Any
    epoch: int
    time: float | None = None
    cost: float | None = None


def outcome_from_evaluations(lookup: Lookup, evaluations: Sequence[Evaluation], budget: Budget) -> RunOutcome:
    """The :class:`RunOutcome` of ``evaluations`` (in finishing order) under ``budget`` and the harness' rules.

    An evaluation the lookup cannot answer (an architecture outside the space
    or table, an epoch that is not a fidelity) ends the outcome with status
    ``"failed"``, keeping the evaluations before it.
    """
    budget.check_unit(lookup.clock_unit)
    out = RunOutcome()
    trained: dict[Any, int] = {}
    now = 0.0
    inc, inc_epoch, inc_value = -1, -1, -math.inf
    by_evals = budget.kind == "evals"
    for n, ev in enumerate(evaluations):
        if by_evals and n >= budget.value:
            break
        try:
            row = lookup.get(lookup.space.parse(ev.arch), int(ev.epoch))
        except (ValueError, LookupError) as exc:
            out.status = FAILED
            out.error = f"evaluation {n + 1} ({ev.arch!r:.100} at epoch {ev.epoch!r}) is not answerable: {exc}"
            break
        if ev.cost is not None:
            cost = float(ev.cost)
        else:
            cost = row.cum_cost
            prev = trained.get(row.arch)
            if prev is not None and prev < row.epoch:
                cost -= lookup.get(row.arch, prev).cum_cost
        finish = float(ev.time) if ev.time is not None else now + cost
        if not by_evals and finish > budget.value:
            break
        now = max(now, finish)
        v, e = row.value, row.epoch
        if v == v and (e > inc_epoch or (e == inc_epoch and v > inc_value)):
            inc, inc_epoch, inc_value = len(out.records), e, v
        out.records.append((finish, row, cost, inc))
        if trained.get(row.arch, 0) < e:
            trained[row.arch] = e
    return out


def record_from_evaluations(benchmark: Any, lookup: Lookup, evaluations: Sequence[Evaluation], *, strategy: str,
                            params: dict[str, Any], seed: int, budget: Budget, workers: int = 1,
                            notes: Sequence[str] = (), error: str | None = None) -> dict[str, Any]:
    """The results record of an external optimizer's run (see the module docstring).

    ``error`` (the optimizer raised) makes it a failed run that keeps the
    evaluations logged before; ``notes`` are added to the record's notes.
    """
    outcome = outcome_from_evaluations(lookup, evaluations, budget)
    if error is not None and outcome.status == OK:
        outcome.status, outcome.error = FAILED, error
    outcome.notes.extend(notes)
    return make_record(benchmark=benchmark, lookup=lookup, strategy=strategy, params=params, seed=seed,
                       budget=budget, workers=workers, outcome=outcome)
