"""Harness throughput on one core, against a bare loop of ``benchmark.query`` calls measured in the same run.

The targets are >= 50,000 evaluations/s for random search and >= 20,000 for
regularized evolution, including the harness's bookkeeping (validation,
costs, clock, trajectory, incumbents). A bare ``query`` loop on the same
table serves as the yardstick, so the asserted ratios hold on slow and fast
machines alike; absolute rates are in ``extra_info`` (run with
``--benchmark-enable`` to see pytest-benchmark's table).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from nasbench_suite.harness import Budget, Lookup, simulate
from nasbench_suite.strategies import SearchContext, make_strategy

N = 10_000
#: harness evaluations per bare query, at least (measured ~0.2 for RS and ~0.1 for RE on a quiet core)
MIN_RATIO = {"rs": 0.1, "re": 0.04}


def best_rate(fn, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return n / best


@pytest.fixture(scope="module")
def lookup(synthetic) -> Lookup:
    lk = Lookup(synthetic, "synth", epoch=1)  # one fidelity, like a single-fidelity table
    for arch in lk.space.all():  # warm the row cache as a long sweep would
        lk.get(arch, None)
    return lk


@pytest.mark.parametrize("name", ["rs", "re"])
def test_harness_throughput(benchmark, lookup: Lookup, name: str) -> None:
    bench = lookup.benchmark
    rng = np.random.default_rng(0)
    archs = [lookup.space.sample(rng) for _ in range(N)]
    query = bench.query

    def bare() -> None:
        for a in archs:
            query(a, "synth", epoch=1)

    ctx = SearchContext(lookup.space, lookup.fidelities)

    def search() -> None:
        out = simulate(make_strategy(name, ctx, seed=0), lookup, Budget.evals(N))
        assert len(out) == N

    baseline = best_rate(bare, N)
    harness = best_rate(search, N)
    benchmark.extra_info.update({"evals_per_s": harness, "bare_queries_per_s": baseline, "ratio": harness / baseline})
    benchmark.pedantic(search, rounds=1, iterations=1)
    assert harness / baseline >= MIN_RATIO[name], f"{name}: {harness:,.0f} evals/s vs {baseline:,.0f} bare queries/s"
