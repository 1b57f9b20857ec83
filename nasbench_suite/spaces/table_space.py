"""The architectures a listed table holds, as a search space of their own.

Sample tables (a few hundred NB101 or DARTS cells, a ``--limit`` generation)
cannot answer for the rest of their space, so a search over them must stay
inside the held set. :class:`TableSpace` wraps the full space: parsing
accepts only held architectures, sampling is uniform over them, and mutation
and neighbours keep to the held set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.spaces.base import ArchitectureLike, SearchSpace


class TableSpace:
    """A search space restricted to ``archs`` (strings of ``base``'s official form)."""

    def __init__(self, base: SearchSpace, archs: Sequence[str]) -> None:
        self.base = base
        self.name = base.name
        self.archs = list(archs)
        self.size: int | None = len(self.archs)
        self._held = {a: i for i, a in enumerate(self.archs)}
        self._neighbours: dict[str, list[ArchitectureLike]] = {}

    def __repr__(self) -> str:
        return f"TableSpace({self.name!r}, {len(self.archs)} architectures)"

    def __getattr__(self, name: str) -> Any:  # ops, edges, encoders' helpers of the base space
        return getattr(self.base, name)

    def __contains__(self, arch: Any) -> bool:
        try:
            self.parse(arch)
        except (NotMeasuredError, ValueError):
            return False
        return True

    def parse(self, value: Any) -> ArchitectureLike:
        """The held architecture ``value`` names; NotMeasuredError for one the table lacks."""
        if isinstance(value, str) and value in self._held:
            return self.base.parse(value)
        arch = self.base.parse(value)
        if arch.to_string() not in self._held:
            raise NotMeasuredError(f"architecture {arch.to_string()!r} is not among the {len(self.archs)} this table holds")
        return arch

    def all(self) -> list[ArchitectureLike]:
        """Every held architecture, in table order."""
        return [self.base.parse(a) for a in self.archs]

    def sample(self, rng: np.random.Generator) -> ArchitectureLike:
        """A held architecture drawn uniformly."""
        return self.base.parse(self.archs[int(rng.integers(len(self.archs)))])

    def neighbours(self, arch: Any) -> list[ArchitectureLike]:
        """The base space's neighbours of ``arch`` that the table holds."""
        key = self.parse(arch).to_string()
        found = self._neighbours.get(key)
        if found is None:
            found = [n for n in self.base.neighbours(key) if n.to_string() in self._held]
            self._neighbours[key] = found
        return list(found)

    def mutate(self, arch: Any, rng: np.random.Generator) -> ArchitectureLike:
        """A random held neighbour; a uniformly drawn other held architecture where none is held."""
        options = self.neighbours(arch)
        if options:
            return options[int(rng.integers(len(options)))]
        key = self.parse(arch).to_string()
        while True:
            other = self.sample(rng)
            if other.to_string() != key or len(self.archs) == 1:
                return other
