"""The search-space protocol every space module implements."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

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
