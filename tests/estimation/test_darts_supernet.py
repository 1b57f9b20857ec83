"""The DARTS search network: shapes, forward modes, the paper's discretisation, the ranking, path bookkeeping."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nasbench_suite.estimation.darts_supernet import ALPHA_SHAPE, EDGES, OPS, PLUGIN, SearchNetwork
from nasbench_suite.estimation.supernet_plugin import get_supernet
from nasbench_suite.spaces.darts import Architecture, DartsSpace

X = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))


@pytest.fixture(scope="module")
def net() -> SearchNetwork:
    torch.manual_seed(0)
    return SearchNetwork(in_channels=1, num_classes=10, channels=4, cells=1).eval()


def test_the_bundle_names_the_plugin_and_the_skeleton_is_darts_search_network() -> None:
    assert get_supernet("darts", who="test") is PLUGIN
    assert ALPHA_SHAPE == (2, 14, 8) and OPS[0] == "none" and len(EDGES) == 14
    small = SearchNetwork(in_channels=1, num_classes=10, channels=4, cells=1)
    search = SearchNetwork(in_channels=3, num_classes=10, channels=16, cells=2)
    assert [c.reduction for c in small.cells] == [False, True, False, True, False]
    assert [c.reduction for c in search.cells] == [False, False, True, False, False, True, False, False]  # DARTS's 8 cells


def test_forward_modes_and_shapes(net: SearchNetwork) -> None:
    dense = net(X, weights=torch.full(ALPHA_SHAPE, 1.0 / len(OPS)))
    assert dense.shape == (3, 10) and torch.isfinite(dense).all()
    arch = DartsSpace().sample(np.random.default_rng(1))
    path = PLUGIN.path_of(arch)
    one_hot = torch.zeros(ALPHA_SHAPE)
    for c, e in itertools.product(range(2), range(len(EDGES))):
        one_hot[c, e, path[c][e]] = 1.0  # inactive edges: 'none'
    out = net(X, path=path)
    assert out.shape == (3, 10)
    torch.testing.assert_close(net(X, weights=one_hot), out)  # a one-hot mixture is that genotype
    torch.testing.assert_close(net(X, weights=one_hot, path=path), out)  # GDAS's hard weights
    all_none = [[0] * len(EDGES), [0] * len(EDGES)]
    assert torch.isfinite(net(X, path=all_none)).all()  # every node zero: the classifier sees zeros
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 14, 8\)"):
        net(X, weights=torch.zeros(6, 5))
    with pytest.raises(ValueError, match="path must be 2 rows"):
        net(X, path=[[0] * 6])
    with pytest.raises(ValueError, match="pass weights"):
        net(X)


def test_a_reduction_cell_halves_the_resolution(net: SearchNetwork) -> None:
    shapes = []
    s0 = s1 = net.stem(X)
    weights = torch.full(ALPHA_SHAPE, 1.0 / len(OPS))
    for cell in net.cells:
        s0, s1 = s1, cell(s0, s1, weights=weights[int(cell.reduction)])
        shapes.append(tuple(s1.shape[1:]))
    assert shapes == [(16, 8, 8), (32, 4, 4), (32, 4, 4), (64, 2, 2), (64, 2, 2)]


def test_paths_round_trip_every_sampled_genotype() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        arch = DartsSpace().sample(rng)
        path = PLUGIN.path_of(arch)
        assert all(sum(1 for e in row if e) == 8 for row in path)
        assert PLUGIN.arch_of(path) == arch and PLUGIN.from_record(PLUGIN.record(arch)) == arch
    cands = PLUGIN.candidates(np.random.default_rng(0), 20)
    assert len({PLUGIN.arch_of(p).canonical_key() for p in cands}) == 20


def _edge(s: int, k: int) -> int:
    return EDGES.index((s, k))


def test_discretisation_keeps_the_two_strongest_edges_and_never_none() -> None:
    alphas = np.zeros(ALPHA_SHAPE)
    sep3, dil5, skip = OPS.index("sep_conv_3x3"), OPS.index("dil_conv_5x5"), OPS.index("skip_connect")
    # node 2 of the normal cell: 'none' dominates edge (0, 2), but its best real op still counts
    alphas[0, _edge(0, 2), 0] = 9.0
    alphas[0, _edge(0, 2), sep3] = 2.0
    alphas[0, _edge(1, 2), dil5] = 1.0
    # node 5: edges from nodes 3 and 4 are the strongest; the cell inputs lose
    alphas[0, _edge(3, 5), skip] = 5.0
    alphas[0, _edge(4, 5), sep3] = 4.0
    alphas[0, _edge(0, 5), sep3] = 3.0
    arch = PLUGIN.derive(alphas)
    assert arch.normal[:2] == (("sep_conv_3x3", 0), ("dil_conv_5x5", 1))
    assert arch.normal[6:] == (("skip_connect", 3), ("sep_conv_3x3", 4))
    assert all(op != "none" for op, _ in arch.normal + arch.reduce)
    with pytest.raises(ValueError, match=r"shape \(2, 14, 8\)"):
        PLUGIN.derive(np.zeros((6, 5)))


def test_ranking_starts_at_the_derived_genotype_and_does_not_increase() -> None:
    alphas = np.random.default_rng(3).normal(size=ALPHA_SHAPE)
    ranked = list(itertools.islice(PLUGIN.ranked(alphas), 300))
    assert ranked[0] == PLUGIN.derive(alphas)
    scores = PLUGIN.log_probs(alphas, ranked)
    assert all(a >= b - 1e-9 for a, b in zip(scores, scores[1:]))
    assert len(set(ranked)) == 300
    others = [DartsSpace().sample(np.random.default_rng(i)) for i in range(200)]
    assert max(PLUGIN.log_probs(alphas, others)) <= scores[0]  # nothing sampled beats the derived genotype
    assert all(isinstance(a, Architecture) for a in ranked)


# ------------------------------------------------------------------ the transnas101-micro supernet
def test_the_micro_supernet_runs_every_path_and_ranks_every_cell() -> None:
    from nasbench_suite.estimation.micro_supernet import PLUGIN as MICRO
    from nasbench_suite.spaces.transnas101 import MICRO_OPS, MicroArchitecture

    assert get_supernet("transnas101-micro", who="test") is MICRO and MICRO.alpha_shape == (6, 4)
    torch.manual_seed(0)
    micro = MICRO.build(skeleton="light", in_channels=1, num_classes=10, channels=4, cells=1).eval()
    for op in range(len(MICRO_OPS)):
        one_hot = torch.zeros(6, 4)
        one_hot[:, op] = 1.0
        out = micro(X, path=[op] * 6)
        assert out.shape == (3, 10) and torch.isfinite(out).all()
        torch.testing.assert_close(micro(X, weights=one_hot), out)
    alphas = np.random.default_rng(0).normal(size=(6, 4))
    ranked = list(MICRO.ranked(alphas))
    assert len(set(ranked)) == 4096 and ranked[0] == MICRO.derive(alphas)
    assert ranked[0].codes == tuple(alphas.argmax(1))
    arch = MicroArchitecture.from_index(1234)
    assert MICRO.from_record(MICRO.record(arch)) == arch and MICRO.arch_of(MICRO.path_of(arch)) == arch
    assert all(MICRO.arch_of(p).canonical_key() != "#" for p in MICRO.candidates(np.random.default_rng(0), 30))
