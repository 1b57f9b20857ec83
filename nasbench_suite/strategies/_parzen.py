"""Optuna's TPE for categorical choices, vectorised over trials and candidates in numpy.

The same algorithm as Optuna's ``TPESampler`` on categorical parameters (the
only kind a space's categorical view has), with its defaults: finished trials
split into the best ``gamma(n) = min(ceil(n / 10), 25)`` and the rest; each
side is a mixture of one categorical kernel per trial (weight 1 on the trial's
choice plus ``prior_weight / (k + 1)`` on every choice, normalised) and a
uniform prior kernel, with trial weights that ramp up from ``1/n`` for the
oldest beyond the newest 25 (``default_weights``); ``n_ei_candidates`` samples
of the good side's mixture are scored by ``log l(x) - log g(x)`` and the best
is proposed. Optuna rebuilds these from its trial objects on every ask (a
Python loop over all trials per parameter); here the trials are one integer
array and a density is two table look-ups and a log-sum-exp.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["CategoricalTPE", "default_gamma", "default_weights"]


def default_gamma(n: int) -> int:
    """Trials on the good side: Optuna's ``default_gamma``."""
    return min(math.ceil(0.1 * n), 25)


def default_weights(n: int) -> np.ndarray:
    """Kernel weights of ``n`` trials in trial order: Optuna's ``default_weights`` (older ones count less beyond 25)."""
    if n == 0:
        return np.zeros(0)
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, num=n - 25), np.ones(25)])


class _Mixture:
    """One side's Parzen estimator: kernel weights ``w`` (k + 1,) and per-dimension choice tables ``(k + 1, c_d)``."""

    def __init__(self, obs: np.ndarray, sizes: tuple[int, ...], prior_weight: float) -> None:
        k = len(obs)
        if k == 0:
            self.w = np.ones(1)
            self.tables = [np.full((1, c), 1.0 / c) for c in sizes]
        else:
            w = np.append(default_weights(k), prior_weight)
            self.w = w / w.sum()
            self.tables = []
            for d, c in enumerate(sizes):
                t = np.full((k + 1, c), prior_weight / (k + 1))
                t[np.arange(k), obs[:, d]] += 1.0
                self.tables.append(t / t.sum(axis=1, keepdims=True))
        self.log_w = np.log(self.w)
        self.log_tables = [np.log(t) for t in self.tables]

    def sample(self, rng: np.random.Generator, size: int, dims: list[int]) -> np.ndarray:
        """``size`` joint samples of ``dims``: one kernel each, then each dimension from that kernel's table."""
        kernel = rng.choice(len(self.w), size=size, p=self.w)
        out = np.empty((size, len(dims)), dtype=np.int64)
        for j, d in enumerate(dims):
            cum = np.cumsum(self.tables[d][kernel], axis=1)
            u = rng.random(size)[:, None]
            out[:, j] = np.minimum((u >= cum).sum(axis=1), cum.shape[1] - 1)
        return out

    def log_pdf(self, x: np.ndarray, dims: list[int]) -> np.ndarray:
        """Log density of the joint samples ``x`` ``(size, len(dims))`` over ``dims``."""
        logp = np.repeat(self.log_w[:, None], len(x), axis=1)
        for j, d in enumerate(dims):
            logp += self.log_tables[d][:, x[:, j]]
        top = logp.max(axis=0)  # log-sum-exp over the kernels (scipy's carries far more overhead per call)
        return top + np.log(np.exp(logp - top).sum(axis=0))


class CategoricalTPE:
    """TPE over ``sizes`` categorical dimensions: :meth:`add` finished trials, :meth:`suggest` choice indices.

    ``multivariate`` models the dimensions jointly (one kernel per trial over
    all of them); otherwise each dimension is sampled and scored on its own.
    """

    def __init__(self, sizes: tuple[int, ...], *, n_ei_candidates: int = 24, multivariate: bool = True,
                 prior_weight: float = 1.0) -> None:
        self.sizes = tuple(int(c) for c in sizes)
        self.n_ei_candidates = int(n_ei_candidates)
        self.multivariate = bool(multivariate)
        self.prior_weight = float(prior_weight)
        self._obs = np.zeros((0, len(self.sizes)), dtype=np.int64)
        self._values = np.zeros(0)

    def __len__(self) -> int:
        return len(self._values)

    def add(self, ids: tuple[int, ...], value: float) -> None:
        """Record a finished trial's choice indices and its value (larger is better)."""
        self._obs = np.vstack([self._obs, np.asarray(ids, dtype=np.int64)[None, :]])
        self._values = np.append(self._values, float(value))

    def _split(self) -> tuple[np.ndarray, np.ndarray]:
        """Good and bad trials' choices, each in trial order (ties in value: the earlier trial is better)."""
        n = len(self._values)
        order = np.argsort(-self._values, kind="stable")
        good = np.zeros(n, dtype=bool)
        good[order[: default_gamma(n)]] = True
        return self._obs[good], self._obs[~good]

    def suggest(self, rng: np.random.Generator) -> tuple[int, ...]:
        """The candidate with the largest ``log l(x) - log g(x)`` among ``n_ei_candidates`` samples of ``l``."""
        below, above = self._split()
        good = _Mixture(below, self.sizes, self.prior_weight)
        bad = _Mixture(above, self.sizes, self.prior_weight)
        groups = [list(range(len(self.sizes)))] if self.multivariate else [[d] for d in range(len(self.sizes))]
        out = np.empty(len(self.sizes), dtype=np.int64)
        for dims in groups:
            x = good.sample(rng, self.n_ei_candidates, dims)
            score = good.log_pdf(x, dims) - bad.log_pdf(x, dims)
            out[dims] = x[int(np.argmax(score))]
        return tuple(int(v) for v in out)
