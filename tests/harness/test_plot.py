"""Anytime plots: curves on shared grids and confidence bands."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.harness import Budget, run_search
from nasbench_suite.harness.plot import curves, mean_ci, plot_results
from nasbench_suite.harness.results import dumps


@pytest.fixture(scope="module")
def records(synthetic):
    return [run_search(synthetic, "synth", name, seed=s, budget=Budget.evals(30)) for name in ("rs", "re") for s in range(4)]


def test_curves_are_regret_step_functions(records) -> None:
    c = curves(records)
    assert c.regret and set(c.by_evals) == {"rs", "re"} and c.by_evals["rs"].shape == (4, 30)
    assert np.all(np.diff(c.by_evals["rs"], axis=1) <= 1e-12)  # regret never rises
    assert np.all(c.by_evals["rs"] >= 0)
    assert records[0]["strategy"]["name"] == "rs"
    assert c.by_evals["rs"][0, -1] == pytest.approx(records[0]["final"]["regret"])
    assert c.times[0] > 0 and np.all(np.diff(c.times) > 0) and c.clock_unit == "seconds"


def test_mean_ci_matches_scipy() -> None:
    from scipy import stats

    values = np.array([[1.0, 2.0], [2.0, 2.0], [4.0, 2.0]])
    mean, lo, hi = mean_ci(values)
    assert mean.tolist() == pytest.approx([7 / 3, 2.0])
    half = stats.t.ppf(0.975, 2) * stats.sem(values[:, 0])
    assert (lo[0], hi[0]) == pytest.approx((7 / 3 - half, 7 / 3 + half))
    assert lo[1] == hi[1] == 2.0


def test_plot_writes_a_png_and_counts_failures(records, tmp_path) -> None:
    failed = dict(records[0], status="failed", error="x")
    path = tmp_path / "r.jsonl"
    path.write_text("".join(dumps(r) + "\n" for r in [*records, failed]))
    out = plot_results(path, tmp_path / "fig.png")
    assert out.stat().st_size > 10_000
    assert curves([*records, failed]).failed == {"rs": 1}
    with pytest.raises(ValueError, match="no successful runs"):
        curves([failed])
