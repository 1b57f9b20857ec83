"""A small ensemble of MLP regressors trained together in one batched torch model.

BANANAS' predictor: ``members`` fully connected ReLU networks, each with its
own random initialization, trained full-batch with Adam on standardized
targets. Stacking the members' weights lets one matmul train all of them,
which is what makes refitting every few evaluations affordable. Training runs
single-threaded so results do not depend on the machine's core count.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


@contextmanager
def _one_thread() -> Iterator[None]:
    """torch on one thread, set unconditionally: the count torch reports can lag behind OpenMP limits set
    by others (threadpoolctl), and two threads on these tiny matrices cost many times the CPU of one."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class MLPEnsemble:
    """``members`` MLPs with hidden layers ``hidden``; ``fit`` then ``predict`` -> ``(members, n)``."""

    def __init__(self, *, members: int = 5, hidden: tuple[int, ...] = (32, 32), steps: int = 100,
                 lr: float = 0.01, weight_decay: float = 0.0, seed: int = 0) -> None:
        self.members = members
        self.hidden = hidden
        self.steps = steps
        self.lr = lr
        self.weight_decay = weight_decay
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPEnsemble:
        """Train every member, from a fresh random initialization, on all of ``(X, y)`` for ``steps`` steps."""
        import torch

        with _one_thread():
            gen = torch.Generator().manual_seed(self.seed)
            sizes = (np.shape(X)[1], *self.hidden, 1)
            params = []
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
                w = torch.randn(self.members, fan_in, fan_out, generator=gen) * (2.0 / fan_in) ** 0.5
                params += [w.requires_grad_(), torch.zeros(self.members, 1, fan_out, requires_grad=True)]
            self._train(params, X, y, self.steps)
        return self

    def partial_fit(self, X: np.ndarray, y: np.ndarray, *, steps: int, batch: int | None = None,
                    seed: int = 0) -> MLPEnsemble:
        """Train on ``(X, y)`` for ``steps`` more steps, starting from the fitted weights (a warm start; a fresh
        Adam state); a fresh fit when not fitted yet.

        ``batch``: each step uses that many rows drawn afresh without replacement (a generator seeded with
        ``seed``), so a step's cost stops growing with the data; ``None``: every step uses all rows.
        """
        if not hasattr(self, "params_"):
            return self.fit(X, y)
        with _one_thread():
            self._train([p.clone().requires_grad_() for p in self.params_], X, y, steps, batch=batch, seed=seed)
        return self

    def _train(self, params: list, X: np.ndarray, y: np.ndarray, steps: int, *, batch: int | None = None,
               seed: int = 0) -> None:
        """Adam on standardized targets from ``params`` (full-batch, or ``batch`` random rows per step); sets
        ``params_``, ``mu_`` and ``sigma_`` (the standardization uses all targets)."""
        import torch

        Xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
        y = np.asarray(y, dtype=np.float64)
        self.mu_, self.sigma_ = float(y.mean()), float(y.std()) or 1.0
        yt = torch.as_tensor(((y - self.mu_) / self.sigma_).astype(np.float32))
        opt = torch.optim.Adam(params, lr=self.lr, weight_decay=self.weight_decay)
        Xe = Xt.expand(self.members, *Xt.shape)
        gen = torch.Generator().manual_seed(seed) if batch is not None and batch < len(yt) else None
        for _ in range(steps):
            opt.zero_grad()
            if gen is None:
                loss = ((self._forward(params, Xe) - yt) ** 2).mean(dim=1).sum()
            else:
                rows = torch.randperm(len(yt), generator=gen)[:batch]
                Xb = Xt[rows]
                loss = ((self._forward(params, Xb.expand(self.members, *Xb.shape)) - yt[rows]) ** 2).mean(dim=1).sum()
            loss.backward()
            opt.step()
        self.params_ = [p.detach() for p in params]

    @staticmethod
    def _forward(params: list, X: object) -> object:
        """``X`` is ``(members, n, d)``; returns ``(members, n)``."""
        import torch

        h = X
        n_layers = len(params) // 2
        for i in range(n_layers):
            h = torch.baddbmm(params[2 * i + 1], h, params[2 * i])
            if i < n_layers - 1:
                h = h.relu()
        return h.squeeze(-1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Each member's prediction, ``(members, n)``, in the targets' units."""
        import torch

        with _one_thread(), torch.no_grad():
            Xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
            out = self._forward(self.params_, Xt.expand(self.members, *Xt.shape))
        return out.numpy().astype(np.float64) * self.sigma_ + self.mu_
