"""Random search: the baseline every NAS comparison needs."""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.strategies._random import IntStream, all_architectures, enumerable
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, SearchExhausted, Strategy

#: consecutive repeats after which sampling without replacement from a non-enumerable space gives up
_MAX_REJECTIONS = 10_000


class RandomSearch(Strategy):
    """Architectures drawn uniformly at random, each trained to the final epoch.

    By default (``replace=True``) draws are independent and uniform **with
    replacement**: the same architecture may be proposed twice, and the
    expected best after ``n`` evaluations is the expected maximum of ``n``
    i.i.d. draws from the table. With ``replace=False`` it samples **without
    replacement** (never the same architecture twice; isomorphic cells count
    as different architectures) and raises :class:`SearchExhausted` once the
    space is used up.

    On an enumerable space (finite ``size`` and ``all()``) draws index the
    space's list of architectures, which is uniform over the space and much
    cheaper than building a new architecture per draw.

    Parameters
    ----------
    replace : bool
        Sample with (default) or without replacement.
    """

    name = "rs"

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, replace: bool = True) -> None:
        super().__init__(context, seed=seed)
        self.replace = bool(replace)
        self._all: tuple[Any, ...] | None = all_architectures(self.space) if enumerable(self.space) else None
        self._ints = IntStream(self.rng, len(self._all)) if self._all is not None and self.replace else None
        self._order: list[int] | None = None
        self._pos = 0
        self._seen: set[str] = set()

    def ask(self) -> Proposal:
        if self._ints is not None:
            return Proposal(self._all[self._ints.next()])  # type: ignore[index]
        if self._all is not None:  # without replacement over an enumerable space
            if self._order is None:
                self._order = self.rng.permutation(len(self._all)).tolist()
            if self._pos >= len(self._order):
                raise SearchExhausted(f"random search without replacement has proposed all {len(self._order)} architectures")
            self._pos += 1
            return Proposal(self._all[self._order[self._pos - 1]])
        arch = self.space.sample(self.rng)
        if self.replace:
            return Proposal(arch)
        for _ in range(_MAX_REJECTIONS):
            key = arch.to_string()
            if key not in self._seen:
                self._seen.add(key)
                return Proposal(arch)
            arch = self.space.sample(self.rng)
        raise SearchExhausted(f"random search without replacement drew {_MAX_REJECTIONS} repeats in a row")

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        """Random search learns nothing."""
