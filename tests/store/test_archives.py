"""Every frozen store file of an earlier format version still reads, value for value."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs

ARCHIVES = sorted((Path(__file__).parent.parent / "data" / "archives").glob("store-v*.h5"))


def test_there_is_an_archive_per_version() -> None:
    from nasbench_suite.store import FORMAT_VERSION

    versions = {int(p.stem.split("-v")[1]) for p in ARCHIVES}
    assert versions == set(range(1, FORMAT_VERSION + 1))


@pytest.mark.parametrize("path", ARCHIVES, ids=lambda p: p.name)
def test_archive_reads_back_exactly(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text())
    bench = nbs.open_benchmark(path, verify=True)
    assert bench.checksum == expected["checksum"]
    assert bench.archs == expected["archs"]
    ds = bench.datasets[0]
    assert list(bench.epochs(ds)) == expected["epochs"] and list(bench.seeds(ds)) == expected["seeds"]
    assert list(bench.metric_names(ds)) == expected["metrics"]
    want = np.array(expected["curves"], dtype=float)
    np.testing.assert_array_equal(bench.curves(ds), want)  # NaN == NaN here
    costs = bench.costs(ds)
    assert list(costs) == expected["cost_names"]
    np.testing.assert_array_equal(np.column_stack(list(costs.values())), expected["costs"])
    np.testing.assert_array_equal(bench.columns(ds)["zc/synflow"], expected["columns"]["zc/synflow"])
    assert np.isnan(bench.query(expected["archs"][0], ds, epoch=3, seed=1).test_loss)
