"""Searching a listed table stays inside the architectures it holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.spaces.nb201 import Architecture, NB201Space
from nasbench_suite.spaces.table_space import TableSpace


def test_listed_table_searches_only_what_it_holds(small_store: Path) -> None:
    bench = nbs.open_benchmark(small_store)
    space = bench.search_space
    assert isinstance(space, TableSpace) and space.name == "nb201" and space.size == len(bench.archs)
    rng = np.random.default_rng(0)
    held = set(bench.archs)
    for _ in range(100):
        arch = space.sample(rng)
        assert arch.to_string() in held
        child = space.mutate(arch, rng)
        assert child.to_string() in held and child != arch
        assert all(n.to_string() in held for n in space.neighbours(arch))
    with pytest.raises(NotMeasuredError, match="not among the 20 this table holds"):
        space.parse(15000)
    assert 3 in space and 15000 not in space


def test_neighbours_are_the_held_subset() -> None:
    base = NB201Space()
    center = Architecture.from_index(0)
    near = base.neighbours(center)[:3]
    space = TableSpace(base, [center.to_string(), *(n.to_string() for n in near), Architecture.from_index(9).to_string()])
    assert space.neighbours(center) == near


def test_full_table_keeps_the_full_space(nb201_reference_store: Path) -> None:
    assert isinstance(nbs.open_benchmark(nb201_reference_store).search_space, NB201Space)
