"""Every registered strategy passes every conformance check, and runs on every registered space."""

from __future__ import annotations

import pytest

from nasbench_suite.spaces import space_names
from nasbench_suite.strategies import STRATEGIES
from nasbench_suite.testing.strategies import CHECKS, check_on_space

#: the default space of the checks, covered by every check above
DEFAULT_SPACE = "nb201"


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("name", STRATEGIES.names())
def test_strategy_conformance(name: str, check: str) -> None:
    CHECKS[check](name)


@pytest.mark.parametrize("space", [s for s in space_names() if s != DEFAULT_SPACE])
@pytest.mark.parametrize("name", STRATEGIES.names())
def test_strategy_runs_on_every_space(name: str, space: str) -> None:
    refused = check_on_space(name, space)
    if refused is not None:
        pytest.skip(f"documented refusal: {refused}")
