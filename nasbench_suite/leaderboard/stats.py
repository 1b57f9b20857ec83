"""Statistics for comparing strategies over seeds: confidence intervals, ranks and tests.

The layout throughout is a score matrix ``scores[seed, strategy]`` in which
*lower is better* (regret); seeds are the blocks of the rank-based tests and
the pairs of the signed-rank tests. All tests come from :mod:`scipy.stats`;
this module only arranges inputs and outputs (and the Holm step-down, which
is a few lines).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import stats as st

#: fixed seed of the bootstrap, so the same results give the same intervals
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 10_000


def mean_ci(values: np.ndarray, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: mean and the lower / upper ends of a Student-t confidence interval over rows (NaNs ignored).

    A column with one value gets a NaN band; one without values a NaN mean.
    """
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        n = np.sum(~np.isnan(values), axis=0)
        mean = np.nanmean(values, axis=0)
        sem = np.nanstd(values, axis=0, ddof=1) / np.sqrt(n)
        half = st.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1)) * np.where(n > 1, sem, np.nan)
    return mean, mean - half, mean + half


def bootstrap_ci(values: np.ndarray, *, level: float = 0.95, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile-bootstrap interval of the mean of ``values``, reproducible for a given ``seed``.

    One value gives a degenerate interval; no value gives ``(nan, nan)``.
    BCa is avoided on purpose: it is undefined when every resample is equal
    (e.g. all seeds found the optimum), which happens on small tables.

    Examples
    --------
    >>> lo, hi = bootstrap_ci(np.array([1.0, 2.0, 3.0, 4.0]))
    >>> 1.0 <= lo < 2.5 < hi <= 4.0
    True
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (math.nan, math.nan)
    if x.size == 1 or np.all(x == x[0]):
        return (float(x[0]), float(x[0])) if x.size == 1 else (float(x.mean()), float(x.mean()))
    res = st.bootstrap(
        (x,),
        np.mean,
        confidence_level=level,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    return (float(res.confidence_interval.low), float(res.confidence_interval.high))


def average_ranks(scores: np.ndarray) -> np.ndarray:
    """Mean over seeds of each strategy's rank within its seed (1 = lowest score; ties share ranks).

    Examples
    --------
    >>> average_ranks(np.array([[0.0, 1.0, 2.0], [0.0, 2.0, 1.0]])).tolist()
    [1.0, 2.5, 2.5]
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2 or s.shape[0] == 0:
        return np.full(s.shape[-1] if s.ndim == 2 else 0, np.nan)
    return st.rankdata(s, axis=1, method="average").mean(axis=0)


@dataclass(frozen=True)
class FriedmanResult:
    """Friedman's test of "all strategies rank alike over seeds"."""

    statistic: float
    pvalue: float
    n_blocks: int
    n_strategies: int
    #: why the test was not run (fewer than 3 strategies or 2 seeds, or identical scores)
    skipped: str | None = None


def friedman(scores: np.ndarray) -> FriedmanResult:
    """:func:`scipy.stats.friedmanchisquare` over the strategy columns of ``scores[seed, strategy]``."""
    s = np.asarray(scores, dtype=float)
    n, k = s.shape
    if k < 3:
        return FriedmanResult(math.nan, math.nan, n, k, skipped=f"needs at least 3 strategies, got {k}")
    if n < 2:
        return FriedmanResult(math.nan, math.nan, n, k, skipped=f"needs at least 2 complete seeds, got {n}")
    if np.all(s == s[:, :1]):
        return FriedmanResult(math.nan, 1.0, n, k, skipped="all strategies scored the same on every seed")
    stat, p = st.friedmanchisquare(*(s[:, j] for j in range(k)))
    return FriedmanResult(float(stat), float(p), n, k)


@dataclass(frozen=True)
class CriticalDifference:
    """The Nemenyi post-hoc critical difference of average ranks (Demšar, 2006)."""

    alpha: float
    #: the studentized-range quantile divided by sqrt(2): Demšar's q_alpha
    q_alpha: float
    #: two strategies differ significantly when their average ranks differ by more than this
    cd: float
    n_blocks: int
    n_strategies: int
    #: index groups of strategies whose average ranks lie within ``cd`` of each other (the bars of the diagram)
    cliques: list[list[int]] = field(default_factory=list)


def nemenyi_cd(avg_ranks: np.ndarray, n_blocks: int, *, alpha: float = 0.05) -> CriticalDifference:
    """The critical difference for ``len(avg_ranks)`` strategies over ``n_blocks`` seeds.

    ``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` with ``q_alpha`` the ``1 - alpha``
    quantile of the studentized range for ``k`` groups and infinite degrees of
    freedom over ``sqrt(2)`` (:data:`scipy.stats.studentized_range`).

    Examples
    --------
    >>> round(nemenyi_cd(np.array([1.0, 2.0, 3.0]), 10).q_alpha, 3)  # Demšar's table: 2.343
    2.344
    """
    r = np.asarray(avg_ranks, dtype=float)
    k = len(r)
    if k < 2 or n_blocks < 1:
        return CriticalDifference(alpha, math.nan, math.nan, n_blocks, k)
    q = float(st.studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2))
    cd = q * math.sqrt(k * (k + 1) / (6.0 * n_blocks))
    return CriticalDifference(alpha, q, cd, n_blocks, k, cliques(r, cd))


def cliques(avg_ranks: np.ndarray, cd: float) -> list[list[int]]:
    """Maximal runs of rank-sorted strategies spanning at most ``cd``, as index lists (singletons left out)."""
    order = np.argsort(avg_ranks, kind="stable")
    r = np.asarray(avg_ranks, dtype=float)[order]
    spans: list[tuple[int, int]] = []
    for i in range(len(r)):
        j = i
        while j + 1 < len(r) and r[j + 1] - r[i] <= cd:
            j += 1
        if j > i and not any(a <= i and j <= b for a, b in spans):
            spans.append((i, j))
    return [[int(order[t]) for t in range(a, b + 1)] for a, b in spans]


@dataclass(frozen=True)
class PairTest:
    """A Wilcoxon signed-rank test of two strategies paired by seed, with its Holm-adjusted p-value."""

    a: int
    b: int
    #: median over seeds of ``score[a] - score[b]`` (negative: ``a`` is better)
    median_diff: float
    #: seeds where ``a`` scored lower, where ``b`` did, and ties
    wins: int
    losses: int
    ties: int
    statistic: float
    pvalue: float
    pvalue_holm: float


def holm(pvalues: list[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values (NaN entries stay NaN and do not count).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03])
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    ok = np.flatnonzero(~np.isnan(p))
    out = np.full(len(p), np.nan)
    m = len(ok)
    running = 0.0
    for rank, idx in enumerate(ok[np.argsort(p[ok], kind="stable")]):
        running = max(running, min(1.0, (m - rank) * p[idx]))
        out[idx] = running
    return [float(round(v, 12)) if not math.isnan(v) else math.nan for v in out]


def pairwise_wilcoxon(scores: np.ndarray) -> list[PairTest]:
    """Every pair of strategy columns of ``scores[seed, strategy]``, Holm-corrected together.

    Seeds where the two strategies tie are dropped (``zero_method="wilcox"``);
    a pair that ties on every seed gets p = 1.
    """
    s = np.asarray(scores, dtype=float)
    n, k = s.shape
    raw: list[tuple[int, int, float, int, int, int, float, float]] = []
    for a in range(k):
        for b in range(a + 1, k):
            d = s[:, a] - s[:, b]
            wins, losses = int((d < 0).sum()), int((d > 0).sum())
            ties = n - wins - losses
            if n == 0:
                stat, p = math.nan, math.nan
            elif wins + losses == 0:
                stat, p = 0.0, 1.0
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    w = st.wilcoxon(s[:, a], s[:, b], zero_method="wilcox")
                stat, p = float(w.statistic), float(w.pvalue)
                if math.isnan(p):
                    p = 1.0
            raw.append((a, b, float(np.median(d)) if n else math.nan, wins, losses, ties, stat, p))
    adjusted = holm([r[-1] for r in raw])
    return [PairTest(*r, pvalue_holm=adj) for r, adj in zip(raw, adjusted)]


__all__ = [
    "BOOTSTRAP_SEED",
    "CriticalDifference",
    "FriedmanResult",
    "PairTest",
    "average_ranks",
    "bootstrap_ci",
    "cliques",
    "friedman",
    "holm",
    "mean_ci",
    "nemenyi_cd",
    "pairwise_wilcoxon",
]
