"""Quality indicators of multi-objective runs: hypervolume, IGD+ and hypervolume regret (moocore).

Every indicator works in one normalised, all-minimised space fixed per
problem (benchmark dataset, objectives, target epoch), so numbers from
different runs, strategies and machines compare:

* each objective is turned into one to minimise (a maximised one is negated);
* it is scaled linearly so that the best value over the table's complete
  cells (*ideal*) is 0 and the worst (*worst*) is 1 -- on the objectives'
  **reported** metrics at the target epoch (``test_acc`` for ``valid_acc``),
  the numbers a run is scored on;
* the hypervolume reference point is :data:`REFERENCE_OFFSET` = 1.1 in every
  normalised objective: 10% beyond the table's worst value, so that no cell
  of the table lies outside it and extreme points still contribute.

The *true front* is the exact front of those reported values over every
complete cell; hypervolume regret is its hypervolume minus the hypervolume of
a run's reported front (the reported values of the evaluations it selected on
validation), >= 0 and 0 only for a run whose front covers the true one. Over a
run it usually falls, but may rise: a point better on validation can displace
one whose test values covered more (as a single-objective incumbent's test
accuracy can drop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import moocore
import numpy as np

from nasbench_suite.multiobjective.front import run_front, table_values, true_front
from nasbench_suite.multiobjective.objectives import Objective, ObjectiveError, parse_objectives, signs

#: the hypervolume reference point in every normalised objective (1 = the table's worst value)
REFERENCE_OFFSET = 1.1


def hypervolume(points: Any, ref: Sequence[float]) -> float:
    """Hypervolume dominated by ``points`` (``(n, k)``, minimised) and bounded by ``ref``; 0 for no point inside."""
    pts = np.asarray(points, dtype=float).reshape(-1, len(ref))
    pts = pts[np.all(pts < np.asarray(ref, dtype=float), axis=1)]
    if len(pts) == 0:
        return 0.0
    return float(moocore.hypervolume(pts, ref=np.asarray(ref, dtype=float)))


def igd_plus(points: Any, reference_set: Any) -> float:
    """IGD+ (Ishibuchi et al. 2015) of ``points`` against ``reference_set`` (both ``(n, k)``, minimised); inf for no point."""
    pts = np.asarray(reference_set, dtype=float)
    found = np.asarray(points, dtype=float).reshape(-1, pts.shape[1])
    if len(found) == 0:
        return float("inf")
    return float(moocore.igd_plus(found, ref=pts))


@dataclass(frozen=True)
class MOProblem:
    """The fixed normalisation, reference point and true front of one multi-objective problem.

    Build it with :func:`problem_for`; every indicator of a run on that
    problem is computed from it.
    """

    objectives: tuple[Objective, ...]
    #: the metrics the normalisation and the true front are of (the reported ones unless ``reported`` is False)
    metrics: tuple[str, ...]
    epoch: int
    #: best and worst value of each objective over the table's complete cells (own directions)
    ideal: tuple[float, ...]
    worst: tuple[float, ...]
    #: the true front's points in own directions
    front: np.ndarray
    front_archs: tuple[str, ...]
    #: whether runs are scored on their fronts' reported values (test) or on the searched objectives (validation)
    reported: bool = True

    @property
    def ref(self) -> np.ndarray:
        """The hypervolume reference point in the normalised space."""
        return np.full(len(self.objectives), REFERENCE_OFFSET)

    def normalise(self, values: Any) -> np.ndarray:
        """Values in own directions (``(n, k)``) to the normalised all-minimised space (ideal 0, worst 1)."""
        s = signs(self.objectives)
        lo = np.asarray(self.ideal) * s
        span = np.asarray(self.worst) * s - lo
        span = np.where(span > 0, span, 1.0)
        return (np.asarray(values, dtype=float).reshape(-1, len(s)) * s - lo) / span

    @property
    def true_hypervolume(self) -> float:
        """Hypervolume of the true front."""
        return hypervolume(self.normalise(self.front), self.ref)

    def hypervolume(self, values: Any) -> float:
        """Normalised hypervolume of points given in own directions."""
        return hypervolume(self.normalise(values), self.ref)

    def igd_plus(self, values: Any) -> float:
        """IGD+ of points (own directions) against the true front, in the normalised space."""
        return igd_plus(self.normalise(values), self.normalise(self.front))

    def to_dict(self) -> dict[str, Any]:
        """What a board records about the problem: objectives, metrics, epoch, ideal, worst, reference point, true HV."""
        return {
            "objectives": [o.to_dict() for o in self.objectives],
            "metrics": list(self.metrics),
            "epoch": self.epoch,
            "ideal": list(self.ideal),
            "worst": list(self.worst),
            "reference_point": self.ref.tolist(),
            "true_hypervolume": self.true_hypervolume,
            "true_front_size": len(self.front),
        } | ({} if self.reported else {"reported": False})


def problem_for(benchmark: Any, dataset: str, objectives: str | Sequence[Any], *, epoch: int | None = None,
                reported: bool = True) -> MOProblem:
    """The :class:`MOProblem` of a table's dataset for ``objectives`` at ``epoch`` (default: the final one).

    ``reported=False`` scores runs on the objectives they searched (``valid_acc``, not ``test_acc``): how well a
    strategy optimises what it sees, free of the validation-to-test noise of the reported front.
    """
    objs = parse_objectives(objectives)
    front = true_front(benchmark, dataset, objs, epoch=epoch, reported=reported)
    values = table_values(benchmark, dataset, front.metrics, epoch=front.epoch)
    values = values[np.all(np.isfinite(values), axis=1)]
    s = signs(objs)
    ideal = tuple(float(v) for v in (values * s).min(axis=0) * s)
    worst = tuple(float(v) for v in (values * s).max(axis=0) * s)
    return MOProblem(objs, front.metrics, front.epoch, ideal, worst, front.values, front.archs, reported)


def _record_columns(record: dict[str, Any], problem: MOProblem) -> tuple[np.ndarray, np.ndarray, list[int]]:
    objs = [f"{o['metric']}:{o['direction']}" for o in record.get("objectives") or []]
    if objs != [str(o) for o in problem.objectives]:
        raise ObjectiveError(f"record has objectives {objs or None}, the problem {[str(o) for o in problem.objectives]}")
    traj = record["trajectory"]
    sel = np.column_stack([np.asarray(traj[f"objective:{o.metric}"], dtype=float) for o in problem.objectives])
    rep = np.column_stack([np.asarray(traj[f"report:{o.report}"], dtype=float) for o in problem.objectives])
    return sel.reshape(-1, len(problem.objectives)), rep.reshape(-1, len(problem.objectives)), list(traj["epoch"])


def reported_front(record: dict[str, Any], problem: MOProblem, *, evals: int | None = None) -> np.ndarray:
    """The values (own directions) of a run's front after its first ``evals`` evaluations (default: all).

    Reported values, or the searched ones for a problem with ``reported=False``.
    """
    sel, rep, epochs = _record_columns(record, problem)
    n = len(epochs) if evals is None else evals
    idx = run_front(sel[:n], epochs[:n], int(record["epoch"]), problem.objectives)
    return (rep if problem.reported else sel)[idx]


def hypervolume_curve(record: dict[str, Any], problem: MOProblem) -> np.ndarray:
    """After each evaluation of a run, the normalised hypervolume of its reported front (selected on validation)."""
    sel, rep, epochs = _record_columns(record, problem)
    target = int(record["epoch"])
    normed = problem.normalise(rep if problem.reported else sel)
    ref = problem.ref
    out = np.zeros(len(epochs))
    front: list[int] = []
    hv = 0.0
    minimised = sel * signs(problem.objectives)
    for i, e in enumerate(epochs):
        if e == target and np.all(np.isfinite(minimised[i])):
            dominated = any(np.all(minimised[j] <= minimised[i]) for j in front)
            if not dominated:  # the front changes: drop what the new point dominates, recompute
                front = [j for j in front if not np.all(minimised[i] <= minimised[j])] + [i]
                hv = hypervolume(normed[front], ref)
        out[i] = hv
    return out


def hypervolume_regret_curve(record: dict[str, Any], problem: MOProblem) -> np.ndarray:
    """After each evaluation, the true front's hypervolume minus the run's (see :func:`hypervolume_curve`)."""
    return problem.true_hypervolume - hypervolume_curve(record, problem)


def hypervolume_regret_at_times(record: dict[str, Any], problem: MOProblem, times: Sequence[float]) -> np.ndarray:
    """Hypervolume regret at simulated ``times``: the front of the evaluations finished by then (none: the true HV)."""
    finish = np.asarray(record["trajectory"]["time"], dtype=float)
    regret = hypervolume_regret_curve(record, problem)
    idx = np.searchsorted(finish, np.asarray(times, dtype=float), side="right") - 1
    return np.where(idx >= 0, regret[np.clip(idx, 0, None)] if len(regret) else problem.true_hypervolume,
                    problem.true_hypervolume)


def final_indicators(record: dict[str, Any], problem: MOProblem) -> dict[str, float]:
    """A run's final hypervolume, hypervolume regret and IGD+ of its reported front, and the front's size."""
    pts = reported_front(record, problem)
    hv = problem.hypervolume(pts)
    return {"hypervolume": hv, "hypervolume_regret": problem.true_hypervolume - hv,
            "igd_plus": problem.igd_plus(pts), "front_size": float(len(pts))}


__all__ = [
    "REFERENCE_OFFSET",
    "MOProblem",
    "final_indicators",
    "hypervolume",
    "hypervolume_curve",
    "hypervolume_regret_at_times",
    "hypervolume_regret_curve",
    "igd_plus",
    "problem_for",
    "reported_front",
]
