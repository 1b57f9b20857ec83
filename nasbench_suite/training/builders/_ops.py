"""Operations shared by several spaces' builders (the NB201 ones live in :mod:`nasbench_suite.training.ops`)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["FactorizedReduce", "Zero"]


class FactorizedReduce(nn.Module):
    """ReLU, then two bias-free 1x1 convolutions with ``stride``, the second on the input shifted by one
    pixel (zero-padded at the far edge), concatenated (``c_out // 2`` and the rest) and batch-normalized.

    With stride 2 this is DARTS's reduction of a skip edge; with stride 1 it is
    NAS-Bench-201's and TransNAS-Bench-101's skip edge between different widths.
    """

    def __init__(self, c_in: int, c_out: int, stride: int = 2) -> None:
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=stride, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out - c_out // 2, 1, stride=stride, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = nn.functional.pad(x[:, :, 1:, 1:], (0, 1, 0, 1))
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


class Zero(nn.Module):
    """The ``none`` edge: zeros of ``c_out`` channels at the resolution a ``stride`` would give."""

    def __init__(self, c_out: int, stride: int = 1) -> None:
        super().__init__()
        self.c_out = c_out
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, :: self.stride, :: self.stride]
        return x.new_zeros((x.shape[0], self.c_out, x.shape[2], x.shape[3]))
