"""NATS-Bench size-space skeletons (Dong et al., TPAMI 2021): the channel counts are the architecture.

The network (``xautodl`` ``DynamicShapeTinyNet``): a 3x3 conv + BN stem with
the first layer's channels, then the five layers: a cell with C1 channels, a
residual reduction block (stride 2) to C2, a cell with C3, a reduction block
to C4 and a cell with C5; BN-ReLU, global average pooling and a linear
classifier. Every cell is the fixed topology :data:`CELL` (the best NB201 /
NATS topology cell); an edge from the cell input maps the previous width to
the cell's (a skip edge between different widths is a stride-1 factorized
reduction), the other edges keep the cell's width.

``channels`` scales the widths: a layer gets ``width * channels // 8``
channels, so ``official`` (channels=8) builds the published widths and
``light`` (channels=4) halves them. ``cells`` repeats each cell layer (1 in
the published space).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench_suite.spaces.nats_sss import Architecture
from nasbench_suite.spaces.nb201 import EDGES, NUM_NODES
from nasbench_suite.spaces.nb201 import Architecture as Cell
from nasbench_suite.training.builders._ops import FactorizedReduce
from nasbench_suite.training.builders.base import Builder
from nasbench_suite.training.networks import ResNetBasicBlock
from nasbench_suite.training.ops import ReLUConvBN

__all__ = ["CELL", "SKELETONS", "SizeCell", "SizeNetwork"]

#: the topology every NATS-sss network uses (NATS-Bench: the best cell of the topology space)
CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def _edge(op: str, c_in: int, c_out: int) -> nn.Module:
    if op == "nor_conv_3x3":
        return ReLUConvBN(c_in, c_out, 3, padding=1)
    if op == "nor_conv_1x1":
        return ReLUConvBN(c_in, c_out, 1)
    if op == "skip_connect":
        return nn.Identity() if c_in == c_out else FactorizedReduce(c_in, c_out, 1)
    if op == "avg_pool_3x3":
        pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        return pool if c_in == c_out else nn.Sequential(ReLUConvBN(c_in, c_out, 1), pool)
    raise ValueError(f"the size-space cell has no op {op!r}")


class SizeCell(nn.Module):
    """The fixed topology cell from ``c_in`` to ``c_out`` channels (every non-``none`` edge built)."""

    def __init__(self, cell: Cell, c_in: int, c_out: int) -> None:
        super().__init__()
        self.edges = [(s, t) for (s, t), op in zip(EDGES, cell.ops) if op != "none"]
        self.edge_ops = nn.ModuleList(
            _edge(op, c_in if s == 0 else c_out, c_out) for (s, _), op in zip(EDGES, cell.ops) if op != "none"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x] + [None] * (NUM_NODES - 1)
        for (s, t), op in zip(self.edges, self.edge_ops):
            y = op(nodes[s])
            nodes[t] = y if nodes[t] is None else nodes[t] + y
        out = nodes[-1]
        if out is None:
            raise ValueError("the size-space cell has no edge into its output node")
        return out


class SizeNetwork(nn.Module):
    """Stem, cell / reduction / cell / reduction / cell at the architecture's widths, BN-ReLU, pool, classifier."""

    def __init__(self, arch: Architecture, *, in_channels: int, num_classes: int, channels: int, cells: int) -> None:
        super().__init__()
        widths = [w * channels // 8 for w in arch.channels]
        if min(widths) < 1:
            raise ValueError(f"channels={channels} scales the widths {arch.channels} below 1")
        cell = Cell.from_string(CELL)
        self.stem = nn.Sequential(nn.Conv2d(in_channels, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]))
        layers: list[nn.Module] = []
        c_prev = widths[0]
        for position, c in enumerate(widths):
            if position % 2:
                layers.append(ResNetBasicBlock(c_prev, c))
            else:
                for _ in range(cells):
                    layers.append(SizeCell(cell, c_prev, c))
                    c_prev = c
            c_prev = c
        self.layers = nn.Sequential(*layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.lastact(self.layers(self.stem(x)))
        return self.classifier(out.mean(dim=(2, 3)))


def _build(arch: Any, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
    return SizeNetwork(arch, in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells)


_CHANNELS = "width scale: a layer gets width * channels // 8 channels (8 = the published widths)"
_CELLS = "cells per cell layer (1 in the published space)"
_DESCRIPTION = "NATS-Bench size space: stem, cell C1, reduction C2, cell C3, reduction C4, cell C5 (best topology cell)"

#: skeleton name -> Builder
SKELETONS: dict[str, Builder] = {
    "light": Builder(
        space="nats-sss", skeleton="light", description=_DESCRIPTION + ", widths halved",
        channels=4, cells=1, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=8, factory=_build,
    ),
    "official": Builder(
        space="nats-sss", skeleton="official", description=_DESCRIPTION + ", published widths",
        channels=8, cells=1, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=32, factory=_build,
    ),
}
