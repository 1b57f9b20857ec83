"""Synthetic listed tables of any registered search space, for checks that need a benchmark of that space.

:func:`make_space_data` samples distinct architectures of a space and gives
them accuracy curves that depend on the architecture's one-hot encoding
(a fixed random linear function plus noise, so a predictor has something to
learn), per-seed noise, training times, costs and a ``zc/synflow`` column
correlated with the final accuracy. It needs nothing but the space's
bundle, so a newly registered space gets a table without new code.
"""

from __future__ import annotations

import hashlib

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.spaces import get_bundle
from nasbench_suite.store.model import BenchmarkData, DatasetTable

#: epochs of the synthetic curves: several, so multi-fidelity strategies and curve extrapolation have work
EPOCHS: tuple[int, ...] = (1, 3, 9, 27)


def _stable_seed(space: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{space}:{seed}".encode()).digest()[:4], "big")


def sample_distinct(space: str, n: int, *, seed: int = 0) -> list[str]:
    """Strings of up to ``n`` architectures of ``space`` with distinct canonical keys, in draw order."""
    bundle = get_bundle(space)
    sp = bundle.make_space()
    rng = np.random.default_rng(_stable_seed(space, seed))
    keys: set[str] = set()
    out: list[str] = []
    for _ in range(50 * n):
        arch = sp.sample(rng)
        key = arch.canonical_key()
        if key not in keys:
            keys.add(key)
            out.append(arch.to_string())
            if len(out) == n:
                break
    return out


def make_space_data(space: str, *, n_arch: int = 60, seeds: tuple[int, ...] = (0, 1), seed: int = 0,
                    dataset: str = "synthetic") -> BenchmarkData:
    """A listed table of ``n_arch`` sampled architectures of ``space`` with synthetic numbers (see the module docstring)."""
    archs = sample_distinct(space, n_arch, seed=seed)
    rng = np.random.default_rng(_stable_seed(space, seed) + 1)
    X = get_bundle(space).make_encoder().encode(archs, "onehot").astype(np.float64)
    w = rng.normal(size=X.shape[1])
    signal = X @ w
    signal = (signal - signal.mean()) / (signal.std() or 1.0)
    final = 70.0 + 8.0 * np.tanh(signal) + rng.normal(0.0, 1.0, size=len(archs))
    epochs = np.asarray(EPOCHS)
    progress = np.log1p(epochs) / np.log1p(epochs[-1])
    n, s, e = len(archs), len(seeds), len(epochs)
    curves = np.full((n, s, e, len(METRICS)), np.nan)
    seed_noise = rng.normal(0.0, 0.5, size=(n, s, 1))
    acc = np.clip((final[:, None, None] * (0.5 + 0.5 * progress)[None, None, :]) + seed_noise, 0.0, 100.0)
    time_per_epoch = 5.0 + 5.0 * (X.sum(axis=1) / max(X.shape[1], 1)) + rng.uniform(0.0, 2.0, size=n)
    values = {
        "train_acc": np.clip(acc + 5.0, 0.0, 100.0),
        "valid_acc": acc,
        "test_acc": np.clip(acc - 0.5 + rng.normal(0.0, 0.3, size=acc.shape), 0.0, 100.0),
        "train_loss": (100.0 - acc) / 40.0,
        "valid_loss": (100.0 - acc) / 35.0,
        "test_loss": (100.0 - acc) / 35.0,
        "train_time": np.broadcast_to(time_per_epoch[:, None, None] * epochs[None, None, :], acc.shape),
    }
    for m, metric in enumerate(METRICS):
        if metric in values:
            curves[..., m] = values[metric]
    costs = np.stack([1e5 * (1.0 + X.sum(axis=1)), 1e7 * (1.0 + X.sum(axis=1)), time_per_epoch / 1e3], axis=1)
    table = DatasetTable(
        epochs=epochs,
        seeds=np.asarray(seeds),
        metrics=METRICS,
        curves=curves,
        costs=costs,
        cost_names=("params", "flops", "latency"),
        columns={"zc/synflow": final + rng.normal(0.0, 3.0, size=n)},
        provenance={"splits": "synthetic numbers (nasbench_suite.testing.spaces.make_space_data)"},
    )
    return BenchmarkData(name=f"synthetic-{space}", search_space=space, archs=archs, datasets={dataset: table})
