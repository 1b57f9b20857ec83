"""The multi-objective strategies: their selection rules, and runs that record and use every objective."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.spaces import get_space
from nasbench_suite.strategies import Observation, Proposal, SearchContext, make_strategy
from nasbench_suite.strategies._pareto import chebyshev, minimised, nsga2_order, rank_and_contribution, rank_and_crowding

OBJECTIVES = ("valid_acc:max", "params:min")
MO_STRATEGIES = ("nsga2", "mo-re", "parego", "mo-asha")


def _context(objectives: tuple[str, ...] = OBJECTIVES, fidelities: tuple[int, ...] = (12,)) -> SearchContext:
    return SearchContext(get_space("nb201"), fidelities, objectives=objectives)


def test_objective_vectors_are_minimised_in_order() -> None:
    ctx = _context()
    arch = get_space("nb201").sample(np.random.default_rng(0))
    assert minimised(ctx, Observation(arch, 12, 80.0, 1.0, (80.0, 5000.0))) == (-80.0, 5000.0)
    assert minimised(_context(()), Observation(arch, 12, 80.0, 1.0)) == (-80.0,)
    with pytest.raises(ValueError, match="must tell 2 objective values"):
        minimised(ctx, Observation(arch, 12, 80.0, 1.0))


def test_ranks_crowding_and_contributions() -> None:
    F = np.array([[1, 5], [2, 3], [4, 1], [3, 4], [np.nan, 0], [2.5, 2.5]])
    ranks, crowd = rank_and_crowding(F)
    assert ranks.tolist() == [0, 0, 0, 1, 2, 0]
    assert np.isinf(crowd[0]) and np.isinf(crowd[2]) and np.isfinite(crowd[1]) and crowd[4] == 0
    assert nsga2_order(F)[:2] == [0, 2] and nsga2_order(F)[-1] == 4
    ranks2, contrib = rank_and_contribution(F)
    assert ranks2.tolist() == ranks.tolist()
    assert np.all(contrib[ranks == 0] > 0) and contrib[4] == 0
    # one objective: ranks are the order of the values
    r1, _ = rank_and_crowding(np.array([[3.0], [1.0], [2.0], [1.0]]))
    assert r1.tolist() == [2, 0, 1, 0]


def test_chebyshev_prefers_the_point_its_weights_point_at() -> None:
    F = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    assert int(np.argmin(chebyshev(F, np.array([0.9, 0.1])))) == 0
    assert int(np.argmin(chebyshev(F, np.array([0.1, 0.9])))) == 1
    assert int(np.argmin(chebyshev(F, np.array([0.5, 0.5])))) == 2


def test_nsga2_survival_keeps_the_best_ranked() -> None:
    s = make_strategy("nsga2", _context(), seed=0, population_size=4)
    space = get_space("nb201")
    archs = [space.sample(np.random.default_rng(i)) for i in range(8)]
    values = [(50, 100), (60, 200), (40, 300), (30, 50), (70, 150), (65, 120), (20, 400), (10, 500)]
    for a, (acc, size) in zip(archs, values):
        s.tell(Proposal(a), Observation(a, 12, float(acc), 1.0, (float(acc), float(size))))
    kept = {str(a) for a, _ in s._population}
    # merged front: (70,150) (65,120) (50,100) (30,50) -> exactly these four survive
    assert kept == {str(archs[i]) for i in (0, 3, 4, 5)}


def test_mo_re_tournaments_mutate_front_members() -> None:
    s = make_strategy("mo-re", _context(), seed=1, population_size=5, sample_size=60)
    space = get_space("nb201")
    archs = [space.sample(np.random.default_rng(10 + i)) for i in range(5)]
    for i, a in enumerate(archs):  # one member dominates all others
        v = (90.0, 10.0) if i == 2 else (50.0 - i, 100.0 + i)
        s.tell(Proposal(a), Observation(a, 12, v[0], 1.0, v))
    s._asked = 5
    parents = {str(s._winner()) for _ in range(20)}
    assert parents == {str(archs[2])}


def test_mo_asha_continues_by_pareto_rank() -> None:
    from nasbench_suite.strategies.mo_asha import ParetoRungSystem

    rs = ParetoRungSystem([1, 3, 9], 3.0)
    # minimised vectors at rung 0: trial 0 and 1 are each best in one objective, 2 is dominated by both
    for trial, vec in enumerate([(-50.0, 10.0), (-60.0, 30.0), (-40.0, 40.0), (-55.0, 20.0)]):
        rs.record_vector(0, trial, vec)
        rs.record(0, trial, -vec[0])
    assert rs._ranked(0)[:2] == [0, 1] and rs._ranked(0)[-1] == 2  # front extremes first, the dominated one last
    assert not rs.continues(0, 2)
    rs.record_vector(0, 4, (float("nan"), 1.0))
    rs.record(0, 4, 99.0)
    assert rs.results[0][4] == float("-inf") and not rs.continues(0, 4)


@pytest.mark.parametrize("name", MO_STRATEGIES)
def test_a_multi_objective_run_records_every_objective(name: str) -> None:
    import nasbench_suite as nbs
    from nasbench_suite.harness import Budget, run_search

    rec = run_search(nbs.load("nb201-digits"), "digits-hard", name, seed=0, budget=Budget.evals(30),
                     objectives="valid_acc:max,params:min", params={"num_random": 20, "num_mutations": 20} if name == "parego" else None)
    assert rec["status"] == "ok", rec["error"]
    assert len(rec["trajectory"]["objective:params"]) == 30 and rec["final"]["front"]
    if name == "mo-asha":
        assert len(set(rec["trajectory"]["epoch"])) > 1  # multi-fidelity
