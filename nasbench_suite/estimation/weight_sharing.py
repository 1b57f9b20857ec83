"""One-shot search on a space's supernet: DARTS (first order), GDAS and RS-WS.

All three train the supernet of the space's bundle (a
:class:`~nasbench_suite.estimation.supernet_plugin.SupernetPlugin`: NB201's
cell, DARTS's search network) for real on a training dataset (by default
``digits-hard`` with the light skeleton, C=8, N=1, as in the shipped digits
table): network weights on the train split, architecture choices on the valid
split; the test split is never used.

``darts``
    Liu et al. 2019, first order: per step one Adam step of the architecture
    parameters ``alpha`` (the plugin's ``alpha_shape``, e.g. 6 x 5 on NB201) on a valid batch with the weights fixed, then
    one SGD step of the weights on a train batch through the softmax mixture.
``gdas``
    Dong & Yang 2019: as DARTS, but each forward pass samples one operation
    per edge by Gumbel-softmax (temperature annealed linearly from
    ``tau_max`` to ``tau_min``) and runs only it, straight-through.
``rsws``
    Li & Talwalkar 2019: weight steps on uniformly sampled paths; then
    ``candidates`` distinct architectures (one per isomorphism class) drawn
    uniformly (from the space, or from ``pool``: the cells a listed table
    holds) are ranked by their supernet accuracy on the valid split
    (BatchNorm on batch statistics), loss breaking ties.

DARTS and GDAS derive the architecture by the plugin's rule (NB201: the
largest ``alpha`` per edge, ``none`` included, as in NAS-Bench-201's
baselines; DARTS: the paper's top-2 incoming edges per node). Runs are seeded and
single-threaded, so the same config and seed give the same result; the
measured wall time is reported as the search cost.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.supernet_plugin import SupernetPlugin, get_supernet

__all__ = ["METHODS", "WSConfig", "WSResult", "search", "weights_digest"]

METHODS: tuple[str, ...] = ("darts", "gdas", "rsws")


@dataclass(frozen=True)
class WSConfig:
    """Supernet, data and optimizer settings of a one-shot search (recorded with each result)."""

    dataset: str = "digits-hard"
    skeleton: str = "light"
    channels: int = 8
    cells: int = 1
    epochs: int = 10
    #: weight steps per epoch; ``None``: one pass over the train split
    steps_per_epoch: int | None = None
    batch_size: int = 64
    w_lr: float = 0.05
    w_momentum: float = 0.9
    w_weight_decay: float = 3e-4
    grad_clip: float = 5.0
    a_lr: float = 3e-3
    a_weight_decay: float = 1e-3
    tau_max: float = 10.0
    tau_min: float = 0.1
    candidates: int = 100
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("channels", "cells", "epochs", "batch_size", "candidates", "threads", "steps_per_epoch"):
            if getattr(self, name) is not None and int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return asdict(self)


@dataclass
class WSResult:
    """What a one-shot search produced.

    ``alphas`` (DARTS, GDAS) are the final architecture parameters, of the
    space plugin's ``alpha_shape`` (NB201: ``(6, 5)``, edges x ops); ``ranking`` (RS-WS) lists
    ``(arch string, valid accuracy %, valid loss)`` best first. ``history``
    holds per-epoch ``train_loss`` and the architecture derived after that epoch.
    ``weights_sha256`` is a digest of the trained supernet's weights and
    BatchNorm buffers (see :func:`weights_digest`): equal digests mean the same
    supernet bit for bit.
    """

    method: str
    seed: int
    config: WSConfig
    arch: Any
    seconds: float
    alphas: np.ndarray | None = None
    ranking: list[tuple[str, float, float]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    weights_sha256: str | None = None


def weights_digest(module: torch.nn.Module) -> str:
    """sha256 (hex) over a module's state: every entry's name, dtype, shape and raw bytes, in state-dict order."""
    import hashlib

    h = hashlib.sha256()
    for name, tensor in module.state_dict().items():
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.numpy().tobytes())
    return h.hexdigest()


@contextlib.contextmanager
def _torch_state(threads: int) -> Iterator[None]:
    previous = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled())
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.set_num_threads(previous[0])
        torch.use_deterministic_algorithms(previous[1])


def _batches(x: torch.Tensor, y: torch.Tensor, size: int, gen: torch.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Shuffled batches forever (a new permutation each pass)."""
    while True:
        perm = torch.randperm(len(y), generator=gen)
        for i in range(0, len(y), size):
            idx = perm[i : i + size]
            yield x[idx], y[idx]


def _derive(plugin: SupernetPlugin, alphas: torch.Tensor) -> Any:
    return plugin.derive(alphas.detach().numpy())


def _gumbel(alphas: torch.Tensor, tau: float, gen: torch.Generator) -> tuple[torch.Tensor, list[int]]:
    """GDAS's straight-through one-hot weights and the sampled op per edge (over the last axis)."""
    for _ in range(100):
        gumbels = -torch.empty_like(alphas).exponential_(generator=gen).log()
        probs = F.softmax((alphas.log_softmax(dim=-1) + gumbels) / tau, dim=-1)
        if torch.isfinite(probs).all():
            break
    index = probs.argmax(dim=-1)
    hard = torch.zeros_like(probs).scatter_(-1, index[..., None], 1.0)
    return hard - probs.detach() + probs, index.tolist()


