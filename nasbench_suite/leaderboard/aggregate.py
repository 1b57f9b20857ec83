"""Per-entry statistics of a leaderboard: final regret, anytime regret areas, ranks and curves.

Everything is computed from the trajectories (never from a record's ``final``
summary), so the numbers follow from what the hash covers. Conventions, also
stated in ``docs/PROTOCOL.md``:

* **Regret** after an evaluation is the table optimum of the test metric (at
  the run's target epoch) minus the test metric of the incumbent, which the
  harness chose on validation. Before the first finished evaluation there is
  no incumbent and the regret counts as the optimum itself (as if it scored 0).
* **Anytime area** (AURC) is the mean regret over the horizon: over
  evaluations ``1..N`` and over simulated time ``[0, T]``. On the axis the
  budget is counted in, the horizon is the budget (a run that stopped early
  keeps its last incumbent); on the other axis it is the smallest reach of any
  successful run on the board, so no curve is extrapolated.
* **Ranks** are per seed (1 = lowest final regret, ties share), averaged over
  the seeds on which every entry has a successful run.
* **Failed runs** are counted per entry and listed, and left out of the
  statistics; their seeds are then missing from the rank-based tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nasbench_suite.leaderboard import stats
from nasbench_suite.leaderboard.records import entry_key


@dataclass
class Run:
    """One run's curves in the form the statistics need."""

    seed: int
    ok: bool
    error: str | None
    source: tuple[int, int]
    #: finish time of each evaluation (nondecreasing)
    times: np.ndarray
    #: regret after each evaluation (the optimum where there is no incumbent yet)
    regret: np.ndarray


@dataclass
class Entry:
    """All runs of one strategy with one set of parameters."""

    key: str
    strategy: str
    params: dict[str, Any]
    label: str = ""
    runs: list[Run] = field(default_factory=list)

    @property
    def ok_runs(self) -> list[Run]:
        """The successful runs that finished at least one evaluation."""
        return [r for r in self.runs if r.ok and len(r.regret)]


