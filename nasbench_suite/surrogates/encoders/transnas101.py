"""Encodings of the two TransNAS-Bench-101 spaces.

**Micro cells** (:class:`MicroEncoder`) have NAS-Bench-201's cell graph with
4 ops (``none``, ``skip_connect``, ``conv1x1``, ``conv3x3``):

* ``onehot`` (24): each edge's op.
* ``adjacency`` (76): the op-on-node DAG (input, one node per edge, output)
  as its 28 upper-triangular entries plus the 8 nodes' one-hot labels.
* ``path`` (39): counts of the op sequences of the input-to-output paths
  whose edges are all non-``none`` (lengths 1 to 3 over 3 ops: 3 + 9 + 27).
* ``features`` (92): ``onehot``, the one-hot of effective edges only (fed by
  the input and reaching the output), ``path`` and 5 summaries: output
  connected, effective conv3x3 / conv1x1 / skip edges, most convolutions on one path.
* ``graph`` (8 nodes x 6 features): the op-on-node DAG with ``none`` nodes cut
  off; node features (input, output, 4 ops).

**Macro skeletons** (:class:`MacroEncoder`) are chains of 4 to 6 residual
modules; a chain has one path, so there is no path or adjacency encoding:

* ``onehot`` (30): per module position 1..6, one-hot over (absent, codes 1..4).
* ``features`` (35): ``onehot`` and 5 summaries: modules, resolution-halving
  modules and channel-doubling modules (each / 6), position of the first
  halving and of the first doubling module (/ 6).
* ``graph`` (8 nodes x 6 features): input -> module 1 -> ... -> output;
  absent positions are isolated zero nodes; node features (input, output, 4 codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb201 import EDGES
from nasbench_suite.spaces.transnas101 import (
    MACRO_CODES,
    MACRO_LENGTHS,
    MICRO_OPS,
    TransNAS101MacroSpace,
    TransNAS101MicroSpace,
)
from nasbench_suite.surrogates.encoders.base import KINDS, pack_graphs, parse_all

# ------------------------------------------------------------------- micro
N_OPS = len(MICRO_OPS)
NUM_EDGES = len(EDGES)
NONE, SKIP, CONV1, CONV3 = (MICRO_OPS.index(o) for o in ("none", "skip_connect", "conv1x1", "conv3x3"))
#: input-to-output paths as edge positions (0 -> 3, 0 -> 1 -> 3, 0 -> 2 -> 3, 0 -> 1 -> 2 -> 3)
PATHS: tuple[tuple[int, ...], ...] = ((3,), (0, 4), (1, 5), (0, 2, 5))
_LIVE_OPS = N_OPS - 1
_PATH_OFFSET = {1: 0, 2: _LIVE_OPS, 3: _LIVE_OPS + _LIVE_OPS**2}
MICRO_PATH_DIM = _LIVE_OPS + _LIVE_OPS**2 + _LIVE_OPS**3
MICRO_NODES = NUM_EDGES + 2
MICRO_NODE_FEATURES = N_OPS + 2
_TRIU = np.triu_indices(MICRO_NODES, k=1)


def _links() -> np.ndarray:
    adj = np.zeros((MICRO_NODES, MICRO_NODES), dtype=np.float32)
    for e, (s, t) in enumerate(EDGES):
        if s == 0:
            adj[0, e + 1] = 1.0
        if t == 3:
            adj[e + 1, -1] = 1.0
        for f, (s2, _) in enumerate(EDGES):
            if s2 == t:
                adj[e + 1, f + 1] = 1.0
    return adj


_LINKS = _links()


def _onehot(ids: np.ndarray, width: int) -> np.ndarray:
    out = np.zeros((len(ids), ids.shape[1], width), dtype=np.float32)
    np.put_along_axis(out, ids[:, :, None], 1.0, axis=2)
    return out.reshape(len(ids), ids.shape[1] * width)


def _micro_paths(ids: np.ndarray) -> np.ndarray:
    out = np.zeros((len(ids), MICRO_PATH_DIM), dtype=np.float32)
    rows = np.arange(len(ids))
    live = ids - 1  # none -> -1, the 3 other ops -> 0..2
    for path in PATHS:
        code = np.full(len(ids), _PATH_OFFSET[len(path)])
        valid = np.ones(len(ids), dtype=bool)
        for depth, e in enumerate(path):
            valid &= live[:, e] >= 0
            code += np.maximum(live[:, e], 0) * _LIVE_OPS ** (len(path) - 1 - depth)
        np.add.at(out, (rows[valid], code[valid]), 1.0)
    return out


def _effective(ids: np.ndarray) -> np.ndarray:
    on = ids != NONE
    yes = np.ones(len(ids), dtype=bool)
    fed1 = on[:, 0]
    fed2 = on[:, 1] | (on[:, 2] & fed1)
    reach2 = on[:, 5]
    reach1 = on[:, 4] | (on[:, 2] & reach2)
    fed = np.stack([yes, yes, fed1, yes, fed1, fed2], axis=1)
    reach = np.stack([reach1, reach2, reach2, yes, yes, yes], axis=1)
    return on & fed & reach


class MicroEncoder:
    """Vectorized encodings of TransNAS-Bench-101 micro cells (see the module docstring)."""

    space = "transnas101-micro"
    kinds = KINDS
    n_nodes = MICRO_NODES
    n_node_features = MICRO_NODE_FEATURES

    def __init__(self) -> None:
        self._space = TransNAS101MicroSpace()

    def op_ids(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Op codes ``(n, 6)`` (positions in :data:`MICRO_OPS`)."""
        return np.asarray([a.codes for a in parse_all(self._space, archs)], dtype=np.int64).reshape(-1, NUM_EDGES)

    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        if kind not in KINDS:
            raise UnknownNameError("transnas101-micro encoding", kind, KINDS)
        ids = self.op_ids(archs)
        if kind == "onehot":
            return _onehot(ids, N_OPS)
        if kind == "path":
            return _micro_paths(ids)
        if kind == "features":
            live_ids = np.where(_effective(ids), ids, NONE)
            paths = _micro_paths(ids)
            conv = np.isin(ids, (CONV1, CONV3))
            depth = np.zeros(len(ids))
            for path in PATHS:
                ok = np.all(ids[:, path] != NONE, axis=1)
                depth = np.maximum(depth, np.where(ok, conv[:, path].sum(axis=1), 0))
            summary = np.stack([paths.sum(axis=1) > 0, (live_ids == CONV3).sum(axis=1), (live_ids == CONV1).sum(axis=1),
                                (live_ids == SKIP).sum(axis=1), depth], axis=1).astype(np.float32)
            return np.concatenate([_onehot(ids, N_OPS), _onehot(live_ids, N_OPS), paths, summary], axis=1)
        adjacency, nodes = self._graphs(ids)
        if kind == "graph":
            return pack_graphs(adjacency, nodes)
        return np.concatenate([adjacency[:, _TRIU[0], _TRIU[1]], nodes.reshape(len(ids), -1)], axis=1)

    @staticmethod
    def _graphs(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(ids)
        alive = np.ones((n, MICRO_NODES), dtype=np.float32)
        alive[:, 1:-1] = ids != NONE
        adjacency = (_LINKS[None] * alive[:, :, None] * alive[:, None, :]).astype(np.float32)
        nodes = np.zeros((n, MICRO_NODES, MICRO_NODE_FEATURES), dtype=np.float32)
        nodes[:, 0, 0] = 1.0
        nodes[:, -1, 1] = 1.0
        nodes[:, 1:-1, 2:] = _onehot(ids, N_OPS).reshape(n, NUM_EDGES, N_OPS)
        return adjacency, nodes

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Op-on-node adjacency ``(n, 8, 8)`` and node one-hots ``(n, 8, 6)``."""
        return self._graphs(self.op_ids(archs))


# ------------------------------------------------------------------- macro
MAX_MODULES = MACRO_LENGTHS[-1]
N_CODES = len(MACRO_CODES)
MACRO_NODES = MAX_MODULES + 2
MACRO_NODE_FEATURES = 2 + N_CODES


class MacroEncoder:
    """Vectorized encodings of TransNAS-Bench-101 macro skeletons (see the module docstring)."""

    space = "transnas101-macro"
    kinds: tuple[str, ...] = ("onehot", "features", "graph")
    n_nodes = MACRO_NODES
    n_node_features = MACRO_NODE_FEATURES

    def __init__(self) -> None:
        self._space = TransNAS101MacroSpace()

    def codes(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """``(n, 6)`` module codes, 0 for absent positions."""
        rows = [a.modules + (0,) * (MAX_MODULES - len(a.modules)) for a in parse_all(self._space, archs)]
        return np.asarray(rows, dtype=np.int64).reshape(-1, MAX_MODULES)

    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        if kind not in self.kinds:
            raise UnknownNameError("transnas101-macro encoding", kind, self.kinds)
        codes = self.codes(archs)
        if kind == "graph":
            return pack_graphs(*self._graphs(codes))
        onehot = _onehot(codes, N_CODES + 1)
        if kind == "onehot":
            return onehot
        present = codes > 0
        down = np.isin(codes, (3, 4))
        wide = np.isin(codes, (2, 4))

        def first(mask: np.ndarray) -> np.ndarray:
            return np.where(mask.any(axis=1), mask.argmax(axis=1) / MAX_MODULES, 1.0)

        counts = np.stack([present.sum(axis=1), down.sum(axis=1), wide.sum(axis=1)], axis=1) / MAX_MODULES
        summary = np.concatenate([counts, np.stack([first(down), first(wide)], axis=1)], axis=1)
        return np.concatenate([onehot, summary.astype(np.float32)], axis=1)

    @staticmethod
    def _graphs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(codes)
        length = (codes > 0).sum(axis=1)
        adjacency = np.zeros((n, MACRO_NODES, MACRO_NODES), dtype=np.float32)
        nodes = np.zeros((n, MACRO_NODES, MACRO_NODE_FEATURES), dtype=np.float32)
        nodes[:, 0, 0] = 1.0
        nodes[:, -1, 1] = 1.0
        for i in range(n):
            chain = [0, *range(1, length[i] + 1), MACRO_NODES - 1]
            adjacency[i, chain[:-1], chain[1:]] = 1.0
            for p in range(length[i]):
                nodes[i, 1 + p, 2 + codes[i, p] - 1] = 1.0
        return adjacency, nodes

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chain adjacency ``(n, 8, 8)`` and node features ``(n, 8, 6)``."""
        return self._graphs(self.codes(archs))
