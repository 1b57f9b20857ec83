"""Zero-cost proxies: finite on real cells, NaN with a reason where undefined, deterministic."""

from __future__ import annotations

import math

import pytest

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.zc_setup import NO_PATH, ProxySetup, compute_proxies, resolve_proxies
from nasbench_suite.estimation.zero_cost import DATA_FREE, PROXIES

NORMAL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"
ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
#: edges exist but none reaches the output from the input: the same function as ALL_NONE
DEAD = "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|"
SETUP = ProxySetup(batch_size=16)
ALL = resolve_proxies("all")


@pytest.fixture(scope="module")
def normal() -> dict:
    return compute_proxies(NORMAL, ALL, setup=SETUP)


def test_registry_lists_the_nine_proxies() -> None:
    assert PROXIES.names() == sorted(["synflow", "snip", "grad_norm", "jacov", "nwot", "fisher", "grasp", "params", "flops"])


@pytest.mark.parametrize("name", ALL)
def test_proxy_is_finite_on_a_normal_cell(normal: dict, name: str) -> None:
    value = normal[name]
    assert value.reason is None, value.reason
    assert math.isfinite(value.value)
    assert value.seconds >= 0


@pytest.mark.parametrize("arch", [ALL_NONE, DEAD])
def test_proxies_without_input_path_are_nan_with_reason(arch: str) -> None:
    values = compute_proxies(arch, ALL, setup=SETUP)
    for name, v in values.items():
        if name in DATA_FREE:  # a static property of the network: still defined
            assert math.isfinite(v.value) and v.reason is None
        else:
            assert math.isnan(v.value), name
            assert v.reason == NO_PATH


def test_same_seed_same_values_other_seed_other_values(normal: dict) -> None:
    again = compute_proxies(NORMAL, ALL, setup=SETUP)
    assert {k: v.value for k, v in again.items()} == {k: v.value for k, v in normal.items()}
    other = compute_proxies(NORMAL, ["snip", "nwot", "params"], setup=ProxySetup(batch_size=16, seed=1))
    assert other["snip"].value != normal["snip"].value
    assert other["params"].value == normal["params"].value  # the count does not depend on the seed


def test_params_and_flops_match_the_training_cost_counters() -> None:
    import torch

    from nasbench_suite.spaces.nb201 import Architecture
    from nasbench_suite.training.costs import count_flops, count_params
    from nasbench_suite.training.networks import build_network

    net = build_network(Architecture.from_string(NORMAL), skeleton="light", in_channels=1, channels=8, cells=1)
    values = compute_proxies(NORMAL, ["params", "flops"], setup=SETUP)
    assert values["params"].value == count_params(net)
    assert values["flops"].value == count_flops(net, torch.zeros(1, 1, 8, 8))


def test_more_convolutions_more_synflow_and_params() -> None:
    conv = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    skip = "|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"
    a, b = compute_proxies(conv, ["synflow", "params"], setup=SETUP), compute_proxies(skip, ["synflow", "params"], setup=SETUP)
    assert a["synflow"].value > b["synflow"].value
    assert a["params"].value > b["params"].value


def test_unknown_proxy_names_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"unknown zero-cost proxy 'synflo'; valid: .*'synflow'"):
        resolve_proxies("synflow,synflo")
    with pytest.raises(UnknownNameError):
        compute_proxies(NORMAL, ["nope"], setup=SETUP)
    assert resolve_proxies(" nwot , snip,nwot") == ["nwot", "snip"]


def test_setup_from_protocol_takes_the_network_fields() -> None:
    protocol = {"dataset": "digits", "skeleton": "nb201", "channels": 4, "cells": 2, "epochs": 12, "lr": 0.1}
    s = ProxySetup.from_protocol(protocol, seed=3, channels=None)
    assert (s.dataset, s.skeleton, s.channels, s.cells, s.seed, s.batch_size) == ("digits", "nb201", 4, 2, 3, 64)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        ProxySetup(batch_size=0)


def test_fisher_counts_each_channel_once_per_weight_of_that_channel() -> None:
    """fisher on a conv -> linear net equals the per-channel Fisher terms times the channel's fan-in."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    from nasbench_suite.estimation.zero_cost import fisher

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5))
    x, y = torch.randn(6, 2, 4, 4), torch.randint(0, 5, (6,))
    conv_out = net[0](x)
    conv_out.retain_grad()
    logits = net[3](net[2](net[1](conv_out)))
    logits.retain_grad()
    F.cross_entropy(logits, y).backward()
    conv_term = 0.5 * (conv_out.detach() * conv_out.grad).sum(dim=(2, 3)).pow(2).mean(0)  # per channel
    linear_term = 0.5 * (logits.detach() * logits.grad).pow(2).mean(0)
    expected = float(conv_term.sum()) * (2 * 3 * 3) + float(linear_term.sum()) * (3 * 4 * 4)
    assert fisher(net, x, y) == pytest.approx(expected, rel=1e-5)


def test_grasp_is_minus_weights_times_hessian_gradient_product() -> None:
    """grasp equals -theta . (H g) with the Hessian of the loss over the layer weights built in full."""
    import torch
    import torch.nn.functional as F
    from torch import nn
    from torch.func import functional_call

    from nasbench_suite.estimation.zero_cost import grasp

    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    x, y = torch.randn(5, 3, dtype=torch.float64), torch.randint(0, 2, (5,))
    names = ["0.weight", "2.weight"]
    shapes = [dict(net.named_parameters())[k].shape for k in names]
    theta = torch.cat([dict(net.named_parameters())[k].detach().reshape(-1) for k in names])

    def loss(flat: torch.Tensor) -> torch.Tensor:
        parts = torch.split(flat, [s.numel() for s in shapes])
        params = {k: p.reshape(s) for k, p, s in zip(names, parts, shapes)}
        return F.cross_entropy(functional_call(net, params, (x,)), y)

    g = torch.autograd.functional.jacobian(loss, theta)
    hessian = torch.autograd.functional.hessian(loss, theta)
    expected = float(-(theta * (hessian @ g)).sum())
    assert grasp(net, x, y) == pytest.approx(expected, rel=1e-9)
