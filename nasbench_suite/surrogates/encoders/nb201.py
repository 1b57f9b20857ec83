"""Encodings of NAS-Bench-201 cells.

* ``onehot`` (30): the op of each of the 6 edges, one-hot over the 5 ops.
* ``adjacency`` (84): the op-on-node DAG (see ``graph``) as its upper-triangular
  adjacency (28) plus one-hot node labels (8 x 7).
* ``path`` (84): BANANAS' path encoding: for every input-to-output path of the
  cell whose edges are all non-``none``, its op sequence (lengths 1, 2, 3 over
  the 4 non-``none`` ops: 4 + 16 + 64 codes), counted.
* ``features`` (150): ``onehot``, the one-hot of *effective* edges only (the op
  is executed, fed from the input and reaching the output; other edges are set
  to ``none``), ``path``, and 6 summaries: whether the output is connected to
  the input, effective convolutions 3x3 / 1x1, pools, skips, and the largest
  number of convolutions on one path.
* ``graph`` (8 nodes x 7 features): the op-on-node form used by NB201 graph
  predictors: node 0 is the input, nodes 1..6 are the edges (labelled with
  their op), node 7 is the output; edge-node ``a -> b`` when ``a``'s target
  node is ``b``'s source node. ``none`` nodes get no incoming or outgoing
  links, since a ``none`` op passes nothing on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from nasbench_suite.spaces.nb201 import EDGES, NUM_EDGES, OPS, Architecture, NB201Space, _official_order, all_ops
from nasbench_suite.surrogates.encoders.base import KINDS, pack_graphs, parse_all

N_OPS = len(OPS)
NONE, SKIP, CONV1, CONV3, POOL = (OPS.index(o) for o in ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"))
#: input-to-output paths as edge positions (0 -> 3, 0 -> 1 -> 3, 0 -> 2 -> 3, 0 -> 1 -> 2 -> 3)
PATHS: tuple[tuple[int, ...], ...] = ((3,), (0, 4), (1, 5), (0, 2, 5))
#: op id -> position among the 4 non-``none`` ops (``none`` -> -1)
_NON_NONE = np.cumsum(np.arange(N_OPS) != NONE) - 1
_NON_NONE[NONE] = -1
_PATH_OFFSET = {1: 0, 2: 4, 3: 4 + 16}
PATH_DIM = 4 + 16 + 64
N_NODES = NUM_EDGES + 2
N_NODE_FEATURES = N_OPS + 2  # input, output, 5 ops


def _node_links() -> np.ndarray:
    """Static op-on-node adjacency before ``none`` nodes are cut: (8, 8)."""
    adj = np.zeros((N_NODES, N_NODES), dtype=np.float32)
    for e, (s, t) in enumerate(EDGES):
        if s == 0:
            adj[0, e + 1] = 1.0
        if t == 3:
            adj[e + 1, N_NODES - 1] = 1.0
        for f, (s2, _) in enumerate(EDGES):
            if s2 == t:
                adj[e + 1, f + 1] = 1.0
    return adj


_LINKS = _node_links()
_TRIU = np.triu_indices(N_NODES, k=1)


@lru_cache(maxsize=1)
def _official_strings() -> dict[str, tuple[int, ...]]:
    """Op ids of each of the 15,625 official strings (as NAS-Bench-201's API keeps ``archstr2index``)."""
    cells = (Architecture(ops) for ops in all_ops())
    return {a.to_string(): a.op_ids for a in cells}


@lru_cache(maxsize=65536)
def _ids_from_string(text: str) -> tuple[int, ...]:
    """Op ids of an NB201 string: a dictionary lookup for official strings, a full parse (and its errors) otherwise."""
    ids = _official_strings().get(text)
    return ids if ids is not None else Architecture.from_string(text).op_ids


class NB201Encoder:
    """Vectorized encodings of NB201 cells (see the module docstring for each kind)."""

    space = "nb201"
    kinds = KINDS
    n_nodes = N_NODES
    n_node_features = N_NODE_FEATURES

    def __init__(self) -> None:
        self._space = NB201Space()

    # ------------------------------------------------------------- op ids
    def op_ids(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """Op ids ``(n, 6)`` (positions in :data:`OPS`) of architectures, strings or indices."""
        if isinstance(archs, np.ndarray) and archs.ndim == 1 and np.issubdtype(archs.dtype, np.integer):
            if archs.size and (archs.min() < 0 or archs.max() >= N_OPS**NUM_EDGES):
                parse_all(self._space, [int(archs.min()), int(archs.max())])  # raises with the bad index
            codes = _official_order()[0][archs]
            return (codes[:, None] // N_OPS ** np.arange(NUM_EDGES - 1, -1, -1)) % N_OPS
        rows: list[tuple[int, ...]] = []
        fast = True
        for item in archs if not isinstance(archs, (str, bytes)) else ():
            if isinstance(item, Architecture):
                rows.append(item.op_ids)
            elif isinstance(item, str):
                rows.append(_ids_from_string(item))
            else:
                fast = False
                break
        if not fast or isinstance(archs, (str, bytes)):
            rows = [a.op_ids for a in parse_all(self._space, archs)]
        return np.asarray(rows, dtype=np.int64).reshape(-1, NUM_EDGES)

    # ----------------------------------------------------------- encodings
    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        from nasbench_suite.errors import UnknownNameError

        if kind not in KINDS:
            raise UnknownNameError("encoding", kind, KINDS)
        ids = self.op_ids(archs)
        if kind == "onehot":
            return onehot(ids)
        if kind == "path":
            return path_counts(ids)
        if kind == "features":
            return features(ids)
        adjacency, nodes = graphs(ids)
        if kind == "graph":
            return pack_graphs(adjacency, nodes)
        return np.concatenate([adjacency[:, _TRIU[0], _TRIU[1]], nodes.reshape(len(ids), N_NODES * N_NODE_FEATURES)], axis=1)

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Dense op-on-node adjacency ``(n, 8, 8)`` and node one-hots ``(n, 8, 7)``."""
        return graphs(self.op_ids(archs))


def onehot(ids: np.ndarray) -> np.ndarray:
    """``(n, 30)`` one-hot of each edge's op."""
    out = np.zeros((len(ids), NUM_EDGES, N_OPS), dtype=np.float32)
    np.put_along_axis(out, ids[:, :, None], 1.0, axis=2)
    return out.reshape(len(ids), NUM_EDGES * N_OPS)


def path_counts(ids: np.ndarray) -> np.ndarray:
    """``(n, 84)`` counts of each input-to-output op sequence (paths through ``none`` excluded)."""
    out = np.zeros((len(ids), PATH_DIM), dtype=np.float32)
    rows = np.arange(len(ids))
    mapped = _NON_NONE[ids]
    for path in PATHS:
        code = np.full(len(ids), _PATH_OFFSET[len(path)])
        valid = np.ones(len(ids), dtype=bool)
        for depth, e in enumerate(path):
            valid &= mapped[:, e] >= 0
            code += np.maximum(mapped[:, e], 0) * 4 ** (len(path) - 1 - depth)
        np.add.at(out, (rows[valid], code[valid]), 1.0)
    return out


def effective(ids: np.ndarray) -> np.ndarray:
    """``(n, 6)`` bool: the edge's op is not ``none``, its source is fed by the input and its target reaches the output."""
    on = ids != NONE
    fed1 = on[:, 0]
    fed2 = on[:, 1] | (on[:, 2] & fed1)
    reach2 = on[:, 5]
    reach1 = on[:, 4] | (on[:, 2] & reach2)
    fed = np.stack([np.ones_like(fed1), np.ones_like(fed1), fed1, np.ones_like(fed1), fed1, fed2], axis=1)
    reach = np.stack([reach1, reach2, reach2, np.ones_like(fed1), np.ones_like(fed1), np.ones_like(fed1)], axis=1)
    return on & fed & reach


def features(ids: np.ndarray) -> np.ndarray:
    """``(n, 150)``: one-hot, effective one-hot, path counts and 6 summaries."""
    live = effective(ids)
    live_ids = np.where(live, ids, NONE)
    paths = path_counts(ids)
    conv = np.isin(ids, (CONV1, CONV3))
    depth = np.zeros(len(ids))
    for path in PATHS:
        ok = np.all(ids[:, path] != NONE, axis=1)
        depth = np.maximum(depth, np.where(ok, conv[:, path].sum(axis=1), 0))
    summary = np.stack(
        [
            paths.sum(axis=1) > 0,
            (live_ids == CONV3).sum(axis=1),
            (live_ids == CONV1).sum(axis=1),
            (live_ids == POOL).sum(axis=1),
            (live_ids == SKIP).sum(axis=1),
            depth,
        ],
        axis=1,
    ).astype(np.float32)
    return np.concatenate([onehot(ids), onehot(live_ids), paths, summary], axis=1)


def graphs(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Op-on-node adjacency ``(n, 8, 8)`` and node one-hots ``(n, 8, 7)`` (input, output, 5 ops)."""
    n = len(ids)
    alive = np.ones((n, N_NODES), dtype=np.float32)
    alive[:, 1:-1] = ids != NONE
    adjacency = _LINKS[None] * alive[:, :, None] * alive[:, None, :]
    nodes = np.zeros((n, N_NODES, N_NODE_FEATURES), dtype=np.float32)
    nodes[:, 0, 0] = 1.0
    nodes[:, -1, 1] = 1.0
    nodes[:, 1:-1, 2:] = onehot(ids).reshape(n, NUM_EDGES, N_OPS)
    return adjacency.astype(np.float32), nodes
