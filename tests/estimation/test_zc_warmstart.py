"""The zero-cost warm-started regularized evolution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nasbench_suite import open_benchmark
from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb201 import Architecture, NB201Space
from nasbench_suite.store import write_store
from nasbench_suite.strategies import Observation, Proposal, SearchContext, make_strategy
from nasbench_suite.testing.strategies import check_proposal, drive
from nasbench_suite.testing.tables import make_small_data

CTX = SearchContext(NB201Space(), (12,))


@pytest.fixture()
def scores(tmp_path: Path) -> Path:
    path = tmp_path / "zc.h5"
    write_store(path, make_small_data(n_arch=60, epochs=2, dataset="toy"))  # has a zc/synflow column
    return path


def test_initial_population_is_the_top_proxy_cells(scores: Path) -> None:
    bench = open_benchmark(scores)
    values = bench.columns("toy")["zc/synflow"]
    s = make_strategy("zc-re", CTX, seed=0, population_size=5, proxy="synflow", scores=str(scores))
    first = [s.ask().arch for _ in range(5)]
    expected, keys = [], set()
    for i in np.argsort(-values, kind="stable"):
        arch = Architecture.from_string(bench.archs[i])
        if arch.canonical_key() not in keys:
            keys.add(arch.canonical_key())
            expected.append(arch)
    assert first == expected[:5]
    for arch in first:
        s.tell(Proposal(arch), Observation(arch, 12, 50.0, 1.0))
    child = s.ask().arch  # evolution proper: a one-edge mutation of a population member
    assert any(sum(a != b for a, b in zip(child.ops, f.ops)) == 1 for f in first)


def test_on_the_fly_scores_are_measured_and_reproducible() -> None:
    a = make_strategy("zc-re", CTX, seed=1, population_size=4, candidates=6, proxy="nwot")
    b = make_strategy("zc-re", CTX, seed=1, population_size=4, candidates=6, proxy="nwot")
    pa, pb = drive(a, 8), drive(b, 8)
    assert [p.arch for p in pa] == [p.arch for p in pb]
    for p in pa:
        check_proposal(a, p)
    assert a.search_cost_seconds > 0
    assert a.params() == {"population_size": 4, "sample_size": 10, "proxy": "nwot", "scores": None, "candidates": 6}


def test_bad_proxy_or_column(scores: Path) -> None:
    with pytest.raises(UnknownNameError, match="unknown zero-cost proxy 'zen'"):
        make_strategy("zc-re", CTX, seed=0, proxy="zen")
    s = make_strategy("zc-re", CTX, seed=0, proxy="nwot", scores=str(scores))
    with pytest.raises(UnknownNameError, match="'zc/nwot'.*valid: 'zc/synflow'"):
        s.ask()
