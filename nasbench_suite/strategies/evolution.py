"""Regularized evolution (aging evolution), Real et al., AAAI 2019."""

from __future__ import annotations

import math
from collections import deque
from operator import itemgetter
from typing import Any

import numpy as np

from nasbench_suite.strategies._random import UniformStream
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


class RegularizedEvolution(Strategy):
    """Tournament selection, one mutation per child, and removal of the *oldest* member.

    The first ``population_size`` proposals are uniform random samples. After
    that each proposal mutates the best of ``sample_size`` members drawn
    uniformly **with replacement** from the population (the paper's
    ``RandomElement`` loop). Every finished evaluation joins the population and
    the oldest member leaves once it exceeds ``population_size`` (age-based
    removal, the "regularization"). Asked before any result is back, it samples
    at random.

    Parameters
    ----------
    population_size : int
        Members kept (P in the paper).
    sample_size : int
        Tournament size (S in the paper).
    """

    name = "re"

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        population_size: int = 30,
        sample_size: int = 10,
    ) -> None:
        super().__init__(context, seed=seed)
        require(int(population_size) >= 1, f"population_size must be >= 1, got {population_size!r}")
        require(int(sample_size) >= 1, f"sample_size must be >= 1, got {sample_size!r}")
        self.population_size = int(population_size)
        self.sample_size = int(sample_size)
        self._population: deque[tuple[Any, float]] = deque()
        self._asked = 0
        self._uniform = UniformStream(self.rng)

    def ask(self) -> Proposal:
        self._asked += 1
        pop = self._population
        if self._asked <= self.population_size or not pop:
            return Proposal(self.space.sample(self.rng))
        n = len(pop)
        contenders = [pop[int(u * n)] for u in self._uniform.take(self.sample_size)]
        parent = max(contenders, key=itemgetter(1))[0]  # the first of equals wins
        return Proposal(self.space.mutate(parent, self.rng))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        value = observation.value
        self._population.append((proposal.arch, value if not math.isnan(value) else -math.inf))
        if len(self._population) > self.population_size:
            self._population.popleft()
