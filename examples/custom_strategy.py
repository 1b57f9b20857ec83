"""Plug in your own search strategy: implement ask/tell, register it, run it like the built-in ones.

A strategy never sees the benchmark: it proposes architectures (``ask``) and
learns from what the harness observed (``tell``); the harness evaluates,
charges simulated time and picks the incumbent.

Run: python examples/custom_strategy.py
"""

from __future__ import annotations

from typing import Any

import numpy as np

import nasbench_suite as nbs
from nasbench_suite.harness import Budget, run_search
from nasbench_suite.strategies import STRATEGIES, Observation, Proposal, SearchContext, Strategy


class HillClimbing(Strategy):
    """Random samples first, then mutations of the best architecture seen so far.

    Parameters
    ----------
    n_random : int
        Random architectures before hill climbing starts.
    """

    name = "hill-climbing"

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, n_random: int = 10) -> None:
        super().__init__(context, seed=seed)
        self.n_random = int(n_random)
        self._asked = 0
        self._best: tuple[float, Any] | None = None

    def ask(self) -> Proposal:
        self._asked += 1
        if self._best is None or self._asked <= self.n_random:
            return Proposal(self.space.sample(self.rng))
        return Proposal(self.space.mutate(self._best[1], self.rng))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        if not np.isnan(observation.value) and (self._best is None or observation.value > self._best[0]):
            self._best = (observation.value, observation.arch)


def main() -> None:
    STRATEGIES.register(HillClimbing.name, HillClimbing, replace=True)
    bench = nbs.load("nb201-digits")
    for name in ("rs", HillClimbing.name):
        regrets = []
        for seed in range(3):
            rec = run_search(bench, "digits-hard", name, seed=seed, budget=Budget.evals(60))
            regrets.append(rec["final"]["regret"])
        print(f"{name:>13}: mean final regret {np.mean(regrets):.2f} over 3 seeds (60 evaluations each)")


if __name__ == "__main__":
    main()
