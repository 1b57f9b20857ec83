"""DARTS / NAS-Bench-301 space: Genotype text, NASLib keys, normal form, isomorphism, sampling."""

from __future__ import annotations

import ast
import collections
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.darts import CELL_COUNT, COUNT, OPS, Architecture, DartsSpace

# DARTS's published DARTS_V2 cell (genotypes.py of quark0/darts)
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
    "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)


def test_parses_the_darts_v2_genotype_into_normal_form() -> None:
    a = Architecture.from_string(DARTS_V2)
    assert a.normal[4:6] == (("skip_connect", 0), ("sep_conv_3x3", 1))  # node 4's pair sorted by input
    assert a.reduce[2:4] == (("max_pool_3x3", 1), ("skip_connect", 2))
    assert Architecture.from_string(a.to_string()) == a
    assert a.to_string().startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")


def test_range_concat_and_positional_fields() -> None:
    a = Architecture.from_string(DARTS_V2)
    assert Architecture.from_string(DARTS_V2.replace("[2, 3, 4, 5]", "range(2, 6)")) == a
    positional = f"Genotype({list(a.normal)!r}, [2, 3, 4, 5], {list(a.reduce)!r}, range(2, 6))"
    assert Architecture.from_string(positional) == a


@pytest.mark.parametrize(
    "text, rule",
    [
        ("Genotype(normal=[", "not a Genotype(...) expression"),
        ("dict(normal=[])", "'Genotype(normal=..., ...)'"),
        (DARTS_V2.replace(", reduce_concat=[2, 3, 4, 5]", ""), "lacks reduce_concat"),
        (DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[4, 5]"), "normal_concat must concatenate"),
        (DARTS_V2.replace("('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)", "('sep_conv_3x3', 0)", 1), "needs 8 edges"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 6)"), "feeds node 5, so its input must be an int in 0..4"),
        (DARTS_V2.replace("('sep_conv_3x3', 1)", "('sep_conv_3x3', 2)", 1), "feeds node 2, so its input must be an int in 0..1"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 0)"), "inputs must differ"),
        (DARTS_V2.replace("dil_conv_3x3", "none"), "no 'none' op"),
        (DARTS_V2.replace("dil_conv_3x3", "conv_7x1_1x7"), "unknown DARTS op"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "__import__('os')"), "literal list"),
        (DARTS_V2.replace("normal_concat", "extra=1, normal_concat"), "unexpected or repeated Genotype field 'extra'"),
    ],
)
def test_malformed_genotypes_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=re.escape(rule)):
        Architecture.from_string(text)


def test_parse_forms() -> None:
    space = get_space("darts")
    assert isinstance(space, DartsSpace)
    a = Architecture.from_string(DARTS_V2)
    Genotype = collections.namedtuple("Genotype", "normal normal_concat reduce reduce_concat")
    assert space.parse(a) is a
    assert space.parse(DARTS_V2) == a
    assert space.parse(Genotype(a.normal, range(2, 6), a.reduce, range(2, 6))) == a
    assert space.parse({"normal": a.normal, "reduce": a.reduce}) == a
    assert space.parse(a.to_naslib()) == a
    with pytest.raises(InvalidArchitectureError, match="reduce_concat must be"):
        space.parse(Genotype(a.normal, range(2, 6), a.reduce, [2, 3]))
    with pytest.raises(InvalidArchitectureError, match="expected a DARTS"):
        space.parse(7)


def test_size() -> None:
    assert CELL_COUNT == 1 * 3 * 6 * 10 * len(OPS) ** 8
    assert COUNT == CELL_COUNT**2 and DartsSpace().size is None


# ------------------------------------------------------------------ NAS-Bench-301 records
@pytest.fixture(scope="module")
def nb301_records(reference_dir: Path) -> dict[str, dict]:
    path = reference_dir / "nb301_zc" / "zc_nasbench301.json"
    if not path.is_file():
        pytest.skip(f"NASLib NB301 zero-cost table not found at {path}")
    return json.loads(path.read_text())["cifar10"]


def test_naslib_keys_map_to_genotypes(nb301_records: dict) -> None:
    assert len(nb301_records) == 725
    archs = {}
    for key, record in nb301_records.items():
        assert record["arch"] == key
        arch = Architecture.from_naslib(key)
        compact = ast.literal_eval(key)
        # the same edges per node as the key, as (OPS[op], input) pairs
        for cell, pairs in zip((arch.normal, arch.reduce), compact):
            for node in range(4):
                expected = sorted((OPS[op], src) for src, op in pairs[2 * node : 2 * node + 2])
                assert sorted(cell[2 * node : 2 * node + 2]) == expected
        assert Architecture.from_naslib(arch.to_naslib()) == arch
        archs[key] = arch
    assert len(set(archs.values())) == len(archs)  # distinct records stay distinct in normal form
    # the README's example record
    example = "[[(0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)], [(1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)]]"
    assert nb301_records[example]["idx"] == "534"
    assert archs[example].normal[:2] == (("max_pool_3x3", 0), ("dil_conv_3x3", 1))


