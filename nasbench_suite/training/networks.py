"""Networks for NAS-Bench-201 cells inside a configurable macro skeleton.

Three skeletons are registered in :data:`SKELETONS`:

``nb201``
    The official NAS-Bench-201 network: 3x3 conv stem + BN, three stages of
    ``cells`` cells with C, 2C and 4C channels, a residual reduction block (a
    ResNet basic block with stride 2) between stages, BN-ReLU, global average
    pooling and a linear classifier; only executed edges are built (below).
``official``
    The same network with every non-``none`` edge built, dead ones included,
    as NAS-Bench-201's own code builds it: it computes the same function as
    ``nb201`` and has the parameter count NAS-Bench-201 publishes.
``light``
    For small images: a 1x1 conv stem + BN and reductions made of a 2x2 average
    pool followed by ReLU-Conv1x1-BN, so no 3x3 convolution lies outside the cells.

In ``nb201`` and ``light`` an edge is built and executed only when it can change the cell's output: it
is live (:meth:`Architecture.live_edges`) and its source node receives
something from the cell input. This is exactly the equivalence that
:meth:`Architecture.canonical_key` encodes, so isomorphic cells build
networks that compute the same function. A cell whose output node receives
nothing outputs zeros.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from nasbench_suite.registry import Registry
from nasbench_suite.spaces.nb201 import EDGES, NUM_NODES, Architecture
from nasbench_suite.training.ops import ReLUConvBN, build_op

__all__ = ["SKELETONS", "Cell", "build_network", "executed_edges"]


def executed_edges(arch: Architecture) -> tuple[bool, ...]:
    """Per edge, whether the network computes it: live and fed from the cell input."""
    live = arch.live_edges()
    fed = [True] + [False] * (NUM_NODES - 1)
    out = []
    for e, (s, t) in enumerate(EDGES):  # edges are ordered by target, so sources are final
        run = live[e] and fed[s]
        fed[t] = fed[t] or run
        out.append(run)
    return tuple(out)


class Cell(nn.Module):
    """One NB201 cell: each node is the sum of its executed incoming edges.

    With ``all_edges=True`` every edge whose op is not ``none`` is built and run.
    """

    def __init__(self, arch: Architecture, channels: int, *, all_edges: bool = False) -> None:
        super().__init__()
        self.edges: list[tuple[int, int, str]] = []
        self.ops = nn.ModuleDict()
        runs = tuple(op != "none" for op in arch.ops) if all_edges else executed_edges(arch)
        for e, ((s, t), run) in enumerate(zip(EDGES, runs)):
            if run:
                key = f"{s}_{t}"
                self.ops[key] = build_op(arch.ops[e], channels)
                self.edges.append((s, t, key))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes: list[torch.Tensor | None] = [x] + [None] * (NUM_NODES - 1)
        for s, t, key in self.edges:
            y = self.ops[key](nodes[s])
            nodes[t] = y if nodes[t] is None else nodes[t] + y
        out = nodes[-1]
        return torch.zeros_like(x) if out is None else out


class ResNetBasicBlock(nn.Module):
    """NB201's reduction block: two ReLU-Conv3x3-BN with stride 2 plus a pooled 1x1 shortcut."""

    def __init__(self, c_in: int, c_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=2, padding=1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, padding=1)
        self.downsample = nn.Sequential(
            nn.AvgPool2d(2, stride=2, padding=0), nn.Conv2d(c_in, c_out, 1, bias=False)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.downsample(x) + self.conv_b(self.conv_a(x))


def _nb201_stem(c_in: int, c: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))


def _light_stem(c_in: int, c: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(c_in, c, 1, bias=False), nn.BatchNorm2d(c))


def _light_reduction(c_in: int, c_out: int) -> nn.Module:
    return nn.Sequential(nn.AvgPool2d(2, stride=2), ReLUConvBN(c_in, c_out, 1))


class Skeleton:
    """A macro skeleton: how to build the stem and the reduction between stages, and which edges."""

    def __init__(
        self,
        stem: Callable[[int, int], nn.Module],
        reduction: Callable[[int, int], nn.Module],
        *,
        all_edges: bool = False,
    ) -> None:
        self.stem = stem
        self.reduction = reduction
        self.all_edges = all_edges


NB201_SKELETON = Skeleton(_nb201_stem, ResNetBasicBlock)
LIGHT_SKELETON = Skeleton(_light_stem, _light_reduction)
OFFICIAL_SKELETON = Skeleton(_nb201_stem, ResNetBasicBlock, all_edges=True)

#: skeleton name -> :class:`Skeleton`
SKELETONS: Registry[Skeleton] = Registry("skeleton")
SKELETONS.register("nb201", "nasbench_suite.training.networks:NB201_SKELETON")
SKELETONS.register("light", "nasbench_suite.training.networks:LIGHT_SKELETON")
SKELETONS.register("official", "nasbench_suite.training.networks:OFFICIAL_SKELETON")


class CellNetwork(nn.Module):
    """Stem, three stages of cells joined by reductions, BN-ReLU, pooling and a classifier."""

    def __init__(
        self, arch: Architecture, skeleton: Skeleton, *, in_channels: int, num_classes: int, channels: int, cells: int
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = [skeleton.stem(in_channels, channels)]
        c = channels
        for stage in range(3):
            if stage:
                layers.append(skeleton.reduction(c, 2 * c))
                c *= 2
            layers.extend(Cell(arch, c, all_edges=skeleton.all_edges) for _ in range(cells))
        layers += [nn.BatchNorm2d(c), nn.ReLU(inplace=False), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def build_network(
    arch: Architecture,
    *,
    skeleton: str = "nb201",
    in_channels: int = 3,
    num_classes: int = 10,
    channels: int = 16,
    cells: int = 5,
) -> nn.Module:
    """The network of ``arch`` in the named skeleton (defaults: official NB201, C=16, N=5).

    Examples
    --------
    >>> net = build_network(Architecture.from_index(0), skeleton="light", in_channels=1, channels=8, cells=1)
    >>> net(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """
    if channels < 1 or cells < 1:
        raise ValueError(f"channels and cells must be positive, got channels={channels}, cells={cells}")
    return CellNetwork(
        arch, SKELETONS.get(skeleton), in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells
    )
