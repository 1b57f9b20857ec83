"""The simulated clock: budgets, workers, costs, continuation, incumbents and misbehaving strategies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from nasbench_suite.harness import Budget, BudgetUnitError, Lookup, simulate
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.strategies import Observation, Proposal, SearchContext, SearchExhausted, Strategy, make_strategy


class Scripted(Strategy):
    """Proposes ``script`` items in order (then random cells); records what it is told."""

    name = "scripted"

    def __init__(self, context: SearchContext, *, seed: int, script: list[Any] | None = None) -> None:
        super().__init__(context, seed=seed)
        self.script = list(script or [])
        self.told: list[tuple[Proposal, Observation]] = []

    def ask(self) -> Proposal:
        if self.script:
            item = self.script.pop(0)
            if isinstance(item, BaseException):
                raise item
            return item
        return Proposal(self.space.sample(self.rng))

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        self.told.append((proposal, observation))


def arch(i: int) -> Architecture:
    return Architecture.from_index(i)


@pytest.fixture(scope="module")
def lookup(synthetic) -> Lookup:
    return Lookup(synthetic, "synth")


def scripted(lookup: Lookup, script: list[Any]) -> Scripted:
    return Scripted(SearchContext(lookup.space, lookup.fidelities), seed=0, script=script)


def rs(lookup: Lookup, seed: int = 0) -> Strategy:
    return make_strategy("rs", SearchContext(lookup.space, lookup.fidelities), seed=seed)


def test_eval_budget_gives_exactly_that_many_evaluations(lookup: Lookup) -> None:
    for workers in (1, 3):
        out = simulate(rs(lookup), lookup, Budget.evals(37), workers=workers)
        assert out.status == "ok" and len(out) == 37


def test_sequential_clock_is_the_sum_of_costs(lookup: Lookup) -> None:
    out = simulate(rs(lookup), lookup, Budget.evals(50))
    cols = out.columns()
    assert np.allclose(np.cumsum(cols["cost"]), cols["time"])
    # cost of a from-scratch evaluation at the final epoch = sum of the 27 epochs' times
    row = lookup.get(cols["arch"][0], None)
    per_epoch = lookup.benchmark.query(cols["arch"][0], "synth", epoch=27).train_time
    assert row.cum_cost == pytest.approx(27 * per_epoch)


def test_time_budget_stops_at_the_budget(lookup: Lookup) -> None:
    out = simulate(rs(lookup), lookup, Budget.seconds(2000.0), workers=4)
    times = out.columns()["time"]
    assert times and max(times) <= 2000.0
    more = simulate(rs(lookup), lookup, Budget.seconds(4000.0), workers=4)
    assert len(more) > len(out)
    assert more.columns()["arch"][: len(out)] == out.columns()["arch"]  # same seed: a prefix


def test_workers_run_in_parallel_and_never_exceed_w(lookup: Lookup) -> None:
    for workers in (1, 2, 5):
        cols = simulate(rs(lookup), lookup, Budget.evals(60), workers=workers).columns()
        finish = np.asarray(cols["time"])
        start = finish - np.asarray(cols["cost"])
        events = sorted([(s, 1) for s in start] + [(f, -1) for f in finish], key=lambda e: (e[0], e[1]))
        running = peak = 0
        for _, step in events:
            running += step
            peak = max(peak, running)
        assert peak == workers
        assert np.all(np.diff(finish) >= 0)  # recorded in finishing order


def test_more_workers_finish_sooner(lookup: Lookup) -> None:
    one = simulate(rs(lookup), lookup, Budget.evals(60), workers=1).columns()["time"][-1]
    four = simulate(rs(lookup), lookup, Budget.evals(60), workers=4).columns()["time"][-1]
    assert four < one / 2


def test_continuation_pays_only_the_extra_epochs(lookup: Lookup) -> None:
    a = arch(123)
    script = [Proposal(a, 3), Proposal(a, 27), Proposal(a, 27), Proposal(a, 9)]
    out = simulate(scripted(lookup, script), lookup, Budget.evals(4))
    costs = out.columns()["cost"]
    full = {e: lookup.get(a, e).cum_cost for e in (3, 9, 27)}
    assert costs[0] == pytest.approx(full[3])
    assert costs[1] == pytest.approx(full[27] - full[3])  # continued from epoch 3
    assert costs[2] == pytest.approx(full[27])  # a repeat trains from scratch
    assert costs[3] == pytest.approx(full[9])  # lower than trained: from scratch too


def test_strategies_are_told_the_selection_value(lookup: Lookup) -> None:
    s = scripted(lookup, [Proposal(arch(5), 9)])
    simulate(s, lookup, Budget.evals(3))
    prop, obs = s.told[0]
    assert obs.epoch == 9 and obs.arch == arch(5)
    assert obs.value == pytest.approx(lookup.benchmark.query(arch(5), "synth", epoch=9).valid_acc)
    assert lookup.selection_metric == "valid_acc"


def test_incumbent_prefers_the_highest_fidelity(lookup: Lookup) -> None:
    good_low = max(range(200), key=lambda i: lookup.get(arch(i), 1).value)
    bad_high = min(range(200), key=lambda i: lookup.get(arch(i), 27).value)
    out = simulate(scripted(lookup, [Proposal(arch(good_low), 1), Proposal(arch(bad_high), 27)]), lookup, Budget.evals(2))
    assert out.columns()["incumbent"] == [0, 1]
    assert out.columns()["incumbent_test"][1] == pytest.approx(lookup.get(arch(bad_high), 27).test)


def test_incumbent_is_the_best_value_so_far(lookup: Lookup) -> None:
    out = simulate(rs(lookup, seed=3), lookup, Budget.evals(200))
    values = [r[1].value for r in out.records]
    incumbents = out.columns()["incumbent"]
    for n, inc in enumerate(incumbents):
        assert values[inc] == max(values[: n + 1])
        assert values.index(values[inc]) == inc  # the earliest among equals


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (None, "ask() returned None"),
        ("not an architecture", "invalid proposal"),
        (Proposal("|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"), "invalid proposal"),
        (Proposal(arch(1), 5), "invalid proposal NotMeasuredError: epoch 5"),
        (Proposal(arch(1), 2.5), "invalid proposal"),
        (Proposal([1, 2]), "invalid proposal TypeError"),
        (ValueError("boom"), "ask() raised ValueError: boom"),
    ],
)
def test_misbehaving_strategies_fail_their_run(lookup: Lookup, item: Any, reason: str) -> None:
    out = simulate(scripted(lookup, [Proposal(arch(1)), Proposal(arch(2)), item]), lookup, Budget.evals(10))
    assert out.status == "failed"
    assert reason in out.error
    assert len(out) >= 1  # what finished before is kept


def test_tell_errors_fail_the_run(lookup: Lookup) -> None:
    class BadTell(Scripted):
        def tell(self, proposal: Proposal, observation: Observation) -> None:
            raise RuntimeError("cannot learn")

    out = simulate(BadTell(SearchContext(lookup.space, lookup.fidelities), seed=0), lookup, Budget.evals(5))
    assert out.status == "failed" and out.error == "tell() raised RuntimeError: cannot learn"


def test_exhausted_strategy_ends_the_run_normally(lookup: Lookup) -> None:
    script = [Proposal(arch(i)) for i in range(4)] + [SearchExhausted("no more")]
    out = simulate(scripted(lookup, script), lookup, Budget.evals(10), workers=2)
    assert out.status == "ok" and len(out) == 4
    assert "exhausted" in out.notes[0]


def test_arch_of_another_space_is_rejected(lookup: Lookup) -> None:
    class Other:
        space = "nb101"

        def to_string(self) -> str:
            return "x"

    out = simulate(scripted(lookup, [Proposal(Other())]), lookup, Budget.evals(2))
    assert out.status == "failed" and "space 'nb101'" in out.error


def test_invalid_settings_raise(lookup: Lookup) -> None:
    with pytest.raises(ValueError, match="workers"):
        simulate(rs(lookup), lookup, Budget.evals(5), workers=0)


def test_seconds_budget_needs_recorded_times(reference) -> None:
    lk = Lookup(reference, "cifar10", epoch=12)
    with pytest.raises(BudgetUnitError, match="--budget-epochs"):
        simulate(rs(lk), lk, Budget.seconds(100.0))
    out = simulate(rs(lk), lk, Budget.epochs(120.0))
    assert len(out) == 10 and out.columns()["cost"] == [12.0] * 10


def test_nan_values_never_become_incumbent(make_table, tmp_path) -> None:
    from nasbench_suite import open_benchmark
    from nasbench_suite.store import write_store

    data = make_table(n_arch=50)
    data.datasets["synth"].curves[0, :, :, 3] = np.nan  # valid_acc of the first cell
    write_store(tmp_path / "t.h5", data)
    lk = Lookup(open_benchmark(tmp_path / "t.h5"), "synth")
    s = scripted(lk, [Proposal(arch(0)), Proposal(arch(0))])
    first = arch(0)
    assert lk.benchmark.archs[0] == first.to_string()
    out = simulate(s, lk, Budget.evals(2))
    assert out.columns()["incumbent"] == [None, None] and math.isnan(s.told[0][1].value)


class Searching(Scripted):
    """Scripted, plus its own compute: ``charges`` seconds handed out one per ask (then 0)."""

    def __init__(self, context: SearchContext, *, seed: int, charges: list[float]) -> None:
        super().__init__(context, seed=seed)
        self.charges = list(charges)

    def take_search_cost(self) -> float:
        return self.charges.pop(0) if self.charges else 0.0


def test_own_compute_is_charged_before_the_evaluation(lookup: Lookup) -> None:
    s = Searching(SearchContext(lookup.space, lookup.fidelities), seed=0, charges=[50.0, 0.0, 2.5])
    out = simulate(s, lookup, Budget.evals(4))
    cols = out.columns()
    assert out.search_costs == [50.0, 0.0, 2.5, 0.0]
    assert cols["cost"] == [lookup.get(a, None).cum_cost for a in cols["arch"]]  # the table's cost alone
    assert np.allclose(cols["time"], np.cumsum(np.array(cols["cost"]) + out.search_costs))


def test_own_compute_delays_only_the_worker_that_asked(lookup: Lookup) -> None:
    s = Searching(SearchContext(lookup.space, lookup.fidelities), seed=0, charges=[100.0])
    out = simulate(s, lookup, Budget.evals(2), workers=2)
    first_asked = out.records[-1]  # the one that searched for 100 s finishes last
    assert first_asked[0] == pytest.approx(100.0 + first_asked[2])
    assert out.records[0][0] == pytest.approx(out.records[0][2])


def test_recorded_own_compute_is_replayed_instead_of_measured(lookup: Lookup) -> None:
    ctx = SearchContext(lookup.space, lookup.fidelities)
    first = simulate(Searching(ctx, seed=0, charges=[7.0, 1.0]), lookup, Budget.evals(3))
    again = simulate(Searching(ctx, seed=0, charges=[9.9, 0.3]), lookup, Budget.evals(3), search_costs=first.search_costs)
    assert again.search_costs == first.search_costs and again.columns() == first.columns()
    measured = simulate(Searching(ctx, seed=0, charges=[9.9, 0.3]), lookup, Budget.evals(3))
    assert measured.columns()["time"] != first.columns()["time"]


def test_strategies_without_own_compute_record_none(lookup: Lookup) -> None:
    assert simulate(rs(lookup), lookup, Budget.evals(3)).search_costs is None


def test_own_compute_is_not_charged_on_an_epoch_clock(reference) -> None:
    lk = Lookup(reference, "cifar10", epoch=12)
    s = Searching(SearchContext(lk.space, lk.fidelities), seed=0, charges=[100.0])
    out = simulate(s, lk, Budget.evals(2))
    assert out.search_costs is None and out.columns()["time"] == [12.0, 24.0]
    assert any("not charged" in n for n in out.notes)
