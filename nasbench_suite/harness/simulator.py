"""The simulated clock: one search run of one strategy against a :class:`Lookup`.

``W`` asynchronous workers share an event queue (a heap keyed by finish time,
then start order). At time 0 each worker asks the strategy for a proposal;
whenever an evaluation finishes, the harness records it, updates the
incumbent, tells the strategy, and the freed worker asks for the next one.
Nothing here is random: the same strategy seed gives the same run.

The incumbent is the evaluation with the highest selection value at the
highest fidelity evaluated so far (earliest on ties): a low-fidelity result
never displaces a full-budget one.

Continuing an architecture that this run already trained to a lower epoch
costs only the extra epochs (the checkpoint is kept); any other evaluation,
including a repeat at the same epoch, trains from scratch.

A strategy that computes on its own (``take_search_cost``, see
:class:`~nasbench_suite.strategies.base.Strategy`) has that compute charged
to the worker that asked, before the evaluation starts: the clock is then
the table's recorded training time plus the strategy's measured CPU time.
The measured amounts are kept per proposal (:attr:`RunOutcome.search_costs`);
a re-run given them (``search_costs=``) charges the recorded amounts instead
of its own measurements, so it reproduces the run exactly when the strategy
proposes the same architectures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from heapq import heappop, heappush
from typing import Any

from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import EvalRow, Lookup
from nasbench_suite.harness.objective_lookup import ObjectiveLookup
from nasbench_suite.strategies.base import Observation, Proposal, SearchExhausted, Strategy

OK, FAILED = "ok", "failed"
#: a time-budgeted run stops after this many evaluations whatever the clock says (zero-cost tables)
MAX_EVALS = 1_000_000
_new = tuple.__new__


class InvalidProposalError(ValueError):
    """A strategy's ``ask`` returned something that is not a valid Proposal for this run."""


@dataclass
class RunOutcome:
    """Everything one run produced: the evaluations in finishing order and how the run ended."""

    #: per finished evaluation: (finish time, EvalRow, cost charged, incumbent index or -1)
    records: list[tuple[float, EvalRow, float, int]] = field(default_factory=list)
    status: str = OK
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    #: per proposal, in ask order, the strategy's own compute charged with it; None: the strategy has none
    search_costs: list[float] | None = None
    #: per proposal, the own compute this run measured (equal to :attr:`search_costs` unless they were replayed)
    measured_costs: list[float] | None = None
    #: a multi-objective run's objectives (``metric``, ``report`` names, in order); None: single-objective
    objective_names: tuple[tuple[str, str], ...] | None = None
    #: per finished evaluation of a multi-objective run: (selection vector, reported vector)
    objective_values: list[tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records)

    def incumbent_test(self) -> list[float]:
        """After each evaluation, the test metric of the incumbent at the target epoch (NaN: none yet)."""
        recs = self.records
        return [recs[i][1].final_test if i >= 0 else math.nan for _, _, _, i in recs]

    def incumbent_value(self) -> list[float]:
        """After each evaluation, the incumbent's selection value (NaN: none yet)."""
        recs = self.records
        return [recs[i][1].value if i >= 0 else math.nan for _, _, _, i in recs]

    def columns(self) -> dict[str, list[Any]]:
        """The trajectory as named columns (one entry per finished evaluation)."""
        recs = self.records
        return {
            "eval": list(range(1, len(recs) + 1)),
            "time": [r[0] for r in recs],
            "arch": [r[1].arch_str for r in recs],
            "epoch": [r[1].epoch for r in recs],
            "valid": [r[1].valid for r in recs],
            "test": [r[1].test for r in recs],
            "cost": [r[2] for r in recs],
            "incumbent": [r[3] if r[3] >= 0 else None for r in recs],
            "incumbent_test": self.incumbent_test(),
            **self.objective_columns(),
        }

    def objective_columns(self) -> dict[str, list[float]]:
        """A multi-objective run's columns: ``objective:<metric>`` (at the evaluated epoch) and ``report:<report>``
        (its reported counterpart at the target epoch) per objective; empty for a single-objective run."""
        if self.objective_names is None:
            return {}
        out: dict[str, list[float]] = {}
        for j, (metric, report) in enumerate(self.objective_names):
            out[f"objective:{metric}"] = [v[0][j] for v in self.objective_values]
            out[f"report:{report}"] = [v[1][j] for v in self.objective_values]
        return out


