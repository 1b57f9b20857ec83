"""The NB201 supernet: every operation runs, the three forward modes agree where they should."""

from __future__ import annotations

import pytest
import torch

from nasbench_suite.estimation.supernet import Supernet, arch_from_path, path_from_arch
from nasbench_suite.spaces.nb201 import OPS


@pytest.fixture(scope="module")
def net() -> Supernet:
    torch.manual_seed(0)
    return Supernet(skeleton="light", in_channels=1, num_classes=10, channels=4, cells=1).eval()


X = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("op", range(len(OPS)))
def test_every_op_on_every_edge(net: Supernet, op: int) -> None:
    out = net(X, path=[op] * 6)
    assert out.shape == (3, 10) and torch.isfinite(out).all()
    one_hot = torch.zeros(6, 5)
    one_hot[:, op] = 1.0
    torch.testing.assert_close(net(X, weights=one_hot), out)  # dense mixture of a one-hot = that path
    torch.testing.assert_close(net(X, weights=one_hot, path=[op] * 6), out)


def test_all_none_path_ignores_the_input(net: Supernet) -> None:
    torch.testing.assert_close(net(X, path=[0] * 6), net(torch.zeros_like(X), path=[0] * 6))


def test_gradient_reaches_every_alpha_through_the_mixture(net: Supernet) -> None:
    alphas = torch.zeros(6, 5, requires_grad=True)
    net(X, weights=alphas.softmax(1)).sum().backward()
    assert alphas.grad is not None and (alphas.grad != 0).all()


def test_bad_inputs_raise(net: Supernet) -> None:
    with pytest.raises(ValueError, match="pass weights"):
        net(X)
    with pytest.raises(ValueError, match=r"weights must have shape \(6, 5\)"):
        net(X, weights=torch.zeros(5, 5))
    with pytest.raises(ValueError, match="path must hold 6 op indices"):
        net(X, path=[0, 1, 2, 5, 0, 0])


def test_path_round_trip() -> None:
    path = (1, 2, 3, 4, 0, 3)
    assert path_from_arch(arch_from_path(path)) == path
    assert path_from_arch(arch_from_path(path).to_string()) == path
