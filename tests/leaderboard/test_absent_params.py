"""Runs published before a strategy gained a parameter replay with the value they used (``absent_params``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nasbench_suite.harness.results import read_text
from nasbench_suite.harness.runner import run_task
from nasbench_suite.leaderboard.rerun import task_for
from nasbench_suite.strategies import STRATEGIES, get_strategy
from nasbench_suite.strategies.base import recorded_params

REPO = Path(__file__).resolve().parents[2]
BOARD = REPO / "leaderboards" / "nb201-digits" / "digits-hard-evals200" / "results"


def _first_run(strategy: str) -> dict:
    for path in sorted(BOARD.glob("*.jsonl.gz")):
        for line in read_text(path).splitlines():
            rec = json.loads(line)
            if rec["strategy"]["name"] == strategy:
                return rec
    pytest.skip(f"no published {strategy} run in {BOARD}")


@pytest.mark.parametrize("name", sorted(STRATEGIES.names()))
def test_absent_params_are_parameters_with_another_default(name: str) -> None:
    import inspect

    cls = get_strategy(name)
    signature = inspect.signature(cls.__init__).parameters
    for param, value in cls.absent_params.items():
        assert param in signature, f"{name}: absent_params names {param!r}, not a parameter"
        assert signature[param].default != value, f"{name}: {param}={value!r} is already the default"


def test_recorded_params_fill_only_what_a_record_lacks() -> None:
    cls = get_strategy("gp-bo")
    assert recorded_params(cls, {"xi": 0.0})["update"] == "refit"
    assert recorded_params(cls, {"update": "incremental"})["update"] == "incremental"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n in STRATEGIES.names() if get_strategy(n).absent_params))
def test_a_published_run_without_the_parameter_replays_exactly(name: str) -> None:
    rec = _first_run(name)
    absent = get_strategy(name).absent_params
    assert not set(absent) & set(rec["strategy"]["params"])
    _, line = run_task(task_for(rec, "nb201-digits"))
    again = json.loads(line)
    assert {p: again["strategy"]["params"][p] for p in absent} == absent
    assert again["trajectory_sha256"] == rec["trajectory_sha256"]
