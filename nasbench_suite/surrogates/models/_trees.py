"""scikit-learn decision trees as plain arrays: the node table and leaf values, and back, without pickle."""

from __future__ import annotations

from typing import Any

import numpy as np


def tree_arrays(tree: Any) -> tuple[int, np.ndarray, np.ndarray]:
    """``(max_depth, nodes, values)`` of a fitted :class:`~sklearn.tree.DecisionTreeRegressor`."""
    state = tree.tree_.__getstate__()
    return int(state["max_depth"]), state["nodes"], state["values"]


def tree_from_arrays(depth: int, nodes: np.ndarray, values: np.ndarray, n_features: int) -> Any:
    """A fitted single-output :class:`~sklearn.tree.DecisionTreeRegressor` rebuilt from :func:`tree_arrays`."""
    from sklearn.tree import DecisionTreeRegressor
    from sklearn.tree._tree import Tree

    tree = Tree(n_features, np.ones(1, dtype=np.intp), 1)
    tree.__setstate__({"max_depth": int(depth), "node_count": len(nodes), "nodes": nodes, "values": values})
    est = DecisionTreeRegressor()
    est.tree_, est.n_features_in_, est.n_outputs_, est.max_features_ = tree, n_features, 1, n_features
    return est
