"""DARTS skeletons: the CIFAR network of Liu et al. (ICLR 2019, ``cnn/model.py``) around a genotype.

``NetworkCIFAR``: a 3x3 conv + BN stem with ``3 * C`` channels, then ``cells``
cells; the cells at depth ``cells // 3`` and ``2 * cells // 3`` are reduction
cells (stride 2 on the edges from the two cell inputs, channels doubled), the
others normal cells; each cell preprocesses its two inputs (the previous two
cells' outputs) to C channels with ReLU-Conv1x1-BN, or a factorized reduction
where the input before the previous cell has twice the resolution; every
intermediate node sums its two edges; the cell outputs the concatenation of
its 4 intermediate nodes. Global average pooling and a linear classifier.

Skeletons: ``official`` (evaluation: C=36, 20 cells), ``search`` (the search
network's size: C=16, 8 cells) and ``light`` (C=8, 5 cells). No auxiliary
head is built (DARTS counts its parameters without it) and no drop-path is
applied (the suite's training protocol has none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from nasbench_suite.spaces.darts import CONCAT, EDGES_PER_NODE, Architecture
from nasbench_suite.training.builders._ops import FactorizedReduce
from nasbench_suite.training.builders.base import Builder

__all__ = ["OPS", "SKELETONS", "DartsCell", "DartsNetwork"]


class ReLUConvBN(nn.Sequential):
    """ReLU, bias-free convolution, affine BatchNorm."""

    def __init__(self, c_in: int, c_out: int, kernel: int, stride: int, padding: int) -> None:
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False),
                         nn.BatchNorm2d(c_out))


class DilConv(nn.Sequential):
    """ReLU, depthwise dilated convolution, pointwise convolution, BatchNorm."""

    def __init__(self, c: int, kernel: int, stride: int, padding: int, dilation: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, kernel, stride, padding, dilation=dilation, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c),
        )


class SepConv(nn.Sequential):
    """Two stacked (ReLU, depthwise, pointwise, BatchNorm) blocks; the first carries the stride."""

    def __init__(self, c: int, kernel: int, stride: int, padding: int) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, kernel, stride, padding, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(inplace=False),
            nn.Conv2d(c, c, kernel, 1, padding, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c),
        )


#: op name -> builder taking (channels, stride)
OPS: dict[str, Callable[[int, int], nn.Module]] = {
    "max_pool_3x3": lambda c, s: nn.MaxPool2d(3, stride=s, padding=1),
    "avg_pool_3x3": lambda c, s: nn.AvgPool2d(3, stride=s, padding=1, count_include_pad=False),
    "skip_connect": lambda c, s: nn.Identity() if s == 1 else FactorizedReduce(c, c, 2),
    "sep_conv_3x3": lambda c, s: SepConv(c, 3, s, 1),
    "sep_conv_5x5": lambda c, s: SepConv(c, 5, s, 2),
    "dil_conv_3x3": lambda c, s: DilConv(c, 3, s, 2, 2),
    "dil_conv_5x5": lambda c, s: DilConv(c, 5, s, 4, 2),
}


class DartsCell(nn.Module):
    """One normal or reduction cell of a genotype."""

    def __init__(self, edges: tuple[tuple[str, int], ...], c_pp: int, c_p: int, c: int, *,
                 reduction: bool, reduction_prev: bool) -> None:
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_pp, c, 2) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.indices = [source for _, source in edges]
        self.edge_ops = nn.ModuleList(OPS[op](c, 2 if reduction and source < 2 else 1) for op, source in edges)
        self.multiplier = len(CONCAT)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        for node in range(len(self.indices) // EDGES_PER_NODE):
            a, b = 2 * node, 2 * node + 1
            states.append(self.edge_ops[a](states[self.indices[a]]) + self.edge_ops[b](states[self.indices[b]]))
        return torch.cat([states[i] for i in CONCAT], dim=1)


class DartsNetwork(nn.Module):
    """DARTS's ``NetworkCIFAR`` (no auxiliary head)."""

    def __init__(self, arch: Architecture, *, in_channels: int, num_classes: int, channels: int, cells: int,
                 stem_multiplier: int = 3) -> None:
        super().__init__()
        c_curr = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(cells):
            reduction = i in (cells // 3, 2 * cells // 3)
            if reduction:
                c_curr *= 2
            cell = DartsCell(arch.reduce if reduction else arch.normal, c_pp, c_p, c_curr,
                             reduction=reduction, reduction_prev=reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * c_curr
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(self.global_pooling(s1).flatten(1))


def _build(arch: Any, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
    return DartsNetwork(arch, in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells)


_CHANNELS = "initial channels C (stem 3C; doubled at each reduction cell)"
_CELLS = "cells in total (reduction cells at cells//3 and 2*cells//3)"


def _builder(skeleton: str, description: str, channels: int, cells: int, image_size: int) -> Builder:
    return Builder(space="darts", skeleton=skeleton, description=description, channels=channels, cells=cells,
                   channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=image_size, factory=_build)


#: skeleton name -> Builder
SKELETONS: dict[str, Builder] = {
    "light": _builder("light", "DARTS NetworkCIFAR, small: C=8, 5 cells", 8, 5, 8),
    "search": _builder("search", "DARTS NetworkCIFAR at the search network's size: C=16, 8 cells", 16, 8, 32),
    "official": _builder("official", "DARTS NetworkCIFAR, evaluation size: C=36, 20 cells, no auxiliary head", 36, 20, 32),
}
