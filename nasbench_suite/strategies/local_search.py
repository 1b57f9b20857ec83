"""Local search: hill climbing over neighbours with random restarts (White et al., 2020)."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np

from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

_INIT, _NEIGHBOUR, _RESTART, _EXPLORE = "init", "neighbour", "restart", "explore"


class LocalSearch(Strategy):
    """Best-improvement hill climbing with random restarts.

    ``num_init`` random architectures are evaluated first; the best becomes the
    centre. Every not yet evaluated neighbour of the centre is evaluated (in a
    random order); then the search moves to the best neighbour if it beats the
    centre, and otherwise, at a local optimum, restarts from a fresh random
    architecture. Architectures already evaluated are never re-proposed by the
    climb (their known values count). Asked while the neighbourhood's results
    are still out, it proposes random architectures (which are remembered too).

    Parameters
    ----------
    num_init : int
        Random architectures evaluated before the first climb.
    """

    name = "ls"

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, num_init: int = 10) -> None:
        super().__init__(context, seed=seed)
        require(int(num_init) >= 1, f"num_init must be >= 1, got {num_init!r}")
        self.num_init = int(num_init)
        self._known: dict[Any, float] = {}
        self._center: Any = None
        self._center_value = -math.inf
        self._queue: deque[Any] = deque()
        self._generation = 0  # bumps each time the centre changes
        self._outstanding = 0  # neighbour proposals of the current generation not yet told
        self._init_asked = 0
        self._init_told = 0
        self._restart_pending = False
        self._restart_asked = False

    # ------------------------------------------------------------------ ask
    def ask(self) -> Proposal:
        if self._init_asked < self.num_init:
            self._init_asked += 1
            return Proposal(self.space.sample(self.rng), tag=(_INIT, 0))
        if self._restart_pending and not self._restart_asked:
            self._restart_asked = True
            return Proposal(self._fresh(), tag=(_RESTART, self._generation))
        if self._center is not None and not self._queue and self._outstanding == 0:
            self._step()
            if self._restart_pending:
                self._restart_asked = True
                return Proposal(self._fresh(), tag=(_RESTART, self._generation))
        if self._queue:
            self._outstanding += 1
            return Proposal(self._queue.popleft(), tag=(_NEIGHBOUR, self._generation))
        return Proposal(self.space.sample(self.rng), tag=(_EXPLORE, self._generation))

    def _fresh(self) -> Any:
        """A random architecture not evaluated yet (best effort: gives up after 100 repeats)."""
        arch = self.space.sample(self.rng)
        for _ in range(100):
            if arch not in self._known:
                break
            arch = self.space.sample(self.rng)
        return arch

    def _step(self) -> None:
        """All neighbours of the centre are known: move to the best one, or restart at a local optimum."""
        best, best_value = None, self._center_value
        for arch in self.space.neighbours(self._center):
            value = self._known.get(arch, -math.inf)
            if value > best_value:
                best, best_value = arch, value
        if best is None:
            self._center = None
            self._restart_pending, self._restart_asked = True, False
            self._generation += 1
        else:
            self._set_center(best, best_value)

    def _set_center(self, arch: Any, value: float) -> None:
        self._center, self._center_value = arch, value
        self._generation += 1
        self._outstanding = 0
        todo = [a for a in self.space.neighbours(arch) if a not in self._known]
        order = self.rng.permutation(len(todo)) if todo else ()
        self._queue = deque(todo[i] for i in order)

    # ----------------------------------------------------------------- tell
    def tell(self, proposal: Proposal, observation: Observation) -> None:
        value = observation.value if not math.isnan(observation.value) else -math.inf
        arch = proposal.arch
        self._known[arch] = max(value, self._known.get(arch, -math.inf))
        kind, generation = proposal.tag if isinstance(proposal.tag, tuple) else (_EXPLORE, -1)
        if kind == _INIT:
            self._init_told += 1
            if self._init_told == self.num_init and self._center is None and not self._restart_pending:
                best = max(self._known.items(), key=lambda kv: kv[1])  # first best in insertion order
                self._set_center(*best)
        elif kind == _NEIGHBOUR and generation == self._generation:
            self._outstanding -= 1
        elif kind == _RESTART and generation == self._generation and self._restart_pending:
            self._restart_pending = False
            self._set_center(arch, self._known[arch])
