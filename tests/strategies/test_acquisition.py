"""Expected improvement equals its closed form through scipy.stats.norm, value for value."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from nasbench_suite.strategies._acquisition import expected_improvement


def test_expected_improvement_is_the_norm_closed_form_exactly() -> None:
    rng = np.random.default_rng(0)
    mean = rng.normal(size=500) * 3
    std = np.abs(rng.normal(size=500))
    std[::7] = 0.0
    for best, xi in ((0.5, 0.0), (-1.0, 0.1)):
        gain = mean - best - xi
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(std > 0, gain / std, 0.0)
        want = np.maximum(np.where(std > 0, gain * norm.cdf(z) + std * norm.pdf(z), np.maximum(gain, 0.0)), 0.0)
        np.testing.assert_array_equal(expected_improvement(mean, std, best, xi=xi), want)
    assert expected_improvement(np.array([2.0]), np.array([0.0]), 1.0)[0] == 1.0
