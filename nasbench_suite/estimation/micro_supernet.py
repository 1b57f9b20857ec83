"""A weight-sharing supernet of the TransNAS-Bench-101 micro cell: every edge holds all four operations.

The macro structure is the transnas101-micro builder's (TransNAS-Bench-101's
``MacroNet`` with the fixed ``41414`` skeleton: stem, five modules of
``cells`` blocks, a module coded 4 doubling the channels and halving the
resolution in its first block, global pooling and a linear classifier); every
block is a :class:`MicroSuperCell` whose 6 edges (NB201's order) each hold
``skip_connect``, ``conv1x1`` and ``conv3x3``, built as the builder builds
them (edges from the block input carry its stride and width change), and
``none`` as zeros. The cell is NB201's, so the one-shot bookkeeping is too:
alphas ``(6, 4)`` over :data:`~nasbench_suite.spaces.transnas101.MICRO_OPS`,
DARTS and GDAS derive the largest ``alpha`` per edge (``none`` included),
the ranking enumerates all 4,096 cells, records name cells by index.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from nasbench_suite.estimation.supernet_plugin import SupernetPlugin
from nasbench_suite.spaces.nb201 import EDGES, NUM_NODES
from nasbench_suite.spaces.transnas101 import MICRO_OPS, MICRO_SKELETON, MicroArchitecture

__all__ = ["PLUGIN", "MicroSuperCell", "MicroSupernet", "TransNASMicroSupernet"]


class MicroSuperCell(nn.Module):
    """One block from ``c_in`` to ``c_out`` channels with ``stride``; node ``j`` sums its incoming edges."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        from nasbench_suite.training.builders.transnas101 import _edge

        self.c_out, self.stride = c_out, stride
        self.edges = nn.ModuleList(
            nn.ModuleDict({op: _edge(op, c_in if s == 0 else c_out, c_out, stride if s == 0 else 1)
                           for op in MICRO_OPS if op != "none"})
            for s, _ in EDGES
        )

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None, path: Sequence[int] | None = None) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x]
        for target in range(1, NUM_NODES):
            total = None
            for e, (s, t) in enumerate(EDGES):
                if t != target or nodes[s] is None:
                    continue
                ops = range(1, len(MICRO_OPS)) if path is None else [int(path[e])]
                for op in ops:
                    if op == 0:
                        continue
                    y = self.edges[e][MICRO_OPS[op]](nodes[s])
                    if weights is not None:
                        y = weights[e, op] * y
                    total = y if total is None else total + y
            nodes.append(total)
        if nodes[-1] is None:  # a zero cell: zeros of the block's output shape
            ref = x[:, :1, :: self.stride, :: self.stride]
            return ref.new_zeros((x.shape[0], self.c_out, ref.shape[2], ref.shape[3]))
        return nodes[-1]


class MicroSupernet(nn.Module):
    """The supernet in the transnas101-micro skeleton (see the module docstring)."""

    def __init__(self, *, in_channels: int, num_classes: int, channels: int, cells: int, stem_stride: int) -> None:
        super().__init__()
        from nasbench_suite.training.ops import ReLUConvBN

        half = max(channels // 2, 1)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, half, 3, stride=stem_stride, padding=1, bias=False),
            nn.BatchNorm2d(half),
            ReLUConvBN(half, channels, 3, stride=stem_stride, padding=1),
        )
        self.blocks = nn.ModuleList()
        c = channels
        for code in (int(ch) for ch in MICRO_SKELETON):
            target = 2 * c if code % 2 == 0 else c
            stride = 2 if code > 2 else 1
            for b in range(cells):
                self.blocks.append(MicroSuperCell(c, target, stride if b == 0 else 1))
                c = target
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor, *, weights: torch.Tensor | None = None, path: Sequence[int] | None = None) -> torch.Tensor:
        shape = (len(EDGES), len(MICRO_OPS))
        if weights is None and path is None:
            raise ValueError(f"pass weights (a {shape} tensor), path ({len(EDGES)} op indices) or both")
        if weights is not None and tuple(weights.shape) != shape:
            raise ValueError(f"weights must have shape {shape}, got {tuple(weights.shape)}")
        if path is not None and (len(path) != len(EDGES) or any(not 0 <= int(p) < len(MICRO_OPS) for p in path)):
            raise ValueError(f"path must hold {len(EDGES)} op indices in 0..{len(MICRO_OPS) - 1}, got {list(path)}")
        h = self.stem(x)
        for block in self.blocks:
            h = block(h, weights=weights, path=path)
        return self.classifier(h.mean(dim=(2, 3)))


