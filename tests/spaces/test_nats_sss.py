"""NATS-Bench size space: official strings and index order, sampling, mutation, neighbours."""

from __future__ import annotations

import bz2
import collections
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.nats_sss import CHANNELS, SIZE, Architecture, NATSSizeSpace

SAMPLE_DIR = Path("nats_archive_sample") / "NATS-sss-v1_0-50262-simple"


class _PlainUnpickler(pickle.Unpickler):
    """Only the plain containers and numpy scalars NATS-Bench archives hold."""

    def find_class(self, module: str, name: str):  # noqa: ANN201
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("numpy", "dtype"):
            return np.dtype
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name == "scalar":
            try:
                from numpy._core.multiarray import scalar
            except ImportError:  # numpy < 2
                from numpy.core.multiarray import scalar
            return scalar
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def _load(path: Path) -> dict:
    with bz2.open(path, "rb") as fh:
        return _PlainUnpickler(fh).load()


@pytest.fixture(scope="module")
def sss_dir(reference_dir: Path) -> Path:
    path = reference_dir / SAMPLE_DIR
    if not path.is_dir():
        pytest.skip(f"NATS-Bench size-space archive sample not found at {path}")
    return path


def test_index_order_matches_the_official_meta_file(sss_dir: Path) -> None:
    meta = _load(sss_dir / "meta.pickle.pbz2")
    assert meta["total_archs"] == SIZE
    assert [a.to_string() for a in NATSSizeSpace().all()] == meta["meta_archs"]


@pytest.mark.parametrize("index", [0, 11, 284])
def test_archive_records_name_their_index_and_string(sss_dir: Path, index: int) -> None:
    record = _load(sss_dir / f"{index:06d}.pickle.pbz2")
    assert set(record) == {"01", "12", "90"}
    for budget in record.values():
        assert budget["arch_index"] == index
        assert Architecture.from_index(index).to_string() == budget["arch_str"]
        assert Architecture.from_string(budget["arch_str"]).index == index


def test_known_strings() -> None:
    assert Architecture.from_index(0).to_string() == "8:8:8:8:8"
    assert Architecture.from_index(SIZE - 1).to_string() == "64:64:64:64:64"
    assert Architecture.from_string("8:8:40:32:40").index == 284
    assert Architecture.from_string("64:32:16:8:40").channels == (64, 32, 16, 8, 40)


@pytest.mark.parametrize(
    "text, rule",
    [
        ("64:32:16:8", "5 channel counts"),
        ("64:32:16:8:40:8", "5 channel counts"),
        ("64:32:16:8:41", "not one of"),
        ("64,32,16,8,40", "joined by ':'"),
        ("", "joined by ':'"),
    ],
)
def test_malformed_strings_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=rule):
        Architecture.from_string(text)


@pytest.mark.parametrize("bad", [-1, SIZE, True, 1.5])
def test_bad_indices(bad: object) -> None:
    with pytest.raises(InvalidArchitectureError, match="index"):
        NATSSizeSpace().parse(bad)


def test_registered_and_parse_forms() -> None:
    space = get_space("nats-sss")
    assert isinstance(space, NATSSizeSpace)
    a = Architecture((64, 32, 16, 8, 40))
    assert space.parse(a) is a
    assert space.parse("64:32:16:8:40") == a == space.parse(a.index) == space.parse([64, 32, 16, 8, 40])
    assert a.canonical_key() == a.to_string()


def test_sampling_is_uniform_and_seeded() -> None:
    space = NATSSizeSpace()
    draws = [space.sample(np.random.default_rng(7)) for _ in range(2)]
    assert draws[0] == draws[1]
    rng = np.random.default_rng(0)
    counts = collections.Counter(c for _ in range(4000) for c in space.sample(rng).channels)
    assert set(counts) == set(CHANNELS)
    assert min(counts.values()) > 0.8 * 20000 / len(CHANNELS)


def test_mutate_changes_exactly_one_layer() -> None:
    space = NATSSizeSpace()
    rng = np.random.default_rng(1)
    a = space.sample(rng)
    for _ in range(200):
        b = space.mutate(a, rng)
        assert sum(x != y for x, y in zip(a.channels, b.channels)) == 1
        a = b


def test_neighbours() -> None:
    space = NATSSizeSpace()
    a = Architecture.from_index(284)
    nbrs = space.neighbours(a)
    assert len(nbrs) == 35 == len(set(nbrs))
    assert a not in nbrs
    assert all(sum(x != y for x, y in zip(a.channels, b.channels)) == 1 for b in nbrs)


@settings(deadline=None)
@given(st.integers(0, SIZE - 1))
def test_index_string_round_trip(index: int) -> None:
    a = Architecture.from_index(index)
    assert a.index == index
    assert Architecture.from_string(a.to_string()) == a
    assert NATSSizeSpace().parse(a.to_string()).index == index


@settings(deadline=None)
@given(st.lists(st.sampled_from(CHANNELS), min_size=5, max_size=5))
def test_channels_round_trip(channels: list[int]) -> None:
    a = Architecture(tuple(channels))
    assert Architecture.from_index(a.index) == a
    assert Architecture.from_string(a.to_string()).channels == tuple(channels)
