"""Anytime performance plots from results files: regret vs simulated time and vs evaluations.

Regret is the table optimum of the test metric (at the run's target epoch)
minus the incumbent's test metric; where a file records no optimum the plot
shows the incumbent's test metric itself. Each strategy gets its mean over
seeds with a 95% confidence band (Student t over seeds). Failed runs are left
out and counted in the legend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class Curves:
    """Per-strategy step curves on shared grids: ``values[strategy]`` is ``(runs, grid points)``."""

    by_evals: dict[str, np.ndarray]
    evals: np.ndarray
    by_time: dict[str, np.ndarray]
    times: np.ndarray
    failed: dict[str, int]
    regret: bool
    clock_unit: str
    label: str


def _incumbent_curve(record: dict[str, Any], regret: bool) -> np.ndarray:
    inc = np.array([np.nan if v is None else v for v in record["trajectory"]["incumbent_test"]], dtype=float)
    if regret:
        inc = record["optimum"]["value"] - inc
    return inc


def _step(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """y of the last x <= each grid point (NaN before the first)."""
    idx = np.searchsorted(x, grid, side="right") - 1
    out = np.full(grid.shape, np.nan)
    ok = idx >= 0
    out[ok] = y[idx[ok]]
    return out


def curves(records: Sequence[dict[str, Any]], *, points: int = 200) -> Curves:
    """Step curves of every ok run, grouped by strategy, on shared evaluation and time grids."""
    ok, failed = [], {}
    for r in records:
        if r.get("status") == "ok" and r["trajectory"]["eval"]:
            ok.append(r)
        else:
            failed[r["strategy"]["name"]] = failed.get(r["strategy"]["name"], 0) + 1
    if not ok:
        raise ValueError("no successful runs to plot")
    regret = all(r.get("optimum") for r in ok)
    units = sorted({r["clock_unit"] for r in ok})
    max_evals = max(len(r["trajectory"]["eval"]) for r in ok)
    evals = np.arange(1, max_evals + 1)
    positive = [t for r in ok for t in r["trajectory"]["time"][:1] + r["trajectory"]["time"][-1:] if t > 0]
    t_min, t_max = (min(positive), max(positive)) if positive else (1.0, 1.0)
    times = np.geomspace(t_min, max(t_max, t_min * 1.0001), points)
    by_evals: dict[str, list[np.ndarray]] = {}
    by_time: dict[str, list[np.ndarray]] = {}
    for r in ok:
        name = r["strategy"]["name"]
        y = _incumbent_curve(r, regret)
        n = len(y)
        by_evals.setdefault(name, []).append(np.concatenate([y, np.full(max_evals - n, y[-1])]))
        by_time.setdefault(name, []).append(_step(np.asarray(r["trajectory"]["time"], dtype=float), y, times))
    metric = ok[0].get("test_metric", "test_acc")
    label = f"regret of {metric} (optimum - incumbent)" if regret else f"incumbent {metric}"
    return Curves(
        {k: np.vstack(v) for k, v in by_evals.items()}, evals,
        {k: np.vstack(v) for k, v in by_time.items()}, times,
        failed, regret, "/".join(units), label,
    )


def mean_ci(values: np.ndarray, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: mean and the lower / upper ends of a Student-t confidence interval (NaNs ignored)."""
    from scipy import stats

    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            n = np.sum(~np.isnan(values), axis=0)
            mean = np.nanmean(values, axis=0)
            sem = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n)
            half = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.where(n > 1, sem, np.nan)
    return mean, mean - half, mean + half


def plot_results(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], out: str | os.PathLike[str], *,
                 title: str | None = None) -> Path:
    """Two panels (vs simulated time, vs evaluations) of mean +- 95% CI per strategy, saved to ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nasbench_suite.harness.results import read_results

    records = read_results(paths)
    c = curves(records)
    fig, (ax_t, ax_e) = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    colors = plt.get_cmap("tab10" if len(c.by_evals) <= 10 else "tab20")
    for i, name in enumerate(sorted(c.by_evals)):
        color = colors(i % colors.N)
        n = c.by_evals[name].shape[0]
        label = f"{name} (n={n}" + (f", {c.failed[name]} failed)" if c.failed.get(name) else ")")
        for ax, x, values in ((ax_t, c.times, c.by_time[name]), (ax_e, c.evals, c.by_evals[name])):
            mean, lo, hi = mean_ci(values)
            ax.plot(x, mean, color=color, label=label, lw=1.6, drawstyle="steps-post")
            ax.fill_between(x, lo, hi, color=color, alpha=0.2, step="post", lw=0)
    for ax, xlabel in ((ax_t, f"simulated time ({c.clock_unit})"), (ax_e, "evaluations")):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(c.label)
        ax.set_xscale("log")
        if c.regret:
            ax.set_yscale("symlog", linthresh=0.01)  # regret reaches 0 when the optimum is found
            ax.set_ylim(bottom=0)
        ax.grid(True, which="both", alpha=0.3)
    ax_e.legend(fontsize="small", loc="best")
    first = records[0]
    fig.suptitle(title or f"{first['benchmark']['name']} / {first['dataset']} / epoch {first['epoch']} "
                 f"(selection: {first['selection_metric']})")
    from nasbench_suite._atomic import save_figure

    try:
        return save_figure(fig, out, dpi=130)
    finally:
        plt.close(fig)
