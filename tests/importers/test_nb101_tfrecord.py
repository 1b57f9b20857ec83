"""NAS-Bench-101 TFRecord importer, on small files written here in the official format."""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.errors import ImportFormatError
from nasbench_suite.importers import IMPORTERS
from nasbench_suite.importers._wire import crc32c, crc32c_many, decode_message, masked
from nasbench_suite.importers.nb101_tfrecord import METRICS, read_nb101_tfrecord
from nasbench_suite.spaces.nb101 import Architecture, NB101Space

OFFICIAL_ROW = (
    "00005c142e6f48ac74fdcf73e3439874",
    "0100110001000000010010000010000001000000010000000",
    "input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output",
)
BUDGETS = (4, 12, 36, 108)


# ------------------------------------------------------------------ an independent encoder
def _crc32c_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def _mask(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        bits, value = value & 0x7F, value >> 7
        out.append(bits | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    return _varint(number << 3 | wire) + payload


def _double(number: int, value: float) -> bytes:
    return _field(number, 1, struct.pack("<d", value))


def _bytes(number: int, value: bytes) -> bytes:
    return _field(number, 2, _varint(len(value)) + value)


def model_metrics(evaluations: list[dict[str, float]], params: int, total_time: float) -> bytes:
    """A ModelMetrics protobuf (nasbench/lib/model_metrics.proto)."""
    out = b""
    for ev in evaluations:
        msg = (
            _double(1, ev["epoch"])
            + _double(2, ev["time"])
            + _double(3, ev["train"])
            + _double(4, ev["valid"])
            + _double(5, ev["test"])
            + _bytes(6, b"/tmp/model.ckpt-1234")
        )
        out += _bytes(1, msg)
    return out + _field(2, 0, _varint(params)) + _double(3, total_time)


def frame(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", _mask(_crc32c_bitwise(length))) + data + struct.pack("<I", _mask(_crc32c_bitwise(data)))


def row(module_hash: str, epochs: int, adjacency: str, ops: str, metrics: bytes) -> bytes:
    return json.dumps([module_hash, epochs, adjacency, ops, base64.b64encode(metrics).decode()]).encode()


def row_of(cell: tuple[str, str, str]) -> str:
    """The store row string of a (hash, adjacency, ops) cell: its canonical representative."""
    return Architecture.from_string(f"{cell[1]}|{cell[2]}").canonical().to_string()


def _runs(seed: int) -> dict:
    """(cell, budget, repeat) -> values, for the official cell and two sampled ones."""
    rng = np.random.default_rng(seed)
    space = NB101Space()
    cells = [OFFICIAL_ROW]
    for _ in range(2):
        a = space.sample(rng)
        bits = "".join(str(x) for r in a.matrix for x in r)
        cells.append((a.hash, bits, ",".join(a.ops)))
    runs = {}
    for c in range(len(cells)):
        params = int(rng.integers(200_000, 30_000_000))
        for budget in BUDGETS:
            for rep in range(3):
                accs = rng.uniform(0.1, 1.0, size=(3, 3))
                t = float(budget * rng.uniform(9.0, 11.0))
                evaluations = [
                    {"epoch": e, "time": t * e / budget, "train": a[0], "valid": a[1], "test": a[2]}
                    for e, a in zip((0.0, budget / 2, float(budget)), accs.tolist())
                ]
                runs[(c, budget, rep)] = (cells[c], params, evaluations)
    return runs


def write_file(path: Path, runs: dict, order: list | None = None) -> list[int]:
    """Write the runs as TFRecords (in ``order``); return each record's byte offset."""
    offsets, blob = [], b""
    for key in order or list(runs):
        (module_hash, bits, ops), params, evaluations = runs[key]
        offsets.append(len(blob))
        blob += frame(row(module_hash, key[1], bits, ops, model_metrics(evaluations, params, 1.5 * key[1])))
    path.write_bytes(blob)
    return offsets


@pytest.fixture()
def full_file(tmp_path: Path) -> tuple[Path, dict, list, list[int]]:
    runs = _runs(0)
    # interleave cells and budgets; the repeats of a (cell, budget) keep their relative order
    order = sorted(runs, key=lambda k: (k[2], (k[0] * 7 + BUDGETS.index(k[1]) * 3) % 5, k[0], k[1]))
    path = tmp_path / "nasbench_full.tfrecord"
    offsets = write_file(path, runs, order)
    return path, runs, order, offsets


# ------------------------------------------------------------------ the wire layer
def test_crc32c_against_the_standard_check_value_and_a_bitwise_reference() -> None:
    assert crc32c(b"123456789") == 0xE3069283 == _crc32c_bitwise(b"123456789")
    rng = np.random.default_rng(0)
    bufs = [rng.integers(0, 256, size=n, dtype=np.uint8).tobytes() for n in [0, 1, 2, 3, 4, 5, 63, 200, 1000]]
    assert [int(c) for c in crc32c_many(bufs)] == [_crc32c_bitwise(b) for b in bufs]
    assert [masked(crc32c(b)) for b in bufs] == [_mask(_crc32c_bitwise(b)) for b in bufs]


def test_protobuf_decoder_reads_every_wire_type() -> None:
    msg = _field(1, 0, _varint(300)) + _double(2, 0.25) + _bytes(3, b"abc") + _field(4, 5, b"\x01\x02\x03\x04") + _double(2, 1.5)
    fields = decode_message(msg)
    assert fields == {1: [300], 2: [struct.pack("<d", 0.25), struct.pack("<d", 1.5)], 3: [b"abc"], 4: [b"\x01\x02\x03\x04"]}


# ------------------------------------------------------------------ reading
def test_reads_every_budget_and_repeat_exactly(full_file: tuple) -> None:
    path, runs, order, _ = full_file
    data = read_nb101_tfrecord(path)
    assert data.search_space == "nb101" and list(data.datasets) == ["cifar10"]
    table = data.datasets["cifar10"]
    assert table.epochs.tolist() == list(BUDGETS)
    assert table.seeds.tolist() == [0, 1, 2]
    assert table.metrics == METRICS
    assert len(data.archs) == 3
    assert data.archs.index(row_of(OFFICIAL_ROW)) == 0  # rows in order of first appearance
    m = {name: i for i, name in enumerate(METRICS)}
    for (c, budget, rep), (cell, params, evaluations) in runs.items():
        r = data.archs.index(row_of(cell))
        e = BUDGETS.index(budget)
        final = evaluations[2]
        assert table.curves[r, rep, e, m["train_acc"]] == final["train"] * 100
        assert table.curves[r, rep, e, m["valid_acc"]] == final["valid"] * 100
        assert table.curves[r, rep, e, m["test_acc"]] == final["test"] * 100
        assert table.curves[r, rep, e, m["train_time_total"]] == final["time"]
        assert table.costs[r, 0] == params
    # train_time: per seed, the increments that sum to each run's total
    cum = np.cumsum(table.curves[..., m["train_time"]], axis=2)
    np.testing.assert_allclose(cum, table.curves[..., m["train_time_total"]], rtol=1e-12)
    assert not np.isnan(table.curves).any()
    assert table.cost_names == ("params",)
    assert data.provenance["sources"][0]["records"] == len(runs)


def test_repeats_become_seeds_in_file_order(tmp_path: Path) -> None:
    runs = _runs(1)
    keys = [k for k in runs if k[0] == 0 and k[1] == 108]
    path = tmp_path / "nasbench_only108.tfrecord"
    write_file(path, runs, list(reversed(keys)))  # repeat 2 first
    table = read_nb101_tfrecord(path).datasets["cifar10"]
    assert table.epochs.tolist() == [108]
    valid = METRICS.index("valid_acc")
    assert [table.curves[0, s, 0, valid] for s in range(3)] == [runs[k][2][2]["valid"] * 100 for k in reversed(keys)]
    # with one budget, train_time is the whole run
    assert table.curves[0, 0, 0, METRICS.index("train_time")] == runs[keys[-1]][2][2]["time"]


# ------------------------------------------------------------------ corruption
def _reject(path: Path, pattern: str) -> None:
    with pytest.raises(ImportFormatError, match=pattern):
        read_nb101_tfrecord(path)


def test_flipped_data_byte_names_the_record(full_file: tuple) -> None:
    path, _, _, offsets = full_file
    blob = bytearray(path.read_bytes())
    blob[offsets[7] + 12 + 20] ^= 0x01
    path.write_bytes(bytes(blob))
    _reject(path, rf"byte offset {offsets[7]}: data CRC mismatch")


def test_corrupted_length_names_the_record(full_file: tuple) -> None:
    path, _, _, offsets = full_file
    blob = bytearray(path.read_bytes())
    blob[offsets[5] + 1] ^= 0x04  # a few hundred bytes longer: still inside the file
    path.write_bytes(bytes(blob))
    _reject(path, rf"byte offset {offsets[5]}: length field CRC mismatch")
    blob[offsets[5] + 1] ^= 0x04
    blob[offsets[5] + 6] ^= 0x10  # far beyond the end of the file
    path.write_bytes(bytes(blob))
    _reject(path, rf"byte offset {offsets[5]}: length field CRC mismatch")


def test_flipped_crc_byte_is_caught(full_file: tuple) -> None:
    path, _, _, offsets = full_file
    blob = bytearray(path.read_bytes())
    end = offsets[3]  # the data CRC of record 2 sits just before record 3
    blob[end - 1] ^= 0x80
    path.write_bytes(bytes(blob))
    _reject(path, rf"byte offset {offsets[2]}: data CRC mismatch")


@pytest.mark.parametrize("cut", [1, 5, 100])
def test_truncated_file_names_the_last_record(full_file: tuple, cut: int) -> None:
    path, _, _, offsets = full_file
    blob = path.read_bytes()
    path.write_bytes(blob[:-cut])
    _reject(path, rf"byte offset {offsets[-1]}: truncated record")


def test_truncated_header(full_file: tuple) -> None:
    path, _, _, _ = full_file
    blob = path.read_bytes()
    path.write_bytes(blob + b"\x00" * 5)
    _reject(path, rf"byte offset {len(blob)}: truncated record header")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.tfrecord"
    path.write_bytes(b"")
    _reject(path, "is empty")


def _single(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "one.tfrecord"
    good = frame(row(OFFICIAL_ROW[0], 108, OFFICIAL_ROW[1], OFFICIAL_ROW[2], model_metrics(_runs(0)[(0, 108, 0)][2], 5, 1.0)))
    path.write_bytes(good + frame(data))
    return path


@pytest.mark.parametrize(
    "payload, pattern",
    [
        (b"{not json", "not a JSON row"),
        (b'["a", 4, "01"]', "expected \\[module_hash, epochs"),
        (json.dumps([OFFICIAL_ROW[0], 108, OFFICIAL_ROW[1], OFFICIAL_ROW[2], "@@@"]).encode(), "not valid base64"),
        (row(OFFICIAL_ROW[0], 108, OFFICIAL_ROW[1], OFFICIAL_ROW[2], b"\x0a\x50\x09"), "not a ModelMetrics protobuf"),
        (row(OFFICIAL_ROW[0], 108, OFFICIAL_ROW[1], OFFICIAL_ROW[2], model_metrics([], 5, 1.0)), "expected 3 evaluations"),
        (row("0" * 32, 108, OFFICIAL_ROW[1], OFFICIAL_ROW[2], model_metrics(_runs(0)[(0, 108, 0)][2], 5, 1.0)), "does not match"),
        (row("0" * 32, 108, "0110", "input,output", model_metrics(_runs(0)[(0, 108, 0)][2], 5, 1.0)), "invalid cell"),
    ],
)
def test_malformed_rows_name_the_record(tmp_path: Path, payload: bytes, pattern: str) -> None:
    path = _single(tmp_path, payload)
    second = len(path.read_bytes()) - len(frame(payload))
    _reject(path, rf"byte offset {second}: .*{pattern}")


def test_hash_check_can_be_skipped(tmp_path: Path) -> None:
    runs = _runs(0)
    (h, bits, ops), params, evaluations = runs[(0, 108, 0)]
    path = tmp_path / "x.tfrecord"
    path.write_bytes(frame(row("f" * 32, 108, bits, ops, model_metrics(evaluations, params, 1.0))))
    _reject(path, re.escape(f"module_hash {'f' * 32} does not match"))
    data = read_nb101_tfrecord(path, verify_hashes=False)
    assert data.archs == [row_of((h, bits, ops))]


# ------------------------------------------------------------------ command line
def test_cli_import_writes_a_queryable_store(full_file: tuple, tmp_path: Path) -> None:
    from nasbench_suite import open_benchmark
    from nasbench_suite.cli import main

    assert "nb101-tfrecord" in IMPORTERS
    path, runs, _, _ = full_file
    out = tmp_path / "nb101.h5"
    assert main(["import", "nb101-tfrecord", str(path), "--out", str(out)]) == 0
    bench = open_benchmark(out)
    cell = row_of(OFFICIAL_ROW)
    result = bench.query(cell, "cifar10", epoch=36, seed=1)
    assert result.valid_acc == runs[(0, 36, 1)][2][2]["valid"] * 100
    assert bench.cost(cell, "cifar10", "params") == runs[(0, 36, 1)][1]
    assert bench.epochs("cifar10") == BUDGETS and bench.seeds("cifar10") == (0, 1, 2)
