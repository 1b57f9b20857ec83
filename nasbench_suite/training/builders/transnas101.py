"""TransNAS-Bench-101 skeletons (Duan et al., CVPR 2021): micro cells and macro residual skeletons.

Both spaces share TransNAS-Bench-101's ``MacroNet`` (its ``net_macro.py``): a
stem of a stride-2 3x3 conv + BN to C/2 channels and a stride-2 ReLU-Conv3x3-BN
to C (base channels C = 64), then one module per code of the macro string, each
``cells`` blocks (2 published); a module coded 2 or 4 doubles the channels, 3 or 4
halves the resolution (in its first block); global average pooling and a
linear classifier (the classification tasks' head; the dense-prediction
decoders are not built).

* ``transnas101-micro``: the macro string is fixed (``41414``) and every block is
  the architecture's cell: 4 nodes, each the sum of its 3 incoming edges
  ``0 none``, ``1 skip``, ``2 conv1x1``, ``3 conv3x3`` (ReLU-Conv-BN); edges from
  the cell input carry the block's stride and width change (a skip edge there
  is a factorized reduction); every edge is built, ``none`` ones as zeros.
* ``transnas101-macro``: the architecture is the macro string; every block is a
  residual basic block (two ReLU-Conv3x3-BN, a 1x1 conv + BN shortcut where
  the shape changes).

``official`` is the published network (C=64, 2 blocks per module, ten output
classes unless ``num_classes`` says otherwise). ``light`` is for 8x8 images:
stride-1 stem, C=8, 1 block per module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from nasbench_suite.spaces.nb201 import EDGES, NUM_NODES
from nasbench_suite.spaces.transnas101 import MICRO_SKELETON, MacroArchitecture, MicroArchitecture
from nasbench_suite.training.builders._ops import FactorizedReduce, Zero
from nasbench_suite.training.builders.base import Builder
from nasbench_suite.training.ops import ReLUConvBN

__all__ = ["MICRO_SKELETONS", "MACRO_SKELETONS", "BasicBlock", "MicroCell", "TransNASNetwork"]


def _edge(op: str, c_in: int, c_out: int, stride: int) -> nn.Module:
    if op == "none":
        return Zero(c_out, stride)
    if op == "skip_connect":
        return nn.Identity() if stride == 1 and c_in == c_out else FactorizedReduce(c_in, c_out, stride)
    if op == "conv1x1":
        return ReLUConvBN(c_in, c_out, 1, stride=stride)
    if op == "conv3x3":
        return ReLUConvBN(c_in, c_out, 3, stride=stride, padding=1)
    raise ValueError(f"unknown TransNAS-Bench-101 micro op {op!r}")


class MicroCell(nn.Module):
    """A micro cell as one block from ``c_in`` to ``c_out`` channels with ``stride``."""

    def __init__(self, arch: MicroArchitecture, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.sources = [s for s, _ in EDGES]
        self.targets = [t for _, t in EDGES]
        self.edge_ops = nn.ModuleList(
            _edge(op, c_in if s == 0 else c_out, c_out, stride if s == 0 else 1) for (s, _), op in zip(EDGES, arch.ops)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x] + [None] * (NUM_NODES - 1)
        for s, t, op in zip(self.sources, self.targets, self.edge_ops):
            y = op(nodes[s])
            nodes[t] = y if nodes[t] is None else nodes[t] + y
        return nodes[-1]  # type: ignore[return-value]


class BasicBlock(nn.Module):
    """TransNAS-Bench-101's residual block: two ReLU-Conv3x3-BN plus the input (1x1 conv + BN where shapes change)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=stride, padding=1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, padding=1)
        self.downsample = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return residual + self.conv_b(self.conv_a(x))


class TransNASNetwork(nn.Module):
    """Stem, one module of ``blocks`` blocks per macro code, pooling and a linear classifier."""

    def __init__(
        self,
        modules: tuple[int, ...],
        block: Callable[[int, int, int], nn.Module],
        *,
        in_channels: int,
        num_classes: int,
        channels: int,
        blocks: int,
        stem_stride: int,
    ) -> None:
        super().__init__()
        half = max(channels // 2, 1)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, half, 3, stride=stem_stride, padding=1, bias=False),
            nn.BatchNorm2d(half),
            ReLUConvBN(half, channels, 3, stride=stem_stride, padding=1),
        )
        layers: list[nn.Module] = []
        c = channels
        for code in modules:
            target = 2 * c if code % 2 == 0 else c
            stride = 2 if code > 2 else 1
            for b in range(blocks):
                layers.append(block(c, target, stride if b == 0 else 1))
                c = target
        self.layers = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.layers(self.stem(x)).mean(dim=(2, 3)))


def _micro(stem_stride: int) -> Callable[..., nn.Module]:
    def build(arch: MicroArchitecture, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        return TransNASNetwork(
            tuple(int(c) for c in MICRO_SKELETON), lambda i, o, s: MicroCell(arch, i, o, s),
            in_channels=in_channels, num_classes=num_classes, channels=channels, blocks=cells, stem_stride=stem_stride,
        )

    return build


def _macro(stem_stride: int) -> Callable[..., nn.Module]:
    def build(arch: MacroArchitecture, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        return TransNASNetwork(
            arch.modules, BasicBlock, in_channels=in_channels, num_classes=num_classes, channels=channels,
            blocks=cells, stem_stride=stem_stride,
        )

    return build


_CHANNELS = "base channels C (the stem's output; doubled by modules coded 2 or 4)"
_CELLS = "blocks per module"


def _skeletons(space: str, factory: Callable[[int], Callable[..., nn.Module]], what: str) -> dict[str, Builder]:
    return {
        "light": Builder(
            space=space, skeleton="light", description=f"TransNAS-Bench-101 {what}, for 8x8 images: stride-1 stem, C=8, "
            "1 block per module", channels=8, cells=1, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=8,
            factory=factory(1),
        ),
        "official": Builder(
            space=space, skeleton="official", description=f"TransNAS-Bench-101 {what}: stride-4 stem, C=64, 2 blocks per "
            "module, classification head", channels=64, cells=2, channels_meaning=_CHANNELS, cells_meaning=_CELLS,
            image_size=256, factory=factory(2),
        ),
    }


#: skeleton name -> Builder, for ``transnas101-micro``
MICRO_SKELETONS: dict[str, Builder] = _skeletons("transnas101-micro", _micro, "micro (cell in the 41414 skeleton)")
#: skeleton name -> Builder, for ``transnas101-macro``
MACRO_SKELETONS: dict[str, Builder] = _skeletons("transnas101-macro", _macro, "macro (residual blocks)")
