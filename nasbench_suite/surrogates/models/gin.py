"""A graph isomorphism network (GIN) over dense batched adjacency, in plain PyTorch.

The predictor NAS-Bench-301 uses, without a graph library: cells are small
(8 nodes for NB201's op-on-node form), so a batch is a dense ``(B, N, N)``
adjacency and ``(B, N, F)`` node features, and message passing is a batched
matrix product. Input is the packed ``graph`` encoding (see
:func:`nasbench_suite.surrogates.encoders.base.pack_graphs`), so the model is
an ordinary 2-D-array regressor.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nasbench_suite.surrogates.encoders.base import unpack_graphs
from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of


#: graphs per inference chunk; fixed so that predictions are independent of the batch they arrive in
PREDICT_CHUNK = 128


class _GIN(nn.Module):
    """Embedding, GIN layers passing messages both ways along edges, sum readout of every layer."""

    def __init__(self, n_features: int, hidden: int, n_layers: int) -> None:
        super().__init__()
        self.embed = nn.Linear(n_features, hidden)
        self.eps = nn.Parameter(torch.zeros(n_layers))
        self.layers = nn.ModuleList(
            nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
            for _ in range(n_layers)
        )
        self.head = nn.Sequential(nn.Linear(hidden * (n_layers + 1), hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, adjacency: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.embed(nodes))
        pooled = [h.sum(dim=1)]
        incoming = adjacency.transpose(1, 2)
        for i, layer in enumerate(self.layers):
            forward = (1 + self.eps[i]) * h + incoming @ h  # sum over predecessors, GIN's (1 + eps) self term
            backward = adjacency @ h  # sum over successors
            h = layer(torch.cat([forward, backward], dim=-1))
            pooled.append(h.sum(dim=1))
        return self.head(torch.cat(pooled, dim=-1)).squeeze(-1)

    def infer(self, adjacency: torch.Tensor, nodes: torch.Tensor) -> torch.Tensor:
        """The function :meth:`forward` computes, in fewer kernels; for inference only.

        Both message directions come from one batched product with an operator
        whose row ``2i`` sums node ``i``'s predecessors (with its ``(1 + eps)``
        self term) and row ``2i + 1`` its successors, so the product is already
        the concatenation each layer reads. Equal to :meth:`forward` up to
        float32 rounding.
        """
        b, n, _ = adjacency.shape
        hidden = self.embed.out_features
        both_ways = torch.stack([adjacency.transpose(1, 2), adjacency], dim=2)  # (b, n, 2, n)
        self_term = torch.zeros(n, 2, n, dtype=adjacency.dtype)
        self_term[torch.arange(n), 0, torch.arange(n)] = 1.0
        h = torch.addmm(self.embed.bias, nodes.reshape(b * n, -1), self.embed.weight.T).relu_()
        pooled = [h.view(b, n, hidden).sum(dim=1)]
        for i, (inner, _, outer, _) in enumerate(self.layers):
            operator = (both_ways + (1 + self.eps[i]) * self_term).reshape(b, 2 * n, n)
            messages = torch.bmm(operator, h.view(b, n, hidden)).reshape(b * n, 2 * hidden)
            h = torch.addmm(inner.bias, messages, inner.weight.T).relu_()
            h = torch.addmm(outer.bias, h, outer.weight.T).relu_()
            pooled.append(h.view(b, n, hidden).sum(dim=1))
        return self.head(torch.cat(pooled, dim=-1)).squeeze(-1)


def _network(n_features: int, hidden: int, n_layers: int) -> _GIN:
    return _GIN(n_features, hidden, n_layers)


def _init(module: Any, generator: Any) -> None:
    """PyTorch's default Linear initialisation, drawn from ``generator`` rather than the global RNG."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5), generator=generator)
            bound = 1 / math.sqrt(m.weight.shape[1]) if m.weight.shape[1] else 0.0
            nn.init.uniform_(m.bias, -bound, bound, generator=generator)


