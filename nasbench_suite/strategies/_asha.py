"""Asynchronous successive halving: rung bookkeeping and the ask/tell core shared by ``asha``,
``asha-promotion`` and ``async-hb`` (Li et al., "A System for Massively Parallel Hyperparameter
Tuning", MLSys 2020).

A *trial* is one sampled architecture; a *bracket* is a ladder of rungs (fidelities, ascending).
Every result of a trial at a rung is recorded there. Two rules decide what runs next:

- **stopping**: when a trial's result at rung ``k`` arrives, it continues to rung ``k + 1`` if it
  ranks within the top ``ceil(n / eta)`` of the ``n`` results recorded at rung ``k`` so far (itself
  included; the first result of a rung therefore continues); otherwise it stops.
- **promotion**: when a worker is free, the best not-yet-promoted trial among the top
  ``floor(n / eta)`` of the highest rung that has one is promoted to the next rung; if no rung has
  one, a new trial starts at the bracket's lowest rung.

Ranks order by value (higher is better), then by trial number (earlier first), so decisions never
depend on dictionary or heap order. A result that was not measured (NaN) ranks last and never
continues or promotes.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require
from nasbench_suite.strategies.hyperband import rungs

STOPPING, PROMOTION = "stopping", "promotion"
VARIANTS = (STOPPING, PROMOTION)


class RungSystem:
    """The rungs of one bracket: the results recorded at each, and which trials left each for the next.

    Parameters
    ----------
    fidelities : sequence of int
        The rungs' epochs, ascending (the last is the bracket's top rung).
    eta : float
        Reduction factor (> 1): about ``1 / eta`` of a rung's trials reach the next one.
    """

    def __init__(self, fidelities: list[int], eta: float) -> None:
        if not fidelities or list(fidelities) != sorted(set(fidelities)):
            raise ValueError(f"rung fidelities must be distinct and ascending, got {fidelities!r}")
        self.fidelities = list(fidelities)
        self.eta = float(eta)
        #: per rung: trial -> value (-inf where not measured), in arrival order
        self.results: list[dict[int, float]] = [{} for _ in self.fidelities]
        #: per rung: trials that were sent on to the next rung
        self.promoted: list[set[int]] = [set() for _ in self.fidelities]
        #: per rung: ``(-value, trial)`` of every result, ascending (the rank order, kept sorted as results arrive)
        self._order: list[list[tuple[float, int]]] = [[] for _ in self.fidelities]

    @property
    def top(self) -> int:
        """The index of the highest rung."""
        return len(self.fidelities) - 1

    def record(self, level: int, trial: int, value: float) -> None:
        """Record ``trial``'s result ``value`` at rung ``level`` (NaN: not measured)."""
        rung, order = self.results[level], self._order[level]
        if trial in rung:  # a second result replaces the first
            del order[bisect.bisect_left(order, (-rung[trial], trial))]
        rung[trial] = -math.inf if math.isnan(value) else float(value)
        bisect.insort(order, (-rung[trial], trial))

    def _ranked(self, level: int) -> list[int]:
        """The trials recorded at ``level``, best first."""
        return [t for _, t in self._order[level]]

    def _rank(self, level: int, trial: int) -> int:
        """``trial``'s position in :meth:`_ranked` (0: the best), found by bisection."""
        return bisect.bisect_left(self._order[level], (-self.results[level][trial], trial))

    def _leaders(self, level: int, k: int) -> list[int]:
        """The first ``k`` of :meth:`_ranked`."""
        return [t for _, t in self._order[level][:k]]

    def continues(self, level: int, trial: int) -> bool:
        """Stopping rule: whether ``trial``, just recorded at ``level``, goes on to the next rung."""
        if level >= self.top:
            return False
        rung = self.results[level]
        value = rung[trial]
        if value == -math.inf:
            return False
        return self._rank(level, trial) < math.ceil(len(rung) / self.eta)

    def promotable(self) -> tuple[int, int] | None:
        """Promotion rule: ``(level, trial)`` of the best not-yet-promoted trial in the top
        ``floor(n / eta)`` of the highest rung below the top that has one (``None``: no rung has one)."""
        for level in range(self.top - 1, -1, -1):
            rung = self.results[level]
            k = int(math.floor(len(rung) / self.eta + 1e-9))
            for trial in self._leaders(level, k):
                if trial not in self.promoted[level] and rung[trial] > -math.inf:
                    return level, trial
        return None

    def mark_promoted(self, level: int, trial: int) -> None:
        """Note that ``trial`` left rung ``level`` for the next one."""
        self.promoted[level].add(trial)


