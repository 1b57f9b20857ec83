"""Seed-like noise for surrogate benchmarks, calibrated to a table's seed-to-seed spread.

A surrogate predicts the mean over training seeds. To answer per-seed
queries like a table, it adds ``sigma(mean) * z(arch, seed)``: ``z`` is a
standard normal drawn from a hash of (dataset, metric, seed, architecture),
so the same query always gets the same value, in any order and process;
``sigma`` is the seed-to-seed standard deviation the table showed for
architectures with a similar mean (binned by quantiles of the mean, linearly
interpolated between bins), since poor cells usually vary more than good ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class NoiseModel:
    """``sigma`` as a piecewise-linear function of the predicted mean: bin ``centers`` and their ``sigmas``."""

    centers: tuple[float, ...]
    sigmas: tuple[float, ...]
    #: where the numbers come from: ``"table seeds"`` or ``"given"``
    source: str

    @classmethod
    def constant(cls, sigma: float) -> NoiseModel:
        """The same ``sigma`` for every architecture (e.g. when the table holds one aggregated seed)."""
        if not np.isfinite(sigma) or sigma < 0:
            from nasbench_suite.surrogates.models.base import SurrogateDataError

            raise SurrogateDataError(f"noise standard deviation must be finite and >= 0, got {sigma!r}")
        return cls((0.0,), (float(sigma),), "given")

    @classmethod
    def calibrate(cls, per_seed: np.ndarray, *, n_bins: int = 10) -> NoiseModel | None:
        """From per-seed values ``(n_arch, n_seed)`` (NaN = missing); ``None`` if no arch has 2 seeds."""
        per_seed = np.asarray(per_seed, dtype=np.float64)
        ok = np.sum(np.isfinite(per_seed), axis=1) >= 2
        if not ok.any():
            return None
        rows = per_seed[ok]
        mean = np.nanmean(rows, axis=1)
        std = np.nanstd(rows, axis=1, ddof=1)
        return cls._binned(mean, std, n_bins, "table seeds")

    @classmethod
    def from_residuals(cls, pred: np.ndarray, true: np.ndarray, *, n_bins: int = 10) -> NoiseModel:
        """A predictor's error: root mean squared ``true - pred`` in quantile bins of ``pred`` (NaN pairs skipped)."""
        pred, true = np.asarray(pred, dtype=np.float64), np.asarray(true, dtype=np.float64)
        if pred.shape != true.shape:
            raise ValueError(f"pred and true must have the same shape, got {pred.shape} and {true.shape}")
        ok = np.isfinite(pred) & np.isfinite(true)
        if ok.sum() < 2:
            from nasbench_suite.surrogates.models.base import SurrogateDataError

            raise SurrogateDataError(f"residual noise needs at least 2 finite (pred, true) pairs, got {int(ok.sum())}")
        pred, resid = pred[ok], true[ok] - pred[ok]
        return cls._binned(pred, resid, n_bins, "out-of-fold residuals")

    @classmethod
    def _binned(cls, location: np.ndarray, spread: np.ndarray, n_bins: int, source: str) -> NoiseModel:
        """Root mean square of ``spread`` in quantile bins of ``location``, each bin at its mean location."""
        edges = np.unique(np.quantile(location, np.linspace(0, 1, n_bins + 1)))
        which = np.clip(np.searchsorted(edges, location, side="right") - 1, 0, max(len(edges) - 2, 0))
        centers, sigmas = [], []
        for b in np.unique(which):
            sel = which == b
            centers.append(float(np.mean(location[sel])))
            sigmas.append(float(np.sqrt(np.mean(spread[sel] ** 2))))
        return cls(tuple(centers), tuple(sigmas), source)

    def sigma(self, mean: np.ndarray) -> np.ndarray:
        """Seed standard deviation for architectures whose predicted mean is ``mean``."""
        return np.interp(np.asarray(mean, dtype=np.float64), self.centers, self.sigmas)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able form for the model card."""
        return {"centers": list(self.centers), "sigmas": list(self.sigmas), "source": self.source}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NoiseModel:
        """Inverse of :meth:`to_json`."""
        return cls(tuple(float(c) for c in data["centers"]), tuple(float(s) for s in data["sigmas"]), str(data["source"]))


def standard_normal(keys: Sequence[str], *, seed: int, salt: str) -> np.ndarray:
    """One reproducible N(0, 1) draw per key, from BLAKE2b of ``salt``, ``seed`` and the key (Box-Muller)."""
    prefix = f"{salt}\x1f{int(seed)}\x1f".encode()
    raw = b"".join(hashlib.blake2b(prefix + k.encode(), digest_size=16).digest() for k in keys)
    words = np.frombuffer(raw, dtype="<u8").reshape(-1, 2)
    u1 = (words[:, 0] >> np.uint64(11)).astype(np.float64) * 2.0**-53
    u2 = (words[:, 1] >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
