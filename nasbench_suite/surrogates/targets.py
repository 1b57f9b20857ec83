"""Invertible target transforms applied before fitting and undone after predicting.

Accuracies of NAS cells are skewed: a few broken cells sit at chance level
far below the bulk. Regressing on rank-based normal scores (``"quantile"``)
keeps those outliers from dominating a squared loss, which mostly improves
rank correlation; ``"none"`` fits the raw values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from nasbench_suite.errors import UnknownNameError

TRANSFORMS: tuple[str, ...] = ("none", "quantile")


@dataclass(frozen=True)
class TargetTransform:
    """A fitted transform: ``kind`` and the sorted training targets it interpolates between."""

    kind: str
    sorted_y: np.ndarray

    @classmethod
    def fit(cls, kind: str, y: np.ndarray) -> TargetTransform:
        """Fit ``kind`` (one of :data:`TRANSFORMS`) on training targets ``y``."""
        if kind not in TRANSFORMS:
            raise UnknownNameError("target transform", kind, TRANSFORMS)
        return cls(kind, np.sort(np.asarray(y, dtype=np.float64)))

    def _levels(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct sorted targets and the normal score of each (ties share their mid-rank)."""
        values, first, counts = np.unique(self.sorted_y, return_index=True, return_counts=True)
        mid_rank = first + (counts - 1) / 2.0
        return values, ndtri((mid_rank + 0.5) / self.sorted_y.size)

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Targets into the model's space (monotone; values between training targets interpolate)."""
        y = np.asarray(y, dtype=np.float64)
        if self.kind == "none":
            return y
        values, scores = self._levels()
        return np.interp(y, values, scores)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Model outputs back to target units; strictly monotone, so no ranking is lost.

        Inside the training range this interpolates; beyond it, it continues
        linearly with the slope of the outer 10% of the levels, rather than
        clipping (clipping would tie every prediction beyond the best
        training architecture).
        """
        z = np.asarray(z, dtype=np.float64)
        if self.kind == "none":
            return z
        values, scores = self._levels()
        if values.size == 1:
            return np.full_like(z, values[0])
        out = np.interp(z, scores, values)
        k = max(1, values.size // 10)
        low = (values[k] - values[0]) / (scores[k] - scores[0])
        high = (values[-1] - values[-1 - k]) / (scores[-1] - scores[-1 - k])
        out = np.where(z < scores[0], values[0] + (z - scores[0]) * low, out)
        return np.where(z > scores[-1], values[-1] + (z - scores[-1]) * high, out)
