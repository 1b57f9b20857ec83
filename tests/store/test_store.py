"""Writer and reader: round trips, atomic writes, and every kind of bad file or query."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.benchmark import METRICS
from nasbench_suite.errors import (
    ChecksumMismatchError,
    InvalidArchitectureError,
    NotMeasuredError,
    StoreFormatError,
    UnknownNameError,
    UnsupportedVersionError,
)
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.store import write_store
from nasbench_suite.testing.tables import make_small_data


def test_round_trip_every_value(small_store: Path) -> None:
    data = make_small_data()
    table = data.datasets["toy"]
    bench = nbs.open_benchmark(small_store, verify=True)
    assert bench.datasets == ("toy",)
    assert bench.epochs("toy") == (1, 2, 3, 4)
    assert bench.seeds("toy") == (0, 1)
    assert bench.row_order == "listed"
    np.testing.assert_array_equal(bench.curves("toy"), table.curves)
    for row, arch in enumerate(data.archs):
        for s, seed in enumerate((0, 1)):
            r = bench.query(arch, "toy", epoch=3, seed=seed)
            assert [getattr(r, m) for m in METRICS] == table.curves[row, s, 2].tolist()
        mean = bench.query(Architecture.from_string(arch), "toy")
        np.testing.assert_allclose([getattr(mean, m) for m in METRICS], table.curves[row, :, -1].mean(axis=0))
        assert bench.cost(arch, "toy", "flops") == table.costs[row, 1]
    np.testing.assert_array_equal(bench.columns("toy")["zc/synflow"], table.columns["zc/synflow"])
    many = bench.query_many(data.archs[::-1], "toy", metric="valid_acc", epoch=2, seed=1)
    np.testing.assert_array_equal(many, table.curves[::-1, 1, 1, METRICS.index("valid_acc")])


def test_query_by_index_on_listed_table(small_store: Path) -> None:
    bench = nbs.open_benchmark(small_store)
    assert bench.query(5, "toy").arch == Architecture.from_index(5).to_string()
    with pytest.raises(NotMeasuredError, match="not in table 'small'"):
        bench.query(15000, "toy")


def test_optimum(small_store: Path) -> None:
    bench = nbs.open_benchmark(small_store)
    values = bench.query_many(None, "toy", metric="test_acc")
    arch, value = bench.optimum("toy", metric="test_acc")
    assert value == values.max() and arch.to_string() == bench.archs[int(values.argmax())]
    _, low = bench.optimum("toy", metric="train_loss")
    assert low == bench.query_many(None, "toy", metric="train_loss").min()


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda b: b.query(0, "cifar10"), UnknownNameError, "unknown dataset 'cifar10'; valid: 'toy'"),
        (lambda b: b.query(0, "toy", epoch=9), NotMeasuredError, "epoch 9 is not held"),
        (lambda b: b.query(0, "toy", seed=7), NotMeasuredError, "seed 7 is not held"),
        (lambda b: b.query("|x~0|+|none~0|none~1|+|none~0|none~1|none~2|", "toy"), InvalidArchitectureError, "unknown NB201 op 'x'"),
        (lambda b: b.query_many(None, "toy", metric="f1"), UnknownNameError, "unknown metric 'f1'"),
        (lambda b: b.cost(0, "toy", "energy"), UnknownNameError, "unknown cost 'energy'"),
    ],
)
def test_bad_queries_raise_specific_errors(small_store: Path, call, error, fragment) -> None:
    with pytest.raises(error, match=fragment.replace("(", r"\(").replace("|", r"\|")):
        call(nbs.open_benchmark(small_store))


def test_unmeasured_values_are_nan_and_flagged(tmp_path: Path) -> None:
    data = make_small_data()
    data.datasets["toy"].curves[:, :, :, METRICS.index("test_loss")] = np.nan
    write_store(tmp_path / "t.h5", data)
    r = nbs.open_benchmark(tmp_path / "t.h5").query(0, "toy")
    assert not r.measured("test_loss") and r.measured("test_acc")


def test_writer_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nasbench_suite.store.writer as writer

    def boom(_f):  # noqa: ANN001, ANN202
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "content_checksum", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_store(tmp_path / "out.h5", make_small_data())
    assert list(tmp_path.iterdir()) == []


def test_writer_rejects_inconsistent_shapes(tmp_path: Path) -> None:
    data = make_small_data()
    data.datasets["toy"].curves = data.datasets["toy"].curves[:, :, :2]
    with pytest.raises(ValueError, match="curves shape"):
        write_store(tmp_path / "x.h5", data)
    assert not (tmp_path / "x.h5").exists()


def test_not_a_store(tmp_path: Path) -> None:
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(StoreFormatError, match="not a readable HDF5 store"):
        nbs.open_benchmark(text)
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.attrs["format"] = "anndata"
    with pytest.raises(StoreFormatError, match="not a nasbench-suite store"):
        nbs.open_benchmark(other)
    with pytest.raises(FileNotFoundError, match="no store file"):
        nbs.open_benchmark(tmp_path / "missing.h5")


def test_newer_format_version_is_refused(small_store: Path) -> None:
    with h5py.File(small_store, "r+") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(UnsupportedVersionError, match="version 99; this release reads versions up to 1"):
        nbs.open_benchmark(small_store)


def test_truncated_file_is_refused(small_store: Path) -> None:
    raw = small_store.read_bytes()
    small_store.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(StoreFormatError):
        bench = nbs.open_benchmark(small_store)
        bench.curves("toy")


def test_corrupted_chunk_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_small_data(n_arch=50, seeds=(0,), epochs=2)
    data.datasets["toy"].curves[:] = 42.0  # a recognizable byte pattern, compressed to a tiny chunk
    path = tmp_path / "c.h5"
    write_store(path, data)
    with h5py.File(path, "r") as f:
        offset = f["datasets/toy/costs"].id.get_chunk_info(0).byte_offset
    raw = bytearray(path.read_bytes())
    raw[offset + 8] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreFormatError, match="corrupted data in /datasets/toy/costs"):
        nbs.open_benchmark(path)  # a small store: its checksum is recomputed on open
    import nasbench_suite.store.reader as reader

    monkeypatch.setattr(reader, "VERIFY_ON_OPEN_MAX_BYTES", 0)  # as for a large store: caught on read
    bench = nbs.open_benchmark(path)
    with pytest.raises(StoreFormatError, match="corrupted data in /datasets/toy/costs"):
        bench.cost(0, "toy", "params")
    with pytest.raises(StoreFormatError, match="corrupted"):
        bench.verify()


def test_checksum_mismatch(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with h5py.File(small_store, "r+") as f:
        f.attrs["name"] = "renamed"
    with pytest.raises(ChecksumMismatchError, match="does not match the recorded"):
        nbs.open_benchmark(small_store, verify=True)
    with pytest.raises(ChecksumMismatchError, match="does not match the recorded"):
        nbs.open_benchmark(small_store)  # a small store is verified on every open
    import nasbench_suite.store.reader as reader

    monkeypatch.setattr(reader, "VERIFY_ON_OPEN_MAX_BYTES", 0)
    assert nbs.open_benchmark(small_store).name == "renamed"  # a large one only with verify=True


def test_same_data_same_checksum(tmp_path: Path) -> None:
    a = write_store(tmp_path / "a.h5", make_small_data(seed=3))
    b = write_store(tmp_path / "b.h5", make_small_data(seed=3))
    c = write_store(tmp_path / "c.h5", make_small_data(seed=4))
    assert a == b != c
