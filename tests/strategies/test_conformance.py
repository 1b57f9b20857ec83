"""Every registered strategy passes every conformance check."""

from __future__ import annotations

import pytest

from nasbench_suite.strategies import STRATEGIES
from nasbench_suite.testing.strategies import CHECKS


@pytest.mark.parametrize("check", sorted(CHECKS))
@pytest.mark.parametrize("name", STRATEGIES.names())
def test_strategy_conformance(name: str, check: str) -> None:
    CHECKS[check](name)
