"""What every per-space architecture encoder offers.

An encoder turns many architectures of one search space into fixed-size
numeric arrays in one vectorized call. Flat kinds (``onehot``, ``adjacency``,
``path``, ``features``) give ``(n, d)`` float arrays for tree, kernel and
linear models; ``graph`` gives dense adjacency and node-feature tensors for
the GIN, packed into one ``(n, N*N + N*F)`` array by :func:`pack_graphs` so
that every model takes a plain 2-D array.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError

#: the flat encodings every space offers; ``graph`` is the packed GIN input
KINDS: tuple[str, ...] = ("onehot", "adjacency", "path", "features", "graph")


@runtime_checkable
class Encoder(Protocol):
    """Vectorized encodings of one search space's architectures."""

    #: the search space's registry name (``Architecture.space``)
    space: str
    #: encodings this space supports, a subset of :data:`KINDS`
    kinds: tuple[str, ...]
    #: nodes and node-feature width of the ``graph`` encoding
    n_nodes: int
    n_node_features: int

    def encode(self, archs: Sequence[Any], kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        ...

    def graphs(self, archs: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Dense adjacency ``(n, N, N)`` and node features ``(n, N, F)``, float32."""
        ...


def pack_graphs(adjacency: np.ndarray, features: np.ndarray) -> np.ndarray:
    """One 2-D array ``(n, N*N + N*F)``: flattened adjacency, then flattened node features."""
    n, nodes, width = features.shape
    return np.concatenate([adjacency.reshape(n, nodes * nodes), features.reshape(n, nodes * width)], axis=1).astype(np.float32)


def unpack_graphs(packed: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pack_graphs` given the number of nodes ``N``."""
    n, d = packed.shape
    rest = d - n_nodes * n_nodes
    if n_nodes < 1 or rest <= 0 or rest % n_nodes:
        raise ValueError(
            f"a packed graph array with n_nodes={n_nodes} needs {n_nodes}*{n_nodes} + {n_nodes}*F columns "
            f"with F >= 1, got {d} columns (n_features = {d})"
        )
    adjacency = packed[:, : n_nodes * n_nodes].reshape(n, n_nodes, n_nodes)
    features = packed[:, n_nodes * n_nodes :].reshape(n, n_nodes, rest // n_nodes)
    return adjacency, features


def parse_all(space: Any, archs: Sequence[Any] | np.ndarray) -> list[Any]:
    """Every item of ``archs`` parsed by ``space``; items of another space are rejected by name."""
    if isinstance(archs, (str, bytes)) or not hasattr(archs, "__len__"):
        raise InvalidArchitectureError(
            f"expected a sequence of {space.name} architectures, got {type(archs).__name__}: {archs!r:.80}"
        )
    out = []
    for item in archs:
        other = getattr(item, "space", None)
        if isinstance(other, str) and other != space.name:
            raise InvalidArchitectureError(
                f"architecture {item!r:.120} belongs to search space {other!r}, expected {space.name!r}"
            )
        if isinstance(item, np.ndarray) and item.ndim == 0:
            item = item.item()
        out.append(space.parse(item))
    return out
