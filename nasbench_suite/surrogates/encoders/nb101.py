"""Encodings of NAS-Bench-101 cells (ops on vertices, up to 7 vertices).

Every encoding uses the *pruned* cell (vertices off every input-to-output
path removed, as NAS-Bench-101 does before training) laid out on 7 slots:
its vertices keep their order, the output moves to slot 6, and unused slots
stay empty (no op, no edges).

* ``onehot`` (15): the op of slots 1..5, one-hot over the 3 ops (empty: zeros).
* ``adjacency`` (36): BANANAS' adjacency encoding, the 21 upper-triangular
  entries of the 7x7 matrix plus ``onehot``.
* ``path`` (364): BANANAS' path encoding, counts of every input-to-output
  path's op sequence (0 to 5 ops over 3 op types: 1 + 3 + ... + 243 codes).
* ``features`` (407): ``adjacency``, ``path`` and 7 summaries: vertices,
  edges, conv 3x3 / conv 1x1 / max-pool vertices, the longest path (in
  vertices) and the number of input-to-output paths.
* ``graph`` (7 nodes x 5 features): the 7x7 matrix and node one-hots over
  (input, output, 3 ops).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb101 import MAX_VERTICES, OPS, Architecture, NB101Space
from nasbench_suite.surrogates.encoders.base import KINDS, pack_graphs, parse_all

N_OPS = len(OPS)
N_NODES = MAX_VERTICES
N_NODE_FEATURES = N_OPS + 2
_TRIU = np.triu_indices(N_NODES, k=1)
_PATH_OFFSETS = np.concatenate([[0], np.cumsum([N_OPS**k for k in range(N_NODES - 1)])])
PATH_DIM = int(_PATH_OFFSETS[-1])
N_SUMMARY = 7


@lru_cache(maxsize=200_000)
def _encode_one(matrix: tuple[tuple[int, ...], ...], ops: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(7x7 slot matrix, 7x5 node one-hots, path counts, summaries) of one pruned cell."""
    arch = Architecture(matrix, ops)
    pm, pops = arch.pruned_matrix, arch.pruned_ops
    n = len(pops)
    where = list(range(n - 1)) + [N_NODES - 1]
    adj = np.zeros((N_NODES, N_NODES), dtype=np.float32)
    for i in range(n):
        for j in range(n):
            if pm[i][j]:
                adj[where[i], where[j]] = 1.0
    nodes = np.zeros((N_NODES, N_NODE_FEATURES), dtype=np.float32)
    nodes[0, 0] = 1.0
    nodes[N_NODES - 1, 1] = 1.0
    for i in range(1, n - 1):
        nodes[where[i], 2 + OPS.index(pops[i])] = 1.0
    paths = np.zeros(PATH_DIM, dtype=np.float32)
    longest = 0
    # depth-first over the pruned DAG, carrying the op sequence as a base-3 code
    stack = [(0, 0, 0)]
    while stack:
        v, length, code = stack.pop()
        if v == n - 1:
            paths[_PATH_OFFSETS[length] + code] += 1.0
            longest = max(longest, length + 2)
            continue
        for w in range(v + 1, n):
            if pm[v][w]:
                if w == n - 1:
                    stack.append((w, length, code))
                else:
                    stack.append((w, length + 1, code * N_OPS + OPS.index(pops[w])))
    summary = np.array(
        [n, sum(map(sum, pm)), *(pops.count(op) for op in OPS), longest, paths.sum()], dtype=np.float32
    )
    return adj, nodes, paths, summary


class NB101Encoder:
    """Vectorized encodings of NB101 cells (see the module docstring for each kind)."""

    space = "nb101"
    kinds = KINDS
    n_nodes = N_NODES
    n_node_features = N_NODE_FEATURES

    def __init__(self) -> None:
        self._space = NB101Space()

    def _parts(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rows = [_encode_one(a.matrix, a.ops) for a in parse_all(self._space, archs)]
        if not rows:
            return (
                np.zeros((0, N_NODES, N_NODES), np.float32),
                np.zeros((0, N_NODES, N_NODE_FEATURES), np.float32),
                np.zeros((0, PATH_DIM), np.float32),
                np.zeros((0, N_SUMMARY), np.float32),
            )
        return tuple(np.stack(part) for part in zip(*rows))  # type: ignore[return-value]

    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        if kind not in KINDS:
            raise UnknownNameError("encoding", kind, KINDS)
        adj, nodes, paths, summary = self._parts(archs)
        n = len(adj)
        onehot = nodes[:, 1:-1, 2:].reshape(n, (N_NODES - 2) * N_OPS)
        if kind == "onehot":
            return np.ascontiguousarray(onehot)
        if kind == "path":
            return paths
        if kind == "graph":
            return pack_graphs(adj, nodes)
        adjacency = np.concatenate([adj[:, _TRIU[0], _TRIU[1]], onehot], axis=1)
        if kind == "adjacency":
            return adjacency
        return np.concatenate([adjacency, paths, summary], axis=1)

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Slot adjacency ``(n, 7, 7)`` and node one-hots ``(n, 7, 5)``."""
        adj, nodes, _, _ = self._parts(archs)
        return adj, nodes
