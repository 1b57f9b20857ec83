"""Claims measured on the NB201 reference table (slow: thousands of runs).

* Random search's mean best-so-far equals the exact expectation computed from
  the table, within the 95% confidence interval over 1,000 seeds. Each test
  checks several evaluation counts and two quantities (best validation value,
  test value of the incumbent), so the intervals are simultaneous 95% bands
  (Bonferroni over the checks of the test); the z-scores are printed.
* Regularized evolution beats random search after 300 evaluations.

Both run at epoch 12, where the table measures valid_acc, so selection is on
validation as everywhere else in the suite.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from nasbench_suite.harness import Budget, Lookup, simulate
from nasbench_suite.strategies import SearchContext, make_strategy

pytestmark = pytest.mark.slow
CHECKPOINTS = (1, 10, 30, 100, 300)


def expected_best_with_replacement(values: np.ndarray, n: int) -> float:
    """E[max of n i.i.d. uniform draws from values]."""
    v = np.sort(values)
    k = np.arange(1, len(v) + 1) / len(v)
    return float(np.sum(v * (k**n - (k - 1 / len(v)) ** n)))


def expected_best_without_replacement(values: np.ndarray, n: int) -> float:
    """E[max of n draws without replacement]: P(max is the k-th smallest) = C(k-1, n-1) / C(N, n)."""
    v = np.sort(values)
    N = len(v)
    k = np.arange(n, N + 1)
    logp = gammaln(k) - gammaln(n) - gammaln(k - n + 1) - (gammaln(N + 1) - gammaln(n + 1) - gammaln(N - n + 1))
    return float(np.sum(v[n - 1 :] * np.exp(logp)))


def expected_incumbent_test(valid: np.ndarray, test: np.ndarray, n: int) -> float:
    """E[test of the first draw with the highest valid among n i.i.d. draws] (ties: uniform within the tie)."""
    u, inverse, counts = np.unique(valid, return_inverse=True, return_counts=True)
    mean_test = np.bincount(inverse, weights=test) / counts
    cum = np.cumsum(counts) / len(valid)
    p = cum**n - np.concatenate([[0.0], cum[:-1]]) ** n
    return float(np.sum(p * mean_test))


def runs(lookup: Lookup, name: str, seeds: range, n: int, **params) -> tuple[np.ndarray, np.ndarray]:
    """Best-so-far selection value and incumbent test, (seeds, n) each."""
    ctx = SearchContext(lookup.space, lookup.fidelities)
    best, inc_test = [], []
    for seed in seeds:
        out = simulate(make_strategy(name, ctx, seed=seed, **params), lookup, Budget.evals(n))
        assert out.status == "ok" and len(out) == n
        best.append(out.incumbent_value())
        inc_test.append(out.incumbent_test())
    return np.asarray(best), np.asarray(inc_test)


def within_ci(samples: np.ndarray, exact: float, *, checks: int = 1) -> tuple[bool, float]:
    """Whether ``exact`` lies in the mean's 95% interval, simultaneous over ``checks`` checks; and the z-score."""
    half = stats.t.ppf(1 - 0.025 / checks, len(samples) - 1) * stats.sem(samples)
    return abs(samples.mean() - exact) <= half, (samples.mean() - exact) / stats.sem(samples)


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_random_search_matches_the_exact_expectation(reference, dataset: str) -> None:
    lookup = Lookup(reference, dataset, epoch=12)
    assert lookup.selection_metric == "valid_acc"
    valid = reference.query_many(None, dataset, metric="valid_acc", epoch=12)
    test = reference.query_many(None, dataset, metric="test_acc", epoch=12)
    best, inc_test = runs(lookup, "rs", range(1000), max(CHECKPOINTS))
    report = []
    for n in CHECKPOINTS:
        k = 2 * len(CHECKPOINTS)
        ok_best, z_best = within_ci(best[:, n - 1], expected_best_with_replacement(valid, n), checks=k)
        ok_test, z_test = within_ci(inc_test[:, n - 1], expected_incumbent_test(valid, test, n), checks=k)
        report.append(f"n={n}: best valid z={z_best:+.2f}, incumbent test z={z_test:+.2f}")
        assert ok_best and ok_test, "; ".join(report)
    print(f"{dataset}: " + "; ".join(report))


def test_random_search_without_replacement(reference) -> None:
    lookup = Lookup(reference, "cifar10", epoch=12)
    valid = reference.query_many(None, "cifar10", metric="valid_acc", epoch=12)
    best, _ = runs(lookup, "rs", range(1000), 300, replace=False)
    for n in (100, 300):
        ok, z = within_ci(best[:, n - 1], expected_best_without_replacement(valid, n), checks=2)
        print(f"cifar10 without replacement: n={n}: best valid z={z:+.2f}")
        assert ok, f"n={n}: z={z:+.2f}"


def test_exact_expectations_agree_on_a_toy_table() -> None:
    values = np.array([1.0, 2.0, 2.0, 5.0])
    # n = 1: the mean; n large: the maximum
    assert expected_best_with_replacement(values, 1) == pytest.approx(2.5)
    assert expected_best_with_replacement(values, 500) == pytest.approx(5.0)
    assert expected_best_without_replacement(values, 4) == pytest.approx(5.0)
    assert expected_best_without_replacement(values, 1) == pytest.approx(2.5)
    # two draws without replacement: max is 5 unless both from {1, 2, 2}: 3 of 6 pairs, maxima 2, 2, 2
    assert expected_best_without_replacement(values, 2) == pytest.approx((3 * 5 + 3 * 2) / 6)
    assert expected_incumbent_test(values, np.array([0.0, 10.0, 20.0, 7.0]), 1) == pytest.approx(37 / 4)


@pytest.mark.parametrize("dataset", ["cifar10", "cifar100"])
def test_regularized_evolution_beats_random_search(reference, dataset: str) -> None:
    lookup = Lookup(reference, dataset, epoch=12)
    _, re_test = runs(lookup, "re", range(100), 300)
    _, rs_test = runs(lookup, "rs", range(100), 300)
    re_final, rs_final = re_test[:, -1], rs_test[:, -1]
    p = stats.mannwhitneyu(re_final, rs_final, alternative="greater").pvalue
    print(f"{dataset}: RE {re_final.mean():.3f} ± {re_final.std(ddof=1):.3f}, "
          f"RS {rs_final.mean():.3f} ± {rs_final.std(ddof=1):.3f}, Mann-Whitney p={p:.2e}")
    assert re_final.mean() > rs_final.mean() and p < 0.01
