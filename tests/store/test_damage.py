"""Damaged or edited stores are refused before a value is served: checksum, index, shapes, version, ranges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import pytest

import nasbench_suite as nbs
import nasbench_suite.store.reader as reader
from nasbench_suite.benchmark import METRICS
from nasbench_suite.errors import ChecksumMismatchError, ImpossibleStoredValueError, StoreFormatError
from nasbench_suite.store import content_checksum, write_store
from nasbench_suite.testing.tables import make_small_data


def _edit(path: Path, change: Callable[[h5py.File], None], *, reseal: bool = True) -> None:
    """Apply ``change``; ``reseal`` writes the new content checksum too, as a forger would."""
    with h5py.File(path, "r+") as f:
        change(f)
        if reseal:
            f.attrs["checksum"] = content_checksum(f)


def _set_value(f: h5py.File, value: float, metric: str = "test_acc", index: tuple[int, int, int] = (3, 1, 3)) -> None:
    ds = f["datasets/toy/curves"]
    data = ds[()]
    data[(*index, METRICS.index(metric))] = value
    ds[...] = data


def test_edited_value_with_a_matching_checksum_is_refused_on_read(small_store: Path) -> None:
    _edit(small_store, lambda f: _set_value(f, 209.55))
    bench = nbs.open_benchmark(small_store, verify=True)  # the checksum was forged to match
    with pytest.raises(ImpossibleStoredValueError, match=r"test_acc = 209.55 at architecture .* \(row 3\), seed 1, epoch 4") as info:
        bench.query(3, "toy")
    assert "allowed: [0, 100]" in str(info.value) and "damaged or was edited" in str(info.value)
    for call in (
        lambda b: b.query_many(None, "toy", metric="test_acc"),
        lambda b: b.curves("toy"),
        lambda b: b.curve(bench.archs[3], "toy", metric="test_acc"),
    ):
        with pytest.raises(ImpossibleStoredValueError):
            call(nbs.open_benchmark(small_store))
    nbs.open_benchmark(small_store).query(3, "toy", epoch=1)  # other epochs are intact and served


@pytest.mark.parametrize(
    ("metric", "value"), [("train_loss", -1.0), ("valid_loss", np.inf), ("train_time", -5.0), ("valid_acc", -0.01)]
)
def test_every_range_is_checked_on_read(small_store: Path, metric: str, value: float) -> None:
    _edit(small_store, lambda f: _set_value(f, value, metric))
    with pytest.raises(ImpossibleStoredValueError, match=f"{metric} = "):
        nbs.open_benchmark(small_store).query_many(None, "toy", metric=metric, epoch=4, seed=1)


def test_impossible_cost_and_column_are_refused(small_store: Path) -> None:
    def change(f: h5py.File) -> None:
        costs = f["datasets/toy/costs"][()]
        costs[2, 0] = -3.0
        f["datasets/toy/costs"][...] = costs
        col = f["datasets/toy/columns/zc/synflow"][()]
        col[5] = np.inf
        f["datasets/toy/columns/zc/synflow"][...] = col

    _edit(small_store, change)
    bench = nbs.open_benchmark(small_store)
    with pytest.raises(ImpossibleStoredValueError, match=r"costs holds params = -3.0 at architecture .* \(row 2\)"):
        bench.cost(2, "toy", "params")
    with pytest.raises(ImpossibleStoredValueError, match=r"column 'zc/synflow' holds zc/synflow = inf"):
        bench.columns("toy")


def test_swapped_metric_names_are_caught_by_the_checksum_on_a_small_store(small_store: Path) -> None:
    def swap(f: h5py.File) -> None:
        names = list(f["datasets/toy/metrics"].asstr()[()])
        i, j = names.index("valid_acc"), names.index("test_acc")
        names[i], names[j] = names[j], names[i]
        f["datasets/toy/metrics"][...] = names

    _edit(small_store, swap, reseal=False)
    with pytest.raises(ChecksumMismatchError, match="does not match the recorded"):
        nbs.open_benchmark(small_store)


def test_duplicate_architecture_is_refused_on_open(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dup(f: h5py.File) -> None:
        archs = list(f["archs"].asstr()[()])
        archs[7] = archs[2]
        f["archs"][...] = archs

    _edit(small_store, dup)
    monkeypatch.setattr(reader, "VERIFY_ON_OPEN_MAX_BYTES", 0)  # caught without the checksum too
    with pytest.raises(StoreFormatError, match=r"architecture '.*' is held twice; architectures must be unique"):
        nbs.open_benchmark(small_store)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda f: f["datasets/toy/epochs"].__setitem__(slice(None), [1, 3, 2, 4]), "strictly ascending"),
        (lambda f: f["datasets/toy/seeds"].__setitem__(slice(None), [0, 0]), "seed 0 is held twice"),
        (lambda f: f["datasets/toy/seeds"].__setitem__(slice(None), [-1, 0]), "must stand alone"),
        (lambda f: f["datasets/toy/metrics"].__setitem__(0, "test_acc"), "metric 'test_acc' is held twice"),
        (lambda f: (f["datasets/toy"].__delitem__("costs"), f["datasets/toy"].create_dataset("costs", data=np.zeros((20, 2)))),
         r"costs has shape \(20, 2\), expected \(20, 3\)"),
        (lambda f: (f["datasets/toy/columns/zc"].__delitem__("synflow"),
                    f["datasets/toy/columns/zc"].create_dataset("synflow", data=np.zeros(19))), "column 'zc/synflow'"),
        (lambda f: f.attrs.__setitem__("format_version", 0), "invalid format_version 0"),
        (lambda f: f.attrs.__delitem__("name"), "damaged store"),
    ],
)  # fmt: skip
def test_inconsistent_layout_is_refused_on_open(small_store: Path, change, fragment: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit(small_store, change)
    monkeypatch.setattr(reader, "VERIFY_ON_OPEN_MAX_BYTES", 0)
    with pytest.raises(StoreFormatError, match=fragment):
        nbs.open_benchmark(small_store)


def test_numeric_datasets_carry_fletcher32(tmp_path: Path) -> None:
    path = tmp_path / "s.h5"
    write_store(path, make_small_data())
    with h5py.File(path, "r") as f:
        numeric = []
        f.visititems(lambda n, o: numeric.append(o) if isinstance(o, h5py.Dataset) and o.dtype.kind in "fi" and o.size else None)
        assert numeric and all(ds.fletcher32 for ds in numeric), [ds.name for ds in numeric if not ds.fletcher32]


def test_verify_on_open_threshold(tmp_path: Path) -> None:
    path = tmp_path / "s.h5"
    write_store(path, make_small_data())
    assert path.stat().st_size <= reader.VERIFY_ON_OPEN_MAX_BYTES
