"""The objective API: a ConfigSpace configuration in, metrics and cost out, on tables and surrogates of every space."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import nasbench_suite as nbs
from nasbench_suite.errors import InvalidArchitectureError, NotMeasuredError, UnknownNameError
from nasbench_suite.harness.lookup import Lookup
from nasbench_suite.objective import ObjectiveResult, config_of
from nasbench_suite.spaces import BUILTIN
from nasbench_suite.testing.conformance import build_benchmarks
from nasbench_suite.testing.spaces import sample_distinct


@pytest.fixture(scope="module")
def digits() -> nbs.Benchmark:
    return nbs.load("nb201-digits")


def test_configspace_describes_the_space(digits: nbs.Benchmark) -> None:
    cs = digits.configspace(seed=0)
    names = sorted(cs.keys())
    assert len(names) == 6 and all(n.startswith("edge_") for n in names)
    config = dict(cs.sample_configuration())
    assert sorted(config) == names


def test_objective_matches_query_and_harness_cost(digits: nbs.Benchmark) -> None:
    arch = digits.archs[123]
    config = config_of(digits, arch)
    assert all(isinstance(v, str) for v in config.values())
    lookup = Lookup(digits, "digits-hard")
    for epoch in (1, 6, None):
        res = digits.objective(config, fidelity=epoch)  # one dataset: no dataset= needed
        q = digits.query(arch, "digits-hard", epoch=epoch)
        row = lookup.get(digits.search_space.parse(arch), epoch)
        assert isinstance(res, ObjectiveResult)
        assert (res.valid, res.test, res.arch, res.epoch) == (q.valid_acc, q.test_acc, arch, q.epoch)
        assert res.cost == row.cum_cost and res.clock_unit == "seconds"
    per_seed = digits.objective(config, dataset="digits-hard", seed=1)
    assert per_seed.seed == 1 and per_seed.valid == digits.query(arch, "digits-hard", seed=1).valid_acc
    assert digits.objective(config, fidelity=2).cost < digits.objective(config, fidelity=12).cost
    with pytest.raises(Exception):
        per_seed.valid = 0.0  # type: ignore[misc]  # frozen


def test_bad_input_names_the_value(digits: nbs.Benchmark) -> None:
    config = config_of(digits, digits.archs[0])
    bad = dict(config, edge_0_1="conv_9x9")
    with pytest.raises(InvalidArchitectureError, match="conv_9x9"):
        digits.objective(bad)
    with pytest.raises(InvalidArchitectureError, match="edge_7_8"):
        digits.objective({**config, "edge_7_8": "none"})
    with pytest.raises(NotMeasuredError, match="fidelity 200"):
        digits.objective(config, fidelity=200)
    with pytest.raises(UnknownNameError, match="cifar10"):
        digits.objective(config, dataset="cifar10")


@pytest.mark.parametrize("space", sorted(BUILTIN))
def test_every_space_table_and_surrogate(space: str, tmp_path: Path) -> None:
    benches = build_benchmarks(space, tmp_path, n_arch=30)
    table, ds = benches.table, benches.dataset
    arch = table.archs[3]
    config = config_of(table, arch)
    cs_names = set(table.configspace().keys())
    assert set(config) == cs_names
    res = table.objective(config, dataset=ds)
    assert res.arch == table.search_space.parse(arch).to_string()
    assert res.valid == table.query(arch, ds).valid_acc and not math.isnan(res.cost)
    assert benches.surrogate is not None, benches.surrogate_error
    s = benches.surrogate.objective(config, dataset=ds)
    assert not math.isnan(s.valid) and s.arch == res.arch and s.cost > 0
    assert set(benches.surrogate.configspace().keys()) == cs_names
    # an architecture of the space that this listed table lacks: a clear refusal naming it
    held = set(table.archs)
    other = next(a for a in sample_distinct(space, 200, seed=7) if a not in held)
    with pytest.raises(NotMeasuredError, match="does not hold"):
        table.objective(config_of(table, other), dataset=ds)
