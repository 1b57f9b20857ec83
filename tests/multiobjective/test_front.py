"""True Pareto fronts of tables, a run's front and its hypervolume-regret curves."""

from __future__ import annotations

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.harness import Budget, run_search
from nasbench_suite.multiobjective import ObjectiveError, parse_objectives, pareto_ranks, true_front
from nasbench_suite.multiobjective.indicators import (
    final_indicators,
    hypervolume_curve,
    hypervolume_regret_at_times,
    hypervolume_regret_curve,
    problem_for,
    reported_front,
)

DATASET = "digits-hard"


@pytest.fixture(scope="module")
def digits():
    return nbs.load("nb201-digits")


def _front_2d_sweep(acc: np.ndarray, params: np.ndarray) -> set[tuple[float, float]]:
    """Maximise acc, minimise params: sort by params (then acc descending), keep each strict accuracy record."""
    order = np.lexsort((-acc, params))
    out, best = set(), -np.inf
    for i in order:
        if acc[i] > best:
            out.add((float(acc[i]), float(params[i])))
            best = acc[i]
    return out


@pytest.mark.parametrize("reported", [False, True])
def test_true_front_is_the_exact_2d_front(digits, reported: bool) -> None:
    front = true_front(digits, DATASET, "valid_acc:max,params:min", reported=reported)
    acc = digits.query_many(None, DATASET, metric="test_acc" if reported else "valid_acc")
    params = digits.costs(DATASET)["params"]
    assert {tuple(map(float, v)) for v in front.values} == _front_2d_sweep(acc, params)
    assert len(set(front.archs)) == len(front) and front.cells == front.total == len(digits.archs)
    assert list(front.values[:, 0]) == sorted(front.values[:, 0], reverse=True)  # best first objective first
    assert front.metrics == (("test_acc", "params") if reported else ("valid_acc", "params"))


def test_true_front_in_3d_has_rank_zero_and_dominates_every_cell(digits) -> None:
    objs = parse_objectives("valid_acc:max,params:min,latency:min")
    front = true_front(digits, DATASET, objs)
    from nasbench_suite.multiobjective.front import table_values

    values = table_values(digits, DATASET, front.metrics, epoch=front.epoch)
    ranks = pareto_ranks(values, objs)
    assert {tuple(v) for v in values[ranks == 0]} == {tuple(v) for v in front.values}
    s = np.array([o.sign for o in objs])
    f = front.values * s
    sample = values[np.random.default_rng(0).choice(len(values), 500, replace=False)] * s
    for v in sample:  # every cell is weakly dominated by a front point
        assert np.any(np.all(f <= v, axis=1))


def test_an_incomplete_objective_is_left_out_of_the_front_cells(tmp_path) -> None:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    data = make_small_data(n_arch=30)
    data.datasets["toy"].costs[[3, 4], 0] = np.nan  # two cells without params
    write_store(tmp_path / "holes.h5", data)
    bench = nbs.open_benchmark(tmp_path / "holes.h5")
    front = true_front(bench, "toy", "valid_acc:max,params:min")
    assert front.cells == 28 and front.total == 30
    assert not {data.archs[3], data.archs[4]} & set(front.archs)
    with pytest.raises(ObjectiveError, match="direction"):
        true_front(bench, "toy", "valid_acc:best,params:min")


def test_hypervolume_regret_curves_of_a_run(digits) -> None:
    problem = problem_for(digits, DATASET, "valid_acc:max,params:min")
    assert problem.ref.tolist() == [1.1, 1.1]
    assert problem.ideal[0] == pytest.approx(max(digits.query_many(None, DATASET, metric="test_acc")))
    assert problem.ideal[1] == min(digits.costs(DATASET)["params"]) and problem.worst[1] == max(digits.costs(DATASET)["params"])
    rec = run_search(digits, DATASET, "rs", seed=1, budget=Budget.evals(80), objectives="valid_acc:max,params:min")
    hv = hypervolume_curve(rec, problem)
    # independently: the hypervolume of the reported front recomputed from scratch after every evaluation
    again = [problem.hypervolume(reported_front(rec, problem, evals=i + 1)) for i in range(len(hv))]
    np.testing.assert_allclose(hv, again, rtol=0, atol=1e-12)
    regret = hypervolume_regret_curve(rec, problem)
    # never negative (the true front dominates every cell); it may rise when a point that is better on
    # validation displaces one whose test values covered more, as a single-objective incumbent's test value may drop
    assert np.all(regret >= -1e-12) and regret[-1] < regret[0]
    final = final_indicators(rec, problem)
    assert final["hypervolume_regret"] == pytest.approx(regret[-1], abs=1e-12)
    assert final["igd_plus"] > 0 and final["front_size"] == len(rec["final"]["front"])
    times = np.asarray(rec["trajectory"]["time"])
    np.testing.assert_allclose(hypervolume_regret_at_times(rec, problem, times), regret)
    assert hypervolume_regret_at_times(rec, problem, [times[0] / 2])[0] == pytest.approx(problem.true_hypervolume)
    # a run that found the true front's cells has no regret
    assert problem.hypervolume(problem.front) == pytest.approx(problem.true_hypervolume)
    assert problem.igd_plus(problem.front) == pytest.approx(0.0, abs=1e-12)


def test_indicators_refuse_a_record_of_other_objectives(digits) -> None:
    problem = problem_for(digits, DATASET, "valid_acc:max,params:min")
    rec = run_search(digits, DATASET, "rs", seed=1, budget=Budget.evals(5), objectives="valid_acc:max,flops:min")
    with pytest.raises(ObjectiveError, match="flops"):
        hypervolume_curve(rec, problem)
