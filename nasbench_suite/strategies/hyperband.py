"""Hyperband (Li et al., JMLR 2018): brackets of successive halving over the benchmark's epochs."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


def rungs(fidelities: tuple[int, ...], eta: float, min_fidelity: int | None = None) -> list[int]:
    """The successive-halving fidelities: ``max / eta^k`` for ``k = 0..s_max``, each snapped to the
    nearest held fidelity (in log scale), distinct, ascending.

    >>> rungs((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 3)
    [1, 4, 12]
    >>> rungs((12, 200), 3)
    [12, 200]
    """
    lo = fidelities[0] if min_fidelity is None else min_fidelity
    usable = [f for f in fidelities if f >= lo]
    top = usable[-1]
    s_max = int(math.floor(math.log(top / usable[0]) / math.log(eta) + 1e-9))
    out: list[int] = []
    for k in range(s_max + 1):
        target = top / eta**k
        snapped = min(usable, key=lambda f: (abs(math.log(f / target)), f))
        if snapped not in out:
            out.append(snapped)
    return sorted(out)


@dataclass
class _Bracket:
    """One successive-halving bracket: configurations per rung, and the state of the current rung."""

    ident: int
    fidelities: list[int]
    sizes: list[int]
    level: int = 0
    fresh: int = 0  # new architectures still to sample for the first rung
    todo: deque[Any] = field(default_factory=deque)  # promoted architectures still to propose
    results: list[tuple[Any, float]] = field(default_factory=list)
    outstanding: int = 0

    @property
    def fidelity(self) -> int:
        return self.fidelities[self.level]


class Hyperband(Strategy):
    """Hyperband over the fidelities on offer, brackets run back to back (and in parallel when asked ahead).

    Rungs are ``max / eta^k`` snapped to the held epochs (see :func:`rungs`).
    Bracket ``s`` (``s_max`` down to 0, then again) starts
    ``ceil((s_max + 1) / (s + 1) * eta^s)`` random architectures at its
    lowest rung and promotes the best ``1/eta`` (by the told value) to the
    next rung once every result of the rung is in; promotion is a new
    proposal of the same architecture at the higher epoch (the harness
    charges only the extra epochs). When every open bracket is waiting for
    results, an ask opens the next bracket, as HpBandSter does with several
    workers. With a single fidelity it is random search.

    Parameters
    ----------
    eta : float
        Halving rate (> 1).
    min_fidelity : int, optional
        Lowest epoch to use (default: the lowest on offer).
    """

    name = "hyperband"
    multi_fidelity = True

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None) -> None:
        super().__init__(context, seed=seed)
        require(float(eta) > 1, f"eta must be > 1, got {eta!r}")
        require(min_fidelity is None or min_fidelity in context.fidelities,
                f"min_fidelity must be None or one of {context.fidelities}, got {min_fidelity!r}")
        self.eta = float(eta)
        self.min_fidelity = min_fidelity
        self._rungs = rungs(context.fidelities, self.eta, min_fidelity)
        self._s_max = len(self._rungs) - 1
        self._brackets: list[_Bracket] = []
        self._opened = 0

    # ------------------------------------------------------------- sampling
    def sample(self, fidelity: int) -> Any:
        """A new architecture for a bracket starting at ``fidelity`` (random here; BOHB overrides)."""
        return self.space.sample(self.rng)

    def observe(self, arch: Any, epoch: int, value: float) -> None:
        """Every finished evaluation, for subclasses that model them (BOHB)."""

    # -------------------------------------------------------------- brackets
    def _open(self) -> _Bracket:
        s = self._s_max - self._opened % (self._s_max + 1)
        n0 = int(math.ceil((self._s_max + 1) / (s + 1) * self.eta**s))
        fids = self._rungs[self._s_max - s:]
        sizes = [max(1, int(n0 * self.eta ** -i)) for i in range(s + 1)]
        bracket = _Bracket(self._opened, fids, sizes, fresh=sizes[0])
        self._opened += 1
        self._brackets.append(bracket)
        return bracket

    def ask(self) -> Proposal:
        bracket = next((b for b in self._brackets if b.todo or b.fresh), None) or self._open()
        if bracket.fresh:  # sampled when needed, so a model sees every result told so far
            bracket.fresh -= 1
            arch = self.sample(bracket.fidelity)
        else:
            arch = bracket.todo.popleft()
        bracket.outstanding += 1
        return Proposal(arch, bracket.fidelity, (bracket.ident, bracket.level))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        value = observation.value
        self.observe(proposal.arch, observation.epoch, value)
        ident, level = proposal.tag
        bracket = next((b for b in self._brackets if b.ident == ident), None)
        if bracket is None or bracket.level != level:
            return
        bracket.outstanding -= 1
        bracket.results.append((proposal.arch, -math.inf if math.isnan(value) else value))
        if bracket.fresh or bracket.todo or bracket.outstanding:
            return
        if bracket.level + 1 >= len(bracket.fidelities):
            self._brackets.remove(bracket)
            return
        order = sorted(range(len(bracket.results)), key=lambda i: (-bracket.results[i][1], i))
        keep = bracket.sizes[bracket.level + 1]
        bracket.todo.extend(bracket.results[i][0] for i in order[:keep])
        bracket.level += 1
        bracket.results = []
