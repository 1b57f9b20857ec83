"""A Gaussian process on a Weisfeiler-Lehman graph kernel (NAS-BOWL, Ru et al. 2021) over packed cell graphs.

Each cell's graph (the space's ``graph`` encoding: adjacency and node
features) is summarized by Weisfeiler-Lehman subtree features: the counts of
node labels after ``0..n_iterations`` rounds of relabelling every node by its
own label and the sorted labels of its predecessors and of its successors.
The kernel is the normalized inner product of those counts (the normalized
WL subtree kernel); a GP with that kernel, a scale and white noise, fitted by
marginal likelihood, gives a posterior mean and std. Labels are those seen
in training; an unseen label counts for nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.surrogates.encoders.base import unpack_graphs
from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


def _relabel(adjacency: np.ndarray, labels: np.ndarray, vocab: dict[tuple, int], grow: bool) -> np.ndarray:
    """One WL round: each node's new label is its (label, sorted predecessor labels, sorted successor labels)."""
    n, nodes = labels.shape
    out = np.empty_like(labels)
    for g in range(n):
        a, lab = adjacency[g], labels[g]
        for i in range(nodes):
            key = (int(lab[i]), tuple(sorted(lab[a[:, i]].tolist())), tuple(sorted(lab[a[i]].tolist())))
            if key not in vocab and grow:
                vocab[key] = len(vocab)
            out[g, i] = vocab.get(key, -1)
    return out


def _counts(labels: np.ndarray, size: int) -> np.ndarray:
    """Per-graph histogram ``(n, size)`` of the known (non-negative) labels."""
    n, _ = labels.shape
    rows = np.repeat(np.arange(n), labels.shape[1])
    flat = labels.ravel()
    keep = flat >= 0
    out = np.zeros((n, size))
    np.add.at(out, (rows[keep], flat[keep]), 1.0)
    return out


class WLGaussianProcessRegressor(ArrayRegressor):
    """GP regression with the normalized Weisfeiler-Lehman subtree kernel on packed graphs.

    Parameters
    ----------
    n_nodes
        Nodes per graph of the packed input (the encoder's ``n_nodes``; filled in by the architecture-level estimator).
    n_iterations
        WL relabelling rounds ``h`` (NAS-BOWL uses 1-2 on cells this small).
    n_restarts_optimizer
        Extra random restarts of the kernel hyperparameter search.
    random_state
        Seed of the restarts.
    """

    def __init__(self, *, n_nodes: int | None = None, n_iterations: int = 1, n_restarts_optimizer: int = 0,
                 random_state: int | None = 0) -> None:
        self.n_nodes = n_nodes
        self.n_iterations = n_iterations
        self.n_restarts_optimizer = n_restarts_optimizer
        self.random_state = random_state

    def _graphs(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.n_nodes is None:
            raise ValueError("WLGaussianProcessRegressor needs n_nodes: the number of nodes of the packed graph encoding")
        adjacency, features = unpack_graphs(X, int(self.n_nodes))
        return adjacency > 0, features

    def _wl_features(self, X: np.ndarray, grow: bool) -> np.ndarray:
        """Normalized WL count vectors of the packed graphs ``X`` (growing the vocabulary when ``grow``)."""
        adjacency, features = self._graphs(X)
        n, nodes, width = features.shape
        rows = np.ascontiguousarray(features.reshape(n * nodes, width), dtype=np.float32)
        initial = self.vocab_[0]
        keys = [r.tobytes() for r in rows]
        if grow:
            for k in keys:
                initial.setdefault(k, len(initial))
        labels = np.array([initial.get(k, -1) for k in keys], dtype=np.int64).reshape(n, nodes)
        blocks = [labels]
        for h in range(1, int(self.n_iterations) + 1):
            labels = _relabel(adjacency, labels, self.vocab_[h], grow)
            blocks.append(labels)
        phi = np.hstack([_counts(b, len(self.vocab_[h])) for h, b in enumerate(blocks)])
        norm = np.linalg.norm(phi, axis=1, keepdims=True)
        return phi / np.where(norm > 0, norm, 1.0)

    def _kernel(self) -> Any:
        from sklearn.gaussian_process.kernels import ConstantKernel, DotProduct, WhiteKernel

        return ConstantKernel(1.0, (1e-3, 1e3)) * DotProduct(0.1, (1e-3, 1e1)) + WhiteKernel(0.1, (1e-6, 1e1))

    def _gp(self, kernel: Any, optimize: bool) -> Any:
        from sklearn.gaussian_process import GaussianProcessRegressor as GP

        return GP(kernel=kernel, normalize_y=True, optimizer="fmin_l_bfgs_b" if optimize else None,
                  n_restarts_optimizer=self.n_restarts_optimizer if optimize else 0, random_state=seed_of(self.random_state))

    def fit(self, X: Any, y: Any) -> WLGaussianProcessRegressor:
        """Build the label vocabulary, then fit the GP on packed graphs ``X`` and targets ``y``."""
        import warnings

        from sklearn.exceptions import ConvergenceWarning

        X, y = self._validate_fit(X, y)
        self.vocab_: list[dict[Any, int]] = [{} for _ in range(int(self.n_iterations) + 1)]
        phi = self._wl_features(X, grow=True)
        self.X_graphs_ = X
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.model_ = self._gp(self._kernel(), optimize=True).fit(phi, y)
        self.y_train_ = y
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Posterior mean ``(n,)``; with ``return_std`` also the posterior standard deviation."""
        X = self._validate_predict(X)
        return self.model_.predict(self._wl_features(X, grow=False), return_std=return_std)

    # ------------------------------------------------------------ persistence
    def _get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        initial = sorted(self.vocab_[0].items(), key=lambda kv: kv[1])
        width = len(initial[0][0]) // 4 if initial else 0
        arrays = {
            "theta": self.model_.kernel_.theta,
            "y_train": self.y_train_,
            "X_graphs": self.X_graphs_,
            "initial_labels": np.frombuffer(b"".join(k for k, _ in initial), dtype=np.float32).reshape(len(initial), width),
        }
        rounds = [[[own, list(pred), list(succ)] for (own, pred, succ), _ in sorted(v.items(), key=lambda kv: kv[1])]
                  for v in self.vocab_[1:]]
        return {"wl_rounds": rounds}, arrays

    def _set_state(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        initial = np.ascontiguousarray(arrays["initial_labels"], dtype=np.float32)
        rounds = meta["wl_rounds"]
        if len(rounds) != int(self.n_iterations):
            raise ValueError(f"the saved vocabulary has {len(rounds)} WL rounds, the model has n_iterations={self.n_iterations}")
        self.vocab_ = [{r.tobytes(): i for i, r in enumerate(initial)}]
        self.vocab_ += [{(int(own), tuple(pred), tuple(succ)): i for i, (own, pred, succ) in enumerate(r)} for r in rounds]
        self.X_graphs_ = arrays["X_graphs"]
        phi = self._wl_features(self.X_graphs_, grow=False)
        kernel = self._kernel().clone_with_theta(arrays["theta"])
        self.y_train_ = arrays["y_train"]
        self.model_ = self._gp(kernel, optimize=False).fit(phi, self.y_train_)