def bracket_weights(n_rungs: int, eta: float) -> list[float]:
    """Hyperband's bracket weights: bracket ``j`` (lowest rung ``j``) is weighted by the number of
    architectures synchronous Hyperband starts in it, ``ceil((s_max + 1) / (s + 1) * eta^s)`` with
    ``s = s_max - j`` halvings; normalized to sum to 1.

    >>> [round(w, 3) for w in bracket_weights(3, 3)]
    [0.529, 0.294, 0.176]
    """
    s_max = n_rungs - 1
    sizes = [math.ceil((s_max + 1) / (s_max - j + 1) * eta ** (s_max - j)) for j in range(n_rungs)]
    total = float(sum(sizes))
    return [n / total for n in sizes]


class AsyncSuccessiveHalving(Strategy):
    """The ask/tell core: one or more brackets of asynchronous successive halving.

    Subclasses set :attr:`variant` (or take it as a parameter) and :meth:`_bracket_levels`.
    Proposal tags are ``(trial, level)``.
    """

    multi_fidelity = True
    #: ``"stopping"`` or ``"promotion"``
    variant: str = STOPPING
    #: whether brackets start at every rung (asynchronous Hyperband) or only at the lowest (ASHA)
    hyperband_brackets: ClassVar[bool] = False

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None, max_fidelity: int | None = None) -> None:
        super().__init__(context, seed=seed)
        fids = context.fidelities
        require(not isinstance(eta, bool) and isinstance(eta, (int, float)) and float(eta) > 1,
                f"eta must be a number > 1, got {eta!r}")
        for label, f in (("min_fidelity", min_fidelity), ("max_fidelity", max_fidelity)):
            require(f is None or (not isinstance(f, bool) and f in fids),
                    f"{label} must be None or one of the benchmark's fidelities {fids}, got {f!r}")
        lo = fids[0] if min_fidelity is None else int(min_fidelity)
        hi = fids[-1] if max_fidelity is None else int(max_fidelity)
        require(lo <= hi, f"min_fidelity ({lo}) must not exceed max_fidelity ({hi})")
        self.eta = float(eta)
        self.min_fidelity = min_fidelity
        self.max_fidelity = max_fidelity
        self.rungs = rungs(tuple(f for f in fids if f <= hi), self.eta, lo)
        starts = range(len(self.rungs)) if self.hyperband_brackets else range(1)
        self.brackets = [RungSystem(self.rungs[j:], self.eta) for j in starts]
        self._weights = np.asarray(bracket_weights(len(self.rungs), self.eta)) if self.hyperband_brackets else None
        self.trials: list[Any] = []  # trial -> architecture
        self.trial_bracket: list[int] = []  # trial -> bracket index
        self._continuing: deque[tuple[int, int]] = deque()  # stopping variant: (trial, level) to run next

    # ------------------------------------------------------------- hooks
    def sample(self, bracket: int) -> Any:
        """A new architecture for a trial of ``bracket`` (uniformly random from the space)."""
        return self.space.sample(self.rng)

    def observe(self, arch: Any, epoch: int, value: float) -> None:
        """Every finished evaluation, for subclasses that learn from them."""

    # ------------------------------------------------------------- protocol
    def _new_trial(self) -> Proposal:
        if self._weights is None or len(self.brackets) == 1:
            b = 0
        else:
            b = int(self.rng.choice(len(self.brackets), p=self._weights))
        trial = len(self.trials)
        self.trials.append(self.sample(b))
        self.trial_bracket.append(b)
        return Proposal(self.trials[trial], self.brackets[b].fidelities[0], (trial, 0))

    def _proposal(self, trial: int, level: int) -> Proposal:
        rs = self.brackets[self.trial_bracket[trial]]
        return Proposal(self.trials[trial], rs.fidelities[level], (trial, level))

    def ask(self) -> Proposal:
        if self.variant == STOPPING:
            if self._continuing:
                return self._proposal(*self._continuing.popleft())
            return self._new_trial()
        for b, rs in enumerate(self.brackets):  # brackets in order, each its highest rung first
            found = rs.promotable()
            if found is not None:
                level, trial = found
                rs.mark_promoted(level, trial)
                return self._proposal(trial, level + 1)
        return self._new_trial()

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self.observe(proposal.arch, observation.epoch, observation.value)
        trial, level = proposal.tag
        rs = self.brackets[self.trial_bracket[trial]]
        rs.record(level, trial, observation.value)
        if self.variant == STOPPING and rs.continues(level, trial):
            rs.mark_promoted(level, trial)
            self._continuing.append((trial, level + 1))
