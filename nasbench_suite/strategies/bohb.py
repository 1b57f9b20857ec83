"""BOHB (Falkner et al., ICML 2018): Hyperband whose new configurations come from a TPE-like KDE model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies.base import SearchContext, require
from nasbench_suite.strategies.hyperband import Hyperband


class BOHB(Hyperband):
    """Hyperband brackets; each new architecture is drawn from a density-ratio model.

    Per fidelity, finished results are split into the best ``top_fraction``
    ("good", at least ``min_points``) and the rest ("bad"); each set gets a
    product of Aitchison-Aitken kernels over the space's categorical choices,
    with per-choice bandwidths from the normal-reference rule (as BOHB's
    statsmodels KDE), kept inside the kernel's valid range
    ``[min_bandwidth, (c - 1) / c]``. The model of the highest fidelity with
    enough results (``min_points`` good and ``min_points`` bad) proposes: of
    ``num_samples`` perturbations of good points (each choice kept with
    probability ``1 - bandwidth``), the one with the highest ``l(x) / g(x)``.
    A fraction ``random_fraction`` of new architectures is sampled uniformly,
    as is every one before a model exists.

    Parameters
    ----------
    eta, min_fidelity
        As :class:`Hyperband`.
    top_fraction : float
        Share of results modelled as good.
    num_samples : int
        Candidates scored per new architecture.
    random_fraction : float
        Probability of a uniform random architecture.
    min_points : int, optional
        Fewest points per KDE (default: number of choices + 1).
    min_bandwidth : float
        Lower bound of every bandwidth (keeps exploration alive).
    """

    name = "bohb"
    own_numerics = True  # its density models of the observations decide the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        eta: float = 3.0,
        min_fidelity: int | None = None,
        top_fraction: float = 0.15,
        num_samples: int = 64,
        random_fraction: float = 1 / 3,
        min_points: int | None = None,
        min_bandwidth: float = 1e-3,
    ) -> None:
        super().__init__(context, seed=seed, eta=eta, min_fidelity=min_fidelity)
        require(0 < float(top_fraction) < 1, f"top_fraction must be in (0, 1), got {top_fraction!r}")
        require(int(num_samples) >= 1, f"num_samples must be >= 1, got {num_samples!r}")
        require(0 <= float(random_fraction) <= 1, f"random_fraction must be in [0, 1], got {random_fraction!r}")
        require(min_points is None or int(min_points) >= 1, f"min_points must be None or >= 1, got {min_points!r}")
        require(float(min_bandwidth) > 0, f"min_bandwidth must be > 0, got {min_bandwidth!r}")
        self.top_fraction = float(top_fraction)
        self.num_samples = int(num_samples)
        self.random_fraction = float(random_fraction)
        self.min_points = None if min_points is None else int(min_points)
        self.min_bandwidth = float(min_bandwidth)
        self._view = categorical_view(self.space, strategy=self.name)
        self._n_choices = np.asarray(self._view.n_choices)
        self._data: dict[int, tuple[list[tuple[int, ...]], list[float]]] = {}

    def observe(self, arch: Any, epoch: int, value: float) -> None:
        if not math.isnan(value):
            ids, values = self._data.setdefault(epoch, ([], []))
            ids.append(self._view.ids(arch))
            values.append(float(value))

    def _split(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(good, bad) choice arrays of the highest fidelity with enough results, or None."""
        need = self.min_points or self._view.n_dims + 1
        for epoch in sorted(self._data, reverse=True):
            ids, values = self._data[epoch]
            n = len(values)
            n_good = max(need, int(self.top_fraction * n))
            if n - n_good < need:
                continue
            order = np.argsort(-np.asarray(values), kind="stable")
            data = np.asarray(ids)
            return data[order[:n_good]], data[order[n_good:]]
        return None

    def _bandwidths(self, data: np.ndarray) -> np.ndarray:
        n, d = data.shape
        bw = 1.06 * data.std(axis=0) * n ** (-1.0 / (4 + d))
        return np.clip(bw, self.min_bandwidth, (self._n_choices - 1) / self._n_choices)

    def _density(self, x: np.ndarray, data: np.ndarray, bw: np.ndarray) -> np.ndarray:
        match = x[:, None, :] == data[None, :, :]
        k = np.where(match, 1.0 - bw, bw / np.maximum(self._n_choices - 1, 1))
        return k.prod(axis=2).mean(axis=1)

    def sample(self, fidelity: int) -> Any:
        split = None if self.rng.random() < self.random_fraction else self._split()
        if split is None:
            return self.space.sample(self.rng)
        good, bad = split
        bw_good, bw_bad = self._bandwidths(good), self._bandwidths(bad)
        picks = good[self.rng.integers(0, len(good), size=self.num_samples)]
        redraw = self.rng.random(picks.shape) < bw_good
        fresh = (self.rng.random(picks.shape) * self._n_choices).astype(np.int64)
        candidates = np.where(redraw, fresh, picks)
        ratio = self._density(candidates, good, bw_good) / np.maximum(self._density(candidates, bad, bw_bad), 1e-32)
        return self._view.arch(candidates[int(np.argmax(ratio))])
