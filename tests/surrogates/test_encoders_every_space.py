"""Every space's encoder: shapes, dtypes, input forms, vectorization and the graph packing."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import InvalidArchitectureError, UnknownNameError
from nasbench_suite.spaces import get_space, space_names
from nasbench_suite.surrogates.encoders import KINDS, get_encoder, unpack_graphs

SPACES = space_names()


def _archs(name: str, n: int = 40) -> list:
    rng = np.random.default_rng(0)
    space = get_space(name)
    return [space.sample(rng) for _ in range(n)]


@pytest.mark.parametrize("name", SPACES)
def test_every_kind_is_float32_vectorized_and_accepts_strings(name: str) -> None:
    enc = get_encoder(name)
    assert enc.space == name and set(enc.kinds) <= set(KINDS) and {"onehot", "graph"} <= set(enc.kinds)
    archs = _archs(name)
    for kind in enc.kinds:
        X = enc.encode(archs, kind)
        assert X.dtype == np.float32 and X.ndim == 2 and len(X) == len(archs) and np.isfinite(X).all()
        np.testing.assert_array_equal(X, enc.encode([a.to_string() for a in archs], kind))
        np.testing.assert_array_equal(X[5], enc.encode([archs[5]], kind)[0])


@pytest.mark.parametrize("name", SPACES)
def test_graph_encoding_packs_the_graphs(name: str) -> None:
    enc = get_encoder(name)
    archs = _archs(name, 10)
    adj, nodes = enc.graphs(archs)
    assert adj.shape == (10, enc.n_nodes, enc.n_nodes) and nodes.shape == (10, enc.n_nodes, enc.n_node_features)
    a2, n2 = unpack_graphs(enc.encode(archs, "graph"), enc.n_nodes)
    np.testing.assert_array_equal(a2, adj)
    np.testing.assert_array_equal(n2, nodes)
    assert np.all(np.triu(adj, k=0) == adj) or name == "darts"  # DAGs in topological order


@pytest.mark.parametrize("name", SPACES)
def test_onehot_tells_different_architectures_apart(name: str) -> None:
    enc = get_encoder(name)
    archs = _archs(name, 60)
    X = enc.encode(archs, "onehot" if name != "nb101" else "adjacency")
    by_key = {}
    for a, x in zip(archs, X):
        by_key.setdefault(a.canonical_key(), x.tobytes())
    assert len(set(by_key.values())) == len(by_key)


@pytest.mark.parametrize("name", SPACES)
def test_unknown_kinds_and_foreign_architectures_are_refused(name: str) -> None:
    enc = get_encoder(name)
    with pytest.raises(UnknownNameError):
        enc.encode(_archs(name, 2), "no-such-kind")
    other = next(s for s in SPACES if s != name)
    with pytest.raises(InvalidArchitectureError, match=other):
        enc.encode(_archs(other, 1), "onehot")


def test_transnas_micro_path_encoding_counts_live_paths() -> None:
    from nasbench_suite.spaces.transnas101 import MicroArchitecture

    enc = get_encoder("transnas101-micro")
    all_conv = MicroArchitecture(("conv3x3",) * 6)
    assert enc.encode([all_conv], "path").sum() == 4
    cut = MicroArchitecture(("conv3x3", "conv3x3", "conv3x3", "none", "none", "none"))
    assert enc.encode([cut], "path").sum() == 0