def simulate(
    strategy: Strategy,
    lookup: Lookup,
    budget: Budget,
    *,
    workers: int = 1,
    search_costs: Sequence[float] | None = None,
    objectives: ObjectiveLookup | None = None,
) -> RunOutcome:
    """Run ``strategy`` against ``lookup`` until ``budget`` is spent.

    With ``objectives`` (a multi-objective run) every evaluation's objective
    vectors are recorded and the strategy is told the selection vector in
    :attr:`Observation.objectives`; the incumbent stays the single-objective one.

    ``search_costs`` replays the strategy's own compute recorded by an earlier
    run (per proposal, in ask order) instead of charging what this run
    measures; proposals beyond the list are charged as measured. A strategy
    that raises, returns something other than a :class:`Proposal`,
    or proposes an architecture or epoch outside the run's space and
    fidelities ends the run with ``status == "failed"`` and the reason in
    ``error``; the evaluations finished before are kept.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    budget.check_unit(lookup.clock_unit)
    out = RunOutcome()
    records = out.records
    mo_values = objectives.values if objectives is not None else None
    if objectives is not None:
        out.objective_names = tuple((o.metric, o.report) for o in objectives.objectives)
    mo_records = out.objective_values
    by_evals = budget.kind == "evals"
    limit = budget.value
    max_starts = limit if by_evals else MAX_EVALS
    cache_get = lookup._cache.get  # the hot path: one dict lookup per evaluation
    miss = lookup._miss
    get = lookup.get
    ask, tell = strategy.ask, strategy.tell
    take_search_cost = getattr(strategy, "take_search_cost", None)
    charges: list[float] = []
    if take_search_cost is not None:
        if lookup.clock_unit != "seconds":
            out.notes.append(f"the strategy's own compute is not charged: the clock counts {lookup.clock_unit}s, not seconds")
            take_search_cost = None
        else:
            out.search_costs = charges
            out.measured_costs = []
    replay = list(search_costs) if search_costs is not None else []
    track = len(lookup.fidelities) > 1  # continuations are only possible with several fidelities
    heap: list[tuple[float, int, Proposal, EvalRow, float]] = []
    trained: dict[Any, int] = {}
    now = 0.0
    started = 0
    free = workers
    can_start = True
    inc, inc_epoch, inc_value = -1, -1, -math.inf
    phase = "ask"
    try:
        while True:
            while free and can_start:
                phase = "ask"
                try:
                    prop = ask()
                except SearchExhausted as exc:
                    can_start = False
                    out.notes.append(f"strategy exhausted after {started} proposals: {exc}")
                    break
                phase = "proposal"
                if not isinstance(prop, Proposal):
                    raise InvalidProposalError(f"ask() returned {prop!r:.200}; expected a Proposal")
                row = cache_get((prop.arch, prop.epoch)) or miss(prop.arch, prop.epoch)
                cost = row.cum_cost
                if track:
                    prev = trained.get(row.arch)
                    if prev is not None and prev < row.epoch:
                        cost -= get(row.arch, prev).cum_cost
                searched = 0.0
                if take_search_cost is not None:
                    # charged as the results file records it (12 significant digits), so a replay adds the same numbers
                    measured = float(f"{float(take_search_cost()):.12g}")
                    out.measured_costs.append(measured)
                    searched = float(replay[len(charges)]) if len(charges) < len(replay) else measured
                    charges.append(searched)
                heappush(heap, (now + searched + cost, started, prop, row, cost))
                started += 1
                free -= 1
                if started >= max_starts:
                    can_start = False
            if not heap:
                break
            finish, _, prop, row, cost = heappop(heap)
            if not by_evals and finish > limit:
                break
            now = finish
            free += 1
            if not by_evals and now >= limit:
                can_start = False
            v = row.value
            e = row.epoch
            if v == v and (e > inc_epoch or (e == inc_epoch and v > inc_value)):
                inc, inc_epoch, inc_value = len(records), e, v
            records.append((finish, row, cost, inc))
            if track and trained.get(row.arch, 0) < e:
                trained[row.arch] = e
            selected = None
            if mo_values is not None:
                vectors = mo_values(row)
                mo_records.append(vectors)
                selected = vectors[0]
            phase = "tell"
            tell(prop, _new(Observation, (row.arch, e, v, cost, selected)))
        if not by_evals and started >= MAX_EVALS:
            out.notes.append(f"stopped after {MAX_EVALS} evaluations before the time budget was spent")
    except Exception as exc:  # a misbehaving strategy fails its run, not the sweep
        out.status = FAILED
        where = {"ask": "ask() raised", "tell": "tell() raised", "proposal": "invalid proposal"}[phase]
        out.error = f"{where} {type(exc).__name__}: {exc}"
    return out
