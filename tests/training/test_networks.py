"""Networks: shapes for both skeletons, which edges are built, and isomorphic cells computing alike."""

from __future__ import annotations

import pytest
import torch

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.training.networks import Cell, build_network, executed_edges

DENSE = Architecture(("nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_1x1"))


@pytest.mark.parametrize(("skeleton", "size"), [("light", 8), ("nb201", 16)])
def test_forward_shape(skeleton: str, size: int) -> None:
    net = build_network(DENSE, skeleton=skeleton, in_channels=3, num_classes=7, channels=4, cells=2)
    assert net(torch.randn(5, 3, size, size)).shape == (5, 7)


def test_nb201_defaults_are_the_official_network() -> None:
    net = build_network(DENSE)  # C=16, N=5, 3 input channels, 10 classes
    cells = [m for m in net.modules() if isinstance(m, Cell)]
    assert len(cells) == 15
    assert net.classifier.in_features == 64
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)


def test_light_skeleton_has_no_3x3_conv_outside_cells() -> None:
    arch = Architecture(("skip_connect",) * 6)
    net = build_network(arch, skeleton="light", in_channels=1, channels=8, cells=1)
    kernels = [m.kernel_size for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert kernels and all(k == (1, 1) for k in kernels)


def test_dead_edges_are_not_built() -> None:
    # node 2 feeds nothing that reaches the output: edges into it and out of it are dead
    arch = Architecture.from_string(
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_3x3~1|none~2|"
    )
    assert arch.live_edges() == (True, False, False, True, True, False)
    cell = Cell(arch, 4)
    assert sorted(cell.ops.keys()) == ["0_1", "0_3", "1_3"]


def test_edges_from_unfed_nodes_are_not_built() -> None:
    # node 1 receives nothing, so its conv towards the output would only add a BN bias
    arch = Architecture.from_string("|none~0|+|none~0|none~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
    assert executed_edges(arch) == (False, False, False, True, False, False)
    assert list(Cell(arch, 4).ops.keys()) == ["0_3"]


def test_cell_with_no_path_outputs_zeros_and_network_runs() -> None:
    arch = Architecture(("nor_conv_3x3", "skip_connect", "avg_pool_3x3", "none", "none", "none"))
    cell = Cell(arch, 4)
    assert len(cell.ops) == 0
    x = torch.randn(2, 4, 8, 8)
    assert torch.equal(cell(x), torch.zeros_like(x))
    net = build_network(arch, skeleton="light", in_channels=1, channels=4, cells=1)
    assert net(torch.randn(3, 1, 8, 8)).shape == (3, 10)


def test_isomorphic_cells_compute_the_same_function() -> None:
    a = Architecture.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
    b = Architecture.from_string("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
    assert a.canonical_key() == b.canonical_key()
    outs = []
    for arch in (a, b):
        torch.manual_seed(0)
        net = build_network(arch, skeleton="light", in_channels=1, channels=4, cells=1).eval()
        outs.append(net(torch.ones(2, 1, 8, 8)))
    assert torch.equal(outs[0], outs[1])


def test_unknown_skeleton_lists_valid_names() -> None:
    with pytest.raises(UnknownNameError, match="light"):
        build_network(DENSE, skeleton="resnet")
