"""A graph autoencoder pretrained on unlabeled cells of the space (arch2vec-style), then a GP on its embeddings.

arch2vec (Yan et al. 2020) learns architecture embeddings without labels:
an encoder over the cell graph is trained to reconstruct the adjacency and
the node operations, and a predictor is then fitted on the embeddings of the
few labeled cells. Here the encoder is a small GIN (messages both ways along
edges, as :mod:`~nasbench_suite.surrogates.models.gin`), the embedding is the
mean of its node states, and the decoders are an inner product (edges) and a
linear map (node features). The unlabeled cells are ``n_unlabeled`` samples
of the space drawn from the seed (through its bundle's sampler and graph
encoder), plus the labeled cells themselves; the GP on the embeddings gives
a posterior std.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nasbench_suite.surrogates.encoders.base import pack_graphs, unpack_graphs
from nasbench_suite.surrogates.models.base import ArrayRegressor, seed_of
from nasbench_suite.surrogates.models.gin import _init, _threads


class _GraphAutoencoder(nn.Module):
    """GIN encoder to node states; the graph embedding is their mean; inner-product and linear decoders."""

    def __init__(self, n_features: int, hidden: int, n_layers: int, dim: int) -> None:
        super().__init__()
        self.embed = nn.Linear(n_features, hidden)
        self.layers = nn.ModuleList(nn.Sequential(nn.Linear(3 * hidden, hidden), nn.ReLU()) for _ in range(n_layers))
        self.latent = nn.Linear(hidden, dim)
        self.decode_nodes = nn.Linear(dim, n_features)

    def nodes(self, adjacency: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.embed(features))
        for layer in self.layers:
            h = layer(torch.cat([h, adjacency.transpose(1, 2) @ h, adjacency @ h], dim=-1))
        return self.latent(h)

    def forward(self, adjacency: torch.Tensor, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.nodes(adjacency, features)
        return z @ z.transpose(1, 2), self.decode_nodes(z)

    def embed_graphs(self, adjacency: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.nodes(adjacency, features).mean(dim=1)


class Arch2VecRegressor(ArrayRegressor):
    """Unsupervised graph-autoencoder embeddings of packed cell graphs, then a GP on them.

    Parameters
    ----------
    space
        The search space whose cells are sampled, unlabeled, for pretraining
        (filled in by the architecture-level estimator); ``None`` pretrains on the labeled cells alone.
    n_nodes
        Nodes per graph of the packed input (the encoder's ``n_nodes``).
    n_unlabeled
        Unlabeled cells sampled for pretraining.
    hidden, n_layers, dim
        Encoder width and depth, and embedding size.
    epochs, batch_size, lr
        Adam schedule of the pretraining.
    random_state
        Seed of the unlabeled sample, the initialisation, batch order and the GP restarts.
    n_threads
        Torch threads during ``fit`` / ``predict``.
    """

    def __init__(
        self,
        *,
        space: str | None = None,
        n_nodes: int | None = None,
        n_unlabeled: int = 2000,
        hidden: int = 32,
        n_layers: int = 2,
        dim: int = 16,
        epochs: int = 20,
        batch_size: int = 128,
        lr: float = 3e-3,
        random_state: int | None = 0,
        n_threads: int | None = 1,
    ) -> None:
        self.space = space
        self.n_nodes = n_nodes
        self.n_unlabeled = n_unlabeled
        self.hidden = hidden
        self.n_layers = n_layers
        self.dim = dim
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.random_state = random_state
        self.n_threads = n_threads

    def _tensors(self, X: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        if self.n_nodes is None:
            raise ValueError("Arch2VecRegressor needs n_nodes: the number of nodes of the packed graph encoding")
        adjacency, features = unpack_graphs(X, int(self.n_nodes))
        return torch.tensor(adjacency, dtype=torch.float32), torch.tensor(features, dtype=torch.float32)

    def _unlabeled(self, width: int) -> np.ndarray:
        """``n_unlabeled`` packed graphs of cells sampled from the space (none without a space)."""
        if self.space is None or not self.n_unlabeled:
            return np.zeros((0, width))
        from nasbench_suite.spaces import get_space
        from nasbench_suite.surrogates.encoders import get_encoder

        rng = np.random.default_rng(seed_of(self.random_state))
        space = get_space(str(self.space))
        archs = [space.sample(rng) for _ in range(int(self.n_unlabeled))]
        packed = pack_graphs(*get_encoder(str(self.space)).graphs(archs)).astype(np.float64)
        if packed.shape[1] != width:
            raise ValueError(f"space {self.space!r} packs graphs into {packed.shape[1]} columns, the input has {width}")
        return packed

    def _pretrain(self, X: np.ndarray) -> _GraphAutoencoder:
        adjacency, features = self._tensors(np.vstack([X, self._unlabeled(X.shape[1])]))
        generator = torch.Generator().manual_seed(seed_of(self.random_state))
        net = _GraphAutoencoder(features.shape[2], int(self.hidden), int(self.n_layers), int(self.dim))
        _init(net, generator)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        n = len(adjacency)
        links = float(adjacency.sum())
        pos_weight = torch.tensor((adjacency.numel() - links) / max(links, 1.0))
        for _ in range(int(self.epochs)):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, int(self.batch_size)):
                idx = order[start : start + int(self.batch_size)]
                logits, recon = net(adjacency[idx], features[idx])
                loss = nn.functional.binary_cross_entropy_with_logits(logits, adjacency[idx], pos_weight=pos_weight)
                loss = loss + nn.functional.mse_loss(recon, features[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
        return net.eval()

    def embeddings(self, X: Any) -> np.ndarray:
        """Embeddings ``(n, dim)`` of packed graphs ``X``."""
        X = self._validate_predict(X)
        return self._embed(X)

    def _embed(self, X: np.ndarray) -> np.ndarray:
        adjacency, features = self._tensors(X)
        with _threads(self.n_threads), torch.inference_mode():
            return self.encoder_.embed_graphs(adjacency, features).double().numpy()

    def fit(self, X: Any, y: Any) -> Arch2VecRegressor:
        """Pretrain the autoencoder on unlabeled and labeled cells, then fit the GP on the labeled embeddings."""
        from nasbench_suite.surrogates.models.gp import GaussianProcessRegressor

        X, y = self._validate_fit(X, y)
        with _threads(self.n_threads):
            self.encoder_ = self._pretrain(X)
        self.gp_ = GaussianProcessRegressor(n_restarts_optimizer=0, random_state=self.random_state).fit(self._embed(X), y)
        return self

    def predict(self, X: Any, return_std: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """GP posterior mean ``(n,)`` on the embeddings; with ``return_std`` also its standard deviation."""
        X = self._validate_predict(X)
        return self.gp_.predict(self._embed(X), return_std=return_std)

    # ------------------------------------------------------------ persistence
    def _save_files(self, directory: Path) -> dict[str, Any]:
        from nasbench_suite.surrogates.io import save_estimator

        torch.save(self.encoder_.state_dict(), directory / "encoder.pt")
        save_estimator(self.gp_, directory / "gp")
        return {"format": "torch-state-dict", "n_node_features": int(self.encoder_.embed.in_features)}

    def _load_files(self, directory: Path, meta: dict[str, Any]) -> None:
        from nasbench_suite.surrogates.io import load_estimator

        net = _GraphAutoencoder(int(meta["n_node_features"]), int(self.hidden), int(self.n_layers), int(self.dim))
        net.load_state_dict(torch.load(directory / "encoder.pt", weights_only=True, map_location="cpu"))
        self.encoder_ = net.eval()
        self.gp_ = load_estimator(directory / "gp")
        if self.gp_.n_features_in_ != int(self.dim):
            raise ValueError(f"the saved GP takes {self.gp_.n_features_in_} features, the embedding has dim={self.dim}")


