"""Every strategy's parameters survive a results file: written, read back and compared equal."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.harness.results import canonical_params, dumps, same_params
from nasbench_suite.spaces import get_space
from nasbench_suite.strategies import STRATEGIES, SearchContext, get_strategy

CONTEXT = SearchContext(get_space("nb201"), tuple(range(1, 13)), dataset="digits-hard")


@pytest.mark.parametrize("name", sorted(STRATEGIES.names()))
def test_params_round_trip_through_a_results_line(name: str) -> None:
    cls = get_strategy(name)
    written = cls(CONTEXT, seed=0).params()
    read = json.loads(dumps({"strategy": {"name": name, "params": canonical_params(written)}}))["strategy"]["params"]
    assert same_params(read, written), f"{name}: {read} read back, {written} written"
    assert canonical_params(read) == read  # reading and writing again changes nothing
    rebuilt = cls(CONTEXT, seed=0, **read).params()  # what a resumed sweep or a verifier re-run constructs
    assert same_params(rebuilt, written)


def test_a_third_reads_back_equal_and_another_value_does_not() -> None:
    assert same_params({"random_fraction": 0.333333333333}, {"random_fraction": 1 / 3})
    assert not same_params({"random_fraction": 0.33333333}, {"random_fraction": 1 / 3})
    assert not same_params({"eta": 3}, {"eta": 4})
