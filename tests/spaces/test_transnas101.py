"""TransNAS-Bench-101 micro and macro spaces: strings, index order, constraints, moves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import SearchSpace, get_space
from nasbench_suite.spaces.transnas101 import (
    MICRO_OPS,
    MacroArchitecture,
    MicroArchitecture,
    TransNAS101MacroSpace,
    TransNAS101MicroSpace,
)

codes = st.tuples(*[st.integers(0, 3)] * 6)


# ----------------------------------------------------------------------- micro
def test_micro_string_matches_the_official_example() -> None:
    # TransNAS-Bench-101 README: node1 = skip(node0); node2 = none(node0) + conv1x1(node1); node3 = conv3x3 of all
    a = MicroArchitecture.from_string("64-41414-1_02_333")
    assert a.ops == ("skip_connect", "none", "conv1x1", "conv3x3", "conv3x3", "conv3x3")
    assert a.codes == (1, 0, 2, 3, 3, 3)
    assert a.to_string() == "64-41414-1_02_333"
    assert str(a) == a.to_string()


@given(codes)
def test_micro_round_trips(c: tuple[int, ...]) -> None:
    a = MicroArchitecture.from_codes(c)
    assert MicroArchitecture.from_string(a.to_string()) == a
    assert MicroArchitecture.from_index(a.index) == a
    assert a.index == int("".join(map(str, c)), 4)


def test_micro_all_is_the_whole_space_in_index_order() -> None:
    space = TransNAS101MicroSpace()
    every = space.all()
    assert space.size == len(every) == 4096
    assert [a.index for a in every] == list(range(4096))
    assert len({a.to_string() for a in every}) == 4096


@pytest.mark.parametrize(
    "bad",
    ["64-41414-1_02_334", "64-41414-1_02_33", "32-41414-1_02_333", "64-4141-1_02_333", "64-41414-102333", "", "nonsense"],
)
def test_micro_rejects_malformed_strings(bad: str) -> None:
    with pytest.raises(InvalidArchitectureError):
        MicroArchitecture.from_string(bad)


@pytest.mark.parametrize("bad", [-1, 4096, 2.0, True])
def test_micro_rejects_bad_indices(bad: object) -> None:
    with pytest.raises(InvalidArchitectureError):
        MicroArchitecture.from_index(bad)  # type: ignore[arg-type]


def test_micro_rejects_bad_ops() -> None:
    with pytest.raises(InvalidArchitectureError, match="nor_conv_3x3"):
        MicroArchitecture(("nor_conv_3x3",) * 6)
    with pytest.raises(InvalidArchitectureError):
        MicroArchitecture.from_codes((0, 1, 2))


def test_micro_canonical_key_merges_equivalent_cells_only() -> None:
    # output = conv3x3(x) through node 1 or through node 2: the same function
    via_1 = MicroArchitecture(("conv3x3", "conv3x3", "none", "none", "skip_connect", "none"))
    via_2 = MicroArchitecture(("conv3x3", "conv3x3", "none", "none", "none", "skip_connect"))
    assert via_1.canonical_key() == via_2.canonical_key()
    # an op on an edge whose target never reaches the output does not matter
    dead_a = MicroArchitecture(("conv1x1", "none", "none", "conv3x3", "none", "none"))
    dead_b = MicroArchitecture(("conv3x3", "none", "none", "conv3x3", "none", "none"))
    assert dead_a.canonical_key() == dead_b.canonical_key()
    other = MicroArchitecture(("conv3x3", "conv1x1", "none", "none", "none", "skip_connect"))
    assert other.canonical_key() != via_1.canonical_key()


def test_micro_moves() -> None:
    space = TransNAS101MicroSpace()
    arch = space.parse("64-41414-1_02_333")
    nbrs = space.neighbours(arch)
    assert len(nbrs) == len(set(nbrs)) == 6 * (len(MICRO_OPS) - 1)
    assert all(sum(x != y for x, y in zip(n.ops, arch.ops)) == 1 for n in nbrs)
    rng = np.random.default_rng(0)
    for _ in range(50):
        assert space.mutate(arch, rng) in nbrs
    a = [space.sample(np.random.default_rng(7)).to_string() for _ in range(3)]
    assert len(set(a)) == 1  # same seed, same draw
    draws = [space.sample(rng).index for _ in range(4000)]
    assert len(set(draws)) > 2000  # spreads over the space


def test_micro_parse_accepts_strings_indices_and_itself() -> None:
    space = TransNAS101MicroSpace()
    a = space.parse(1234)
    assert space.parse(a.to_string()) == a == space.parse(a)
    with pytest.raises(InvalidArchitectureError):
        space.parse(1.5)


# ----------------------------------------------------------------------- macro
def test_macro_space_size_and_constraints() -> None:
    space = TransNAS101MacroSpace()
    every = space.all()
    assert space.size == len(every) == 3256  # the TransNAS-Bench-101 macro space
    assert [a.index for a in every] == list(range(3256))
    brute = [
        m
        for n in (4, 5, 6)
        for m in itertools.product((1, 2, 3, 4), repeat=n)
        if 1 <= sum(x in (3, 4) for x in m) <= 4 and 1 <= sum(x in (2, 4) for x in m) <= 3
    ]
    assert sorted(a.modules for a in every) == sorted(brute)


def test_macro_strings() -> None:
    a = MacroArchitecture.from_string("64-1234-basic")
    assert a.modules == (1, 2, 3, 4)
    assert a.to_string() == "64-1234-basic"
    assert MacroArchitecture.from_index(a.index) == a
    assert a.canonical_key() == a.to_string()


@pytest.mark.parametrize(
    "bad",
    [
        "64-1111-basic",  # never halves the resolution
        "64-1313-basic",  # never doubles the channels
        "64-2222-basic",  # four channel doublings, and no downsampling
        "64-123-basic",  # too few modules
        "64-1234123-basic",  # too many modules
        "64-1254-basic",  # code 5
        "32-1234-basic",  # base channels
        "64-1234-bottleneck",
    ],
)
def test_macro_rejects_invalid_skeletons(bad: str) -> None:
    with pytest.raises(InvalidArchitectureError):
        MacroArchitecture.from_string(bad)


def test_macro_moves() -> None:
    space = TransNAS101MacroSpace()
    arch = space.parse("64-1234-basic")
    nbrs = space.neighbours(arch)
    assert arch not in nbrs and len(nbrs) == len(set(nbrs))
    lengths = {len(n.modules) for n in nbrs}
    assert lengths == {4, 5}  # recoded and inserted; 4 is the minimum so nothing is removed
    assert space.parse("64-123412-basic") in [*space.neighbours("64-12341-basic")]
    rng = np.random.default_rng(1)
    for _ in range(50):
        assert space.mutate(arch, rng) in nbrs
    assert space.sample(np.random.default_rng(3)) == space.sample(np.random.default_rng(3))


@pytest.mark.parametrize("name", ["transnas101-micro", "transnas101-macro"])
def test_registered_and_protocol(name: str) -> None:
    space = get_space(name)
    assert isinstance(space, SearchSpace)
    assert space.name == name
    arch = space.sample(np.random.default_rng(0))
    assert arch.space == name
    assert space.parse(arch.to_string()) == arch
