"""How zero-cost proxies are computed for one architecture: network, minibatch, seed.

A :class:`ProxySetup` records everything that changes a proxy's value: the
network (skeleton, channels, cells, as in a table's training protocol), the
dataset, the seed and the minibatch size. The network is the space's builder
for the skeleton (:func:`nasbench_suite.training.builders.get_builder`), so
every space with a builder has proxies. For each proxy the network is
built afresh after ``torch.manual_seed(seed)``, so every proxy sees the same
initial weights; the minibatch is ``batch_size`` training images drawn
without replacement by ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import torch

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.zero_cost import DATA_FREE, PROXIES, ProxyUndefinedError

__all__ = ["ProxySetup", "ProxyValue", "compute_proxies", "minibatch", "resolve_proxies"]

#: the reason recorded when a network's output does not depend on its input
NO_PATH = "no path from the input to the output (every cell outputs zeros), so the proxy has no signal"


@dataclass(frozen=True)
class ProxySetup:
    """The recorded choices behind a proxy value (see the module docstring)."""

    dataset: str = "digits-hard"
    skeleton: str = "light"
    channels: int = 8
    cells: int = 1
    seed: int = 0
    batch_size: int = 64

    def __post_init__(self) -> None:
        for name in ("channels", "cells", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")

    @classmethod
    def from_protocol(cls, protocol: dict[str, Any], **overrides: Any) -> ProxySetup:
        """The setup of a table's training protocol (dataset, skeleton, channels, cells), with overrides."""
        names = {f.name for f in fields(cls)}
        values = {k: protocol[k] for k in ("dataset", "skeleton", "channels", "cells") if k in protocol}
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - names
        if unknown:
            raise TypeError(f"unknown proxy setup fields {sorted(unknown)}; valid: {sorted(names)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return asdict(self)


class ProxyValue(NamedTuple):
    """A proxy's value, or NaN and the reason it is undefined; ``seconds`` of compute."""

    value: float
    reason: str | None
    seconds: float


def resolve_proxies(names: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"all"``, a comma-separated string or a list -> registered proxy names (unknown names raise)."""
    if isinstance(names, str):
        names = PROXIES.names() if names.strip() == "all" else [n.strip() for n in names.split(",") if n.strip()]
    out = list(dict.fromkeys(names))
    if not out:
        raise UnknownNameError("zero-cost proxy", "", PROXIES.names())
    for name in out:
        PROXIES.get(name)  # raises UnknownNameError listing the valid names
    return out


@cache
def _batch(dataset: str, seed: int, batch_size: int) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    from nasbench_suite.training.data import load_dataset

    data = load_dataset(dataset)
    n = len(data.train_y)
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} exceeds the {n} training images of {dataset!r}")
    idx = torch.from_numpy(np.random.default_rng(seed).choice(n, size=batch_size, replace=False))
    return data.train_x[idx].clone(), data.train_y[idx].clone(), data.in_channels, data.num_classes


def minibatch(setup: ProxySetup) -> tuple[torch.Tensor, torch.Tensor]:
    """The setup's minibatch (images, labels) from the training split."""
    x, y, _, _ = _batch(setup.dataset, setup.seed, setup.batch_size)
    return x, y


def _network(arch: Any, setup: ProxySetup, space: str) -> torch.nn.Module:
    from nasbench_suite.training.builders import get_builder

    _, _, c_in, classes = _batch(setup.dataset, setup.seed, setup.batch_size)
    torch.manual_seed(setup.seed)
    return get_builder(space, setup.skeleton).build(arch, in_channels=c_in, num_classes=classes,
                                                    channels=setup.channels, cells=setup.cells)


def _has_path(arch: Any, setup: ProxySetup, x: torch.Tensor, space: str) -> bool:
    net = _network(arch, setup, space).eval()
    probe = x[:2].clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(probe).sum(), probe, allow_unused=True)
    return grad is not None and bool(torch.any(grad != 0))


def compute_proxies(
    arch: Any, names: list[str] | tuple[str, ...], *, setup: ProxySetup, space: str = "nb201"
) -> dict[str, ProxyValue]:
    """Every proxy in ``names`` for ``arch`` (of ``space``) under ``setup``; undefined ones are NaN with a reason.

    Examples
    --------
    >>> vals = compute_proxies("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|",
    ...                        ["synflow", "params"], setup=ProxySetup())  # doctest: +SKIP
    >>> vals["params"].value  # doctest: +SKIP
    """
    from nasbench_suite.spaces import get_space
    from nasbench_suite.training.builders import get_builder

    get_builder(space, setup.skeleton)  # unknown spaces and skeletons raise before any work
    arch = get_space(space).parse(arch)
    x, y = minibatch(setup)
    path = None
    out: dict[str, ProxyValue] = {}
    previous = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        for name in names:
            fn = PROXIES.get(name)
            start = time.perf_counter()
            if name not in DATA_FREE:
                if path is None:
                    path = _has_path(arch, setup, x, space)
                if not path:
                    out[name] = ProxyValue(math.nan, NO_PATH, time.perf_counter() - start)
                    continue
            try:
                value, reason = fn(_network(arch, setup, space), x, y), None
            except ProxyUndefinedError as exc:
                value, reason = math.nan, str(exc)
            except (RuntimeError, FloatingPointError, np.linalg.LinAlgError) as exc:  # numerical failure
                value, reason = math.nan, f"{name} failed: {type(exc).__name__}: {exc}"
            out[name] = ProxyValue(float(value), reason, time.perf_counter() - start)
    finally:
        torch.use_deterministic_algorithms(previous)
    return out
