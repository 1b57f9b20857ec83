"""NAS-Bench-101 cell space: official hash, pruning, validity rules, text forms, sampling, mutation."""

from __future__ import annotations

import collections
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.nb101 import (
    CONV1X1,
    CONV3X3,
    INPUT,
    MAXPOOL3X3,
    OPS,
    OUTPUT,
    SIZE,
    Architecture,
    NB101Space,
    prune,
)

# A row of the official nasbench_full.tfrecord, as quoted with its hash by NNI's NAS-Bench-101
# documentation, nasbench-rs's README and several public test suites.
OFFICIAL_ADJACENCY = "0100110001000000010010000010000001000000010000000"
OFFICIAL_OPS = (INPUT, CONV3X3, MAXPOOL3X3, CONV3X3, CONV3X3, CONV1X1, OUTPUT)
OFFICIAL_HASH = "00005c142e6f48ac74fdcf73e3439874"

# google-research/nasbench README: the Inception-like cell as queried, and the
# (isomorphic) representation the dataset returned for it as module_adjacency/module_operations.
INCEPTION_QUERY = (
    ((0, 1, 1, 1, 0, 1, 0), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 1, 0, 0),
     (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 0)),
    (INPUT, CONV1X1, CONV3X3, CONV3X3, CONV3X3, MAXPOOL3X3, OUTPUT),
)  # fmt: skip
INCEPTION_STORED = (
    ((0, 1, 1, 1, 1, 0, 0), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 1),
     (0, 0, 0, 0, 0, 1, 0), (0, 0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 0, 0)),
    (INPUT, CONV3X3, CONV1X1, MAXPOOL3X3, CONV3X3, CONV3X3, OUTPUT),
)  # fmt: skip


def official() -> Architecture:
    return Architecture.from_string(f"{OFFICIAL_ADJACENCY}|{','.join(OFFICIAL_OPS)}")


# ------------------------------------------------------------------ the hash
def test_official_hash_of_a_real_record() -> None:
    a = official()
    assert a.canonical_key() == a.hash == OFFICIAL_HASH
    assert (a.num_vertices, a.num_edges) == (7, 9)


def test_readme_query_and_stored_representation_share_a_hash() -> None:
    query, stored = Architecture(*INCEPTION_QUERY), Architecture(*INCEPTION_STORED)
    assert query.matrix != stored.matrix
    assert query.hash == stored.hash
    assert query.canonical() == stored.canonical()


def test_pruning_drops_dangling_vertices_before_hashing() -> None:
    # the official cell plus: a vertex fed by the input that reaches nothing, and one
    # feeding the output that nothing reaches (9 vertices, 11 edges before pruning)
    m = np.zeros((9, 9), dtype=int)
    m[:7, :7] = np.array(official().matrix)
    m[:, 6] = 0
    m[:, 8] = np.array(official().matrix)[:, 6].tolist() + [0, 0]
    m[0, 6] = 1  # vertex 6 is dangling: fed by the input, feeds nothing
    m[7, 8] = 1  # vertex 7 feeds the output, nothing feeds it
    ops = OFFICIAL_OPS[:6] + (MAXPOOL3X3, CONV1X1, OUTPUT)
    a = Architecture(m.tolist(), ops)
    assert a.num_vertices == 7 and a.num_edges == 9
    assert a.pruned_ops == OFFICIAL_OPS
    assert a.hash == OFFICIAL_HASH


def test_edges_are_counted_after_pruning_as_officially() -> None:
    # the official cell (9 edges) plus a vertex fed by the input and vertex 1 that feeds
    # nothing: 11 edges as given, 9 after pruning, so the cell is valid
    m = np.zeros((8, 8), dtype=int)
    m[:6, :6] = np.array(official().matrix)[:6, :6]
    m[:6, 7] = np.array(official().matrix)[:6, 6]
    m[0, 6] = m[1, 6] = 1
    a = Architecture(m.tolist(), OFFICIAL_OPS[:6] + (CONV3X3, OUTPUT))
    assert int(m.sum()) == 11
    assert (a.num_edges, a.num_vertices, a.hash) == (9, 7, OFFICIAL_HASH)


