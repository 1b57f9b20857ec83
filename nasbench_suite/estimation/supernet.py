"""A weight-sharing supernet of the NB201 cell space: every edge holds all five operations.

The macro structure is the one of :class:`nasbench_suite.training.networks.CellNetwork`
(stem, three stages of ``cells`` cells joined by the skeleton's reductions,
BN-ReLU, global pooling and a linear classifier); each cell edge is a
:class:`MixedEdge` holding one module per operation of
:data:`nasbench_suite.spaces.nb201.OPS` (``none`` outputs zeros). A forward
pass takes either

* ``weights`` alone: a ``(6, 5)`` tensor of per-edge operation weights (a
  softmax for DARTS); an edge sums its operations' outputs times their weights;
* ``path`` alone: one operation index per edge (a single architecture, as
  RS-WS samples them), which runs only the chosen operations; or
* both (GDAS): only the chosen operation runs, scaled by its weight (1 in the
  forward pass of a straight-through one-hot), so the gradient reaches the
  architecture parameters through that weight.

All cells share the same weights or path: the NB201 space has one cell type.
:data:`PLUGIN` is the space's :class:`~nasbench_suite.estimation.supernet_plugin.SupernetPlugin`
(named by the nb201 bundle).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from nasbench_suite.estimation.supernet_plugin import SupernetPlugin
from nasbench_suite.spaces.nb201 import EDGES, NUM_NODES, OPS, Architecture
from nasbench_suite.training.ops import build_op

__all__ = ["PLUGIN", "MixedEdge", "NB201Supernet", "SuperCell", "Supernet", "arch_from_path", "path_from_arch"]


class MixedEdge(nn.Module):
    """One cell edge with a module per operation of :data:`OPS` (``none`` has none: it outputs zeros)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.ops = nn.ModuleDict({op: build_op(op, channels) for op in OPS if op != "none"})

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None, op: int | None = None) -> torch.Tensor | None:
        """The edge's output; ``None`` stands for zeros (a ``none`` operation)."""
        if op is not None:
            if OPS[op] == "none":
                return None
            y = self.ops[OPS[op]](x)
            return y if weights is None else weights[op] * y
        out = None
        for i, name in enumerate(OPS):
            if name != "none":  # w * 0 adds nothing and has zero gradient
                y = weights[i] * self.ops[name](x)
                out = y if out is None else out + y
        return out


class SuperCell(nn.Module):
    """An NB201 cell whose edges are :class:`MixedEdge`; node ``j`` sums its incoming edges."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleList(MixedEdge(channels) for _ in EDGES)

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None, path: Sequence[int] | None = None) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x]
        for target in range(1, NUM_NODES):
            total = None
            for e, (s, t) in enumerate(EDGES):
                if t != target or nodes[s] is None:
                    continue
                w = None if weights is None else weights[e]
                y = self.edges[e](nodes[s], weights=w, op=None if path is None else int(path[e]))
                if y is not None:
                    total = y if total is None else total + y
            nodes.append(total)
        return torch.zeros_like(x) if nodes[-1] is None else nodes[-1]


class Supernet(nn.Module):
    """The supernet in a registered macro skeleton (see the module docstring).

    Examples
    --------
    >>> net = Supernet(skeleton="light", in_channels=1, num_classes=10, channels=8, cells=1)
    >>> net(torch.zeros(2, 1, 8, 8), weights=torch.full((6, 5), 0.2)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, skeleton: str, in_channels: int, num_classes: int, channels: int, cells: int) -> None:
        super().__init__()
        from nasbench_suite.training.networks import SKELETONS

        sk = SKELETONS.get(skeleton)
        self.stem = sk.stem(in_channels, channels)
        self.body = nn.ModuleList()
        c = channels
        for stage in range(3):
            if stage:
                self.body.append(sk.reduction(c, 2 * c))
                c *= 2
            self.body.extend(SuperCell(c) for _ in range(cells))
        self.head = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor, *, weights: torch.Tensor | None = None, path: Sequence[int] | None = None) -> torch.Tensor:
        if weights is None and path is None:
            raise ValueError("pass weights (a (6, 5) tensor), path (6 op indices) or both")
        if weights is not None and tuple(weights.shape) != (len(EDGES), len(OPS)):
            raise ValueError(f"weights must have shape {(len(EDGES), len(OPS))}, got {tuple(weights.shape)}")
        if path is not None and (len(path) != len(EDGES) or any(not 0 <= int(p) < len(OPS) for p in path)):
            raise ValueError(f"path must hold {len(EDGES)} op indices in 0..{len(OPS) - 1}, got {list(path)}")
        h = self.stem(x)
        for block in self.body:
            h = block(h, weights=weights, path=path) if isinstance(block, SuperCell) else block(h)
        return self.classifier(self.head(h))