class TransNASMicroSupernet(SupernetPlugin):
    """The transnas101-micro space's one-shot bookkeeping (see the module docstring)."""

    space = "transnas101-micro"
    alpha_shape = (len(EDGES), len(MICRO_OPS))
    ops = MICRO_OPS

    def build(self, *, skeleton: str, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        from nasbench_suite.training.builders import get_builder

        builder = get_builder(self.space, skeleton)  # raises, listing the skeletons, for another name
        stem_stride = 1 if builder.image_size <= 32 else 2  # the light skeleton keeps 8x8 images whole
        return MicroSupernet(in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells,
                             stem_stride=stem_stride)

    def random_path(self, rng: np.random.Generator) -> tuple[int, ...]:
        return tuple(int(i) for i in rng.integers(0, len(MICRO_OPS), size=len(EDGES)))

    def candidates(self, rng: np.random.Generator, n: int) -> list[tuple[int, ...]]:
        """Up to ``n`` uniformly drawn paths from distinct isomorphism classes (zero cells excluded)."""
        seen: set[str] = set()
        out: list[tuple[int, ...]] = []
        for _ in range(50 * n):
            if len(out) >= n:
                break
            path = self.random_path(rng)
            key = self.arch_of(path).canonical_key()
            if key not in seen and key != "#":
                seen.add(key)
                out.append(path)
        return out

    def path_of(self, arch: Any) -> tuple[int, ...]:
        if isinstance(arch, str):
            arch = MicroArchitecture.from_string(arch)
        return tuple(arch.codes)

    def arch_of(self, path: Any) -> MicroArchitecture:
        return MicroArchitecture.from_codes([int(i) for i in path])

    def derive(self, alphas: np.ndarray) -> MicroArchitecture:
        return self.arch_of(np.asarray(alphas).argmax(axis=1).tolist())

    def ranked(self, alphas: np.ndarray) -> Iterator[MicroArchitecture]:
        """Every micro cell, most probable first under independent per-edge ``softmax(alphas)`` (stable order)."""
        logp = _log_softmax(alphas)
        paths = np.array(list(itertools.product(range(len(MICRO_OPS)), repeat=len(EDGES))), dtype=np.int64)
        scores = logp[np.arange(len(EDGES)), paths].sum(axis=1)
        for i in np.argsort(-scores, kind="stable"):
            yield self.arch_of(paths[i])

    def log_probs(self, alphas: Any, archs: Sequence[Any]) -> list[float]:
        logp = _log_softmax(alphas)
        paths = np.array([self.path_of(a) for a in archs], dtype=np.int64).reshape(-1, len(EDGES))
        return logp[np.arange(len(EDGES)), paths].sum(axis=1).tolist()

    def record(self, arch: Any) -> int:
        return int(arch.index)

    def from_record(self, value: Any) -> MicroArchitecture:
        return MicroArchitecture.from_index(int(value))


def _log_softmax(alphas: Any) -> np.ndarray:
    from scipy.special import log_softmax

    a = np.asarray(alphas, dtype=np.float64)
    if a.shape != (len(EDGES), len(MICRO_OPS)):
        raise ValueError(f"transnas101-micro alphas must have shape {(len(EDGES), len(MICRO_OPS))}, got {a.shape}")
    return log_softmax(a, axis=1)


#: the transnas101-micro bundle's supernet plugin
PLUGIN = TransNASMicroSupernet()
