"""Every registered space's bundle: categorical description, ConfigSpace form and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import InvalidArchitectureError, UnknownNameError
from nasbench_suite.spaces import CAPABILITIES, get_bundle, get_space, space_names
from nasbench_suite.spaces.categorical import CategoricalView
from nasbench_suite.spaces.table_space import TableSpace

SPACES = space_names()


@pytest.mark.parametrize("name", SPACES)
def test_choice_vectors_round_trip(name: str) -> None:
    bundle, space = get_bundle(name), get_space(name)
    desc = bundle.categorical_description()
    rng = np.random.default_rng(0)
    for _ in range(40):
        arch = space.sample(rng)
        ids = desc.to_ids(arch)
        assert len(ids) == len(desc.decisions)
        back = desc.from_ids(ids)
        assert back.canonical_key() == arch.canonical_key()
        assert bundle.from_config(bundle.to_config(arch)) == back


@pytest.mark.parametrize("name", SPACES)
def test_configspace_samples_map_to_architectures_of_the_space(name: str) -> None:
    bundle, space = get_bundle(name), get_space(name)
    cs = bundle.configspace(seed=1)
    assert sorted(cs.keys()) == sorted(bundle.categorical_description().names)
    view = CategoricalView(space, bundle.categorical_description())
    for config in cs.sample_configuration(60):
        arch = view.arch(bundle.categorical_description().ids_from_config(config))
        assert space.parse(arch) == arch and arch.space == name


@pytest.mark.parametrize("name", SPACES)
def test_view_on_a_listed_table_stays_inside_it(name: str) -> None:
    space = get_space(name)
    rng = np.random.default_rng(2)
    held = list(dict.fromkeys(space.sample(rng).to_string() for _ in range(15)))
    table = TableSpace(space, held)
    view = get_bundle(name).categorical_view(table, who="test")
    for _ in range(30):
        ids = [int(rng.integers(c)) for c in view.n_choices]
        assert view.arch(ids).to_string() in held


def test_nb101_vectors_naming_no_cell_are_repaired() -> None:
    desc = get_bundle("nb101").categorical_description()
    every_edge = [1] * 21 + [0] * 5
    with pytest.raises(InvalidArchitectureError):
        desc.from_ids(every_edge)
    view = CategoricalView(get_space("nb101"), desc)
    arch = view.arch(every_edge)
    assert arch.num_edges <= 9
    no_edge = view.arch([0] * 26)
    assert no_edge.num_vertices == 2  # input -> output


def test_macro_vectors_naming_no_skeleton_map_to_the_nearest() -> None:
    desc = get_bundle("transnas101-macro").categorical_description()
    gap = [0, 0, 2, 0, 0, 1]  # 1, 1, 3, 1, absent, 1: an absent module before a present one
    with pytest.raises(InvalidArchitectureError, match="absent"):
        desc.from_ids(gap)
    arch = CategoricalView(get_space("transnas101-macro"), desc).arch(gap)
    assert int(np.sum(np.asarray(desc.to_ids(arch)) != np.asarray(gap))) == 1


def test_configurations_with_bad_choices_are_refused_by_name() -> None:
    bundle = get_bundle("nb201")
    config = bundle.to_config(get_space("nb201").sample(np.random.default_rng(0)))
    with pytest.raises(InvalidArchitectureError, match="no choice 'conv7x7'"):
        bundle.from_config({**config, "edge_0_1": "conv7x7"})
    with pytest.raises(InvalidArchitectureError, match="missing"):
        bundle.from_config({})


@pytest.mark.parametrize("name", SPACES)
def test_every_capability_is_offered_or_refused_with_a_reason(name: str) -> None:
    bundle = get_bundle(name)
    for capability in CAPABILITIES:
        reason = bundle.refusal(capability)
        assert reason is None or (isinstance(reason, str) and len(reason) > 20)
    assert bundle.refusal("encoder") is None and bundle.refusal("categorical") is None


def test_unknown_space_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"search space \(needed by x\) 'nb999'.*'nb201'"):
        get_bundle("nb999", who="x")
