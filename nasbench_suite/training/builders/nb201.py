"""NAS-Bench-201 skeletons: the official network and the light one (see :mod:`nasbench_suite.training.networks`).

``official``: 3x3 conv stem, three stages of N=5 cells with C=16, 32, 64
channels, residual reduction blocks (Dong & Yang, ICLR 2020), every
non-``none`` edge built as NAS-Bench-201's code does, so its parameter count
is the published one. ``nb201``: the same network with only the edges that
can change the output (isomorphic cells build identical networks; the
skeleton generation uses). ``light``: 1x1 stem, pooled 1x1 reductions, C=8, N=1.
"""

from __future__ import annotations

from typing import Any

from torch import nn

from nasbench_suite.training.builders.base import Builder
from nasbench_suite.training.networks import build_network

__all__ = ["SKELETONS"]


def _factory(skeleton: str):
    def make(arch: Any, *, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        return build_network(arch, skeleton=skeleton, in_channels=in_channels, num_classes=num_classes,
                             channels=channels, cells=cells)

    return make


_CHANNELS = "channels C of the first stage (2C, 4C in the next)"
_CELLS = "cells N per stage"
_DESCRIPTION = "the official NAS-Bench-201 network: 3x3 conv stem, 3 stages of N cells, ResNet reduction blocks"

#: skeleton name -> Builder
SKELETONS: dict[str, Builder] = {
    "light": Builder(
        space="nb201", skeleton="light",
        description="for 8x8 images: 1x1 conv stem, 3 stages of N cells, 2x2 average pool + 1x1 conv reductions",
        channels=8, cells=1, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=8, factory=_factory("light"),
    ),
    "nb201": Builder(
        space="nb201", skeleton="nb201", description=_DESCRIPTION + "; only edges that can change the output",
        channels=16, cells=5, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=32, factory=_factory("nb201"),
    ),
    "official": Builder(
        space="nb201", skeleton="official", description=_DESCRIPTION + "; every non-none edge, as published",
        channels=16, cells=5, channels_meaning=_CHANNELS, cells_meaning=_CELLS, image_size=32,
        factory=_factory("official"),
    ),
}