def _rank(plugin: SupernetPlugin, net: torch.nn.Module, data: Any, paths: list[Any]) -> list[tuple[str, float, float]]:
    """Valid accuracy (%) and loss of each path with the shared weights, best first."""
    net.train()  # batch statistics: the running ones mix every sampled path
    scored = []
    with torch.no_grad():
        for p in paths:
            out = net(data.valid_x, path=p)
            acc = 100.0 * float((out.argmax(1) == data.valid_y).float().mean())
            scored.append((plugin.arch_of(p).to_string(), acc, float(F.cross_entropy(out, data.valid_y))))
    return sorted(scored, key=lambda r: (-r[1], r[2]))


def _candidates(plugin: SupernetPlugin, rng: np.random.Generator, n: int, pool: Any) -> list[Any]:
    """Paths of up to ``n`` candidates, one per isomorphism class: from the space, or drawn uniformly from ``pool``."""
    if pool is None:
        return plugin.candidates(rng, n)
    seen: set[str] = set()
    out: list[Any] = []
    for _ in range(50 * n):
        if len(out) >= n:
            break
        arch = pool.sample(rng)
        if arch.canonical_key() not in seen:
            seen.add(arch.canonical_key())
            out.append(plugin.path_of(arch))
    return out


def search(method: str, *, seed: int, config: WSConfig | None = None, space: str = "nb201",
           pool: Any = None) -> WSResult:
    """Run one-shot search ``method`` (``darts``, ``gdas`` or ``rsws``) with ``seed`` on ``space``'s supernet.

    ``pool`` (RS-WS): a search space to draw the ranked candidates from
    instead of the whole space (e.g. the :class:`~nasbench_suite.spaces.table_space.TableSpace`
    of a listed table, which can evaluate only the cells it holds).

    Examples
    --------
    >>> res = search("darts", seed=0, config=WSConfig(epochs=1))  # doctest: +SKIP
    >>> res.arch.to_string()  # doctest: +SKIP
    """
    if method not in METHODS:
        raise UnknownNameError("one-shot method", method, METHODS)
    from nasbench_suite.spaces import get_space
    from nasbench_suite.training.data import load_dataset

    config = config or WSConfig()
    plugin = get_supernet(space, who=f"one-shot search {method!r}")
    data = load_dataset(config.dataset)
    start = time.perf_counter()
    with _torch_state(config.threads):
        torch.manual_seed(seed)
        net = plugin.build(skeleton=config.skeleton, in_channels=data.in_channels, num_classes=data.num_classes,
                           channels=config.channels, cells=config.cells)
        alphas = (1e-3 * torch.randn(*plugin.alpha_shape)).requires_grad_(method != "rsws")
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        w_opt = torch.optim.SGD(net.parameters(), lr=config.w_lr, momentum=config.w_momentum,
                                weight_decay=config.w_weight_decay)
        a_opt = torch.optim.Adam([alphas], lr=config.a_lr, betas=(0.5, 0.999), weight_decay=config.a_weight_decay)
        steps_per_epoch = config.steps_per_epoch or math.ceil(len(data.train_y) / config.batch_size)
        total = steps_per_epoch * config.epochs
        train = _batches(data.train_x, data.train_y, config.batch_size, gen)
        valid = _batches(data.valid_x, data.valid_y, config.batch_size, gen)
        history: list[dict[str, Any]] = []
        step = 0
        for epoch in range(config.epochs):
            net.train()
            loss_sum = 0.0
            tau = config.tau_max - (config.tau_max - config.tau_min) * epoch / max(1, config.epochs - 1)
            for _ in range(steps_per_epoch):
                for group in w_opt.param_groups:
                    group["lr"] = 0.5 * config.w_lr * (1.0 + math.cos(math.pi * step / total))
                if method != "rsws":  # architecture step on a valid batch, weights fixed (first order)
                    vx, vy = next(valid)
                    a_opt.zero_grad(set_to_none=True)
                    if method == "darts":
                        out = net(vx, weights=alphas.softmax(dim=-1))
                    else:
                        hard, index = _gumbel(alphas, tau, gen)
                        out = net(vx, weights=hard, path=index)
                    F.cross_entropy(out, vy).backward(inputs=[alphas])
                    a_opt.step()
                x, y = next(train)
                w_opt.zero_grad(set_to_none=True)
                if method == "darts":
                    out = net(x, weights=alphas.detach().softmax(dim=-1))
                elif method == "gdas":
                    hard, index = _gumbel(alphas.detach(), tau, gen)
                    out = net(x, weights=hard, path=index)
                else:
                    out = net(x, path=plugin.random_path(rng))
                loss = F.cross_entropy(out, y)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), config.grad_clip)
                w_opt.step()
                loss_sum += float(loss.detach())
                step += 1
            entry: dict[str, Any] = {"epoch": epoch + 1, "train_loss": loss_sum / steps_per_epoch}
            if method != "rsws":
                entry["arch"] = _derive(plugin, alphas).to_string()
            history.append(entry)
        if method == "rsws":
            ranking = _rank(plugin, net, data, _candidates(plugin, rng, config.candidates, pool))
            arch = get_space(space).parse(ranking[0][0])
            final_alphas = None
        else:
            ranking = []
            arch = _derive(plugin, alphas)
            final_alphas = alphas.detach().numpy().astype(np.float64).copy()
        digest = weights_digest(net)
    seconds = time.perf_counter() - start
    return WSResult(method, int(seed), config, arch, seconds, final_alphas, ranking, history, digest)
