"""The ws-* strategies on the darts space: a run on a surrogate benchmark and its exact replay; listed tables;
and the published nb201 one-shot runs still replaying byte for byte."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path
from typing import Any

import pytest

import nasbench_suite as nbs
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.runner import run_search
from nasbench_suite.spaces.bundle import UnsupportedCapabilityError
from nasbench_suite.spaces.darts import Architecture
from nasbench_suite.strategies import SearchContext, make_strategy
from nasbench_suite.strategies.ws_darts import DartsWS

REPO = Path(__file__).resolve().parents[2]
#: a supernet small enough for a test: one step of C=4 on batches of 16
TINY = {"epochs": 1, "steps_per_epoch": 1, "batch_size": 16, "channels": 4}


@pytest.fixture(scope="module")
def darts_table(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A listed darts table with synthetic numbers, named after the images the supernet trains on."""
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.spaces import make_space_data

    path = tmp_path_factory.mktemp("darts") / "darts-synthetic.h5"
    write_store(path, make_space_data("darts", n_arch=40, dataset="digits-hard"))
    return nbs.open_benchmark(path)


@pytest.fixture(scope="module")
def darts_surrogate(darts_table: Any) -> Any:
    from nasbench_suite.surrogates.training import fit_surrogate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        surrogate, _ = fit_surrogate(darts_table, model="ridge", datasets=["digits-hard"],
                                     metric=["valid_acc", "test_acc", "train_time"], epochs=[27], train_size=None, seed=0)
    surrogate.optimum_sample = 200
    return surrogate


def test_ws_darts_on_a_darts_surrogate_replays_exactly_from_its_decisions(darts_surrogate: Any) -> None:
    rec = run_search(darts_surrogate, "digits-hard", "ws-darts", seed=0, budget=Budget.evals(4), params=TINY)
    assert rec["status"] == "ok", rec.get("error")
    dec = rec["decisions"]
    assert dec["kind"] == "one-shot" and dec["method"] == "darts"
    derived = Architecture.from_string(dec["derived"])
    assert rec["trajectory"]["arch"][0] == derived.to_string()  # the surrogate evaluates the derived cell itself
    assert len(dec["proposals"]) == 4 and dec["proposals"][0] == derived.to_string()
    assert [len(a) for a in dec["alphas"]] == [14, 14] and len(dec["alphas"][0][0]) == 8
    again = run_search(darts_surrogate, "digits-hard", "ws-darts", seed=0, budget=Budget.evals(4), params=TINY,
                       search_costs=rec["search_costs"], decisions=dec)
    assert again["trajectory_sha256"] == rec["trajectory_sha256"] and again["trajectory"] == rec["trajectory"]
    assert again["decisions"] == dec
    forged = {**dec, "proposals": [dec["proposals"][1], dec["proposals"][0], *dec["proposals"][2:]]}
    other = run_search(darts_surrogate, "digits-hard", "ws-darts", seed=0, budget=Budget.evals(4), params=TINY,
                       search_costs=rec["search_costs"], decisions=forged)
    assert other["trajectory"]["arch"][:2] == rec["trajectory"]["arch"][1::-1]


def test_recomputed_darts_decisions_agree_with_the_record(darts_surrogate: Any) -> None:
    s = make_strategy("ws-gdas", SearchContext(darts_surrogate.search_space, (27,), dataset="digits-hard"), seed=1, **TINY)
    first = s.ask().arch
    recorded = s.decisions()
    assert recorded is not None and recorded["proposals"] == [first.to_string()]
    fresh = make_strategy("ws-gdas", SearchContext(darts_surrogate.search_space, (27,), dataset="digits-hard"),
                          seed=1, **TINY).recompute_decisions()
    assert fresh["space"] == "darts" and fresh["supernet_sha256"] == recorded["supernet_sha256"]
    check = type(s).compare_decisions(recorded, fresh)
    assert check.agree, str(check)


def test_listed_tables_refuse_a_derived_cell_and_rsws_ranks_the_held_cells(darts_table: Any) -> None:
    context = SearchContext(darts_table.search_space, (27,), dataset="digits-hard")
    for name in ("ws-darts", "ws-gdas"):
        with pytest.raises(UnsupportedCapabilityError, match="listed table of 40 architectures.*surrogate benchmark"):
            make_strategy(name, context, seed=0, **TINY)
    rec = run_search(darts_table, "digits-hard", "ws-rsws", seed=0, budget=Budget.evals(6), params={**TINY, "candidates": 5})
    assert rec["status"] == "ok", rec.get("error")
    held = set(darts_table.archs)
    assert rec["final"]["evals"] == 5 and set(rec["trajectory"]["arch"]) <= held  # exhausted after its 5 candidates
    assert [a for a, _, _ in rec["decisions"]["scores"]] == rec["decisions"]["proposals"]


def test_the_darts_supernet_needs_the_images_it_trains_on() -> None:
    from nasbench_suite.spaces import get_space

    with pytest.raises(UnsupportedCapabilityError, match="computes on 'digits-hard' images"):
        DartsWS(SearchContext(get_space("darts"), (100,), dataset="cifar10"), seed=0)


def _published(board: str, n_per_strategy: int = 1) -> list[dict[str, Any]]:
    files = sorted((REPO / "leaderboards" / board / "results").glob("*.jsonl*"))
    out: dict[str, list[dict[str, Any]]] = {}
    for f in files:
        opener = gzip.open if f.suffix == ".gz" else open
        with opener(f, "rt") as fh:
            for line in fh:
                rec = json.loads(line)
                name = rec["strategy"]["name"]
                if name.startswith("ws-") and len(out.setdefault(name, [])) < n_per_strategy:
                    out[name].append(rec)
    return [r for recs in out.values() for r in recs]


def test_published_nb201_one_shot_runs_still_replay_byte_for_byte() -> None:
    from nasbench_suite.harness.runner import run_task
    from nasbench_suite.leaderboard.rerun import task_for

    table = REPO / "datasets" / "nb201-digits.h5"
    records = _published("nb201-digits/digits-hard-evals200")
    if not records or not table.exists():
        pytest.skip("the nb201-digits board or table is not in this checkout")
    assert {r["strategy"]["name"] for r in records} == {"ws-darts", "ws-gdas", "ws-rsws"}
    for rec in records:
        again = json.loads(run_task(task_for(rec, str(table)))[1])
        assert again["trajectory_sha256"] == rec["trajectory_sha256"], rec["strategy"]["name"]
        assert again["decisions"] == rec["decisions"] and again["final"] == rec["final"]
