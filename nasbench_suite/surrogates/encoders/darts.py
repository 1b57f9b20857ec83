"""Encodings of DARTS / NAS-Bench-301 genotypes (a normal and a reduction cell).

Each cell has 8 edges (two per intermediate node 2..5), each an op applied
to one earlier node; the cell output concatenates nodes 2..5. Every
encoding is computed per cell and the two cells are concatenated (normal
first).

* ``onehot`` (2 x 96): per edge, the op one-hot (7) and the input node one-hot (5).
* ``adjacency`` (2 x 111): the op-on-node graph (see ``graph``) as its 55
  upper-triangular entries plus the 8 op nodes' one-hot ops.
* ``path`` (2 x 400): path encoding truncated as in BANANAS' DARTS variant:
  counts of the op sequences of the input-to-output paths with 1 to 3 ops
  (7 + 49 + 343 codes) plus the number of 4-op paths.
* ``features`` (2 x 507): ``onehot``, ``path`` and 11 summaries per cell:
  edges per op, edges from each cell input, the longest op chain.
* ``graph`` (22 nodes x 11 features): per cell 11 nodes, the two cell
  inputs, one node per edge labelled with its op, and the output; an edge
  node feeds the edge nodes that read its intermediate node, and the
  output. Node features: (input 0, input 1, output, 7 ops, reduction cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.darts import EDGES_PER_NODE, NUM_EDGES, OPS, Architecture, DartsSpace
from nasbench_suite.surrogates.encoders.base import KINDS, pack_graphs, parse_all

N_OPS = len(OPS)
N_SOURCES = 5
CELL_NODES = 2 + NUM_EDGES + 1
N_NODES = 2 * CELL_NODES
N_NODE_FEATURES = 3 + N_OPS + 1
_TRIU = np.triu_indices(CELL_NODES, k=1)
_PATH_OFFSETS = (0, N_OPS, N_OPS + N_OPS**2)
PATH_DIM = N_OPS + N_OPS**2 + N_OPS**3 + 1
N_SUMMARY = N_OPS + 3
_OP_ID = {op: i for i, op in enumerate(OPS)}


@lru_cache(maxsize=100_000)
def _cell(cell: tuple[tuple[str, int], ...], reduce: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(one-hot, adjacency 11x11, node features 11xF, path counts, summaries) of one cell."""
    ops = [_OP_ID[op] for op, _ in cell]
    sources = [s for _, s in cell]
    targets = [p // EDGES_PER_NODE + 2 for p in range(NUM_EDGES)]
    onehot = np.zeros((NUM_EDGES, N_OPS + N_SOURCES), dtype=np.float32)
    onehot[np.arange(NUM_EDGES), ops] = 1.0
    onehot[np.arange(NUM_EDGES), N_OPS + np.asarray(sources)] = 1.0
    adj = np.zeros((CELL_NODES, CELL_NODES), dtype=np.float32)
    nodes = np.zeros((CELL_NODES, N_NODE_FEATURES), dtype=np.float32)
    nodes[0, 0] = nodes[1, 1] = nodes[-1, 2] = 1.0
    nodes[:, -1] = float(reduce)
    for p in range(NUM_EDGES):
        nodes[2 + p, 3 + ops[p]] = 1.0
        adj[2 + p, -1] = 1.0
        if sources[p] < 2:
            adj[sources[p], 2 + p] = 1.0
        for q in range(NUM_EDGES):
            if targets[q] == sources[p]:
                adj[2 + q, 2 + p] = 1.0
    # op sequences along chains of edges, from a cell input to any edge (every node reaches the output)
    paths = np.zeros(PATH_DIM, dtype=np.float32)
    seqs: dict[int, list[tuple[int, ...]]] = {0: [()], 1: [()]}
    for p in range(NUM_EDGES):  # edges are in node order, so every source is done before it is read
        for seq in seqs.get(sources[p], []):
            new = (*seq, ops[p])
            seqs.setdefault(targets[p], []).append(new)
            if len(new) <= 3:
                code = 0
                for o in new:
                    code = code * N_OPS + o
                paths[_PATH_OFFSETS[len(new) - 1] + code] += 1.0
            else:
                paths[-1] += 1.0
    longest = max(len(s) for group in seqs.values() for s in group)
    summary = np.array(
        [*np.bincount(ops, minlength=N_OPS), sources.count(0), sources.count(1), longest], dtype=np.float32
    )
    return onehot.ravel(), adj, nodes, paths, summary


class DartsEncoder:
    """Encodings of DARTS genotypes (see the module docstring for each kind)."""

    space = "darts"
    kinds = KINDS
    n_nodes = N_NODES
    n_node_features = N_NODE_FEATURES

    def __init__(self) -> None:
        self._space = DartsSpace()

    def _parts(self, archs: Sequence[Any] | np.ndarray) -> list[tuple[Any, ...]]:
        return [(_cell(a.normal, False), _cell(a.reduce, True)) for a in parse_all(self._space, archs)]

    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        if kind not in KINDS:
            raise UnknownNameError("encoding", kind, KINDS)
        parts = self._parts(archs)
        if kind == "graph":
            adj, nodes = self._graphs(parts)
            return pack_graphs(adj, nodes)

        def row(cell: tuple[np.ndarray, ...]) -> np.ndarray:
            onehot, adj, nodes, paths, summary = cell
            if kind == "onehot":
                return onehot
            if kind == "path":
                return paths
            if kind == "adjacency":
                return np.concatenate([adj[_TRIU], nodes[2:-1, 3 : 3 + N_OPS].ravel()])
            return np.concatenate([onehot, paths, summary])

        width = {"onehot": 96, "path": PATH_DIM, "adjacency": 55 + NUM_EDGES * N_OPS, "features": 96 + PATH_DIM + N_SUMMARY}[kind]
        out = np.zeros((len(parts), 2 * width), dtype=np.float32)
        for i, (normal, reduce) in enumerate(parts):
            out[i, :width] = row(normal)
            out[i, width:] = row(reduce)
        return out

    @staticmethod
    def _graphs(parts: list[tuple[Any, ...]]) -> tuple[np.ndarray, np.ndarray]:
        adj = np.zeros((len(parts), N_NODES, N_NODES), dtype=np.float32)
        nodes = np.zeros((len(parts), N_NODES, N_NODE_FEATURES), dtype=np.float32)
        for i, (normal, reduce) in enumerate(parts):
            adj[i, :CELL_NODES, :CELL_NODES] = normal[1]
            adj[i, CELL_NODES:, CELL_NODES:] = reduce[1]
            nodes[i, :CELL_NODES] = normal[2]
            nodes[i, CELL_NODES:] = reduce[2]
        return adj, nodes

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Block-diagonal op-on-node adjacency ``(n, 22, 22)`` and node features ``(n, 22, 11)``."""
        return self._graphs(self._parts(archs))
