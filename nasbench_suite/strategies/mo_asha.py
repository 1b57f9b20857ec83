"""MO-ASHA (Schmucker et al., 2021): asynchronous successive halving whose rungs rank by Pareto order."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from nasbench_suite.strategies._asha import STOPPING, AsyncSuccessiveHalving, RungSystem
from nasbench_suite.strategies._pareto import minimised, nsga2_order
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext


class ParetoRungSystem(RungSystem):
    """Rungs whose results are objective vectors, ranked by non-dominated sorting then crowding distance."""

    def __init__(self, fidelities: list[int], eta: float) -> None:
        super().__init__(fidelities, eta)
        #: per rung: trial -> minimised objective vector
        self.vectors: list[dict[int, tuple[float, ...]]] = [{} for _ in self.fidelities]

    def record_vector(self, level: int, trial: int, vector: tuple[float, ...]) -> None:
        """Record ``trial``'s objective vector at rung ``level`` (before :meth:`record` of its value)."""
        self.vectors[level][trial] = vector

    def record(self, level: int, trial: int, value: float) -> None:
        vector = self.vectors[level].get(trial, ())
        unmeasured = math.isnan(value) or any(math.isnan(v) for v in vector)
        self.results[level][trial] = -math.inf if unmeasured else float(value)

    def _ranked(self, level: int) -> list[int]:
        trials = list(self.results[level])  # arrival order
        order = nsga2_order([self.vectors[level][t] for t in trials])
        return [trials[i] for i in order]

    def _rank(self, level: int, trial: int) -> int:
        return self._ranked(level).index(trial)

    def _leaders(self, level: int, k: int) -> list[int]:
        return self._ranked(level)[:k]


class MOASHA(AsyncSuccessiveHalving):
    """Asynchronous successive halving (stopping variant) for several objectives.

    As ``asha``: rungs are ``max / eta^k`` snapped to the held epochs, a new
    architecture starts at the lowest rung, and a result continues to the next
    rung if it ranks within the top ``ceil(n / eta)`` of the ``n`` results at
    its rung so far. Here ranks are NSGA-II's -- non-domination rank (moocore),
    then crowding distance (pymoo), then arrival -- over the objectives observed
    at that rung (Schmucker et al. 2021 rank rungs by non-dominated sorting; they
    also study an epsilon-net tie-break). A result with an objective not
    measured ranks last and never continues. With one objective it is ``asha``.

    Parameters
    ----------
    eta : float
        Reduction factor (> 1).
    min_fidelity : int, optional
        Lowest epoch to use (default: the lowest the benchmark offers).
    max_fidelity : int, optional
        Highest epoch to use (default: the benchmark's full budget).
    """

    name = "mo-asha"
    variant = STOPPING
    multi_objective: ClassVar[bool] = True

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None, max_fidelity: int | None = None) -> None:
        super().__init__(context, seed=seed, eta=eta, min_fidelity=min_fidelity, max_fidelity=max_fidelity)
        self.brackets = [ParetoRungSystem(rs.fidelities, rs.eta) for rs in self.brackets]

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        trial, level = proposal.tag
        rs = self.brackets[self.trial_bracket[trial]]
        rs.record_vector(level, trial, minimised(self.context, observation))
        super().tell(proposal, observation)
