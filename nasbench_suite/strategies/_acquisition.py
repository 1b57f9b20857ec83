"""Pieces shared by the model-based strategies: history, candidate pools, expected improvement."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
from scipy.special import ndtr

_SQRT_2PI = np.sqrt(2 * np.pi)


class History:
    """Finished evaluations at the full fidelity (architecture, value) in tell order, and everything proposed."""

    def __init__(self) -> None:
        self.archs: list[Any] = []
        self.values: list[float] = []
        self.proposed: set[Any] = set()  # membership only: never iterated (hash order is not stable)

    def add(self, arch: Any, value: float) -> None:
        """Record a finished evaluation; NaN values (not measured) are left out of the model's data."""
        if not math.isnan(value):
            self.archs.append(arch)
            self.values.append(float(value))

    def __len__(self) -> int:
        return len(self.values)

    def best(self) -> float:
        """The best value so far (``-inf`` when empty)."""
        return max(self.values, default=-math.inf)

    def top(self, k: int) -> list[Any]:
        """The ``k`` best architectures, best first (earlier first on ties)."""
        order = np.argsort(-np.asarray(self.values), kind="stable")[:k]
        return [self.archs[i] for i in order]


def candidate_pool(space: Any, rng: np.random.Generator, parents: Iterable[Any], *, n_random: int,
                   n_mutations: int, exclude: set[Any], max_mutation_steps: int = 2) -> list[Any]:
    """Distinct new architectures: ``n_mutations`` mutants of ``parents`` (1..``max_mutation_steps`` edits) and ``n_random`` samples.

    Architectures in ``exclude`` are dropped; the order is deterministic given ``rng``.
    """
    parents = list(parents)
    out: list[Any] = []
    taken: set[Any] = set()

    def add(arch: Any) -> None:
        if arch not in exclude and arch not in taken:
            taken.add(arch)
            out.append(arch)

    if parents:
        steps = rng.integers(1, max_mutation_steps + 1, size=n_mutations)
        for i in range(n_mutations):
            arch = parents[i % len(parents)]
            for _ in range(int(steps[i])):
                arch = space.mutate(arch, rng)
            add(arch)
    for _ in range(n_random):
        add(space.sample(rng))
    return out


def expected_improvement(mean: np.ndarray, std: np.ndarray, best: float, *, xi: float = 0.0) -> np.ndarray:
    """EI of maximizing: ``E[max(f - best - xi, 0)]`` under ``N(mean, std^2)`` (std 0 gives the plain gain)."""
    mean = np.asarray(mean, dtype=float)
    std = np.asarray(std, dtype=float)
    gain = mean - best - xi
    positive = std > 0
    z = np.where(positive, gain / np.where(positive, std, 1.0), 0.0)
    # the standard normal's cdf and pdf as scipy.stats.norm computes them (same values), without its
    # per-call argument handling, which costs more than the arithmetic on a few hundred candidates
    cdf, pdf = ndtr(z), np.exp(-z**2 / 2.0) / _SQRT_2PI
    ei = np.where(positive, gain * cdf + std * pdf, np.maximum(gain, 0.0))
    return np.maximum(ei, 0.0)


#: scores within this relative distance of the highest are tied with it (see :func:`best_index`)
TIE_RTOL = 1e-9


def best_index(scores: np.ndarray) -> int:
    """Index of the highest score; of scores tied with it (within :data:`TIE_RTOL`), the first.

    Candidates a model cannot tell apart (equal encodings, e.g. NB101 cells
    that differ only in an edge their one-hot encoding leaves out) get equal
    scores up to the last bits, and those bits differ between SIMD code paths
    (whether an element falls in a vector loop's body or its tail); a plain
    argmax would then propose another cell on another CPU.
    """
    s = np.asarray(scores, dtype=float)
    top = float(np.max(s))
    if not math.isfinite(top):
        return int(np.argmax(s))
    return int(np.flatnonzero(s >= top - TIE_RTOL * abs(top))[0])


def seed_from(rng: np.random.Generator) -> int:
    """An int seed for a library that wants one (scikit-learn, torch, Optuna), drawn from ``rng``."""
    return int(rng.integers(0, 2**31 - 1))
