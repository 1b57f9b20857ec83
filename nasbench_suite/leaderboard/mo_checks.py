"""Checks of a multi-objective run against the table: its objectives, every objective column and its front.

A multi-objective board scores a run on the ``report:`` columns of the
evaluations its ``objective:`` columns select, so both must be the table's
numbers, exactly as the harness rounds them. The trajectory hash only shows
that nothing was edited *after* the hash was computed, and a re-run checks a
run only where it is drawn; these checks hold for every run of a file. The
recorded front (``final.front``) must be what the objective vectors give
(:func:`nasbench_suite.multiobjective.front.run_front`), and the record's
``objectives`` (metric, direction, reported metric) what the harness writes
for them.
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.harness.objective_lookup import ObjectiveLookup, check_objectives
from nasbench_suite.harness.results import rounded
from nasbench_suite.multiobjective.front import run_front

__all__ = ["objective_lookup_for", "objectives_problem"]


def objective_lookup_for(lookup: Any, record: dict[str, Any]) -> ObjectiveLookup | None:
    """The :class:`ObjectiveLookup` of a record's objectives on the run's lookup (None: a single-objective record).

    Raises what :func:`~nasbench_suite.harness.objective_lookup.check_objectives`
    raises for objectives the table cannot answer (``ValueError``/``LookupError``)
    and ``ValueError`` for a malformed ``objectives`` entry.
    """
    objs = record.get("objectives")
    if not objs:
        return None
    try:
        text = ",".join(f"{o['metric']}:{o['direction']}" for o in objs)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"objectives {objs!r:.200} are not a list of {{metric, direction, report}} objects: {exc}") from None
    return check_objectives(lookup, text)


def objectives_problem(rec: dict[str, Any], olookup: ObjectiveLookup) -> str | None:
    """How a multi-objective record's objectives, objective columns or front differ from the table (None: they agree)."""
    want = olookup.describe()
    if rec.get("objectives") != want:
        return f"objectives is {rec.get('objectives')!r:.200}, the harness records {want!r:.200} for them"
    traj = rec["trajectory"]
    n = len(traj["eval"])
    columns = [(f"objective:{o.metric}", f"report:{o.report}") for o in olookup.objectives]
    for col in (c for pair in columns for c in pair):
        if not isinstance(traj.get(col), list) or len(traj[col]) != n:
            return f"trajectory column {col!r} is missing or not one value per evaluation ({n})"
    lookup = olookup.lookup
    selection = []
    for i, (arch, epoch) in enumerate(zip(traj["arch"], traj["epoch"])):
        sel, rep = olookup.values(lookup.get(arch, epoch))
        selection.append(sel)
        for j, (sel_col, rep_col) in enumerate(columns):
            for col, want_value in ((sel_col, sel[j]), (rep_col, rep[j])):
                got = traj[col][i]
                if rounded(got) != rounded(want_value):
                    return f"evaluation {i + 1}: {col} is {got!r}, the table says {rounded(want_value)!r}"
    final = rec.get("final")
    if isinstance(final, dict):
        front = run_front(selection, traj["epoch"], lookup.target_epoch, olookup.objectives) if selection else []
        if final.get("front") != front:
            return f"final.front is {final.get('front')!r:.200}, the run's objective vectors give {front!r:.200}"
    return None
