"""How far a table can be trusted: seed-to-seed agreement, spread against seed noise, range and optimum.

A table ranks architectures only as well as its training seeds agree: if two
seeds of the same network differ as much as two networks do, search on it is
search on noise. :func:`table_stats` measures that on the table's own numbers,
over *distinct networks* (one row per isomorphism class, by the space's
``canonical_key``), because a generated table copies a class's numbers to
every member and those copies would count as perfect agreement.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import Metric
from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.spaces.base import isomorphism_rows

__all__ = [
    "MetricStats",
    "accuracy_stats",
    "accuracy_stats_by_epoch",
    "distinct_rows",
    "kendall_ceiling",
    "noise_ceilings",
    "plot_by_epoch",
    "table_stats",
]


@dataclass(frozen=True)
class MetricStats:
    """One metric of one dataset at one epoch, over the table's distinct networks.

    ``spread`` is the standard deviation across networks of the seed mean;
    ``noise`` the pooled standard deviation across seeds within a network
    (the root of the mean within-network variance, ``ddof=1``). Their ratio
    says how many seed-noise widths the table's range spans. Range, spread
    and optimum are over every network measured at some seed (the mean of
    the seeds it has); noise and agreement over the networks measured at two
    or more (a table may train a second seed on a subset only, the noise
    floor). The agreement fields are ``None`` for tables with one seed or
    seed means only, or fewer than 3 networks with two seeds.
    """

    dataset: str
    metric: str
    epoch: int
    seeds: tuple[int, ...]
    #: table rows with the metric measured at some seed
    rows: int
    #: distinct networks among them (one row per isomorphism class)
    networks: int
    minimum: float
    median: float
    maximum: float
    #: the row with the best seed mean, and that value
    best_arch: str
    best: float
    spread: float
    noise: float | None
    #: ``spread / noise``
    spread_to_noise: float | None
    #: Spearman / Kendall between two seeds across the distinct networks (mean over seed pairs)
    spearman: float | None
    kendall: float | None
    #: the same Spearman over every row, isomorphic copies included (as papers over all cells report)
    spearman_all_rows: float | None
    #: distinct networks measured at each seed (seed as text), and at two seeds or more
    networks_by_seed: dict[str, int] | None = None
    paired_networks: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data (tuples as lists) for JSON."""
        out = asdict(self)
        out["seeds"] = list(self.seeds)
        return out


def distinct_rows(bench: Any) -> np.ndarray:
    """Indices of the first row of each isomorphism class of ``bench``'s architectures, ascending."""
    archs = getattr(bench, "archs", None)
    if archs is None:
        raise NotMeasuredError(f"seed statistics need a table of trained rows, got {type(bench).__name__} {bench.name!r}")
    return isomorphism_rows(getattr(bench, "full_space", None) or bench.search_space, archs)[0]


def _mean_pairwise(values: np.ndarray, fn: Any) -> float | None:
    """Mean of ``fn(a, b).statistic`` over all pairs of columns of ``values``, each over the rows both measure.

    Pairs measured together on fewer than 3 rows are skipped; ``None`` when every pair is.
    """
    stats = []
    for i, j in itertools.combinations(range(values.shape[1]), 2):
        both = np.isfinite(values[:, i]) & np.isfinite(values[:, j])
        if both.sum() >= 3:
            stats.append(fn(values[both, i], values[both, j]).statistic)
    return float(np.mean(stats)) if stats else None