def _unique_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``X`` and, per row, the index of its distinct row (rows compared as raw bytes)."""
    X = np.ascontiguousarray(X)
    keys = X.view(np.dtype((np.void, X.dtype.itemsize * X.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return X[first], inverse.ravel()


@contextmanager
def _threads(n: int | None) -> Any:
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class GINRegressor(ArrayRegressor):
    """GIN regressor on packed graph tensors, trained with Adam on standardized targets.

    Parameters
    ----------
    n_nodes
        Nodes per graph ``N`` of the packed input (the encoder's ``n_nodes``);
        required: a packed row has ``N*N + N*F`` columns.
    hidden, n_layers
        Width of node embeddings and number of GIN layers.
    epochs, batch_size, lr, weight_decay
        Adam training schedule (cosine-annealed learning rate).
    random_state
        Seed of initialisation and batch order (a private ``torch.Generator``).
    n_threads
        Torch threads during ``fit`` / ``predict`` (restored afterwards); ``None`` keeps torch's setting.
        One is fastest: the matrices are tiny, and more threads mostly wait on each other.
    """

    def __init__(
        self,
        *,
        n_nodes: int | None = None,
        hidden: int = 64,
        n_layers: int = 3,
        epochs: int = 200,
        batch_size: int = 64,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        random_state: int | None = 0,
        n_threads: int | None = 1,
    ) -> None:
        self.n_nodes = n_nodes
        self.hidden = hidden
        self.n_layers = n_layers
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.n_threads = n_threads

    def _tensors(self, X: np.ndarray) -> tuple[Any, Any]:
        if self.n_nodes is None:
            raise ValueError("GINRegressor needs n_nodes: the number of nodes of the packed graph encoding")
        adjacency, nodes = unpack_graphs(X, int(self.n_nodes))
        return torch.tensor(adjacency, dtype=torch.float32), torch.tensor(nodes, dtype=torch.float32)

    def fit(self, X: Any, y: Any) -> GINRegressor:
        """Train on packed graphs ``X`` ``(n, N*N + N*F)`` and targets ``y`` ``(n,)``."""
        X, y = self._validate_fit(X, y)
        adjacency, nodes = self._tensors(X)
        self.y_mean_, self.y_scale_ = float(y.mean()), float(y.std()) or 1.0
        target = torch.as_tensor((y - self.y_mean_) / self.y_scale_, dtype=torch.float32)
        generator = torch.Generator().manual_seed(seed_of(self.random_state))
        with _threads(self.n_threads):
            net = _network(nodes.shape[2], self.hidden, self.n_layers)
            _init(net, generator)
            opt = torch.optim.Adam(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            n = len(target)
            steps_per_epoch = math.ceil(n / self.batch_size)
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, self.epochs * steps_per_epoch))
            net.train()
            for _ in range(self.epochs):
                order = torch.randperm(n, generator=generator)
                for start in range(0, n, self.batch_size):
                    idx = order[start : start + self.batch_size]
                    loss = torch.nn.functional.mse_loss(net(adjacency[idx], nodes[idx]), target[idx])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    sched.step()
        net.eval()
        self.network_ = net
        self.n_node_features_ = int(nodes.shape[2])
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets ``(n,)``.

        Inference runs in chunks of exactly :data:`PREDICT_CHUNK` graphs (the
        last one zero-padded), so an architecture's prediction does not depend
        on which others share its call: float32 kernels round differently for
        different batch sizes, but identically for a fixed one. That also lets
        repeated rows be predicted once.
        """
        X = self._validate_predict(X)
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        unique, inverse = _unique_rows(X)
        adjacency, nodes = self._tensors(unique)
        n, c = len(unique), PREDICT_CHUNK
        out = []
        with _threads(self.n_threads), torch.inference_mode():
            for start in range(0, n, c):
                a, x = adjacency[start : start + c], nodes[start : start + c]
                if len(a) < c:
                    a = torch.cat([a, a.new_zeros((c - len(a), *a.shape[1:]))])
                    x = torch.cat([x, x.new_zeros((c - len(x), *x.shape[1:]))])
                out.append(self.network_.infer(a, x)[: min(c, n - start)].numpy())
        pred = np.concatenate(out).astype(np.float64)[inverse]
        return pred * self.y_scale_ + self.y_mean_

    def _save_files(self, directory: Path) -> dict[str, Any]:
        torch.save(self.network_.state_dict(), directory / "model.pt")
        return {"format": "torch-state-dict", "y_mean": self.y_mean_, "y_scale": self.y_scale_, "n_node_features": self.n_node_features_}

    def _load_files(self, directory: Path, meta: dict[str, Any]) -> None:
        net = _network(int(meta["n_node_features"]), self.hidden, self.n_layers)
        net.load_state_dict(torch.load(directory / "model.pt", weights_only=True, map_location="cpu"))
        net.eval()
        self.network_ = net
        self.y_mean_, self.y_scale_ = float(meta["y_mean"]), float(meta["y_scale"])
        self.n_node_features_ = int(meta["n_node_features"])