# ------------------------------------------------------------------ rules
def _spec(**changes: object) -> tuple[list[list[int]], list[str]]:
    matrix = [list(r) for r in official().matrix]
    ops = list(OFFICIAL_OPS)
    for key, value in changes.items():
        if key == "ops":
            ops = value  # type: ignore[assignment]
        else:
            i, j = map(int, key[1:].split("_"))
            matrix[i][j] = value  # type: ignore[assignment]
    return matrix, ops


@pytest.mark.parametrize(
    "matrix, ops, rule",
    [
        (*_spec(e2_1=1), "not upper-triangular"),
        (*_spec(e3_3=1), "not upper-triangular"),
        (*_spec(e0_2=1), "too many edges"),
        (*_spec(e0_6=0, e2_6=0, e5_6=0), "disconnected output"),
        (*_spec(ops=[INPUT, "conv5x5-bn-relu", MAXPOOL3X3, CONV3X3, CONV3X3, CONV1X1, OUTPUT]), "unknown NB101 op"),
        (*_spec(ops=[CONV3X3, CONV3X3, MAXPOOL3X3, CONV3X3, CONV3X3, CONV1X1, OUTPUT]), "wrong first/last op"),
        (*_spec(ops=[INPUT, CONV3X3, MAXPOOL3X3, CONV3X3, CONV3X3, CONV1X1, CONV3X3]), "wrong first/last op"),
        (*_spec(ops=list(OFFICIAL_OPS[:6])), "one op per vertex"),
        ([[0, 2], [0, 0]], [INPUT, OUTPUT], "0 or 1"),
        ([[0, 1, 1], [0, 0]], [INPUT, CONV3X3, OUTPUT], "square"),
    ],
)
def test_invalid_cells_name_the_rule(matrix: list, ops: list, rule: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=rule):
        Architecture(matrix, tuple(ops))


def test_too_many_vertices() -> None:
    n = 8
    chain = [[1 if j == i + 1 else 0 for j in range(n)] for i in range(n)]
    with pytest.raises(InvalidArchitectureError, match="too many vertices"):
        Architecture(chain, (INPUT, *[CONV3X3] * (n - 2), OUTPUT))


@pytest.mark.parametrize(
    "text, rule",
    [
        (OFFICIAL_ADJACENCY, "'<matrix bits>|<op,op,...>'"),
        (f"{OFFICIAL_ADJACENCY}0|{','.join(OFFICIAL_OPS)}", "V*V digits"),
        (f"{OFFICIAL_ADJACENCY[:-1]}2|{','.join(OFFICIAL_OPS)}", "V*V digits"),
        (f"{OFFICIAL_ADJACENCY}|{','.join(OFFICIAL_OPS[:-1])}", "one op per vertex"),
    ],
)
def test_malformed_strings_name_the_rule(text: str, rule: str) -> None:
    with pytest.raises(InvalidArchitectureError, match=re.escape(rule)):
        Architecture.from_string(text)


# ------------------------------------------------------------------ forms
def test_string_round_trip_and_parse_forms() -> None:
    a = official()
    assert a.to_string() == f"{OFFICIAL_ADJACENCY}|{','.join(OFFICIAL_OPS)}"
    space = get_space("nb101")
    assert isinstance(space, NB101Space)
    assert space.parse(a) is a
    assert space.parse(a.to_string()) == a
    assert space.parse((a.matrix, a.ops)) == a
    assert space.parse({"module_adjacency": np.array(a.matrix), "module_operations": list(a.ops)}) == a
    assert space.parse(str(a.to_naslib())) == a == space.parse(a.to_naslib())
    with pytest.raises(InvalidArchitectureError, match="expected an NB101"):
        space.parse(3)


