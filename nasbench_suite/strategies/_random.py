"""Cheap randomness for strategies on the hot path.

numpy's per-call overhead (microseconds per ``rng.integers``) dominates a
random search over a table, so draws are made in blocks from the strategy's
own Generator and handed out one at a time. Given the same Generator state
and the same sequence of calls, the values are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_BLOCK = 1024


class UniformStream:
    """Uniform floats in [0, 1) drawn from ``rng`` in blocks; ``below(n)`` gives an int in [0, n)."""

    __slots__ = ("_block", "_pos", "_rng", "_values")

    def __init__(self, rng: np.random.Generator, *, block: int = _BLOCK) -> None:
        self._rng = rng
        self._block = block
        self._values: list[float] = []
        self._pos = 0

    def next(self) -> float:
        """The next uniform float."""
        if self._pos >= len(self._values):
            self._values = self._rng.random(self._block).tolist()
            self._pos = 0
        u = self._values[self._pos]
        self._pos += 1
        return u

    def take(self, k: int) -> list[float]:
        """The next ``k`` uniform floats."""
        if self._pos + k > len(self._values):
            rest = self._values[self._pos :]
            self._values = rest + self._rng.random(max(self._block, k)).tolist()
            self._pos = 0
        out = self._values[self._pos : self._pos + k]
        self._pos += k
        return out

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (``int(u * n) < n`` for every double ``u < 1``; the bias is negligible)."""
        return int(self.next() * n)


class IntStream:
    """Uniform integers in ``[0, n)`` drawn from ``rng`` in blocks (exactly uniform)."""

    __slots__ = ("_block", "_n", "_pos", "_rng", "_values")

    def __init__(self, rng: np.random.Generator, n: int, *, block: int = _BLOCK) -> None:
        self._rng = rng
        self._n = n
        self._block = block
        self._values: list[int] = []
        self._pos = 0

    def next(self) -> int:
        """The next integer."""
        if self._pos >= len(self._values):
            self._values = self._rng.integers(0, self._n, size=self._block).tolist()
            self._pos = 0
        v = self._values[self._pos]
        self._pos += 1
        return v


def enumerable(space: Any) -> bool:
    """Whether ``space`` can list all its architectures (finite ``size`` and an ``all()`` method)."""
    return getattr(space, "size", None) is not None and callable(getattr(space, "all", None))


_ALL: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def all_architectures(space: Any) -> tuple[Any, ...]:
    """Every architecture of an enumerable space, in the space's order (built once per process and held set).

    A listed table's space (one with ``archs``) is keyed by the architectures it holds, so two
    tables of one space never share a list.
    """
    held = getattr(space, "archs", None)
    key = (type(space), str(space.name), None if held is None else tuple(held))
    cached = _ALL.get(key)
    if cached is None:
        cached = _ALL[key] = tuple(space.all())
    return cached