def _floats(values: list[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def to_run(record: dict[str, Any], source: tuple[int, int]) -> Run:
    """The regret curve of one record (its ``optimum`` must be known)."""
    traj = record["trajectory"]
    optimum = float(record["optimum"]["value"])
    regret = optimum - _floats(traj["incumbent_test"])
    regret[np.isnan(regret)] = optimum
    return Run(int(record["seed"]), record["status"] == "ok", record.get("error"), source, _floats(traj["time"]), regret)


def _labels(entries: list[Entry]) -> None:
    """Each entry's display name: the strategy name, plus the parameters that tell same-named entries apart."""
    by_name: dict[str, list[Entry]] = {}
    for e in entries:
        by_name.setdefault(e.strategy, []).append(e)
    for name, group in by_name.items():
        if len(group) == 1:
            group[0].label = name
            continue
        keys = sorted({k for e in group for k in e.params})
        differing = [k for k in keys if len({json.dumps(e.params.get(k), sort_keys=True) for e in group}) > 1]
        for e in group:
            e.label = name + "(" + ", ".join(f"{k}={json.dumps(e.params.get(k))}" for k in differing) + ")"


def group_entries(records: list[dict[str, Any]], origin: list[tuple[int, int]], *,
                  to_run: Callable[[dict[str, Any], tuple[int, int]], Run] = to_run) -> list[Entry]:
    """Runs grouped by (strategy, parameters), entries and runs in a fixed order.

    ``to_run`` turns a record into its regret curve (default: single-objective regret of the test metric).
    """
    entries: dict[str, Entry] = {}
    for rec, src in zip(records, origin):
        key = entry_key(rec)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = Entry(key, rec["strategy"]["name"], rec["strategy"]["params"])
        entry.runs.append(to_run(rec, src))
    out = [entries[k] for k in sorted(entries)]
    for e in out:
        e.runs.sort(key=lambda r: r.seed)
    _labels(out)
    return out


def regret_at_evals(run: Run, n: int) -> np.ndarray:
    """Regret after evaluations ``1..n`` (the last incumbent carried forward)."""
    r = run.regret
    if len(r) >= n:
        return r[:n].copy()
    return np.concatenate([r, np.full(n - len(r), r[-1])])


def regret_at_times(run: Run, grid: np.ndarray, optimum: float) -> np.ndarray:
    """Regret at each time of ``grid`` (the optimum before the first finish)."""
    idx = np.searchsorted(run.times, grid, side="right") - 1
    out = np.full(grid.shape, optimum, dtype=float)
    ok = idx >= 0
    out[ok] = run.regret[idx[ok]]
    return out


def aurc_time(run: Run, horizon: float, optimum: float) -> float:
    """Mean regret over simulated time ``[0, horizon]`` (exact integral of the step curve)."""
    if horizon <= 0:
        return math.nan
    t = np.minimum(np.concatenate([[0.0], run.times, [horizon]]), horizon)
    y = np.concatenate([[optimum], run.regret])
    return math.fsum((np.diff(t) * y).tolist()) / horizon  # exactly rounded sum: no SIMD-dependent bits


def aurc_evals(run: Run, n: int) -> float:
    """Mean regret over evaluations ``1..n``."""
    return math.fsum(regret_at_evals(run, n).tolist()) / n if n > 0 else math.nan


@dataclass(frozen=True)
class Horizons:
    """Where the anytime areas and curves end, on each axis."""

    evals: int
    time: float


def horizons(entries: list[Entry], budget: dict[str, Any]) -> Horizons:
    """The budget on its own axis, the smallest reach of any successful run on the other."""
    ok = [r for e in entries for r in e.ok_runs]
    if not ok:
        return Horizons(0, 0.0)
    if budget["kind"] == "evals":
        return Horizons(int(budget["value"]), float(min(r.times[-1] for r in ok)))
    return Horizons(int(min(len(r.regret) for r in ok)), float(budget["value"]))


def summary(values: np.ndarray) -> dict[str, Any]:
    """Mean, bootstrap 95% interval, standard deviation, median and count of one statistic."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return {"n": 0, "mean": None, "ci95": [None, None], "std": None, "median": None}
    lo, hi = stats.bootstrap_ci(x)
    mean = math.fsum(x.tolist()) / x.size  # exactly rounded sums: the same bits on any CPU
    return {
        "n": int(x.size),
        "mean": mean,
        "ci95": [lo, hi],
        "std": math.sqrt(math.fsum(((x - mean) ** 2).tolist()) / (x.size - 1)) if x.size > 1 else 0.0,
        "median": float(np.median(x)),
    }


def complete_seeds(entries: list[Entry]) -> list[int]:
    """Seeds on which every entry has a successful run (the blocks of the rank-based tests)."""
    sets = [{r.seed for r in e.ok_runs} for e in entries]
    return sorted(set.intersection(*sets)) if sets else []


def score_matrix(entries: list[Entry], seeds: list[int]) -> np.ndarray:
    """``final regret[seed, entry]`` over ``seeds``."""
    m = np.empty((len(seeds), len(entries)))
    for j, e in enumerate(entries):
        final = {r.seed: r.regret[-1] for r in e.ok_runs}
        m[:, j] = [final[s] for s in seeds]
    return m


def curve_band(values: np.ndarray) -> dict[str, list[float | None]]:
    """Mean and Student-t 95% band over runs (rows) at each grid point."""
    mean, lo, hi = stats.mean_ci(values)

    def clean(a: np.ndarray) -> list[float | None]:
        return [None if math.isnan(v) else float(v) for v in a]

    return {"mean": clean(mean), "lo": clean(lo), "hi": clean(hi)}


#: significant digits of the inner points of the time grid (its ends are exact)
GRID_DIGITS = 6


def _geometric(start: float, stop: float, points: int) -> list[float]:
    """``points`` log-spaced values from ``start`` to ``stop`` whose bits do not depend on the CPU.

    The inner points are computed with Python's scalar ``math`` (no SIMD
    dispatch, unlike ``np.geomspace``) and rounded to :data:`GRID_DIGITS`
    significant digits, far above any last-bit difference of ``exp``/``log``
    between libraries; the ends are ``start`` and ``stop`` exactly. Values that
    the rounding makes equal are merged, so the grid is strictly increasing.
    """
    if points < 2 or stop <= start:
        return [start]
    step = math.log(stop / start) / (points - 1)
    inner = [float(f"{start * math.exp(step * i):.{GRID_DIGITS}g}") for i in range(1, points - 1)]
    out = [start]
    for v in inner + [stop]:
        if start < v <= stop and v > out[-1]:
            out.append(v)
    if out[-1] != stop:
        out.append(stop)
    return out


def time_grid(entries: list[Entry], horizon: float, points: int = 120) -> np.ndarray:
    """Log-spaced times from the earliest first finish to ``horizon`` (empty when there is no horizon).

    CPU-independent: see :func:`_geometric`.
    """
    if not horizon > 0:
        return np.empty(0)
    firsts = [float(r.times[0]) for e in entries for r in e.ok_runs if r.times[0] > 0]
    start = min(firsts) if firsts else horizon / 1000
    start = min(start, horizon)
    return np.array(_geometric(start, max(horizon, start * (1 + 1e-9)), points), dtype=float)


def eval_grid(n: int, points: int = 200) -> np.ndarray:
    """Evaluation counts ``1..n``, thinned geometrically beyond ``points`` values (CPU-independent)."""
    if n <= points:
        return np.arange(1, n + 1)
    step = math.log(n) / (points - 1)
    counts = {1, n} | {int(round(math.exp(step * i))) for i in range(1, points - 1)}
    return np.array(sorted(c for c in counts if 1 <= c <= n), dtype=int)


__all__ = [
    "Entry",
    "Horizons",
    "Run",
    "aurc_evals",
    "aurc_time",
    "complete_seeds",
    "curve_band",
    "eval_grid",
    "group_entries",
    "horizons",
    "regret_at_evals",
    "regret_at_times",
    "score_matrix",
    "summary",
    "time_grid",
    "to_run",
]