def test_padded_keeps_the_hash() -> None:
    small = Architecture([[0, 1, 1], [0, 0, 1], [0, 0, 0]], (INPUT, MAXPOOL3X3, OUTPUT))
    full = small.padded()
    assert len(full.ops) == 7 and full.ops[-1] == OUTPUT
    assert full.hash == small.hash
    assert full.pruned_matrix == small.matrix


@pytest.fixture(scope="module")
def naslib_records(reference_dir: Path) -> dict[str, dict[str, float]]:
    path = reference_dir / "nb101_zc" / "zc_nasbench101.json"
    if not path.is_file():
        pytest.skip(f"NASLib NB101 zero-cost table not found at {path}")
    return json.loads(path.read_text())["nasbench101"]["cifar10"]


def test_naslib_keys_parse_and_round_trip(naslib_records: dict) -> None:
    assert len(naslib_records) == 500
    for key in naslib_records:
        a = Architecture.from_naslib(key)
        assert str(a.to_naslib()) == key
    # the README's example: ops [input, maxpool, maxpool, conv3x3, conv3x3, conv3x3, output]
    first = Architecture.from_naslib(next(iter(naslib_records)))
    assert first.ops == (INPUT, MAXPOOL3X3, MAXPOOL3X3, CONV3X3, CONV3X3, CONV3X3, OUTPUT)


def test_naslib_records_agree_with_pruning_and_hash(naslib_records: dict) -> None:
    """Records whose cells prune to the same graph were built as the same network (same
    params and FLOPs); records sharing a hash are isomorphic cells: same ops and edge
    count, and parameters within NB101's channel-rounding differences."""
    by_pruned: dict[tuple, set] = collections.defaultdict(set)
    by_hash: dict[str, list] = collections.defaultdict(list)
    for key, rec in naslib_records.items():
        a = Architecture.from_naslib(key)
        by_pruned[(a.pruned_matrix, a.pruned_ops)].add((rec["params"], rec["flops"]))
        by_hash[a.hash].append((rec["params"], sorted(a.pruned_ops), a.num_edges))
    assert len(by_pruned) < len(naslib_records)  # the sample holds such duplicates
    assert all(len(v) == 1 for v in by_pruned.values())
    for group in by_hash.values():
        params = [p for p, _, _ in group]
        assert max(params) / min(params) < 1.01
        assert len({(tuple(ops), e) for _, ops, e in group}) == 1


# ------------------------------------------------------------------ isomorphism
def _relabel(matrix: tuple, ops: tuple, order: list[int]) -> Architecture:
    """The cell with vertex ``order[k]`` renumbered ``k``."""
    n = len(ops)
    new = [[matrix[order[i]][order[j]] for j in range(n)] for i in range(n)]
    return Architecture(new, tuple(ops[v] for v in order))


def _random_topological_order(matrix: tuple, draw: st.DrawFn) -> list[int]:
    n = len(matrix)
    indeg = [sum(matrix[w][v] for w in range(n)) for v in range(n)]
    ready, order = [0], []
    while ready:
        v = ready.pop(draw(st.integers(0, len(ready) - 1)))
        order.append(v)
        for w in range(n):
            if matrix[v][w]:
                indeg[w] -= 1
                if indeg[w] == 0:
                    ready.append(w)
    return order


def _isomorphic(a: Architecture, b: Architecture) -> bool:
    if len(a.pruned_ops) != len(b.pruned_ops):
        return False
    n = len(a.pruned_ops)
    for middle in itertools.permutations(range(1, n - 1)):
        order = [0, *middle, n - 1]
        if all(b.pruned_ops[k] == a.pruned_ops[order[k]] for k in range(n)) and all(
            b.pruned_matrix[i][j] == a.pruned_matrix[order[i]][order[j]] for i in range(n) for j in range(n)
        ):
            return True
    return False