def table_stats(
    bench: Any,
    dataset: str,
    *,
    metric: str | Metric = Metric.VALID_ACC,
    epoch: int | None = None,
    rows: np.ndarray | None = None,
) -> MetricStats:
    """Seed agreement, spread, noise, range and optimum of ``metric`` at ``epoch`` (default: the final one).

    ``rows`` are the distinct rows (from :func:`distinct_rows`; pass them when
    calling this several times on one table, they take a second to compute).
    Rows where no seed has the metric are left out; seed agreement and noise
    use the rows measured at two seeds or more. Raises
    :class:`~nasbench_suite.errors.NotMeasuredError` when no row has it.
    """
    from scipy.stats import kendalltau, spearmanr

    metric = str(Metric(metric))
    epochs = bench.epochs(dataset)
    epoch = epochs[-1] if epoch is None else int(epoch)
    if epoch not in epochs:
        raise NotMeasuredError(f"epoch {epoch} of dataset {dataset!r}: the table holds epochs {list(epochs)}")
    seeds = tuple(int(s) for s in bench.seeds(dataset))
    per_seed = seeds != (-1,)
    columns = seeds if per_seed else (None,)
    values = np.stack(
        [np.asarray(bench.query_many(None, dataset, metric=metric, epoch=epoch, seed=s), dtype=np.float64) for s in columns],
        axis=1,
    )
    finite = np.isfinite(values)
    measured = finite.any(axis=1)
    if not measured.any():
        raise NotMeasuredError(f"{metric} at epoch {epoch} of dataset {dataset!r}: no architecture has it")
    distinct = distinct_rows(bench) if rows is None else np.asarray(rows, dtype=np.int64)
    keep = distinct[measured[distinct]]
    sample = values[keep]
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(sample, axis=1)
    best = int(keep[np.argmax(mean)])
    paired = np.isfinite(sample).sum(axis=1) >= 2
    agree = per_seed and len(seeds) >= 2 and int(paired.sum()) >= 3
    noise = float(np.sqrt(np.nanvar(sample[paired], axis=1, ddof=1).mean())) if agree else None
    spread = float(mean.std(ddof=1)) if len(mean) > 1 else float("nan")
    return MetricStats(
        dataset=dataset,
        metric=metric,
        epoch=epoch,
        seeds=seeds,
        rows=int(measured.sum()),
        networks=len(keep),
        minimum=float(mean.min()),
        median=float(np.median(mean)),
        maximum=float(mean.max()),
        best_arch=str(bench.archs[best]),
        best=float(mean.max()),
        spread=spread,
        noise=noise,
        spread_to_noise=(spread / noise if noise else None) if agree else None,
        spearman=_mean_pairwise(sample, spearmanr) if agree else None,
        kendall=_mean_pairwise(sample, kendalltau) if agree else None,
        spearman_all_rows=_mean_pairwise(values[measured], spearmanr) if agree else None,
        networks_by_seed={str(s): int(np.isfinite(sample[:, i]).sum()) for i, s in enumerate(seeds)} if per_seed else None,
        paired_networks=int(paired.sum()) if per_seed else None,
    )


def kendall_ceiling(seed_kendall: float, seeds: int = 1) -> float:
    """The Kendall tau a perfect predictor of the noiseless seed mean reaches against the mean of ``seeds`` runs.

    A held-out score is measured against the table's noisy numbers, so it has
    a ceiling below 1 set by the seed noise. Estimated from the Kendall tau
    between two seeds under a Gaussian copula (rank-based, so skewed accuracy
    distributions do not bias it): the seeds' latent correlation is
    ``rho = sin(pi * tau / 2)``, the mean of ``seeds`` runs has reliability
    ``seeds * rho / (1 + (seeds - 1) * rho)``, and its correlation with the
    noiseless mean is that reliability's square root, whose Kendall tau is
    ``2 / pi * arcsin(sqrt(reliability))``.

    Examples
    --------
    >>> round(kendall_ceiling(0.743), 3)
    0.817
    >>> kendall_ceiling(1.0)
    1.0
    """
    if not -1.0 <= seed_kendall <= 1.0 or not np.isfinite(seed_kendall):
        raise ValueError(f"seed_kendall must be a Kendall tau in [-1, 1], got {seed_kendall!r}")
    if isinstance(seeds, bool) or int(seeds) != seeds or seeds < 1:
        raise ValueError(f"seeds must be a positive whole number of runs, got {seeds!r}")
    rho = max(float(np.sin(np.pi * seed_kendall / 2)), 0.0)
    reliability = seeds * rho / (1 + (seeds - 1) * rho)
    return float(2 / np.pi * np.arcsin(np.sqrt(reliability)))


