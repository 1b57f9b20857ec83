"""Latency settings, timing and the resumable sweep into a cost file."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.catalog import open_benchmark
from nasbench_suite.numerics import current_fingerprint
from nasbench_suite.store import write_store
from nasbench_suite.store.costs import read_cost_file
from nasbench_suite.testing.tables import make_small_data
from nasbench_suite.training.latency import LatencySetting, parse_settings, time_forward
from nasbench_suite.training.latency_sweep import (
    LatencyNetwork,
    LatencyResumeError,
    distinct_networks,
    measure_latency_columns,
)

NET = LatencyNetwork(dataset="digits", skeleton="light", channels=4, cells=1)


@pytest.mark.parametrize(
    ("text", "batch", "threads", "device", "column"),
    [("b1-t1", 1, 1, "cpu", "latency_b1_t1"), ("b64-tall", 64, None, "cpu", "latency_b64_tall"),
     ("b8-t4", 8, 4, "cpu", "latency_b8_t4"), ("b64-cuda", 64, None, "cuda", "latency_b64_cuda"),
     ("b2-cuda:1", 2, None, "cuda:1", "latency_b2_cuda_1")],
)  # fmt: skip
def test_settings_parse_and_name_their_column(text, batch, threads, device, column):
    s = LatencySetting.parse(text)
    assert (s.batch, s.threads, s.device, s.column, s.name) == (batch, threads, device, column, text)


@pytest.mark.parametrize("text", ["b0-t1", "b1-t0", "b1", "t1", "b1-tmany", "b1-xpu", "", "b1-t1,b1-t1"])
def test_bad_settings_are_refused_by_name(text):
    with pytest.raises(ValueError, match="latency setting|twice|at least one"):
        parse_settings(text)


def test_all_threads_resolve_to_the_cores_this_process_may_use():
    import os

    assert LatencySetting.parse("b64-tall").resolved_threads() == len(os.sched_getaffinity(0))


def test_time_forward_counts_repeats_after_warmup():
    import torch

    calls = []
    net = torch.nn.Module()
    net.forward = lambda x: calls.append(1) or x  # type: ignore[method-assign]
    times = time_forward(net, torch.zeros(1), repeats=4, warmup=2)
    assert len(calls) == 6 and times.shape == (4,) and np.all(times >= 0)


@pytest.fixture
def table(tmp_path):
    """12 NB201 cells: two isomorphism classes of three members each and six cells of their own."""
    from nasbench_suite.spaces import get_space

    space = get_space("nb201")
    by_key: dict[str, list[str]] = {}
    for i in range(400):
        arch = space.parse(i)
        by_key.setdefault(arch.canonical_key(), []).append(arch.to_string())
    shared = [m[:3] for m in by_key.values() if len(m) >= 3][:2]
    alone = [m[0] for m in by_key.values() if len(m) == 1][:6]
    data = make_small_data(n_arch=12)
    data.archs = [a for group in shared for a in group] + alone
    path = tmp_path / "small.h5"
    write_store(path, data)
    return open_benchmark(path)


def test_every_row_gets_its_networks_numbers_and_the_setting_is_recorded(table, tmp_path):
    out = tmp_path / "lat.h5"
    result = measure_latency_columns(table, out, parse_settings("b1-t1,b4-t1"), network=NET, repeats=3, warmup=1)
    data = read_cost_file(out)
    assert data.checksum == result.checksum and data.base_checksum == table.checksum and data.archs == table.archs
    groups = distinct_networks(table.full_space, table.archs)
    assert sorted(map(len, groups)) == [1] * 6 + [3, 3]
    for key in ("latency_b1_t1", "latency_b4_t1"):
        col = data.columns[key]
        assert np.all(np.isfinite(col.values)) and col.samples.shape == (12, 3)
        np.testing.assert_array_equal(col.values, np.median(col.samples, axis=1))
        for rows in groups:  # members share their class's measurement
            assert np.all(col.samples[rows] == col.samples[rows[0]])
    setting = data.columns["latency_b4_t1"].setting
    assert setting["batch"] == 4 and setting["threads"] == 1 and setting["input_shape"] == [4, 1, 8, 8]
    assert setting["fingerprint_digest"] == current_fingerprint(device="cpu", threads=1).digest()
    assert data.provenance["complete"] and data.provenance["networks"] == len(groups)


def test_a_partial_run_is_continued_and_only_the_rest_is_timed(table, tmp_path):
    out = tmp_path / "lat.h5"
    settings = parse_settings("b1-t1")
    first = measure_latency_columns(table, out, settings, network=NET, repeats=2, warmup=0, limit=2)
    assert not first.provenance["complete"]
    before = first.columns["latency_b1_t1"].samples.copy()
    measured = np.isfinite(before[:, 0])
    seen = []
    result = measure_latency_columns(table, out, settings, network=NET, repeats=2, warmup=0,
                                     progress=lambda done, total: seen.append((done, total)))
    after = result.columns["latency_b1_t1"].samples
    assert result.provenance["complete"] and np.array_equal(after[measured], before[measured])
    total = len(distinct_networks(table.full_space, table.archs))
    assert seen[0] == (3, total) and seen[-1] == (total, total)


def test_resuming_with_another_setup_is_refused(table, tmp_path):
    out = tmp_path / "lat.h5"
    measure_latency_columns(table, out, parse_settings("b1-t1"), network=NET, repeats=2, warmup=0, limit=1)
    with pytest.raises(LatencyResumeError, match="repeats"):
        measure_latency_columns(table, out, parse_settings("b1-t1"), network=NET, repeats=3, warmup=0)
    with pytest.raises(LatencyResumeError, match="no column"):
        measure_latency_columns(table, out, parse_settings("b2-t1"), network=NET, repeats=2, warmup=0)
    measure_latency_columns(table, out, parse_settings("b2-t1"), network=NET, repeats=2, warmup=0, fresh=True, limit=1)
    assert list(read_cost_file(out).columns) == ["latency_b2_t1"]


def test_network_comes_from_the_protocol_or_is_asked_for():
    assert LatencyNetwork.from_protocol({"dataset": "d", "skeleton": "light", "channels": 8, "cells": 1}).channels == 8
    with pytest.raises(ValueError, match="--channels --skeleton"):
        LatencyNetwork.from_protocol({"dataset": "d", "cells": 1})


def test_the_command_writes_a_cost_file_and_continues_it(table, tmp_path, capsys):
    from nasbench_suite.cli import main

    out = tmp_path / "lat.h5"
    argv = ["latency", "--benchmark", str(table.path), "--skeleton", "light", "--channels", "4", "--cells", "1",
            "--train-dataset", "digits", "--settings", "b1-t1,b2-t1", "--repeats", "2", "--warmup", "0",
            "--out", str(out), "--no-progress"]
    assert main([*argv, "--limit", "1"]) == 0
    assert not read_cost_file(out).provenance["complete"]
    assert main(argv) == 0
    data = read_cost_file(out)
    assert data.provenance["complete"] and sorted(data.columns) == ["latency_b1_t1", "latency_b2_t1"]
    assert "12/12" in capsys.readouterr().out
