"""DEHB-style search: differential evolution over the space's categorical choices, run through
asynchronous successive halving (after Awad, Mallik and Hutter, IJCAI 2021)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nasbench_suite.strategies._asha import AsyncSuccessiveHalving
from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, require


class DEHB(AsyncSuccessiveHalving):
    """Differential evolution proposes new architectures; asynchronous successive halving schedules them.

    Each architecture is a vector in ``[0, 1)^d``, one coordinate per categorical decision of the
    space (its bundle's categorical description), a choice being the bin ``floor(x * n_choices)``.
    The first ``pop_size`` architectures are random; afterwards each new one is a DE offspring
    (``rand/1/bin``): three distinct population members give the mutant ``a + F (b - c)``
    (coordinates outside ``[0, 1)`` redrawn uniformly), binomial crossover with the next target
    (cycling through the population, one coordinate always from the mutant) gives the trial vector.
    The offspring replaces its target when its result at the lowest rung is better (selection at the
    cheapest fidelity, as DEHB's lowest budget). All architectures enter at the lowest rung and move
    up by ASHA's stopping rule (see :class:`~nasbench_suite.strategies.asha.ASHA`). Unlike DEHB
    proper, higher rungs keep no DE subpopulations of their own: promotion is ASHA's.

    Parameters
    ----------
    eta : float
        Reduction factor of the rungs (> 1).
    min_fidelity, max_fidelity : int, optional
        Lowest and highest epoch to use (default: the benchmark's lowest and full budget).
    pop_size : int
        Population size (>= 4: rand/1 needs three members besides the target).
    mutation_factor : float
        DE's ``F``, in (0, 2].
    crossover_prob : float
        DE's crossover rate ``CR``, in [0, 1].
    """

    name = "dehb"

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None, max_fidelity: int | None = None, pop_size: int = 20,
                 mutation_factor: float = 0.5, crossover_prob: float = 0.5) -> None:
        super().__init__(context, seed=seed, eta=eta, min_fidelity=min_fidelity, max_fidelity=max_fidelity)
        require(not isinstance(pop_size, bool) and isinstance(pop_size, int) and pop_size >= 4,
                f"pop_size must be an int >= 4, got {pop_size!r}")
        require(isinstance(mutation_factor, (int, float)) and 0 < float(mutation_factor) <= 2,
                f"mutation_factor must be in (0, 2], got {mutation_factor!r}")
        require(isinstance(crossover_prob, (int, float)) and 0 <= float(crossover_prob) <= 1,
                f"crossover_prob must be in [0, 1], got {crossover_prob!r}")
        self.pop_size = pop_size
        self.mutation_factor = float(mutation_factor)
        self.crossover_prob = float(crossover_prob)
        self._view = categorical_view(self.space, strategy=self.name)
        self._n = np.asarray(self._view.n_choices, dtype=float)
        #: the population: vectors and their lowest-rung values (-inf: not measured)
        self.population: list[np.ndarray] = []
        self.fitness: list[float] = []
        self._origin: dict[int, tuple[np.ndarray, int | None]] = {}  # trial -> (vector, target index or None)
        self._random_started = 0
        self._next_target = 0

    def _decode(self, vector: np.ndarray) -> Any:
        ids = np.minimum(np.floor(vector * self._n), self._n - 1).astype(int)
        return self._view.arch(ids.tolist())

    def sample(self, bracket: int) -> Any:
        trial = len(self.trials)
        d = len(self._n)
        if len(self.population) < 4 or self._random_started < self.pop_size:
            self._random_started += 1
            arch = self.space.sample(self.rng)
            ids = np.asarray(self._view.ids(arch), dtype=float)
            self._origin[trial] = ((ids + self.rng.random(d)) / self._n, None)
            return arch
        target = self._next_target % len(self.population)
        self._next_target += 1
        others = [i for i in range(len(self.population)) if i != target]
        a, b, c = (self.population[i] for i in self.rng.choice(others, size=3, replace=False))
        mutant = a + self.mutation_factor * (b - c)
        outside = (mutant < 0) | (mutant >= 1)
        mutant[outside] = self.rng.random(int(outside.sum()))
        cross = self.rng.random(d) < self.crossover_prob
        cross[int(self.rng.integers(d))] = True
        vector = np.where(cross, mutant, self.population[target])
        self._origin[trial] = (vector, target)
        return self._decode(vector)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        super().tell(proposal, observation)
        trial, level = proposal.tag
        if level != 0 or trial not in self._origin:
            return
        vector, target = self._origin.pop(trial)
        value = -math.inf if math.isnan(observation.value) else float(observation.value)
        if target is None:
            if len(self.population) < self.pop_size:
                self.population.append(vector)
                self.fitness.append(value)
        elif value > self.fitness[target]:
            self.population[target] = vector
            self.fitness[target] = value