def noise_ceilings(stats: MetricStats) -> dict[int, float] | None:
    """:func:`kendall_ceiling` against the mean of k runs for every k up to the table's seed count (None: no seed pairs)."""
    if stats.kendall is None:
        return None
    return {k: kendall_ceiling(stats.kendall, k) for k in range(1, len(stats.seeds) + 1)}


def accuracy_stats(bench: Any, *, epoch: int | None = None, rows: np.ndarray | None = None) -> list[MetricStats]:
    """:func:`table_stats` of ``valid_acc`` and ``test_acc`` in every dataset that holds them.

    With ``epoch``, datasets that do not hold that epoch are skipped (an error
    when none does); without it, each dataset's final epoch is used.
    """
    rows = distinct_rows(bench) if rows is None else rows
    held = {ds: list(bench.epochs(ds)) for ds in bench.datasets}
    if epoch is not None and not any(epoch in e for e in held.values()):
        raise NotMeasuredError(f"epoch {epoch}: the datasets hold epochs {held}")
    out = []
    for ds in bench.datasets:
        if epoch is not None and epoch not in held[ds]:
            continue
        for metric in (Metric.VALID_ACC, Metric.TEST_ACC):
            try:
                out.append(table_stats(bench, ds, metric=metric, epoch=epoch, rows=rows))
            except NotMeasuredError:
                continue
    if not out:
        raise NotMeasuredError(f"{bench.name!r} holds no accuracy at every seed to compute statistics of")
    return out


def accuracy_stats_by_epoch(bench: Any) -> list[MetricStats]:
    """:func:`accuracy_stats` at every epoch any dataset holds."""
    rows = distinct_rows(bench)
    epochs = sorted({e for ds in bench.datasets for e in bench.epochs(ds)})
    return [s for e in epochs for s in accuracy_stats(bench, epoch=e, rows=rows)]


def plot_by_epoch(stats: list[MetricStats], path: str | Path) -> Path:
    """Seed agreement and spread against noise over epochs, one line per (dataset, metric), as a PNG.

    Left: Spearman between seeds across distinct networks. Right: spread across
    networks (solid) and seed noise (dashed). Only entries with seed noise are drawn.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    groups: dict[tuple[str, str], list[MetricStats]] = {}
    for s in stats:
        if s.noise is not None:
            groups.setdefault((s.dataset, s.metric), []).append(s)
    if not groups:
        raise NotMeasuredError("no entry has two or more seeds, so there is no seed agreement to plot")
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    left, right = fig.subplots(1, 2)
    for i, ((dataset, metric), series) in enumerate(sorted(groups.items())):
        series = sorted(series, key=lambda s: s.epoch)
        epochs = [s.epoch for s in series]
        color = f"C{i}"
        left.plot(epochs, [s.spearman for s in series], "o-", color=color, label=f"{dataset} {metric}")
        right.plot(epochs, [s.spread for s in series], "o-", color=color)
        right.plot(epochs, [s.noise for s in series], "s--", color=color)
    left.set(xlabel="epoch", ylabel="Spearman between seeds", title="Seed-to-seed rank agreement", ylim=(0, 1))
    right.set(xlabel="epoch", ylabel="standard deviation (points)", title="Spread across networks vs seed noise")
    left.legend(fontsize=8, loc="lower right")
    right.legend(handles=[Line2D([], [], color="0.3", marker="o", label="spread across networks"),
                          Line2D([], [], color="0.3", marker="s", ls="--", label="seed noise")], fontsize=8)
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    from nasbench_suite._atomic import save_figure

    return save_figure(fig, path, dpi=130)
