"""Multi-objective regularized evolution, MOREA-style: aging evolution with Pareto-ranked tournaments."""

from __future__ import annotations

from collections import deque
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._pareto import minimised, mutate_steps, rank_and_contribution
from nasbench_suite.strategies._random import UniformStream
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

_MAX_REDRAWS = 20


class MORegularizedEvolution(Strategy):
    """Regularized (aging) evolution whose tournaments are won by Pareto rank instead of one value.

    As ``re`` (Real et al. 2019): the first ``population_size`` proposals are
    uniform random samples; each later one mutates the winner of a tournament
    of ``sample_size`` members drawn uniformly with replacement from the
    population; every told result joins the population and the oldest member
    leaves beyond ``population_size``. The winner is the contender with the
    lowest non-domination rank within the population, then the largest
    exclusive hypervolume contribution to its front there (moocore; objectives
    scaled to the population's range), then the youngest: the tournament
    favours the points whose improvement would grow the front most, where a
    crowding distance would hand every tournament holding an extreme point to
    it. A child whose network (``canonical_key``: isomorphic cells are one
    network) the run already proposed is mutated again, up to 20 times.

    Parameters
    ----------
    population_size : int
        Members kept.
    sample_size : int
        Tournament size.
    mutation_steps : int
        Mutations per child.
    """

    name = "mo-re"
    multi_objective: ClassVar[bool] = True

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, population_size: int = 30,
                 sample_size: int = 10, mutation_steps: int = 1) -> None:
        super().__init__(context, seed=seed)
        require(int(population_size) >= 1, f"population_size must be >= 1, got {population_size!r}")
        require(int(sample_size) >= 1, f"sample_size must be >= 1, got {sample_size!r}")
        require(int(mutation_steps) >= 1, f"mutation_steps must be >= 1, got {mutation_steps!r}")
        self.population_size = int(population_size)
        self.sample_size = int(sample_size)
        self.mutation_steps = int(mutation_steps)
        self._population: deque[tuple[Any, tuple[float, ...]]] = deque()
        self._ranks: np.ndarray | None = None
        self._contrib = np.zeros(0)
        self._asked = 0
        self._proposed: set[str] = set()
        self._uniform = UniformStream(self.rng)

    def ask(self) -> Proposal:
        self._asked += 1
        pop = self._population
        if self._asked <= self.population_size or not pop:
            arch = self.space.sample(self.rng)
        else:
            parent = self._winner()
            arch = mutate_steps(self.space, parent, self.rng, self.mutation_steps)
            for _ in range(_MAX_REDRAWS):
                if arch.canonical_key() not in self._proposed:
                    break
                arch = self.space.mutate(arch, self.rng)
        self._proposed.add(arch.canonical_key())
        return Proposal(arch)

    def _winner(self) -> Any:
        pop = self._population
        if self._ranks is None:
            self._ranks, self._contrib = rank_and_contribution([v for _, v in pop])
        n = len(pop)
        contenders = [int(u * n) for u in self._uniform.take(self.sample_size)]
        best = min(contenders, key=lambda i: (int(self._ranks[i]), -float(self._contrib[i]), -i))
        return pop[best][0]

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self._population.append((proposal.arch, minimised(self.context, observation)))
        if len(self._population) > self.population_size:
            self._population.popleft()
        self._ranks = None  # ranks are recomputed at the next tournament