def arch_from_path(path: Sequence[int]) -> Architecture:
    """The architecture choosing op ``path[e]`` on edge ``e``."""
    return Architecture(tuple(OPS[int(i)] for i in path))


def path_from_arch(arch: Architecture | str) -> tuple[int, ...]:
    """Op indices per edge of ``arch``."""
    if isinstance(arch, str):
        arch = Architecture.from_string(arch)
    return arch.op_ids


class NB201Supernet(SupernetPlugin):
    """The NB201 cell's one-shot bookkeeping: alphas ``(6, 5)`` (edges x :data:`OPS`), paths of 6 op indices.

    DARTS and GDAS derive the cell with the largest ``alpha`` per edge
    (``none`` included, as in NAS-Bench-201's baselines); decision records
    name cells by their official index.
    """

    space = "nb201"
    alpha_shape = (len(EDGES), len(OPS))
    ops = OPS

    def build(self, *, skeleton: str, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        return Supernet(skeleton=skeleton, in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells)

    def random_path(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(i) for i in rng.integers(0, len(OPS), size=len(EDGES)))

    def candidates(self, rng: np.random.Generator, n: int) -> list[tuple[int, ...]]:
        """Up to ``n`` uniformly drawn paths from distinct isomorphism classes (all-zero cells excluded)."""
        seen: set[str] = set()
        out: list[tuple[int, ...]] = []
        for _ in range(50 * n):
            if len(out) >= n:
                break
            path = tuple(int(i) for i in rng.integers(0, len(OPS), size=len(EDGES)))
            key = arch_from_path(path).canonical_key()
            if key not in seen and any(ch != "#" and ch != "+" for ch in key):
                seen.add(key)
                out.append(path)
        return out

    def path_of(self, arch: Any) -> tuple[int, ...]:
        return path_from_arch(arch)

    def arch_of(self, path: Any) -> Architecture:
        return arch_from_path(path)

    def derive(self, alphas: np.ndarray) -> Architecture:
        return arch_from_path(np.asarray(alphas).argmax(axis=1).tolist())

    def ranked(self, alphas: np.ndarray) -> Iterator[Architecture]:
        """Every NB201 cell, most probable first under independent per-edge ``softmax(alphas)`` (stable order)."""
        from scipy.special import log_softmax

        logp = log_softmax(np.asarray(alphas, dtype=np.float64), axis=1)
        paths = np.array(list(itertools.product(range(len(OPS)), repeat=len(EDGES))), dtype=np.int64)
        scores = logp[np.arange(len(EDGES)), paths].sum(axis=1)
        for i in np.argsort(-scores, kind="stable"):
            yield arch_from_path(paths[i])

    def log_probs(self, alphas: Any, archs: Sequence[Any]) -> list[float]:
        from scipy.special import log_softmax

        logp = log_softmax(np.asarray(alphas, dtype=np.float64), axis=1)
        paths = np.array([path_from_arch(a) for a in archs], dtype=np.int64).reshape(-1, len(EDGES))
        return logp[np.arange(len(EDGES)), paths].sum(axis=1).tolist()

    def record(self, arch: Any) -> int:
        return int(arch.index)

    def from_record(self, value: Any) -> Architecture:
        return Architecture.from_index(int(value))


#: the nb201 bundle's supernet plugin
PLUGIN = NB201Supernet()
