"""Encoders: shapes, vectorization, and the meaning of each NB201 encoding."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import InvalidArchitectureError, UnknownNameError
from nasbench_suite.spaces.nb201 import OPS, Architecture, NB201Space
from nasbench_suite.surrogates.encoders import KINDS, get_encoder, unpack_graphs
from nasbench_suite.surrogates.encoders.nb201 import N_NODES, N_NODE_FEATURES, effective

ENC = get_encoder("nb201")
ALL_CONV3 = Architecture(("nor_conv_3x3",) * 6)
DEAD = Architecture(("nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "none", "none", "none"))  # output unreachable
WIDTHS = {"onehot": 30, "adjacency": 28 + 8 * 7, "path": 84, "features": 150, "graph": 64 + 56}


@pytest.mark.parametrize("kind", KINDS)
def test_shapes_dtype_and_input_forms_agree(kind: str) -> None:
    rng = np.random.default_rng(0)
    archs = [NB201Space().sample(rng) for _ in range(50)]
    X = ENC.encode(archs, kind)
    assert X.shape == (50, WIDTHS[kind]) and X.dtype == np.float32
    np.testing.assert_array_equal(X, ENC.encode([a.to_string() for a in archs], kind))
    np.testing.assert_array_equal(X, ENC.encode(np.array([a.index for a in archs]), kind))
    np.testing.assert_array_equal(X, ENC.encode([a.index for a in archs], kind))
    # vectorized == one at a time
    np.testing.assert_array_equal(X[7], ENC.encode([archs[7]], kind)[0])


def test_onehot_marks_each_edges_op() -> None:
    x = ENC.encode([ALL_CONV3], "onehot").reshape(6, 5)
    assert (x[:, OPS.index("nor_conv_3x3")] == 1).all() and x.sum() == 6


def test_path_encoding_counts_input_output_paths() -> None:
    # all conv3: paths of length 1, 2, 2, 3 -> codes conv3, conv3-conv3 (twice), conv3-conv3-conv3
    p = ENC.encode([ALL_CONV3], "path")[0]
    assert p.sum() == 4 and sorted(p[p > 0].tolist()) == [1.0, 1.0, 2.0]
    assert ENC.encode([DEAD], "path").sum() == 0


def test_effective_edges_need_input_and_output() -> None:
    ids = ENC.op_ids([DEAD, ALL_CONV3])
    eff = effective(ids)
    assert not eff[0].any() and eff[1].all()
    # an edge out of node 1 is dead when node 1 gets nothing from the input
    cut = Architecture(("none", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3"))
    assert effective(ENC.op_ids([cut]))[0].tolist() == [False, True, False, True, False, True]
    # effective edges are a subset of the edges that reach the output
    every = NB201Space().all()
    live = np.array([a.live_edges() for a in every])
    assert (effective(ENC.op_ids(every)) <= live).all()


def test_features_summaries() -> None:
    f = ENC.encode([DEAD, ALL_CONV3], "features")
    connected, conv3, conv1, pool, skip, depth = f[:, -6:].T
    assert connected.tolist() == [0, 1] and conv3.tolist() == [0, 6] and depth.tolist() == [0, 3]


def test_graph_cuts_none_nodes() -> None:
    packed = ENC.encode([DEAD, ALL_CONV3], "graph")
    adj, nodes = unpack_graphs(packed, N_NODES)
    assert nodes.shape == (2, N_NODES, N_NODE_FEATURES)
    assert adj[1].sum() > adj[0].sum()
    for e in (3, 4, 5):  # the three 'none' edge nodes of DEAD
        assert adj[0, e + 1].sum() == 0 and adj[0, :, e + 1].sum() == 0
    # the graph is a DAG in topological order: strictly upper triangular
    assert np.all(np.tril(adj[1]) == 0)
    a2, x2 = ENC.graphs([DEAD, ALL_CONV3])
    np.testing.assert_array_equal(a2, adj)


def test_rejects_other_spaces_and_bad_input() -> None:
    from nasbench_suite.spaces.nb101 import NB101Space

    other = NB101Space().sample(np.random.default_rng(0))
    with pytest.raises(InvalidArchitectureError, match="nb101"):
        ENC.encode([other], "onehot")
    with pytest.raises(InvalidArchitectureError):
        ENC.encode(["|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "onehot")
    with pytest.raises(InvalidArchitectureError):
        ENC.encode(np.array([15625]), "onehot")
    with pytest.raises(UnknownNameError, match="path"):
        ENC.encode([ALL_CONV3], "nope")


def test_empty_input() -> None:
    assert ENC.encode([], "features").shape == (0, 150)


@pytest.mark.parametrize("space", ["nb201", "nb101", "darts"])
def test_every_registered_encoder(space: str) -> None:
    from nasbench_suite.spaces import get_space
    from nasbench_suite.surrogates.encoders import ENCODERS

    assert space in ENCODERS.names()
    enc, sp = get_encoder(space), get_space(space)
    rng = np.random.default_rng(1)
    archs = [sp.sample(rng) for _ in range(20)]
    for kind in KINDS:
        X = enc.encode(archs, kind)
        assert X.dtype == np.float32 and X.shape[0] == 20 and np.isfinite(X).all()
        assert enc.encode([], kind).shape == (0, X.shape[1])
        np.testing.assert_array_equal(X, enc.encode([a.to_string() for a in archs], kind))
        np.testing.assert_array_equal(X[3], enc.encode([archs[3]], kind)[0])
    adj, nodes = enc.graphs(archs)
    assert adj.shape == (20, enc.n_nodes, enc.n_nodes) and nodes.shape == (20, enc.n_nodes, enc.n_node_features)
    np.testing.assert_array_equal(enc.encode(archs, "graph"), np.concatenate([adj.reshape(20, -1), nodes.reshape(20, -1)], axis=1))
    assert np.all(np.tril(adj) == 0)  # DAGs with nodes in topological order
    # distinct architectures get distinct features
    assert len({enc.encode([a], "features").tobytes() for a in archs}) == len({a.to_string() for a in archs})
    with pytest.raises(InvalidArchitectureError, match=space):
        enc.encode([ALL_CONV3 if space != "nb201" else get_space("darts").sample(rng)], "onehot")


def test_nb101_path_encoding_counts_op_sequences() -> None:
    from nasbench_suite.spaces.nb101 import Architecture as NB101Arch

    # input -> conv3 -> output and input -> conv1 -> conv3 ... : two paths
    matrix = ((0, 1, 1, 0, 0), (0, 0, 0, 0, 1), (0, 0, 0, 1, 0), (0, 0, 0, 0, 1), (0, 0, 0, 0, 0))
    ops = ("input", "conv3x3-bn-relu", "conv1x1-bn-relu", "conv3x3-bn-relu", "output")
    enc = get_encoder("nb101")
    path = enc.encode([NB101Arch(matrix, ops)], "path")[0]
    # codes: 1 op: offset 1 + op; 2 ops: offset 4 + 3 * first + second (conv3 = 0, conv1 = 1)
    assert path.sum() == 2 and path[1 + 0] == 1 and path[4 + 3 * 1 + 0] == 1
    summary = enc.encode([NB101Arch(matrix, ops)], "features")[0, -7:]
    assert summary.tolist() == [5, 5, 2, 1, 0, 4, 2]
