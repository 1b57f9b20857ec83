"""Statistics against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nasbench_suite.leaderboard import stats

#: regret[seed, strategy]: strategy 0 is best on every seed, 1 and 2 alternate
DOMINATED = np.array([[0, 1, 2], [0, 2, 1], [0, 1, 2], [0, 2, 1], [0, 1, 2]], dtype=float)


def test_average_ranks_by_hand() -> None:
    assert stats.average_ranks(DOMINATED).tolist() == pytest.approx([1.0, 2.4, 2.6])


def test_average_ranks_share_ties() -> None:
    assert stats.average_ranks(np.array([[1.0, 1.0, 0.0]])).tolist() == [2.5, 2.5, 1.0]


def test_friedman_by_hand() -> None:
    # rank sums 5, 12, 13: chi2 = 12 / (N k (k+1)) * sum(R^2) - 3 N (k+1) = 0.2 * 338 - 60 = 7.6, p = exp(-7.6 / 2)
    res = stats.friedman(DOMINATED)
    assert res.statistic == pytest.approx(7.6)
    assert res.pvalue == pytest.approx(math.exp(-3.8))
    assert res.pvalue < 0.05 and res.skipped is None


def test_friedman_skips_with_reason() -> None:
    assert "3 strategies" in stats.friedman(DOMINATED[:, :2]).skipped
    assert "2 complete seeds" in stats.friedman(DOMINATED[:1]).skipped
    same = stats.friedman(np.ones((4, 3)))
    assert same.pvalue == 1.0 and "same" in same.skipped


@pytest.mark.parametrize(("k", "q"), [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)])
def test_nemenyi_q_matches_demsar_table(k: int, q: float) -> None:
    # Demšar (2006), Table 5(a), alpha = 0.05
    assert stats.nemenyi_cd(np.arange(1.0, k + 1), 10).q_alpha == pytest.approx(q, abs=1e-3)


def test_nemenyi_cd_and_cliques_by_hand() -> None:
    cd = stats.nemenyi_cd(np.array([1.0, 2.4, 2.6]), 5)
    assert cd.cd == pytest.approx(2.3437 * math.sqrt(12 / 30), abs=1e-3)  # 1.482
    # 2.4 - 1.0 <= CD joins {0, 1}; 2.6 - 1.0 > CD keeps 0 and 2 apart; {1, 2} join
    assert cd.cliques == [[0, 1], [1, 2]]


def test_cliques_leave_out_singletons_and_contained_runs() -> None:
    assert stats.cliques(np.array([1.0, 1.1, 1.2, 5.0]), 0.5) == [[0, 1, 2]]
    assert stats.cliques(np.array([3.0, 1.0]), 0.1) == []


def test_holm_by_hand() -> None:
    assert stats.holm([0.01, 0.04, 0.03]) == [0.03, 0.06, 0.06]
    out = stats.holm([0.5, math.nan, 0.01])
    assert out[0] == 0.5 and math.isnan(out[1]) and out[2] == 0.02


def test_pairwise_wilcoxon_by_hand() -> None:
    pairs = {(p.a, p.b): p for p in stats.pairwise_wilcoxon(DOMINATED)}
    ab = pairs[(0, 1)]
    # all 5 differences negative: exact two-sided p = 2 / 2**5
    assert (ab.wins, ab.losses, ab.ties) == (5, 0, 0)
    assert ab.pvalue == pytest.approx(0.0625)
    assert ab.pvalue_holm == pytest.approx(min(1.0, 3 * 0.0625))
    assert ab.median_diff == -1.0
    assert pairs[(1, 2)].pvalue == pytest.approx(1.0)


def test_pairwise_wilcoxon_all_ties_gives_p_one() -> None:
    (p,) = stats.pairwise_wilcoxon(np.ones((6, 2)))
    assert p.pvalue == 1.0 and p.ties == 6


def test_bootstrap_ci_is_reproducible_and_covers_the_mean() -> None:
    x = np.random.default_rng(3).normal(5.0, 1.0, 40)
    a, b = stats.bootstrap_ci(x), stats.bootstrap_ci(x)
    assert a == b
    assert a[0] < x.mean() < a[1]
    assert a[1] - a[0] == pytest.approx(2 * 1.96 * x.std(ddof=1) / math.sqrt(40), rel=0.2)


def test_bootstrap_ci_degenerate_inputs() -> None:
    assert stats.bootstrap_ci(np.array([2.0])) == (2.0, 2.0)
    assert stats.bootstrap_ci(np.array([0.0, 0.0, 0.0])) == (0.0, 0.0)
    assert all(math.isnan(v) for v in stats.bootstrap_ci(np.array([])))
