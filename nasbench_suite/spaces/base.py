"""The search-space protocol every space module implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np


@runtime_checkable
class ArchitectureLike(Protocol):
    """What every space's ``Architecture`` record offers."""

    space: str

    def to_string(self) -> str:
        """The space's official text form."""
        ...

    def canonical_key(self) -> str:
        """Equal for architectures that compute the same function (isomorphic cells)."""
        ...


@runtime_checkable
class SearchSpace(Protocol):
    """A search space: parsing, uniform sampling, mutation and neighbours.

    All randomness comes from the ``numpy.random.Generator`` passed in, so a
    strategy that owns a Generator is reproducible.
    """

    name: str
    #: number of architectures, or ``None`` where the space is too large to enumerate
    size: int | None

    def parse(self, value: Any) -> ArchitectureLike:
        """An architecture from its string, its index or itself."""
        ...

    def sample(self, rng: np.random.Generator) -> ArchitectureLike:
        """One architecture drawn uniformly at random."""
        ...

    def mutate(self, arch: Any, rng: np.random.Generator) -> ArchitectureLike:
        """A random neighbour of ``arch`` (never ``arch`` itself)."""
        ...

    def neighbours(self, arch: Any) -> list[ArchitectureLike]:
        """Every architecture one mutation away from ``arch``, in a fixed order."""
        ...


T = TypeVar("T")


def mutate_one_position(values: Sequence[T], choices: Sequence[T], rng: np.random.Generator) -> tuple[T, ...]:
    """``values`` with one uniformly drawn position set to a different one of ``choices`` (two draws from ``rng``)."""
    position = int(rng.integers(len(values)))
    others = [c for c in choices if c != values[position]]
    out = list(values)
    out[position] = others[int(rng.integers(len(others)))]
    return tuple(out)


def one_position_variants(values: Sequence[T], choices: Sequence[T]) -> list[tuple[T, ...]]:
    """Every tuple that differs from ``values`` in exactly one position, by position, then in ``choices`` order."""
    out = []
    for position, current in enumerate(values):
        for c in choices:
            if c != current:
                variant = list(values)
                variant[position] = c
                out.append(tuple(variant))
    return out


def isomorphism_rows(space: Any, archs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Group ``archs`` (of ``space``) by isomorphism class (``canonical_key``).

    Returns the position of each class's first member in ``archs``
    (ascending), and for every position the number of its class in that order.
    """
    number: dict[str, int] = {}
    first: list[int] = []
    cls_of = np.empty(len(archs), dtype=np.int64)
    for i, arch in enumerate(archs):
        key = space.parse(arch).canonical_key()
        if key not in number:
            number[key] = len(first)
            first.append(i)
        cls_of[i] = number[key]
    return np.asarray(first, dtype=np.int64), cls_of
