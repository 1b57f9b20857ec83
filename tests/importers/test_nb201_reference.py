"""The NB201 reference importer reads back every CSV value and finds the published optima."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.errors import ImportFormatError
from nasbench_suite.importers.nb201_reference import read_nb201_reference


def _column(path: Path, column: str, index_col: str) -> np.ndarray:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = np.empty(len(rows))
    for row in rows:
        out[int(row[index_col])] = float(row[column])
    return out


def test_every_value_reads_back(nb201_reference_store: Path, reference_dir: Path) -> None:
    bench = nbs.open_benchmark(nb201_reference_store, verify=True)
    nats = reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv"
    mini = reference_dir / "nb201_mini12" / "mini-bench-arch-cell-accs.cifar.csv"
    for ds, col in (("cifar10", "CIFAR10TestAccuracy200Epochs"), ("cifar100", "CIFAR100TestAccuracy200Epochs")):
        np.testing.assert_array_equal(bench.query_many(None, ds, metric="test_acc", epoch=200), _column(nats, col, "arch_index"))
        np.testing.assert_array_equal(bench.query_many(None, ds, metric="valid_acc", epoch=12), _column(mini, f"{ds}-val", "arch"))
        np.testing.assert_array_equal(bench.query_many(None, ds, metric="test_acc", epoch=12), _column(mini, f"{ds}-test", "arch"))
        assert np.isnan(bench.query_many(None, ds, metric="valid_acc", epoch=200)).all()


def test_published_optima(nb201_reference_store: Path) -> None:
    bench = nbs.open_benchmark(nb201_reference_store)
    arch, value = bench.optimum("cifar10", metric="test_acc", epoch=200)
    assert round(value, 2) == 94.37 and arch.index == 6111
    arch, value = bench.optimum("cifar100", metric="test_acc", epoch=200)
    assert round(value, 2) == 73.51 and arch.index == 9930
    assert bench.row_order == "index"
    assert bench.seeds("cifar10") == (-1,)


def test_bad_csvs_are_reported(tmp_path: Path, reference_dir: Path) -> None:
    nats = reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv"
    mini = reference_dir / "nb201_mini12" / "mini-bench-arch-cell-accs.cifar.csv"
    lines = nats.read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(ImportFormatError, match="15624 rows, expected one per NB201 architecture"):
        read_nb201_reference(bad, mini)
    fields = lines[5].split(",")
    fields[-1] = "abc"
    bad.write_text("\n".join([*lines[:5], ",".join(fields), *lines[6:]]) + "\n")
    with pytest.raises(ImportFormatError, match="line 6, column 'CIFAR100TestAccuracy200Epochs': 'abc' is not a number"):
        read_nb201_reference(bad, mini)
    relabelled = lines[:]
    relabelled[1] = "1" + lines[1][1:]  # row of index 0 claims index 1
    bad.write_text("\n".join(relabelled) + "\n")
    with pytest.raises(ImportFormatError, match="line 2: index 1 holds"):
        read_nb201_reference(bad, mini)
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="lacks columns"):
        read_nb201_reference(bad, mini)
