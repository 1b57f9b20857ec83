"""NSGA-II (Deb et al., IEEE TEC 2002): non-dominated sorting and crowding distance, over any space's decisions."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies._pareto import better, minimised, mutate_steps, nsga2_order, rank_and_crowding
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

#: draws of a child already proposed before one new to the run is accepted anyway
_MAX_REDRAWS = 20


class NSGA2(Strategy):
    """Generational NSGA-II, asynchronous: a child is bred whenever a worker is free.

    The first ``population_size`` proposals are uniform random samples. Each
    later one is a child of two parents picked by binary tournaments (lower
    non-domination rank, then larger crowding distance) from the current
    population: uniform crossover of the space's categorical decisions
    (probability ``crossover_prob``; the bundle repairs invalid choices)
    followed by ``mutation_steps`` mutations by the space, redrawn (up to 20
    times) while it repeats a network the run already proposed
    (``canonical_key``: isomorphic cells are one network). When ``population_size``
    children have been told, the population and the children are merged and
    the best ``population_size`` survive (rank, then crowding distance, then
    age). Ranks are moocore's exact non-dominated sorting; crowding distance
    is pymoo's. Objectives that were not measured rank last.

    Parameters
    ----------
    population_size : int
        Members kept, and children per generation.
    crossover_prob : float
        Probability that a child is a crossover of two parents (else a copy of one) before mutation.
    mutation_steps : int
        Mutations applied to every child.
    """

    name = "nsga2"
    multi_objective: ClassVar[bool] = True

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, population_size: int = 20,
                 crossover_prob: float = 0.9, mutation_steps: int = 1) -> None:
        super().__init__(context, seed=seed)
        require(int(population_size) >= 2, f"population_size must be >= 2, got {population_size!r}")
        require(0.0 <= float(crossover_prob) <= 1.0, f"crossover_prob must be in [0, 1], got {crossover_prob!r}")
        require(int(mutation_steps) >= 0, f"mutation_steps must be >= 0, got {mutation_steps!r}")
        self.population_size = int(population_size)
        self.crossover_prob = float(crossover_prob)
        self.mutation_steps = int(mutation_steps)
        self._view = categorical_view(self.space, strategy=self.name) if self.crossover_prob > 0 else None
        self._population: list[tuple[Any, tuple[float, ...]]] = []
        self._children: list[tuple[Any, tuple[float, ...]]] = []
        self._ranks = np.zeros(0, dtype=int)
        self._crowd = np.zeros(0)
        self._asked = 0
        self._proposed: set[str] = set()

    def ask(self) -> Proposal:
        self._asked += 1
        if self._asked <= self.population_size or not self._population:
            arch = self.space.sample(self.rng)
        else:
            arch = self._child()
            for _ in range(_MAX_REDRAWS):
                if arch.canonical_key() not in self._proposed:
                    break
                arch = self._child()
        self._proposed.add(arch.canonical_key())
        return Proposal(arch)

    def _tournament(self) -> Any:
        n = len(self._population)
        a, b = (int(i) for i in self.rng.integers(0, n, size=2))
        return self._population[better(a, b, self._ranks, self._crowd)][0]

    def _child(self) -> Any:
        first = self._tournament()
        if self._view is not None and self.rng.random() < self.crossover_prob:
            second = self._tournament()
            ids_a, ids_b = self._view.ids(first), self._view.ids(second)
            mask = self.rng.random(len(ids_a)) < 0.5
            child = self._view.arch([a if m else b for a, b, m in zip(ids_a, ids_b, mask)])
        else:
            child = first
        return mutate_steps(self.space, child, self.rng, self.mutation_steps)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        member = (proposal.arch, minimised(self.context, observation))
        if len(self._population) < self.population_size and not self._children:
            self._population.append(member)  # the initial population fills up first
            self._rank_population()
            return
        self._children.append(member)
        if len(self._children) >= self.population_size:
            merged = self._population + self._children
            keep = sorted(nsga2_order([v for _, v in merged])[: self.population_size])  # survivors, in age order
            self._population = [merged[i] for i in keep]
            self._children = []
            self._rank_population()

    def _rank_population(self) -> None:
        self._ranks, self._crowd = rank_and_crowding([v for _, v in self._population])
