"""Expected improvement equals its closed form through scipy.stats.norm, value for value; ties do not depend on the last bits."""

from __future__ import annotations

import json

import numpy as np
import pytest
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


def test_best_index_breaks_last_bit_ties_by_position() -> None:
    from nasbench_suite.strategies._acquisition import TIE_RTOL, best_index

    # equal scores up to the last bits (as equal encodings get on another SIMD path): the first one wins
    assert best_index(np.array([0.3, 0.7, 0.7 * (1 + 1e-15), 0.1])) == 1
    assert best_index(np.array([0.3, 0.7 * (1 + 1e-15), 0.7, 0.1])) == 1
    # a real difference is never a tie, however small the scores
    assert best_index(np.array([1e-20, 2e-20])) == 1
    assert best_index(np.array([0.7, 0.7 * (1 + 10 * TIE_RTOL)])) == 1
    # dead candidates (-inf) are skipped; all-zero scores give the first, all dead the first too
    assert best_index(np.array([-np.inf, 0.0, 0.0])) == 1
    assert best_index(np.array([-np.inf, -np.inf])) == 0


def test_gp_bo_proposes_the_same_cells_when_scores_move_in_the_last_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """NB101's one-hot encoding leaves edges out, so cells tie; noise of 1e-15 on the EI must not change the run."""
    from nasbench_suite.harness.budget import Budget
    from nasbench_suite.harness.runner import Task, run_task
    from nasbench_suite.strategies import _acquisition, gp_bo

    exact = _acquisition.expected_improvement
    runs = []
    for scale in (0.0, 1e-15, -1e-15):
        rng = np.random.default_rng(0)

        def jittered(*args, _s=scale, _r=rng, **kwargs):  # noqa: ANN002, ANN003, ANN202
            ei = exact(*args, **kwargs)
            return ei * (1 + _s * _r.uniform(0, 1, size=ei.shape))

        monkeypatch.setattr(gp_bo, "expected_improvement", jittered)
        _, line = run_task(Task("nb101-digits", "digits-hard", 12, Budget("evals", 60), 1, "gp-bo", 0))
        runs.append(json.loads(line)["trajectory"]["arch"])
    assert len(runs[0]) == 60 and runs[0] == runs[1] == runs[2]
