"""What one-shot search needs from a space: its supernet and how architectures map to supernet paths.

A space's bundle names a :class:`SupernetPlugin` instance in its ``supernet``
field; :mod:`nasbench_suite.estimation.weight_sharing` and the ``ws-*``
strategies use only this interface, so they run on every space that brings
one and name none.

Terms
-----
alphas
    The architecture parameters: a float array of :attr:`SupernetPlugin.alpha_shape`
    whose last axis runs over :attr:`SupernetPlugin.ops` (``softmax`` over it
    gives an edge's operation weights).
path
    One architecture as the supernet runs it: an operation index per edge,
    nested as ``alpha_shape[:-1]`` (an index of ``none`` switches an edge off).
record
    How an architecture is written in a results file's decisions (an integer
    index where the space has one, else its string).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # torch is imported by the plugins' modules only
    from torch import nn

__all__ = ["SupernetPlugin", "get_supernet"]


class SupernetPlugin(ABC):
    """A space's weight-sharing supernet and its architecture bookkeeping (see the module docstring)."""

    #: the space's registry name
    space: str
    #: shape of the architecture parameters; the last axis runs over :attr:`ops`
    alpha_shape: tuple[int, ...]
    #: the supernet's operations, in alpha order (``none`` among them where the space's cells may drop an edge)
    ops: tuple[str, ...]

    @abstractmethod
    def build(self, *, skeleton: str, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        """The supernet; its ``forward(x, *, weights=None, path=None)`` takes alpha-shaped weights, a path or both."""

    @abstractmethod
    def random_path(self, rng: np.random.Generator) -> Any:
        """The path of one architecture drawn uniformly from the space (an RS-WS weight step)."""

    @abstractmethod
    def candidates(self, rng: np.random.Generator, n: int) -> list[Any]:
        """Paths of up to ``n`` architectures drawn uniformly from the space, one per isomorphism class."""

    @abstractmethod
    def path_of(self, arch: Any) -> Any:
        """The path that runs ``arch`` (an architecture of the space)."""

    @abstractmethod
    def arch_of(self, path: Any) -> Any:
        """The architecture a path runs."""

    @abstractmethod
    def derive(self, alphas: np.ndarray) -> Any:
        """The architecture the method of the space's one-shot papers derives from ``alphas``."""

    @abstractmethod
    def ranked(self, alphas: np.ndarray) -> Iterator[Any]:
        """Architectures best first by their log-probability under ``alphas``, starting at :meth:`derive`'s."""

    @abstractmethod
    def log_probs(self, alphas: Any, archs: Sequence[Any]) -> list[float]:
        """Each architecture's log-probability under ``alphas`` (the ranking score of :meth:`ranked`)."""

    def record(self, arch: Any) -> int | str:
        """``arch`` as written in decision records (default: its string)."""
        return arch.to_string()

    def from_record(self, value: Any) -> Any:
        """The architecture a decision record names."""
        from nasbench_suite.spaces import get_space

        return get_space(self.space).parse(value)


def get_supernet(space: str, *, who: str) -> SupernetPlugin:
    """The supernet plugin of ``space``'s bundle; UnsupportedCapabilityError (naming ``who``) where it has none."""
    from nasbench_suite.spaces import get_bundle
    from nasbench_suite.spaces.bundle import _load

    bundle = get_bundle(space)
    bundle.require("supernet", who=who)
    plugin = _load(bundle.supernet)
    if not isinstance(plugin, SupernetPlugin):
        raise TypeError(f"the supernet of space {space!r} ({bundle.supernet}) must be a SupernetPlugin instance, "
                        f"got {type(plugin).__name__}")
    return plugin
