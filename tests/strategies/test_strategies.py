"""Behaviour of individual strategies beyond the shared conformance checks."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb201 import OPS, NB201Space
from nasbench_suite.strategies import STRATEGIES, Observation, Proposal, SearchContext, SearchExhausted, make_strategy
from nasbench_suite.strategies.hyperband import rungs
from nasbench_suite.testing.strategies import drive, make, synthetic_value

MODEL_BASED = ("bananas", "gp-bo", "smac", "reinforce", "bohb", "tpe")


def tell(strategy, prop: Proposal, value: float) -> None:
    epoch = prop.epoch or strategy.context.max_fidelity
    strategy.tell(prop, Observation(prop.arch, epoch, value, 1.0))


CORE = ("rs", "re", "ls", "bananas", "gp-bo", "smac", "reinforce", "hyperband", "bohb", "tpe")


@pytest.mark.parametrize("name", CORE)
def test_registry_holds_the_core_strategies(name: str) -> None:
    assert name in STRATEGIES.names()
    assert STRATEGIES.get(name).name == name


@pytest.mark.parametrize("name", STRATEGIES.names())
def test_registered_names_match_the_classes(name: str) -> None:
    assert STRATEGIES.get(name).name == name


def test_unknown_strategy_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError, match="unknown strategies 'bo'; valid: .*'gp-bo'"):
        STRATEGIES.get("bo")


# ------------------------------------------------------------------ random search
def test_random_search_is_uniform_with_replacement() -> None:
    s = make("rs", seed=0)
    props = [s.ask() for _ in range(20000)]
    counts = Counter(op for p in props for op in p.arch.ops)
    assert stats.chisquare([counts[o] for o in OPS]).pvalue > 1e-3
    assert len({p.arch for p in props}) < 20000  # repeats happen


def test_random_search_without_replacement_never_repeats_and_exhausts() -> None:
    s = make("rs", seed=0, replace=False)
    props = [s.ask() for _ in range(15625)]
    assert len({p.arch for p in props}) == 15625
    with pytest.raises(SearchExhausted):
        s.ask()


class TinySpace:
    """A 3-architecture space without ``all()``: exercises the sampling path."""

    name = "nb201"
    size = None

    def __init__(self) -> None:
        self._space = NB201Space()
        self._choices = [self._space.parse(i) for i in range(3)]

    def parse(self, value):
        return self._space.parse(value)

    def sample(self, rng):
        return self._choices[int(rng.integers(3))]

    def mutate(self, arch, rng):
        return self.sample(rng)

    def neighbours(self, arch):
        return list(self._choices)


def test_random_search_on_a_space_it_cannot_enumerate() -> None:
    s = make_strategy("rs", SearchContext(TinySpace(), (1,)), seed=0, replace=False)
    assert len({s.ask().arch for _ in range(3)}) == 3
    with pytest.raises(SearchExhausted):
        s.ask()


# ------------------------------------------------------------ regularized evolution
def test_evolution_ages_out_the_oldest_and_mutates_the_best() -> None:
    s = make("re", seed=0, population_size=5, sample_size=50)
    first = [s.ask() for _ in range(5)]
    for i, p in enumerate(first):
        tell(s, p, float(i))
    pop = list(s._population)
    assert [v for _, v in pop] == [0.0, 1.0, 2.0, 3.0, 4.0]
    child = s.ask()  # a tournament of 50 over 5 members picks the best with near certainty
    assert child.arch in NB201Space().neighbours(first[4].arch)
    tell(s, child, -1.0)
    assert [v for _, v in s._population] == [1.0, 2.0, 3.0, 4.0, -1.0]  # the oldest (0.0) left, not the worst


def test_evolution_beats_random_search_on_the_synthetic_objective() -> None:
    def best(name: str, seed: int) -> float:
        props = drive(make(name, seed=seed), 150)
        return max(synthetic_value(p.arch, 108, 108) for p in props)

    re_scores = [best("re", s) for s in range(8)]
    rs_scores = [best("rs", s) for s in range(8)]
    assert np.mean(re_scores) > np.mean(rs_scores)


# --------------------------------------------------------------------- local search
def test_local_search_climbs_from_the_best_initial_architecture() -> None:
    s = make("ls", seed=0, num_init=5)
    init = [s.ask() for _ in range(5)]
    values = [synthetic_value(p.arch, 108, 108) for p in init]
    for p, v in zip(init, values):
        tell(s, p, v)
    best = init[int(np.argmax(values))].arch
    nbrs = set(NB201Space().neighbours(best))
    batch = [s.ask() for _ in range(24)]
    assert {p.arch for p in batch} <= nbrs and len({p.arch for p in batch}) == 24


def test_local_search_restarts_at_a_local_optimum() -> None:
    s = make("ls", seed=0, num_init=1)
    p = s.ask()
    tell(s, p, 100.0)  # nothing beats it
    for _ in range(24):
        tell(s, s.ask(), 0.0)
    restart = s.ask()
    assert restart.tag[0] == "restart" and restart.arch != p.arch


# ------------------------------------------------------------------------ hyperband
def test_rungs() -> None:
    assert rungs((1, 3, 9, 27), 3) == [1, 3, 9, 27]
    assert rungs(tuple(range(1, 13)), 3) == [1, 4, 12]
    assert rungs((12, 200), 3) == [12, 200]
    assert rungs((12,), 3) == [12]
    assert rungs((1, 3, 9, 27), 3, min_fidelity=3) == [3, 9, 27]


def test_hyperband_runs_successive_halving() -> None:
    s = make("hyperband", seed=0, fidelities=(1, 3, 9, 27))
    first = [s.ask() for _ in range(27)]
    assert {p.epoch for p in first} == {1}
    values = {p.arch: synthetic_value(p.arch, 1, 27) for p in first}
    for p in first:
        tell(s, p, values[p.arch])
    second = [s.ask() for _ in range(9)]
    assert {p.epoch for p in second} == {3}
    top9 = sorted(values, key=lambda a: -values[a])[:9]
    assert [p.arch for p in second] == top9
    nxt = s.ask()  # rung 3 is waiting for its results: the next bracket opens
    assert nxt.epoch == 3 and nxt.tag[0] == 1


def test_hyperband_with_one_fidelity_is_random_search() -> None:
    s = make("hyperband", seed=0, fidelities=(12,))
    props = drive(s, 30)
    assert {p.epoch for p in props} == {12} and len({p.arch for p in props}) > 25


# ---------------------------------------------------------------------------- bohb
def test_bohb_model_prefers_good_regions() -> None:
    s = make("bohb", seed=0, fidelities=(12,), random_fraction=0.0)
    for _ in range(60):
        p = s.ask()
        tell(s, p, 100.0 if p.arch.ops[0] == "nor_conv_3x3" else 0.0)
    later = [s.sample(12) for _ in range(40)]
    share = np.mean([a.ops[0] == "nor_conv_3x3" for a in later])
    assert share > 0.6  # uniform sampling would give 0.2


def test_bohb_bandwidths_stay_in_the_kernel_range() -> None:
    s = make("bohb", seed=0)
    data = np.array([[0, 0, 0, 0, 0, 0]] * 10 + [[4, 3, 2, 1, 0, 4]] * 10)
    bw = s._bandwidths(data)
    assert np.all(bw >= s.min_bandwidth) and np.all(bw <= 0.8)
    density = s._density(data[:2], data, bw)
    assert np.all(density > 0)


# ------------------------------------------------------------------------ reinforce
def test_reinforce_shifts_the_policy_towards_rewarded_ops() -> None:
    s = make("reinforce", seed=0, learning_rate=0.05)
    for _ in range(300):
        p = s.ask()
        tell(s, p, 90.0 if p.arch.ops[0] == "nor_conv_3x3" else 50.0)
    probs = s._probs()
    assert probs[0, OPS.index("nor_conv_3x3")] > 0.5
    assert np.allclose(probs.sum(axis=1), 1.0)


# --------------------------------------------------------------------- model-based
@pytest.mark.parametrize("name", MODEL_BASED)
def test_model_based_strategies_name_the_spaces_they_support(name: str) -> None:
    class OtherSpace(TinySpace):
        name = "toy"

    with pytest.raises(UnknownNameError, match=f"needed by strategy {name!r}.*'toy'.*valid: .*'nb101'.*'nb201'"):
        make_strategy(name, SearchContext(OtherSpace(), (1,)), seed=0)


@pytest.mark.parametrize("name", ["bananas", "gp-bo", "smac"])
def test_model_based_strategies_never_repeat_a_proposal(name: str) -> None:
    props = drive(make(name, seed=0), 40)
    assert len({p.arch for p in props}) == 40


@pytest.mark.parametrize("name", ["bananas", "gp-bo", "smac", "tpe"])
def test_model_based_strategies_beat_random_sampling_on_the_synthetic_objective(name: str) -> None:
    props = drive(make(name, seed=1), 60)
    late = np.mean([synthetic_value(p.arch, 108, 108) for p in props[30:]])
    uniform = np.mean([synthetic_value(p.arch, 108, 108) for p in drive(make("rs", seed=1), 30)])
    assert late > uniform


def test_tpe_tells_nan_as_a_failed_trial() -> None:
    from optuna.trial import TrialState

    s = make("tpe", seed=0, implementation="optuna")
    p = s.ask()
    s.tell(p, Observation(p.arch, 108, math.nan, 1.0))
    assert s._study.trials[0].state == TrialState.FAIL


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("re", {"population_size": 0}, "population_size"),
        ("re", {"sample_size": 0}, "sample_size"),
        ("ls", {"num_init": 0}, "num_init"),
        ("bananas", {"acquisition": "ei"}, "acquisition"),
        ("smac", {"random_fraction": 2.0}, "random_fraction"),
        ("hyperband", {"eta": 1.0}, "eta"),
        ("hyperband", {"min_fidelity": 5}, "min_fidelity"),
        ("bohb", {"top_fraction": 0.0}, "top_fraction"),
        ("reinforce", {"baseline_momentum": 1.0}, "baseline_momentum"),
        ("tpe", {"n_ei_candidates": 0}, "n_ei_candidates"),
    ],
)
def test_bad_hyperparameters_are_refused(name: str, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(name, seed=0, **params)


def test_random_search_keeps_to_each_listed_table_of_one_space() -> None:
    from nasbench_suite.spaces.table_space import TableSpace

    base = NB201Space()
    for held in ([base.parse(i).to_string() for i in range(5)], [base.parse(i).to_string() for i in range(100, 103)]):
        s = make_strategy("rs", SearchContext(TableSpace(base, held), (1,)), seed=0, replace=False)
        assert {s.ask().arch.to_string() for _ in range(len(held))} == set(held)
