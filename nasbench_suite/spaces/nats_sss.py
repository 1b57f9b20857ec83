"""The NATS-Bench size search space (32,768 channel configurations).

The macro skeleton is fixed; an architecture is the number of output channels
of its 5 searchable layers, each one of 8, 16, ..., 64. The official text form
joins them with colons, ``"64:32:16:8:40"``. The official index enumerates the
configurations with ``itertools.product`` over the 5 layers: the first layer
varies slowest, so index ``i`` written in base 8 gives each layer's choice.
No two configurations compute the same function, so the canonical key is the
string itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.base import mutate_one_position, one_position_variants

CHANNELS: tuple[int, ...] = (8, 16, 24, 32, 40, 48, 56, 64)
NUM_LAYERS = 5
SIZE = len(CHANNELS) ** NUM_LAYERS
_CHOICE = {c: i for i, c in enumerate(CHANNELS)}
_STRING_RE = re.compile(r"^\d+(?::\d+){%d}$" % (NUM_LAYERS - 1))


@dataclass(frozen=True)
class Architecture:
    """One NATS-Bench size configuration: output channels of the 5 layers.

    Examples
    --------
    >>> a = Architecture.from_string("8:8:8:16:32")
    >>> a.index
    11
    >>> Architecture.from_index(11) == a
    True
    """

    channels: tuple[int, ...]
    space: str = "nats-sss"

    def __post_init__(self) -> None:
        try:
            channels = tuple(int(c) for c in self.channels)
        except (TypeError, ValueError):
            raise InvalidArchitectureError(f"NATS-sss channels must be {NUM_LAYERS} ints, got {self.channels!r}") from None
        if len(channels) != NUM_LAYERS:
            raise InvalidArchitectureError(
                f"a NATS-sss architecture has {NUM_LAYERS} layers, got {len(channels)} channel counts: {self.channels!r}"
            )
        for c in channels:
            if c not in _CHOICE:
                raise InvalidArchitectureError(
                    f"NATS-sss channel count {c!r} is not one of {', '.join(map(str, CHANNELS))}"
                )
        object.__setattr__(self, "channels", channels)

    @classmethod
    def from_string(cls, text: str) -> Architecture:
        """Parse the official ``"C1:C2:C3:C4:C5"`` string."""
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"expected a NATS-sss string, got {type(text).__name__}")
        if not _STRING_RE.match(text.strip()):
            raise InvalidArchitectureError(
                f"a NATS-sss string is {NUM_LAYERS} channel counts joined by ':', e.g. '64:32:16:8:40'; got {text!r}"
            )
        return cls(tuple(int(c) for c in text.strip().split(":")))

    @classmethod
    def from_index(cls, index: int) -> Architecture:
        """The configuration at official index ``index`` (0..32767)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < SIZE:
            raise InvalidArchitectureError(f"NATS-sss index must be an int in 0..{SIZE - 1}, got {index!r}")
        digits = []
        index = int(index)
        for _ in range(NUM_LAYERS):
            index, d = divmod(index, len(CHANNELS))
            digits.append(CHANNELS[d])
        return cls(tuple(reversed(digits)))

    def to_string(self) -> str:
        """The official string form."""
        return ":".join(str(c) for c in self.channels)

    def __str__(self) -> str:
        return self.to_string()

    @property
    def index(self) -> int:
        """The official NATS-Bench size-space index."""
        index = 0
        for c in self.channels:
            index = index * len(CHANNELS) + _CHOICE[c]
        return index

    def canonical_key(self) -> str:
        """The string itself: distinct configurations are distinct networks."""
        return self.to_string()


class NATSSizeSpace:
    """The NATS-Bench size space: parsing, sampling, mutation and neighbours."""

    name = "nats-sss"
    size: int | None = SIZE
    channels = CHANNELS

    def parse(self, value: Any) -> Architecture:
        """An :class:`Architecture` from itself, its official string, its index or a channel sequence."""
        if isinstance(value, Architecture):
            return value
        if isinstance(value, str):
            return Architecture.from_string(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return Architecture.from_index(int(value))
        if isinstance(value, (tuple, list, np.ndarray)):
            return Architecture(tuple(value))
        raise InvalidArchitectureError(
            f"expected a NATS-sss Architecture, string, index or channel list, got {type(value).__name__}: {value!r}"
        )

    def all(self) -> list[Architecture]:
        """Every configuration, in official index order."""
        return [Architecture.from_index(i) for i in range(SIZE)]

    def sample(self, rng: np.random.Generator) -> Architecture:
        """A configuration drawn uniformly (each layer's width uniform and independent)."""
        return Architecture(tuple(CHANNELS[i] for i in rng.integers(0, len(CHANNELS), size=NUM_LAYERS)))

    def mutate(self, arch: Any, rng: np.random.Generator) -> Architecture:
        """``arch`` with one uniformly chosen layer set to a different width."""
        return Architecture(mutate_one_position(self.parse(arch).channels, CHANNELS, rng))

    def neighbours(self, arch: Any) -> list[Architecture]:
        """The 35 configurations that differ from ``arch`` in exactly one layer."""
        return [Architecture(channels) for channels in one_position_variants(self.parse(arch).channels, CHANNELS)]


__all__ = ["CHANNELS", "NUM_LAYERS", "SIZE", "Architecture", "NATSSizeSpace"]
