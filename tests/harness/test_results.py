"""Results records: self-describing, rounded, hashed and byte-reproducible."""

from __future__ import annotations

import json
import math

import pytest

from nasbench_suite.harness import Budget, run_search, trajectory_hash
from nasbench_suite.harness.results import FORMAT, ResultsFormatError, dumps, read_lines, rounded


def test_record_describes_the_run(synthetic) -> None:
    rec = run_search(synthetic, "synth", "re", seed=4, budget=Budget.evals(40), workers=2)
    for key in ("format", "format_version", "suite_version", "benchmark", "dataset", "epoch", "strategy", "seed",
                "budget", "workers", "selection_metric", "test_metric", "clock_unit", "optimum", "warnings", "status",
                "trajectory", "trajectory_sha256", "final"):
        assert key in rec, key
    assert rec["format"] == FORMAT
    assert rec["benchmark"] == {"name": "synthetic-nb201", "checksum": synthetic.checksum, "search_space": "nb201"}
    assert rec["strategy"] == {"name": "re", "params": {"population_size": 30, "sample_size": 10}}
    assert rec["budget"] == {"kind": "evals", "value": 40} and rec["workers"] == 2
    assert rec["selection_metric"] == "valid_acc" and rec["clock_unit"] == "seconds"
    traj = rec["trajectory"]
    assert set(traj) == {"eval", "time", "arch", "epoch", "valid", "test", "cost", "incumbent", "incumbent_test"}
    assert all(len(v) == 40 for v in traj.values()) and traj["eval"] == list(range(1, 41))
    assert rec["trajectory_sha256"] == trajectory_hash(traj)
    final = rec["final"]
    assert final["test"] == traj["incumbent_test"][-1]
    assert final["regret"] == pytest.approx(rec["optimum"]["value"] - final["test"])


def test_same_inputs_same_bytes(synthetic) -> None:
    a = dumps(run_search(synthetic, "synth", "ls", seed=1, budget=Budget.evals(60), workers=3))
    b = dumps(run_search(synthetic, "synth", "ls", seed=1, budget=Budget.evals(60), workers=3))
    c = dumps(run_search(synthetic, "synth", "ls", seed=2, budget=Budget.evals(60), workers=3))
    assert a == b != c
    assert ", " not in a and '": ' not in a  # compact separators
    assert json.loads(a)["trajectory_sha256"] != json.loads(c)["trajectory_sha256"]


def test_rounding_and_nan() -> None:
    assert rounded(1 / 3) == 0.333333333333
    assert rounded([math.nan, math.inf, 2.0, "x", 3]) == [None, None, 2.0, "x", 3]
    assert dumps({"b": 1, "a": [0.5]}) == '{"a":[0.5],"b":1}'
    with pytest.raises(ValueError):
        dumps({"a": math.nan})


def test_failed_construction_is_recorded(synthetic) -> None:
    rec = run_search(synthetic, "synth", "re", seed=0, budget=Budget.evals(5), params={"population_size": 0})
    assert rec["status"] == "failed" and "population_size must be >= 1" in rec["error"]
    assert rec["strategy"]["params"] == {"population_size": 0} and rec["trajectory"]["eval"] == []


def test_truncated_last_line_is_dropped(tmp_path, synthetic) -> None:
    line = dumps(run_search(synthetic, "synth", "rs", seed=0, budget=Budget.evals(5)))
    path = tmp_path / "r.jsonl"
    path.write_text(line + "\n" + line[:50])
    assert read_lines(path) == [line]
    with pytest.raises(ResultsFormatError):
        read_lines(path, tolerate_truncation=False)
    path.write_text('{"format": "other"}\n')
    with pytest.raises(ResultsFormatError, match="not a nasbench-suite/results record"):
        read_lines(path)
