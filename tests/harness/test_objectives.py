"""Multi-objective runs: objectives recorded per evaluation, the run's front, and bad objectives refused before any run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.errors import UnknownNameError
from nasbench_suite.harness import Budget, SweepSpec, run_search, run_sweep
from nasbench_suite.harness.results import SETTINGS_KEYS
from nasbench_suite.multiobjective.objectives import ObjectiveError
from nasbench_suite.store import write_store

DATASET = "digits-hard"


@pytest.fixture(scope="module")
def digits():
    return nbs.load("nb201-digits")


def _dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a <= b) and np.any(a < b))


def test_a_multi_objective_record_holds_every_objective_and_its_front(digits) -> None:
    rec = run_search(digits, DATASET, "rs", seed=3, budget=Budget.evals(60), objectives="valid_acc:max,params:min")
    assert rec["objectives"] == [{"metric": "valid_acc", "direction": "max", "report": "test_acc"},
                                 {"metric": "params", "direction": "min", "report": "params"}]
    traj = rec["trajectory"]
    params = [digits.cost(a, DATASET, "params") for a in traj["arch"]]
    assert traj["objective:params"] == traj["report:params"] == params
    assert traj["objective:valid_acc"] == traj["valid"]  # full-fidelity evaluations: the evaluated epoch is the target
    assert traj["report:test_acc"] == traj["test"]
    # the front: non-dominated (valid_acc up, params down) among the evaluations, one per distinct vector
    pts = np.column_stack([-np.asarray(traj["objective:valid_acc"]), np.asarray(traj["objective:params"])])
    front = rec["final"]["front"]
    assert front and front == sorted(front)
    for i in front:
        assert not any(_dominates(pts[j], pts[i]) for j in range(len(pts)))
    for j in set(range(len(pts))) - set(front):
        assert any(_dominates(pts[i], pts[j]) or np.array_equal(pts[i], pts[j]) for i in front)


def test_a_single_objective_record_is_unchanged(digits) -> None:
    rec = run_search(digits, DATASET, "rs", seed=3, budget=Budget.evals(20))
    assert "objectives" not in rec and "front" not in rec["final"]
    assert not any(k.startswith(("objective:", "report:")) for k in rec["trajectory"])
    assert "objectives" in SETTINGS_KEYS  # a resumed sweep refuses to mix single- and multi-objective runs


def test_strategies_are_told_every_objective(digits) -> None:
    from nasbench_suite.harness.lookup import Lookup
    from nasbench_suite.harness.objective_lookup import ObjectiveLookup
    from nasbench_suite.harness.simulator import simulate
    from nasbench_suite.strategies import SearchContext, get_strategy

    lookup = Lookup(digits, DATASET)
    mo = ObjectiveLookup(lookup, "valid_acc:max,latency:min,flops:min")
    told = []

    class Spy(get_strategy("rs")):  # type: ignore[misc, valid-type]
        def tell(self, proposal, observation):  # noqa: ANN001
            told.append(observation)

    context = SearchContext(lookup.space, lookup.fidelities, dataset=DATASET, objectives=mo.objectives)
    assert [str(o) for o in context.objectives] == ["valid_acc:max", "latency:min", "flops:min"]
    simulate(Spy(context, seed=0), lookup, Budget.evals(5), objectives=mo)
    for obs in told:
        assert obs.objectives == (obs.value, digits.cost(obs.arch, DATASET, "latency"), digits.cost(obs.arch, DATASET, "flops"))


@pytest.mark.parametrize(
    ("objectives", "error", "match"),
    [
        ("valid_acc:max,no_such_metric:min", UnknownNameError, "no_such_metric"),
        ("valid_acc:up,params:min", ObjectiveError, "direction must be 'min' or 'max', got 'up'"),
        ("valid_acc:max", ObjectiveError, "give 2 or 3 objectives, got 1"),
        ("valid_acc:max,params:min,flops:min,latency:min", ObjectiveError, "got 4"),
        ("test_acc:max,params:min", ObjectiveError, "give 'valid_acc'"),
        ("valid_acc:max,valid_acc:min", ObjectiveError, "given twice"),
        ("valid_acc,params:min", ObjectiveError, "METRIC:min or METRIC:max"),
    ],
)
def test_bad_objectives_stop_a_sweep_before_any_run(tmp_path: Path, objectives: str, error: type, match: str) -> None:
    out = tmp_path / "mo.jsonl"
    with pytest.raises(error, match=match):
        spec = SweepSpec("nb201-digits", DATASET, ("rs",), (0,), Budget.evals(5), objectives=objectives)
        run_sweep(spec, out, progress=False)
    assert not out.exists()


def test_a_metric_missing_for_some_cells_is_refused(tmp_path: Path, make_table) -> None:
    data = make_table(n_arch=200)
    table = data.datasets["synth"]
    costs = np.arange(1, 1 + 3 * 200, dtype=float).reshape(200, 3)
    costs[[5, 17], 2] = np.nan  # two cells without a latency
    curves = table.curves.copy()
    curves[7, :, 1, 3] = np.nan  # valid_acc missing for one cell at epoch 3
    data = replace(data, datasets={"synth": replace(table, costs=costs, curves=curves)})
    path = tmp_path / "holes.h5"
    write_store(path, data)
    out = tmp_path / "mo.jsonl"
    with pytest.raises(ObjectiveError, match=r"'latency' is not measured for 2 of 200 architectures"):
        run_sweep(SweepSpec(str(path), "synth", ("rs",), (0,), Budget.evals(5), objectives="params:min,latency:min"), out,
                  progress=False)
    with pytest.raises(ObjectiveError, match=r"'valid_acc' is not measured for 1 of 200 architectures .* at epoch 3"):
        run_sweep(SweepSpec(str(path), "synth", ("rs",), (0,), Budget.evals(5), objectives="valid_acc:max,params:min"), out,
                  progress=False)
    assert not out.exists()
    # the same metrics at a target epoch where they are complete (and a cost every cell has) run
    run_sweep(SweepSpec(str(path), "synth", ("rs",), (0,), Budget.evals(5), epoch=1, objectives="valid_acc:max,flops:min"),
              out, progress=False)
    rec = json.loads(out.read_text().splitlines()[0])
    assert rec["status"] == "ok" and len(rec["trajectory"]["objective:flops"]) == 5


def test_a_multi_objective_sweep_resumes_and_refuses_other_objectives(tmp_path: Path) -> None:
    from nasbench_suite.harness import SweepMismatchError

    out = tmp_path / "mo.jsonl"
    spec = SweepSpec("nb201-digits", DATASET, ("rs",), (0, 1), Budget.evals(10), objectives="valid_acc:max,params:min")
    run_sweep(spec, out, progress=False)
    first = out.read_bytes()
    assert run_sweep(spec, out, progress=False).reused == 2 and out.read_bytes() == first
    with pytest.raises(SweepMismatchError, match="objectives"):
        run_sweep(replace(spec, objectives="valid_acc:max,flops:min"), out, progress=False)
    with pytest.raises(SweepMismatchError, match="objectives"):
        run_sweep(replace(spec, objectives=None), out, progress=False)
