"""NAS-Bench-101 skeletons: the official network of Ying et al. (ICML 2019) and a light one.

The network (``nasbench/lib/model_builder.py``): a 3x3 conv-BN-ReLU stem with
``channels`` filters (128 official), three stacks of ``cells`` modules (3
official), a 2x2 max pool before the second and third stack which also doubles
the channels, global average pooling and a linear classifier. The module is the
pruned cell (:attr:`Architecture.pruned_matrix`) with the official channel rule
(:func:`vertex_channels`): the output's channels are split evenly over the
vertices that feed it (the first ones get the remainder) and concatenated;
other vertices take the largest width among their successors; an edge from the
input goes through a 1x1 conv-BN-ReLU projection to the receiving width, an
edge between interior vertices is truncated to it (its first channels); an
input-to-output edge adds a projection of the input to the concatenation.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nasbench_suite.spaces.nb101 import CONV1X1, CONV3X3, MAXPOOL3X3, Architecture
from nasbench_suite.training.builders.base import Builder

__all__ = ["SKELETONS", "NB101Module", "NB101Network", "vertex_channels"]


def vertex_channels(c_in: int, c_out: int, matrix: tuple[tuple[int, ...], ...]) -> list[int]:
    """Channels of every vertex, by ``compute_vertex_channels`` of the official code."""
    n = len(matrix)
    channels = [0] * n
    channels[0], channels[-1] = c_in, c_out
    if n == 2:
        return channels
    in_degree = [sum(matrix[s][t] for s in range(1, n)) for t in range(n)]
    interior, correction = divmod(c_out, in_degree[-1])
    for v in range(1, n - 1):
        if matrix[v][-1]:
            channels[v] = interior + (1 if correction else 0)
            correction -= 1 if correction else 0
    for v in range(n - 3, 0, -1):
        if not matrix[v][-1]:
            for dst in range(v + 1, n - 1):
                if matrix[v][dst]:
                    channels[v] = max(channels[v], channels[dst])
    return channels


class ConvBNReLU(nn.Sequential):
    """A bias-free convolution (same padding), BatchNorm and ReLU: NB101's ``conv_bn_relu``."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=False),
        )


def _op(name: str, channels: int) -> nn.Module:
    if name == CONV3X3:
        return ConvBNReLU(channels, channels, 3)
    if name == CONV1X1:
        return ConvBNReLU(channels, channels, 1)
    if name == MAXPOOL3X3:
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown NB101 op {name!r}; valid: {CONV3X3}, {CONV1X1}, {MAXPOOL3X3}")


class NB101Module(nn.Module):
    """One NB101 module (cell) mapping ``c_in`` to ``c_out`` channels."""

    def __init__(self, arch: Architecture, c_in: int, c_out: int) -> None:
        super().__init__()
        self.matrix = arch.pruned_matrix
        ops = arch.pruned_ops
        n = len(ops)
        self.width = vertex_channels(c_in, c_out, self.matrix)
        self.projections = nn.ModuleDict(
            {str(t): ConvBNReLU(c_in, self.width[t], 1) for t in range(1, n) if self.matrix[0][t]}
        )
        self.ops = nn.ModuleList(_op(ops[t], self.width[t]) for t in range(1, n - 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m, n = self.matrix, len(self.matrix)
        values = [x]
        for t in range(1, n - 1):
            inputs = [values[s][:, : self.width[t]] for s in range(1, t) if m[s][t]]
            if m[0][t]:
                inputs.append(self.projections[str(t)](x))
            total = inputs[0]
            for extra in inputs[1:]:
                total = total + extra
            values.append(self.ops[t - 1](total))
        final = [values[t] for t in range(1, n - 1) if m[t][n - 1]]
        if not final:
            return self.projections[str(n - 1)](x)
        out = final[0] if len(final) == 1 else torch.cat(final, dim=1)
        if m[0][n - 1]:
            out = out + self.projections[str(n - 1)](x)
        return out


class NB101Network(nn.Module):
    """Stem, three stacks of modules with max-pool downsampling and channel doubling, pooling, classifier."""

    def __init__(self, arch: Architecture, *, in_channels: int, num_classes: int, channels: int, cells: int) -> None:
        super().__init__()
        layers: list[nn.Module] = [ConvBNReLU(in_channels, channels, 3)]
        c_prev = c = channels
        for stack in range(3):
            if stack:
                layers.append(nn.MaxPool2d(2, stride=2, ceil_mode=True))  # TF 'same' padding on odd sizes
                c *= 2
            for _ in range(cells):
                layers.append(NB101Module(arch, c_prev, c))
                c_prev = c
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _build(arch: Any, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
    return NB101Network(arch, in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells)


_CHANNELS = "stem channels (the first stack's; doubled at each of the two downsamplings)"
_CELLS = "modules per stack"
_DESCRIPTION = "NAS-Bench-101: conv3x3 stem, 3 stacks of modules, 2x2 max pool + channel doubling between stacks"

#: skeleton name -> Builder
SKELETONS: dict[str, Builder] = {
    "light": Builder(
        space="nb101", skeleton="light", description=_DESCRIPTION + " (32 stem channels, 1 module per stack)",
        channels=32, cells=1, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=8, factory=_build,
    ),
    "official": Builder(
        space="nb101", skeleton="official", description=_DESCRIPTION + " (128 stem channels, 3 modules per stack)",
        channels=128, cells=3, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=32, factory=_build,
    ),
}
