"""The NB201 space: official strings and index order, canonical keys, sampling."""

from __future__ import annotations

import csv
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.nb201 import OPS, SIZE, Architecture, NB201Space

ops_tuples = st.tuples(*[st.sampled_from(OPS)] * 6)


@given(ops_tuples)
def test_string_and_index_round_trip(ops: tuple[str, ...]) -> None:
    arch = Architecture(ops)
    assert Architecture.from_string(arch.to_string()) == arch
    assert Architecture.from_index(arch.index) == arch
    assert 0 <= arch.index < SIZE


@given(ops_tuples)
def test_canonical_key_is_invariant_to_interchangeable_edges(ops: tuple[str, ...]) -> None:
    # with node 1 == node 0 (a skip edge), edges 0->3 and 1->3 are interchangeable, as are 0->2 and 1->2
    ops = ("skip_connect", *ops[1:])
    arch = Architecture(ops)
    swapped = list(ops)
    swapped[3], swapped[4] = ops[4], ops[3]
    swapped[1], swapped[2] = ops[2], ops[1]
    assert Architecture(tuple(swapped)).canonical_key() == arch.canonical_key()


def test_canonical_key_distinguishes_different_functions() -> None:
    a = Architecture.from_string("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|")
    b = Architecture.from_string("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|")
    c = Architecture.from_string("|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|")
    assert a.canonical_key() != b.canonical_key()  # node 2 is zero in a, conv(x) in b
    assert b.canonical_key() != c.canonical_key()
    # an unused branch does not change the function
    d = Architecture.from_string("|avg_pool_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")
    e = Architecture.from_string("|nor_conv_1x1~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|")
    assert d.canonical_key() == e.canonical_key()


def test_official_order_and_unique_strings_match_reference(reference_dir) -> None:
    path = reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == SIZE
    for row in rows:
        arch = Architecture.from_index(int(row["arch_index"]))
        assert arch.to_string() == row["ArchitectureString"]
        assert arch.canonical_key() == row["UniqueString"]
    assert len({r["UniqueString"] for r in rows}) == 6466


def test_official_order_matches_nats_archive_meta(reference_dir) -> None:
    import bz2
    import pickle

    class Plain(pickle.Unpickler):
        def find_class(self, module: str, name: str):  # noqa: ANN201
            if (module, name) == ("collections", "OrderedDict"):
                from collections import OrderedDict

                return OrderedDict
            raise pickle.UnpicklingError(f"refusing {module}.{name}")

    path = reference_dir / "nats_archive_sample" / "NATS-tss-v1_0-3ffb9-simple" / "meta.pickle.pbz2"
    with bz2.open(path, "rb") as fh:
        meta = Plain(fh).load()
    assert [Architecture.from_index(i).to_string() for i in range(SIZE)] == list(meta["meta_archs"])


def test_all_space_has_6466_classes() -> None:
    keys = {a.canonical_key() for a in NB201Space().all()}
    assert len(keys) == 6466


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown NB201 op 'conv'"),
        ("|none~0|+|none~0|none~1|", "3 '+'-separated nodes"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must be 'op~0'"),
        ("|none~0|+|none~0|none~1|+|none~0|none~1|none~3|", "must be 'op~2'"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "node 1"),
    ],
)
def test_malformed_strings_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=re.escape(fragment)):
        Architecture.from_string(text)


@pytest.mark.parametrize("index", [-1, SIZE, 3.5, "12", True])
def test_bad_index(index: object) -> None:
    with pytest.raises(InvalidArchitectureError, match="0..15624"):
        Architecture.from_index(index)  # type: ignore[arg-type]


def test_sampling_is_uniform_and_reproducible() -> None:
    space = get_space("nb201")
    a = [space.sample(np.random.default_rng(7)).index for _ in range(3)]
    assert a[0] == a[1] == a[2]
    rng = np.random.default_rng(0)
    counts = Counter(op for _ in range(5000) for op in space.sample(rng).ops)
    assert set(counts) == set(OPS)
    assert max(counts.values()) / min(counts.values()) < 1.1


def test_mutation_and_neighbours() -> None:
    space = NB201Space()
    rng = np.random.default_rng(1)
    arch = space.sample(rng)
    neighbours = space.neighbours(arch)
    assert len(neighbours) == 24 and len(set(neighbours)) == 24 and arch not in neighbours
    for _ in range(50):
        child = space.mutate(arch, rng)
        assert child in neighbours
    assert space.parse(arch.index) == space.parse(arch.to_string()) == arch


def test_live_edges_skip_dead_branches() -> None:
    arch = Architecture.from_string("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|none~1|none~2|")
    assert arch.live_edges() == (False, False, False, True, False, False)
