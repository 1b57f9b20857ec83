"""Checks of one run that need no re-run: the incumbent rule, full length, and the record of own compute.

* **Incumbent rule.** After each evaluation the incumbent is the evaluation
  with the highest selection value at the highest fidelity evaluated so far
  (earliest on ties), exactly as :func:`nasbench_suite.harness.simulator.simulate`
  picks it; a record whose ``incumbent`` column was chosen otherwise (e.g. by
  test accuracy) is rejected.
* **Full length.** A run ends when its budget is spent or for a reason the
  harness writes into its notes: an evaluation budget of N means N
  evaluations unless the strategy said it had nothing left to propose
  (``strategy exhausted after N proposals``); on a clock budget with one
  worker the next proposal must not have fitted in what was left (less than
  one evaluation's cost plus the own compute charged with it).
* **Own compute.** A strategy that computes on its own (``take_search_cost``)
  records ``search_costs``, one per proposal (evaluations, plus the proposal
  that did not fit on a clock budget); non-negative and finite. Whether the
  amounts are honest is checked by re-measuring them
  (:func:`cost_problems`) and by :func:`cost_outliers` across a file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

#: re-measured own compute may exceed the recorded amount by at most this factor (CPUs differ in speed)
COST_TOLERANCE = 3.0
#: CPU seconds below which a measurement is noise
_NOISE = 0.01
_EXHAUSTED = re.compile(r"^strategy exhausted after (\d+) proposals")
_MAX_EVALS = re.compile(r"^stopped after (\d+) evaluations before the time budget was spent")


def has_own_compute(strategy_cls: Any) -> bool:
    """Whether a strategy class computes on its own and is charged for it on a seconds clock."""
    return callable(getattr(strategy_cls, "take_search_cost", None))


def incumbent_problem(rec: dict[str, Any]) -> str | None:
    """The first evaluation whose recorded incumbent is not the one the rule picks (None: all agree)."""
    traj = rec["trajectory"]
    col = "valid" if rec["selection_metric"] == "valid_acc" else "test"
    inc, inc_epoch, inc_value = None, -1, -math.inf
    for i, (epoch, value) in enumerate(zip(traj["epoch"], traj[col])):
        if value is not None and (epoch > inc_epoch or (epoch == inc_epoch and value > inc_value)):
            inc, inc_epoch, inc_value = i, epoch, value
        if traj["incumbent"][i] != inc:
            return (f"evaluation {i + 1}: incumbent is evaluation {_one_based(traj['incumbent'][i])}, the rule (highest "
                    f"{rec['selection_metric']} at the highest fidelity so far) picks evaluation {_one_based(inc)}")
    return None


def _one_based(i: Any) -> Any:
    return i + 1 if isinstance(i, int) else i


def length_problem(rec: dict[str, Any], *, max_cost: float) -> str | None:
    """Why a successful run looks cut short (None: it used its budget or stopped for a recorded reason).

    ``max_cost`` bounds what one evaluation can cost on the run's clock (the
    table's largest cost of training to the target epoch).
    """
    if rec["status"] != "ok":
        return None
    traj = rec["trajectory"]
    n = len(traj["eval"])
    notes = rec.get("notes") or []
    for note in notes:
        m = _EXHAUSTED.match(note)
        if m and rec["workers"] == 1 and int(m.group(1)) != n:
            return f"the notes say the strategy stopped after {m.group(1)} proposals, but the run has {n} evaluations"
    stopped = any(_EXHAUSTED.match(x) or _MAX_EVALS.match(x) for x in notes)
    kind, limit = rec["budget"]["kind"], rec["budget"]["value"]
    if kind == "evals":
        if n > limit:
            return f"{n} evaluations, more than the budget of {limit}"
        if n < limit and not stopped:
            return f"{n} evaluations of a budget of {limit} and no recorded reason to stop early (truncated?)"
        return None
    if n and traj["time"][-1] > limit * (1 + 1e-9):
        return f"the last evaluation finishes at {traj['time'][-1]}, after the budget of {limit} {kind}"
    if stopped or rec["workers"] != 1:
        return None
    searched = rec.get("search_costs") or []
    pending = float(searched[n]) if len(searched) > n else 0.0
    left = limit - (traj["time"][-1] if n else 0.0)
    if left >= max_cost + pending + 1e-9:
        return (f"{left:.6g} {kind} of the budget are left after the last evaluation, more than the costliest "
                f"evaluation ({max_cost:.6g}) plus its own compute ({pending:.6g}), and no recorded reason to stop "
                f"(truncated?)")
    return None


def search_costs_problem(rec: dict[str, Any], *, charged: bool) -> str | None:
    """Whether ``search_costs`` is there exactly when the strategy's own compute is charged, one per proposal."""
    costs = rec.get("search_costs")
    if not charged:
        return None if costs is None else "search_costs are recorded for a strategy whose own compute is not charged"
    if costs is None:
        return "search_costs are missing: the strategy computes on its own and its CPU seconds are charged to the clock"
    if not isinstance(costs, list) or any(isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c) or c < 0
                                          for c in costs):
        return "search_costs must be a list of CPU seconds >= 0"
    n = len(rec["trajectory"]["eval"])
    extra = rec["budget"]["kind"] != "evals" and rec["workers"] == 1
    if rec["status"] == "ok" and not (len(costs) == n or (extra and len(costs) == n + 1)):
        return f"{len(costs)} search_costs for {n} evaluations (expected one per proposal)"
    return None


def cost_outliers(totals: dict[tuple[str, int], float]) -> dict[tuple[str, int], str]:
    """Runs of one strategy whose recorded own compute is far below the strategy's median in the file."""
    by: dict[str, list[float]] = {}
    for (name, _), total in totals.items():
        by.setdefault(name, []).append(total)
    out = {}
    for key, total in totals.items():
        values = sorted(by[key[0]])
        median = values[len(values) // 2]
        if median > 0 and total * COST_TOLERANCE < median:
            out[key] = (f"search_costs sum to {total:.6g} CPU seconds, under 1/{COST_TOLERANCE:g} of this strategy's median "
                        f"({median:.6g}) in the file")
    return out


def cost_problems(recorded: Sequence[float], measured: Sequence[float]) -> str | None:
    """Recorded own compute against a re-measurement of the same run (None: within :data:`COST_TOLERANCE`)."""
    rec_total, meas_total = float(sum(recorded)), float(sum(measured))
    for i, (r, m) in enumerate(zip(recorded, measured)):
        if m > _NOISE and r * COST_TOLERANCE < m:
            return (f"proposal {i + 1}: search_costs records {r:.6g} CPU seconds, re-measured {m:.6g} "
                    f"(more than {COST_TOLERANCE:g}x: own compute under-reported)")
    if meas_total > _NOISE and rec_total * COST_TOLERANCE < meas_total:
        return (f"search_costs sum to {rec_total:.6g} CPU seconds, re-measured {meas_total:.6g} "
                f"(more than {COST_TOLERANCE:g}x: own compute under-reported)")
    return None


__all__ = ["COST_TOLERANCE", "cost_outliers", "cost_problems", "has_own_compute", "incumbent_problem", "length_problem",
           "search_costs_problem"]
