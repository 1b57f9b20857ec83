"""REINFORCE with a categorical policy per choice, as NAS-Bench-201's RL baseline."""

from __future__ import annotations

import math

import numpy as np

from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies._random import UniformStream
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


class Reinforce(Strategy):
    """Policy gradient over independent categorical distributions (one per edge's op).

    Each proposal samples every choice from ``softmax(theta[d])``. Each result
    updates ``theta`` with Adam along ``(reward - baseline) * grad log pi(arch)``,
    where the baseline is an exponential moving average of the rewards with
    momentum ``baseline_momentum`` (NAS-Bench-201's ``exps/algos/reinforce.py``
    uses Adam and an EMA baseline with momentum 0.9). Rewards are the told
    values (accuracies in percent) divided by 100.

    Parameters
    ----------
    learning_rate : float
        Adam step size on the logits.
    baseline_momentum : float
        EMA momentum of the reward baseline, in [0, 1).
    """

    name = "reinforce"
    own_numerics = True  # its float policy-gradient updates decide the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        learning_rate: float = 0.01,
        baseline_momentum: float = 0.9,
    ) -> None:
        super().__init__(context, seed=seed)
        require(float(learning_rate) > 0, f"learning_rate must be > 0, got {learning_rate!r}")
        require(0.0 <= float(baseline_momentum) < 1.0, f"baseline_momentum must be in [0, 1), got {baseline_momentum!r}")
        self.learning_rate = float(learning_rate)
        self.baseline_momentum = float(baseline_momentum)
        self._view = categorical_view(self.space, strategy=self.name)
        width = max(self._view.n_choices)
        self._mask = np.array([[j < c for j in range(width)] for c in self._view.n_choices])
        self._theta = np.zeros(self._mask.shape)
        self._m = np.zeros_like(self._theta)
        self._v = np.zeros_like(self._theta)
        self._steps = 0
        self._baseline: float | None = None
        self._uniform = UniformStream(self.rng)

    def _probs(self) -> np.ndarray:
        logits = np.where(self._mask, self._theta, -np.inf)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def ask(self) -> Proposal:
        cdf = np.cumsum(self._probs(), axis=1)
        ids = []
        for d, c in enumerate(self._view.n_choices):
            u = self._uniform.next()
            ids.append(min(int(np.searchsorted(cdf[d], u, side="right")), c - 1))
        return Proposal(self._view.arch(ids))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        if math.isnan(observation.value):
            return
        reward = observation.value / 100.0
        if self._baseline is None:
            self._baseline = reward
        advantage = reward - self._baseline  # against the baseline before this reward, as NAS-Bench-201 does
        self._baseline = self.baseline_momentum * self._baseline + (1 - self.baseline_momentum) * reward
        ids = self._view.ids(proposal.arch)
        grad_logp = -self._probs()
        grad_logp[np.arange(len(ids)), ids] += 1.0
        grad = -advantage * np.where(self._mask, grad_logp, 0.0)  # minimize -advantage * log pi
        self._steps += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        self._m = b1 * self._m + (1 - b1) * grad
        self._v = b2 * self._v + (1 - b2) * grad**2
        m_hat = self._m / (1 - b1**self._steps)
        v_hat = self._v / (1 - b2**self._steps)
        self._theta -= self.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
