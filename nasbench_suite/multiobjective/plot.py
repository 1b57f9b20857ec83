"""Figures of Pareto fronts: every complete cell of a table and its true front, for 2 or 3 objectives."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.multiobjective.front import ParetoFront, table_values


def _log_scale(values: np.ndarray) -> bool:
    """A cost spanning more than two orders of magnitude (params, FLOPs) reads better on a log axis."""
    v = values[np.isfinite(values)]
    return bool(len(v) and v.min() > 0 and v.max() / v.min() > 100)


def plot_front(benchmark: Any, dataset: str, front: ParetoFront, path: str | Path) -> Path:
    """Draw ``front`` over the table's complete cells (one panel per pair of objectives) and save it to ``path``."""
    from matplotlib.figure import Figure

    from nasbench_suite._atomic import save_figure

    values = table_values(benchmark, dataset, front.metrics, epoch=front.epoch)
    values = values[np.all(np.isfinite(values), axis=1)]
    pairs = list(combinations(range(len(front.metrics)), 2))
    fig = Figure(figsize=(5.2 * len(pairs), 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(pairs)))
    for ax, (i, j) in zip(axes, pairs):
        ax.scatter(values[:, i], values[:, j], s=3, color="0.7", alpha=0.4, linewidths=0, rasterized=True,
                   label=f"{len(values):,} cells")
        pts = front.values[np.argsort(front.values[:, i])]
        if len(front.metrics) == 2:
            # the attainment boundary: between two front points it is set by the one with the better first objective
            ax.step(pts[:, i], pts[:, j], where="pre" if front.objectives[i].direction == "max" else "post",
                    color="C3", lw=1.2, alpha=0.8)
        ax.scatter(pts[:, i], pts[:, j], s=18, color="C3", zorder=3, label=f"true front ({len(pts)})")
        for k, ax_set in ((i, ax.set_xscale), (j, ax.set_yscale)):
            if _log_scale(values[:, k]):
                ax_set("log")
        o_i, o_j = front.objectives[i], front.objectives[j]
        ax.set(xlabel=f"{front.metrics[i]} ({o_i.direction})", ylabel=f"{front.metrics[j]} ({o_j.direction})")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(f"{benchmark.name} {dataset}: Pareto front at epoch {front.epoch}", fontsize=10)
    return save_figure(fig, path, dpi=130)