def test_older_naslib_file_keys_parse(reference_dir: Path) -> None:
    path = reference_dir / "nb301_zc" / "older_22280f71" / "zc_nasbench301.json"
    if not path.is_file():
        pytest.skip(f"older NB301 zero-cost table not found at {path}")
    keys = list(json.loads(path.read_text())["nasbench301"]["cifar10"])
    assert len({Architecture.from_naslib(k) for k in keys}) == len(keys) == 500


@pytest.mark.parametrize("key, rule", [("[[(0, 0)]]", "[normal, reduce]"), (str([[(0, 9), (1, 0)] * 4, [(0, 0), (1, 0)] * 4]), "op index 9")])
def test_bad_naslib_keys(key: str, rule: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=re.escape(rule)):
        Architecture.from_naslib(key)


# ------------------------------------------------------------------ canonical key
def test_renumbered_nodes_share_the_canonical_key() -> None:
    a = Architecture.from_string(DARTS_V2)
    # nodes 2 and 3 of the normal cell are alike; node 5 reading node 3 instead of node 2
    # is the same cell with those two nodes renumbered
    n = list(a.normal)
    swapped = n[2:4] + n[0:2] + n[4:6] + [n[6], ("dil_conv_3x3", 3)]
    b = Architecture(swapped, a.reduce)
    assert b != a
    assert b.canonical_key() == a.canonical_key()
    # a different op is a different class
    c = Architecture([("avg_pool_3x3", 0)] + n[1:], a.reduce)
    assert c.canonical_key() != a.canonical_key()


@st.composite
def genotypes(draw: st.DrawFn) -> Architecture:
    return DartsSpace().sample(np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


@settings(deadline=None)
@given(genotypes(), st.data())
def test_canonical_key_is_invariant_to_valid_renumbering(arch: Architecture, data: st.DataObject) -> None:
    # a random topological renumbering of the normal cell's intermediate nodes
    deps = {node: {src for _, src in arch.normal[2 * (node - 2) : 2 * (node - 2) + 2] if src >= 2} for node in range(2, 6)}
    order: list[int] = []
    while len(order) < 4:
        ready = sorted(n for n in deps if n not in order and deps[n] <= set(order))
        order.append(ready[data.draw(st.integers(0, len(ready) - 1))])
    new_id = {0: 0, 1: 1, **{old: 2 + k for k, old in enumerate(order)}}
    edges = [None] * 8
    for node in range(2, 6):
        pair = arch.normal[2 * (node - 2) : 2 * (node - 2) + 2]
        target = new_id[node] - 2
        edges[2 * target : 2 * target + 2] = [(op, new_id[src]) for op, src in pair]
    other = Architecture(edges, arch.reduce)
    assert other.canonical_key() == arch.canonical_key()
    assert other.canonical().canonical() == other.canonical()


@settings(deadline=None)
@given(genotypes())
def test_round_trips(arch: Architecture) -> None:
    assert Architecture.from_string(arch.to_string()) == arch
    assert Architecture.from_naslib(arch.to_naslib()) == arch
    assert DartsSpace().parse(arch.canonical_key()).canonical_key() == arch.canonical_key()


# ------------------------------------------------------------------ sampling, mutation, neighbours
def test_sampling_is_seeded_and_covers_choices() -> None:
    space = DartsSpace()
    assert space.sample(np.random.default_rng(4)) == space.sample(np.random.default_rng(4))
    rng = np.random.default_rng(0)
    draws = [space.sample(rng) for _ in range(500)]
    ops = collections.Counter(op for a in draws for op, _ in a.normal + a.reduce)
    assert set(ops) == set(OPS) and min(ops.values()) > 0.8 * 8000 / len(OPS)
    last_inputs = collections.Counter(frozenset(src for _, src in a.normal[6:8]) for a in draws)
    assert len(last_inputs) == 10  # all pairs of distinct inputs of node 5


def test_mutate_makes_one_change() -> None:
    space = DartsSpace()
    rng = np.random.default_rng(2)
    a = space.sample(rng)
    for _ in range(200):
        b = space.mutate(a, rng)
        assert b != a
        assert b in space.neighbours(a)
        a = b


def test_neighbours() -> None:
    space = DartsSpace()
    a = Architecture.from_string(DARTS_V2)
    nbrs = space.neighbours(a)
    # per cell: 8 edges x 6 other ops, plus input changes 2 x (0 + 1 + 2 + 3)
    assert len(nbrs) == len(set(nbrs)) == 2 * (8 * 6 + 12)
    assert a not in nbrs
    for b in nbrs:
        diff = sum(x != y for x, y in zip(a.normal + a.reduce, b.normal + b.reduce))
        assert 1 <= diff <= 2  # one edge changed; re-sorting a node's pair can move the other
