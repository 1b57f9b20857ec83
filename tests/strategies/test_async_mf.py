"""Asynchronous multi-fidelity strategies: rung bookkeeping, stopping and promotion rules, brackets,
and byte-identical runs with several simulated workers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.harness import Budget, Lookup, simulate
from nasbench_suite.harness.results import dumps
from nasbench_suite.harness.runner import run_search
from nasbench_suite.spaces import get_space
from nasbench_suite.strategies import Observation, SearchContext, make_strategy
from nasbench_suite.strategies._asha import RungSystem, bracket_weights
from nasbench_suite.testing.strategies import make

ASYNC = ("asha", "asha-promotion", "async-hb", "dehb", "mobster")
FIDS = (1, 3, 9, 27)


def tell(strategy, prop, value: float) -> None:
    strategy.tell(prop, Observation(prop.arch, prop.epoch, value, float(prop.epoch)))


# ----------------------------------------------------------------- rung bookkeeping
def test_stopping_rule_keeps_the_top_ceil_n_over_eta() -> None:
    rs = RungSystem([1, 3, 9], eta=3)
    rs.record(0, 0, 50.0)
    assert rs.continues(0, 0)  # the first result of a rung goes on
    rs.record(0, 1, 40.0)
    assert not rs.continues(0, 1)  # rank 1 of 2: ceil(2/3) = 1 continue
    rs.record(0, 2, 60.0)
    assert rs.continues(0, 2)
    rs.record(0, 3, 55.0)
    assert rs.continues(0, 3)  # rank 1 of 4: ceil(4/3) = 2 continue
    rs.record(0, 4, math.nan)
    assert not rs.continues(0, 4)  # not measured: never continues
    rs.record(2, 2, 99.0)
    assert not rs.continues(2, 2)  # the top rung is the end


def test_promotion_rule_takes_the_best_unpromoted_of_the_highest_rung() -> None:
    rs = RungSystem([1, 3, 9], eta=3)
    for trial, v in enumerate([10.0, 30.0]):
        rs.record(0, trial, v)
    assert rs.promotable() is None  # floor(2/3) = 0: nobody yet
    rs.record(0, 2, 20.0)
    assert rs.promotable() == (0, 1)  # floor(3/3) = 1: the best
    rs.mark_promoted(0, 1)
    assert rs.promotable() is None
    for trial, v in [(3, 5.0), (4, 6.0), (5, 25.0)]:
        rs.record(0, trial, v)
    assert rs.promotable() == (0, 5)  # floor(6/3) = 2: 30 (promoted) and 25
    rs.mark_promoted(0, 5)
    rs.record(1, 1, 70.0)
    rs.record(1, 5, 80.0)
    rs.record(1, 9, 60.0)
    assert rs.promotable() == (1, 5)  # the higher rung first
    assert rs.results[0] == {0: 10.0, 1: 30.0, 2: 20.0, 3: 5.0, 4: 6.0, 5: 25.0}
    assert rs.promoted[0] == {1, 5}


def test_promotion_ties_go_to_the_earlier_trial_and_nan_never_promotes() -> None:
    rs = RungSystem([1, 3], eta=2)
    rs.record(0, 7, 50.0)
    rs.record(0, 3, 50.0)
    assert rs.promotable() == (0, 3)
    nan_rung = RungSystem([1, 3], eta=1.5)
    nan_rung.record(0, 0, math.nan)
    nan_rung.record(0, 1, math.nan)
    assert nan_rung.promotable() is None


def test_bracket_weights_follow_hyperband_sizes() -> None:
    assert bracket_weights(3, 3) == pytest.approx([9 / 17, 5 / 17, 3 / 17])
    assert bracket_weights(1, 3) == [1.0]


# ----------------------------------------------------------------- strategies on a synthetic objective
def test_asha_stopping_continues_a_leader_on_the_same_worker() -> None:
    s = make("asha", seed=0, fidelities=FIDS)
    assert s.rungs == [1, 3, 9, 27]
    first = s.ask()
    assert first.epoch == 1 and first.tag == (0, 0)
    tell(s, first, 50.0)  # first at its rung: continues
    nxt = s.ask()
    assert (nxt.arch, nxt.epoch, nxt.tag) == (first.arch, 3, (0, 1))
    other = s.ask()
    assert other.epoch == 1 and other.tag == (1, 0)
    tell(s, other, 10.0)  # worse than 50 at rung 0, 2 results: stops
    fresh = s.ask()
    assert fresh.epoch == 1 and fresh.tag == (2, 0)


def test_asha_promotion_waits_for_eta_results_before_promoting() -> None:
    s = make("asha-promotion", seed=0, fidelities=FIDS)
    props = [s.ask() for _ in range(3)]
    assert [p.epoch for p in props] == [1, 1, 1]
    for p, v in zip(props, [20.0, 90.0, 40.0]):
        tell(s, p, v)
    promoted = s.ask()
    assert (promoted.arch, promoted.epoch) == (props[1].arch, 3)
    assert s.ask().epoch == 1  # the promoted one is not promoted twice


def test_min_and_max_fidelity_bound_the_rungs() -> None:
    s = make("asha", seed=0, fidelities=FIDS, min_fidelity=3, max_fidelity=9)
    assert s.rungs == [3, 9]
    props = [s.ask() for _ in range(5)]
    assert {p.epoch for p in props} == {3}
    with pytest.raises(ValueError, match="min_fidelity"):
        make("asha", seed=0, fidelities=FIDS, min_fidelity=2)
    with pytest.raises(ValueError, match="must not exceed"):
        make("asha", seed=0, fidelities=FIDS, min_fidelity=9, max_fidelity=3)
    with pytest.raises(ValueError, match="eta"):
        make("asha-promotion", seed=0, eta=1)
    with pytest.raises(ValueError, match="variant"):
        make("async-hb", seed=0, variant="eager")


@pytest.mark.parametrize("variant", ["stopping", "promotion"])
def test_async_hb_starts_new_trials_in_brackets_by_hyperband_weight(variant: str) -> None:
    s = make("async-hb", seed=3, fidelities=FIDS, variant=variant)
    assert [b.fidelities for b in s.brackets] == [[1, 3, 9, 27], [3, 9, 27], [9, 27], [27]]
    starts = []
    for _ in range(800):
        p = s.ask()
        if p.tag[1] == 0:
            starts.append(p.epoch)
        tell(s, p, float(np.random.default_rng(p.tag[0]).uniform(0, 100)))
    counts = np.array([starts.count(f) for f in FIDS], dtype=float)
    assert np.allclose(counts / counts.sum(), bracket_weights(4, 3), atol=0.06)


def test_promotions_use_the_trials_own_bracket() -> None:
    s = make("async-hb", seed=0, fidelities=FIDS)
    seen = 0
    for _ in range(300):
        p = s.ask()
        trial, level = p.tag
        assert p.epoch == s.brackets[s.trial_bracket[trial]].fidelities[level]
        seen += level > 0
        tell(s, p, float(trial % 17))
    assert seen > 0


# ----------------------------------------------------------------- the harness, 4 workers
@pytest.fixture(scope="module")
def digits() -> Lookup:
    return Lookup(nbs.load("nb201-digits"), "digits-hard", epoch=12)


@pytest.mark.parametrize("name", ASYNC)
def test_runs_with_four_workers_are_identical(name: str) -> None:
    budget = Budget.seconds(60.0)
    a, b = (run_search(nbs.load("nb201-digits"), "digits-hard", name, seed=4, budget=budget, workers=4, epoch=12)
            for _ in range(2))
    assert a["status"] == "ok" and a["final"]["evals"] > 50
    assert dumps(a) == dumps(b)
    assert len(set(a["trajectory"]["epoch"])) >= 2  # several rungs were reached


def test_promoted_trials_pay_only_the_extra_epochs(digits: Lookup) -> None:
    context = SearchContext(digits.space, digits.fidelities, dataset="digits-hard")
    s = make_strategy("asha", context, seed=1)
    out = simulate(s, digits, Budget.seconds(30.0), workers=4)
    charged = {}
    for _, row, cost, _ in out.records:
        if row.epoch > 1 and row.arch in charged:
            prev_epoch, _ = charged[row.arch]
            full = digits.get(row.arch, row.epoch).cum_cost
            assert cost == pytest.approx(full - digits.get(row.arch, prev_epoch).cum_cost)
        charged[row.arch] = (row.epoch, cost)
    assert any(row.epoch == 12 for _, row, _, _ in out.records)


def test_works_on_every_space_through_the_space_interface() -> None:
    from nasbench_suite.spaces import space_names

    for space in space_names():
        s = make("async-hb", seed=0, space=space, fidelities=FIDS)
        p = s.ask()
        assert get_space(space).parse(p.arch) == p.arch


# ----------------------------------------------------------------- dehb
def test_dehb_evolves_offspring_from_its_population_and_keeps_the_better() -> None:
    s = make("dehb", seed=0, fidelities=FIDS, pop_size=4)
    first = [s.ask() for _ in range(4)]  # the random initial population
    assert [p.tag for p in first] == [(0, 0), (1, 0), (2, 0), (3, 0)]
    for p in first:
        tell(s, p, 10.0 * (p.tag[0] + 1))
    assert s.fitness == [10.0, 20.0, 30.0, 40.0]
    while True:  # skip continuations to the next rung
        p = s.ask()
        if p.tag[1] == 0:
            break
        tell(s, p, 0.0)
    vector, target = s._origin[p.tag[0]]
    assert target == 0 and np.all((vector >= 0) & (vector < 1))
    assert s._view.ids(p.arch) == tuple(np.minimum(np.floor(vector * s._n), s._n - 1).astype(int))
    tell(s, p, 5.0)  # worse than its target: the population keeps the target
    assert s.fitness[0] == 10.0 and not np.array_equal(s.population[0], vector)
    while True:
        q = s.ask()
        if q.tag[1] == 0:
            break
        tell(s, q, 0.0)
    vector, target = s._origin[q.tag[0]]
    assert target == 1
    tell(s, q, 99.0)  # better: it replaces its target
    assert s.fitness[1] == 99.0 and np.array_equal(s.population[1], vector)


def test_dehb_rejects_bad_settings() -> None:
    for bad in ({"pop_size": 3}, {"mutation_factor": 0}, {"crossover_prob": 1.5}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            make("dehb", seed=0, **bad)


def test_dehb_runs_with_four_workers_are_identical() -> None:
    budget = Budget.seconds(60.0)
    a, b = (run_search(nbs.load("nb201-digits"), "digits-hard", "dehb", seed=2, budget=budget, workers=4, epoch=12)
            for _ in range(2))
    assert a["status"] == "ok" and a["final"]["evals"] > 50
    assert dumps(a) == dumps(b)
