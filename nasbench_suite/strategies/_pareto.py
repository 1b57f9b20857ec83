"""What the multi-objective strategies share: objective vectors, NSGA-II ranking and scalarisations.

Strategies minimise throughout: an observation's objectives become a vector
to minimise (a maximised objective is negated). In a single-objective run
(``context.objectives`` empty) the vector is the negated selection value, so
every multi-objective strategy also searches one objective. A vector with a
value that was not measured is *unmeasured*: it ranks behind every measured
one and never becomes a parent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import moocore
import numpy as np
from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance

from nasbench_suite.strategies.base import Observation, SearchContext


def minimised(context: SearchContext, observation: Observation) -> tuple[float, ...]:
    """The observation's objectives as a vector to minimise (NaN where not measured)."""
    if not context.objectives:
        return (-observation.value,)
    values = observation.objectives
    if values is None or len(values) != len(context.objectives):
        raise ValueError(f"a multi-objective run must tell {len(context.objectives)} objective values, got {values!r:.80}")
    return tuple(float(v) * (1.0 if o.direction == "min" else -1.0) for v, o in zip(values, context.objectives))


def n_objectives(context: SearchContext) -> int:
    """How many objectives the strategy minimises (1 in a single-objective run)."""
    return max(1, len(context.objectives))


def measured(vectors: np.ndarray) -> np.ndarray:
    """Which rows hold a value for every objective."""
    return np.all(np.isfinite(vectors), axis=1)


def pareto_rank(F: np.ndarray) -> np.ndarray:
    """moocore's exact non-domination ranks of measured rows; with one objective, the dense rank of the values."""
    if F.shape[1] == 1:
        return np.unique(F[:, 0], return_inverse=True)[1].astype(int)
    return np.asarray(moocore.pareto_rank(F), dtype=int)


def rank_and_crowding(vectors: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """NSGA-II's non-domination rank (moocore, exact; 0 = front) and crowding distance within each front (pymoo).

    Unmeasured rows get the rank after the last front and crowding 0.
    """
    F = np.asarray(vectors, dtype=float).reshape(len(vectors), -1)
    n = len(F)
    ranks = np.zeros(n, dtype=int)
    crowd = np.zeros(n)
    ok = measured(F)
    if ok.any():
        idx = np.flatnonzero(ok)
        r = pareto_rank(F[idx])
        ranks[idx] = r
        for level in np.unique(r):
            members = idx[r == level]
            if len(members) <= 2 or F.shape[1] == 1:
                crowd[members] = np.inf
            else:
                crowd[members] = calc_crowding_distance(F[members])
        ranks[~ok] = int(r.max()) + 1
    return ranks, crowd


def nsga2_order(vectors: Sequence[Sequence[float]]) -> list[int]:
    """Row indices best first: by rank, then larger crowding distance, then earlier row (no hash or sort-order luck)."""
    ranks, crowd = rank_and_crowding(vectors)
    return sorted(range(len(ranks)), key=lambda i: (int(ranks[i]), -float(crowd[i]), i))


def better(a: int, b: int, ranks: np.ndarray, crowd: np.ndarray) -> int:
    """The winner of a binary tournament: lower rank, then larger crowding, then the first."""
    if (ranks[a], -crowd[a]) <= (ranks[b], -crowd[b]):
        return a
    return b


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Each objective scaled to [0, 1] by the observed minimum and maximum of the measured rows (constant: 0)."""
    F = np.asarray(vectors, dtype=float)
    ok = measured(F)
    if not ok.any():
        return np.zeros_like(F)
    lo, hi = F[ok].min(axis=0), F[ok].max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return (F - lo) / span


def chebyshev(vectors: np.ndarray, weights: np.ndarray, *, rho: float = 0.05) -> np.ndarray:
    """ParEGO's augmented Chebyshev scalarisation of normalised vectors: ``max(w * f) + rho * sum(w * f)`` (minimise)."""
    wf = np.asarray(vectors, dtype=float) * np.asarray(weights, dtype=float)
    return wf.max(axis=1) + rho * wf.sum(axis=1)


def mutate_steps(space: Any, arch: Any, rng: np.random.Generator, steps: int) -> Any:
    """``arch`` after ``steps`` mutations by the space."""
    for _ in range(steps):
        arch = space.mutate(arch, rng)
    return arch


def rank_and_contribution(vectors: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Non-domination rank (moocore) and each row's exclusive hypervolume contribution within its front (moocore).

    Contributions are measured on the measured rows scaled to [0, 1] per objective with the reference point
    at 1.1 (as the suite's indicators): the points whose loss would shrink the front most score highest.
    Unmeasured rows rank last with contribution 0.
    """
    F = np.asarray(vectors, dtype=float).reshape(len(vectors), -1)
    n = len(F)
    ranks = np.zeros(n, dtype=int)
    contrib = np.zeros(n)
    ok = measured(F)
    if ok.any():
        idx = np.flatnonzero(ok)
        r = pareto_rank(F[idx])
        ranks[idx] = r
        if F.shape[1] > 1:
            scaled = normalised(F)
            ref = np.full(F.shape[1], 1.1)
            for level in np.unique(r):
                members = idx[r == level]
                contrib[members] = moocore.hv_contributions(scaled[members], ref=ref)
        ranks[~ok] = int(r.max()) + 1
    return ranks, contrib
