"""Zero-cost proxies on every space: each light network gets every proxy, or a reason."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.zc_setup import NO_PATH, ProxySetup, compute_proxies
from nasbench_suite.spaces import get_space
from nasbench_suite.training.builders import BUILDERS, get_builder

SETUP_BATCH = 16


@pytest.mark.parametrize("space", BUILDERS.names())
def test_every_proxy_is_defined_on_a_sampled_architecture(space: str) -> None:
    arch = get_space(space).sample(np.random.default_rng(1))
    builder = get_builder(space, "light")
    setup = ProxySetup(dataset="digits", skeleton="light", channels=max(builder.channels // 2, 1), cells=min(builder.cells, 3),
                       batch_size=SETUP_BATCH)
    values = compute_proxies(arch, ["synflow", "snip", "grad_norm", "fisher", "jacov", "nwot", "params", "flops"],
                             setup=setup, space=space)
    undefined = {k: v.reason for k, v in values.items() if v.reason is not None}
    assert not undefined, undefined
    assert all(math.isfinite(v.value) for v in values.values())


def test_a_cell_without_a_path_says_why() -> None:
    setup = ProxySetup(dataset="digits", skeleton="light", channels=2, cells=1, batch_size=SETUP_BATCH)
    values = compute_proxies("64-41414-0_00_000", ["snip", "params"], setup=setup, space="transnas101-micro")
    assert values["snip"].reason == NO_PATH and math.isnan(values["snip"].value)
    assert values["params"].reason is None and values["params"].value > 0


def test_unknown_space_or_skeleton_is_refused() -> None:
    with pytest.raises(UnknownNameError, match="'official'"):
        compute_proxies(0, ["params"], setup=ProxySetup(skeleton="huge"), space="nats-sss")
