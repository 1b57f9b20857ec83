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


@pytest.mark.parametrize("name", ["tpe", "bohb", "reinforce"])
def test_strategies_that_model_each_choice_stay_inside_a_listed_table(small_store: Path, name: str) -> None:
    from nasbench_suite.strategies import Observation, SearchContext, make_strategy

    bench = nbs.open_benchmark(small_store)
    held = set(bench.archs)
    strategy = make_strategy(name, SearchContext(bench.search_space, (1, 2, 4), dataset="toy"), seed=0)
    for _ in range(60):  # enough for the model to take over from its random start
        prop = strategy.ask()
        assert prop.arch.to_string() in held, f"{name} proposed {prop.arch.to_string()}, which the table lacks"
        epoch = prop.epoch or 4
        strategy.tell(prop, Observation(prop.arch, epoch, bench.query(prop.arch, "toy", epoch=epoch).valid_acc, 1.0))


def test_a_choice_vector_the_table_lacks_maps_to_the_nearest_held_architecture() -> None:
    from nasbench_suite.strategies._encoding import categorical_view

    archs = [Architecture.from_index(i) for i in (0, 100, 5000)]
    view = categorical_view(TableSpace(NB201Space(), [a.to_string() for a in archs]), strategy="test")
    assert view.arch(archs[1].op_ids) == archs[1]
    one_off = list(archs[2].op_ids)
    one_off[0] = (one_off[0] + 1) % 5
    assert view.arch(one_off) == archs[2]
