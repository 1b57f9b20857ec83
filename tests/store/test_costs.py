"""Measured-cost files: round trip, damage, attachment to their table and names in the catalog."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from nasbench_suite.catalog import list_benchmarks, load, open_benchmark, resolve
from nasbench_suite.errors import ChecksumMismatchError, StoreFormatError, UnknownNameError
from nasbench_suite.store import write_store
from nasbench_suite.store.costs import CostColumn, CostFile, read_cost_file, write_cost_file
from nasbench_suite.store.overlay import CostFileMismatchError, TableWithCosts, cost_file_path
from nasbench_suite.testing.tables import make_small_data


@pytest.fixture
def table_path(tmp_path):
    path = tmp_path / "small.h5"
    write_store(path, make_small_data(n_arch=6))
    return path


def _cost_file(table, *, name="latency", key="latency_b1_t1", scale=1e-3):
    n = len(table.archs)
    samples = scale * (1 + np.arange(n * 3, dtype=float).reshape(n, 3))
    return CostFile(name=name, base_name=table.name, base_checksum=table.checksum, search_space=table.space_name,
                    dataset="toy", archs=list(table.archs),
                    columns={key: CostColumn(np.median(samples, axis=1), samples, {"batch": 1, "threads": 1})})


def test_round_trip_keeps_every_value_and_the_checksum(table_path, tmp_path):
    table = open_benchmark(table_path)
    data = _cost_file(table)
    checksum = write_cost_file(tmp_path / "c.h5", data)
    back = read_cost_file(tmp_path / "c.h5")
    assert back.checksum == checksum and back.archs == data.archs and back.base_checksum == table.checksum
    np.testing.assert_array_equal(back.columns["latency_b1_t1"].samples, data.columns["latency_b1_t1"].samples)
    assert back.columns["latency_b1_t1"].setting == {"batch": 1, "threads": 1}


def test_an_edited_value_or_an_impossible_one_is_refused(table_path, tmp_path):
    table = open_benchmark(table_path)
    path = tmp_path / "c.h5"
    write_cost_file(path, _cost_file(table))
    with h5py.File(path, "r+") as f:
        f["costs/latency_b1_t1"][0] = 5.0
    with pytest.raises(ChecksumMismatchError):
        read_cost_file(path)
    with pytest.raises(ValueError, match="impossible"):
        write_cost_file(path, _cost_file(table, scale=-1.0))
    path.write_bytes(b"garbage")
    with pytest.raises(StoreFormatError):
        read_cost_file(path)


def test_attached_columns_join_the_tables_costs_and_its_identity_stays(table_path):
    table = open_benchmark(table_path)
    bench = TableWithCosts(table, [_cost_file(table)])
    assert bench.name == "small+latency" and bench.checksum == table.checksum and bench.path == table.path
    costs = bench.costs("toy")
    assert set(costs) == {"params", "flops", "latency", "latency_b1_t1"}
    assert bench.cost(2, "toy", "latency_b1_t1") == costs["latency_b1_t1"][2]
    assert bench.cost(2, "toy", "params") == table.cost(2, "toy", "params")
    assert bench.query(2, "toy") == table.query(2, "toy")
    assert bench.cost_setting("toy", "latency_b1_t1") == {"batch": 1, "threads": 1}
    with pytest.raises(UnknownNameError, match="latency_b1_t1"):
        bench.cost(0, "toy", "nope")


def test_a_cost_file_of_another_table_or_a_clashing_column_is_refused(table_path, tmp_path):
    table = open_benchmark(table_path)
    other = _cost_file(table)
    other.base_checksum = "sha256:" + "0" * 64
    with pytest.raises(CostFileMismatchError, match="content digest"):
        TableWithCosts(table, [other])
    with pytest.raises(CostFileMismatchError, match="already held"):
        TableWithCosts(table, [_cost_file(table, key="latency")])


def test_catalog_opens_table_plus_cost_file_by_name_and_path(table_path, monkeypatch):
    table = open_benchmark(table_path)
    target = cost_file_path(table_path, "latency")
    target.parent.mkdir()
    write_cost_file(target, _cost_file(table))
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(table_path.parent))
    assert "small+latency" in list_benchmarks()
    assert "latency_b1_t1" in load("small+latency").costs("toy")
    assert resolve(f"{table_path}+latency").cost_files == {"latency": read_cost_file(target).checksum}
    with pytest.raises(UnknownNameError, match="cost file"):
        load("small+nope")


def test_results_name_the_cost_files_and_verify_compares_them(table_path, monkeypatch, tmp_path):
    from nasbench_suite.harness import Budget, run_search
    from nasbench_suite.harness.results import dumps
    from nasbench_suite.leaderboard.verify import verify_results

    table = open_benchmark(table_path)
    target = cost_file_path(table_path, "latency")
    target.parent.mkdir()
    write_cost_file(target, _cost_file(table))
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(table_path.parent))
    bench = load("small+latency")
    rec = run_search(bench, "toy", "rs", seed=0, budget=Budget.evals(3))
    assert rec["benchmark"]["name"] == "small+latency" and rec["benchmark"]["checksum"] == table.checksum
    assert rec["benchmark"]["cost_files"] == bench.cost_files
    assert "cost_files" not in run_search(table, "toy", "rs", seed=0, budget=Budget.evals(3))["benchmark"]
    results = tmp_path / "r.jsonl"
    results.write_text(dumps(rec) + "\n")
    assert verify_results(results, jobs=1).ok
    write_cost_file(target, _cost_file(table, scale=2e-3))  # the file changed after the run
    from nasbench_suite.harness import runner

    runner._BENCHMARKS.clear()
    runner._LOOKUPS.clear()
    report = verify_results(results, jobs=1)
    assert not report.ok and any("measured-cost files differ" in p for p in report.file_problems)
