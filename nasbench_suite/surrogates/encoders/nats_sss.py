"""Encodings of NATS-Bench size configurations (channel counts of 5 layers).

The skeleton is fixed and its layers form a chain, so the space has no path
or adjacency encoding of its own (a chain has one path, always the same):

* ``onehot`` (40): each layer's channel count, one-hot over the 8 choices.
* ``features`` (48): ``onehot``, each layer's channels / 64, and 3 summaries:
  total channels / 320, the sum of adjacent layers' channel products /
  (4 * 64 * 64) (what convolution parameters grow with), and the narrowest
  layer / 64.
* ``graph`` (7 nodes x 11 features): the chain input -> layer 1..5 -> output;
  node features (input, output, 8 channel one-hots, channels / 64).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nats_sss import CHANNELS, NUM_LAYERS, NATSSizeSpace
from nasbench_suite.surrogates.encoders.base import pack_graphs, parse_all

N_CHOICES = len(CHANNELS)
N_NODES = NUM_LAYERS + 2
N_NODE_FEATURES = 2 + N_CHOICES + 1
_WIDEST = float(max(CHANNELS))
_CHAIN = np.eye(N_NODES, k=1, dtype=np.float32)
_CHOICE = {c: i for i, c in enumerate(CHANNELS)}


class NATSSizeEncoder:
    """Vectorized encodings of NATS-sss configurations (see the module docstring for each kind)."""

    space = "nats-sss"
    kinds: tuple[str, ...] = ("onehot", "features", "graph")
    n_nodes = N_NODES
    n_node_features = N_NODE_FEATURES

    def __init__(self) -> None:
        self._space = NATSSizeSpace()

    def channels(self, archs: Sequence[Any] | np.ndarray) -> np.ndarray:
        """``(n, 5)`` channel counts."""
        rows = [a.channels for a in parse_all(self._space, archs)]
        return np.asarray(rows, dtype=np.int64).reshape(-1, NUM_LAYERS)

    def encode(self, archs: Sequence[Any] | np.ndarray, kind: str) -> np.ndarray:
        """A float32 array ``(len(archs), d)`` of encoding ``kind``."""
        if kind not in self.kinds:
            raise UnknownNameError("nats-sss encoding", kind, self.kinds)
        ch = self.channels(archs)
        if kind == "graph":
            return pack_graphs(*self._graphs(ch))
        onehot = _onehot(ch)
        if kind == "onehot":
            return onehot
        scaled = ch / _WIDEST
        summary = np.stack(
            [scaled.sum(axis=1) / NUM_LAYERS, (scaled[:, 1:] * scaled[:, :-1]).sum(axis=1) / (NUM_LAYERS - 1), scaled.min(axis=1)],
            axis=1,
        )
        return np.concatenate([onehot, scaled, summary], axis=1).astype(np.float32)

    @staticmethod
    def _graphs(ch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(ch)
        nodes = np.zeros((n, N_NODES, N_NODE_FEATURES), dtype=np.float32)
        nodes[:, 0, 0] = 1.0
        nodes[:, -1, 1] = 1.0
        nodes[:, 1:-1, 2 : 2 + N_CHOICES] = _onehot(ch).reshape(n, NUM_LAYERS, N_CHOICES)
        nodes[:, 1:-1, -1] = ch / _WIDEST
        return np.broadcast_to(_CHAIN, (n, N_NODES, N_NODES)).copy(), nodes

    def graphs(self, archs: Sequence[Any] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chain adjacency ``(n, 7, 7)`` and node features ``(n, 7, 11)``."""
        return self._graphs(self.channels(archs))


def _onehot(ch: np.ndarray) -> np.ndarray:
    ids = np.vectorize(_CHOICE.__getitem__, otypes=[np.int64])(ch) if ch.size else ch
    out = np.zeros((len(ch), NUM_LAYERS, N_CHOICES), dtype=np.float32)
    np.put_along_axis(out, ids[:, :, None], 1.0, axis=2)
    return out.reshape(len(ch), NUM_LAYERS * N_CHOICES)