def test_hand_built_isomorphic_pairs() -> None:
    # diamond: input -> {conv3x3, maxpool} -> output, the branches numbered either way
    d1 = Architecture([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], (INPUT, CONV3X3, MAXPOOL3X3, OUTPUT))
    d2 = Architecture([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], (INPUT, MAXPOOL3X3, CONV3X3, OUTPUT))
    assert d1.hash == d2.hash
    # a conv1x1 -> conv3x3 branch beside a maxpool branch, the maxpool numbered last or first
    p1 = Architecture(
        [[0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
        (INPUT, CONV1X1, CONV3X3, MAXPOOL3X3, OUTPUT),
    )
    p2 = Architecture(
        [[0, 1, 1, 0, 0], [0, 0, 0, 0, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]],
        (INPUT, MAXPOOL3X3, CONV1X1, CONV3X3, OUTPUT),
    )
    assert p1.hash == p2.hash
    assert _isomorphic(p1, p2) and _isomorphic(d1, d2)
    assert p1.canonical() == p2.canonical() and d1.canonical() == d2.canonical()


def test_hand_built_non_isomorphic_pairs_differ() -> None:
    base = [[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    a = Architecture(base, (INPUT, CONV1X1, CONV3X3, OUTPUT))
    b = Architecture(base, (INPUT, CONV3X3, CONV1X1, OUTPUT))  # same graph, ops swapped along the chain
    c = Architecture([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], (INPUT, CONV1X1, CONV3X3, OUTPUT))
    d = Architecture([[0, 1, 1, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], (INPUT, CONV1X1, CONV3X3, OUTPUT))
    assert len({a.hash, b.hash, c.hash, d.hash}) == 4
    assert len({a.canonical(), b.canonical(), c.canonical(), d.canonical()}) == 4


@st.composite
def cells(draw: st.DrawFn) -> Architecture:
    return NB101Space().sample(np.random.default_rng(draw(st.integers(0, 2**32 - 1))))


@settings(deadline=None)
@given(cells(), st.data())
def test_relabelled_cells_share_the_hash(arch: Architecture, data: st.DataObject) -> None:
    order = _random_topological_order(arch.pruned_matrix, data.draw)
    other = _relabel(arch.pruned_matrix, arch.pruned_ops, order)
    assert other.hash == arch.hash
    assert _isomorphic(arch, other)
    canon = arch.canonical()
    assert other.canonical() == canon == canon.canonical()
    assert canon.hash == arch.hash and canon.matrix == canon.pruned_matrix


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_hash_equality_is_isomorphism(seed: int) -> None:
    """On cells small enough for a brute-force check, equal hashes <=> isomorphic."""
    rng = np.random.default_rng(seed)
    n = 5
    iu = np.triu_indices(n, k=1)
    found = []
    while len(found) < 40:
        m = np.zeros((n, n), dtype=int)
        m[iu] = rng.integers(0, 2, size=len(iu[0]))
        ops = (INPUT, *(OPS[i] for i in rng.integers(0, 2, size=n - 2)), OUTPUT)  # 2 ops: many collisions
        try:
            found.append(Architecture(m.tolist(), ops))
        except InvalidArchitectureError:
            continue
    for a, b in itertools.combinations(found, 2):
        assert (a.hash == b.hash) == _isomorphic(a, b) == (a.canonical() == b.canonical())


@settings(deadline=None)
@given(cells())
def test_string_and_naslib_round_trips(arch: Architecture) -> None:
    again = Architecture.from_string(arch.to_string())
    assert again == arch and again.hash == arch.hash
    assert Architecture.from_naslib(arch.to_naslib()) == arch.padded()
    assert arch.padded().hash == arch.hash


def _full_dags(n: int) -> list[np.ndarray]:
    """Every n-vertex DAG with <= 9 edges that pruning leaves whole."""
    pairs = [(i, j) for j in range(n) for i in range(j)]
    out = []
    for k in range(min(len(pairs), 9) + 1):
        for combo in itertools.combinations(pairs, k):
            m = [[0] * n for _ in range(n)]
            for i, j in combo:
                m[i][j] = 1
            kept = prune(tuple(map(tuple, m)), ("x",) * n)
            if kept is not None and len(kept[1]) == n:
                out.append(np.array(m))
    return out


def _cells_up_to_isomorphism(n: int) -> int:
    """Labelled n-vertex cells up to isomorphism: classes of full DAGs by an exact canonical
    form (minimum over renumberings of the intermediate vertices), each with its labellings
    counted up to the class's automorphisms (Burnside)."""
    perms = np.array([[0, *mid, n - 1] for mid in itertools.permutations(range(1, n - 1))])
    weights = (1 << np.arange(n * n, dtype=np.int64)).reshape(n, n)
    classes: dict[int, np.ndarray] = {}
    for a in _full_dags(n):
        codes = (a[perms[:, :, None], perms[:, None, :]] * weights).sum(axis=(1, 2))
        classes.setdefault(int(codes.min()), a)
    total = 0
    for a in classes.values():
        autos = perms[(a[perms[:, :, None], perms[:, None, :]] == a).all(axis=(1, 2))]
        fixed = 0
        for g in autos:
            seen: set[int] = set()
            cycles = 0
            for v in range(1, n - 1):
                if v not in seen:
                    cycles += 1
                    while v not in seen:
                        seen.add(v)
                        v = int(g[v])
            fixed += len(OPS) ** cycles
        total += fixed // len(autos)
    return total


def test_distinct_hashes_are_the_isomorphism_classes() -> None:
    """For 2..5 vertices: hashing every labelled cell gives exactly one hash per class."""
    for n in range(2, 6):
        hashes = {
            Architecture(a.tolist(), (INPUT, *mids, OUTPUT)).hash
            for a in _full_dags(n)
            for mids in itertools.product(OPS, repeat=n - 2)
        }
        assert len(hashes) == _cells_up_to_isomorphism(n) == {2: 1, 3: 6, 4: 84, 5: 2441}[n]


@pytest.mark.slow
def test_the_space_has_nasbench101s_423624_cells() -> None:
    assert sum(_cells_up_to_isomorphism(n) for n in range(2, 8)) == SIZE == 423_624


# ------------------------------------------------------------------ sampling, mutation, neighbours
def test_sampling_is_seeded_and_canonical() -> None:
    space = NB101Space()
    assert space.sample(np.random.default_rng(3)) == space.sample(np.random.default_rng(3))
    rng = np.random.default_rng(0)
    draws = [space.sample(rng) for _ in range(300)]
    assert all(a == a.canonical() and a.num_edges <= 9 for a in draws)
    assert len({a.hash for a in draws}) > 150


def test_mutate_draws_a_neighbour_of_another_hash() -> None:
    space = NB101Space()
    rng = np.random.default_rng(5)
    a = space.sample(rng)
    for _ in range(60):
        b = space.mutate(a, rng)
        assert b.hash != a.hash and b == b.canonical()
        nbrs = space.neighbours(a)
        assert b in nbrs or not nbrs  # no neighbours: the bare cell, mutated by two changes
        a = b


def test_mutate_from_the_bare_cell() -> None:
    space = NB101Space()
    bare = Architecture([[0, 1], [0, 0]], (INPUT, OUTPUT))
    assert space.neighbours(bare) == []
    b = space.mutate(bare, np.random.default_rng(0))
    assert b.hash != bare.hash and b.num_vertices == 3


def test_neighbours() -> None:
    space = NB101Space()
    a = official()
    nbrs = space.neighbours(a)
    hashes = [b.hash for b in nbrs]
    assert len(set(hashes)) == len(hashes) and a.hash not in hashes
    assert 0 < len(nbrs) <= 21 + 10
    assert all(b == b.canonical() for b in nbrs)
    # one change of the canonical cell: an edge more or less, or one op different
    base = a.canonical()
    for b in nbrs:
        assert abs(b.num_edges - base.num_edges) <= 1 or b.num_vertices != base.num_vertices
    # a function of the class: an isomorphic, unpruned spelling has the same neighbours
    assert space.neighbours(Architecture(*INCEPTION_QUERY)) == space.neighbours(Architecture(*INCEPTION_STORED))
    assert nbrs == space.neighbours(a.to_string())
    assert space.mutate(a, np.random.default_rng(1)).hash in hashes
