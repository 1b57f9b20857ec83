"""NAS-Bench-101's official TFRecord files, into one store, without TensorFlow.

``nasbench_full.tfrecord`` (budgets 4, 12, 36, 108 epochs) and
``nasbench_only108.tfrecord`` (108 only) hold one record per training run:
a JSON row ``[module_hash, epochs, raw_adjacency, raw_operations,
raw_metrics]`` with ``raw_metrics`` the base64 of a ``ModelMetrics`` protobuf
(``nasbench/lib/model_metrics.proto``). Each cell was trained 3 times per
budget; the k-th record of a (hash, budget) becomes seed k (0, 1, 2).

Every budget is a separate run from scratch with its own cosine schedule. Per
run the store holds the end-of-training accuracies (percent) and
``train_time_total``, the run's training seconds (evaluation excluded).
``train_time`` is the difference between consecutive budgets of the same
seed (the first budget: its total), so summing ``train_time`` over the held
epochs up to E gives the run trained to E. Costs: ``params`` (trainable parameters).
Framing CRCs are verified and every cell's hash is recomputed, so a corrupted
or misread file fails loudly with the record's byte offset.

Rows are keyed by the canonical representative of each cell's isomorphism
class (:meth:`~nasbench_suite.spaces.nb101.Architecture.canonical`), so any
isomorphic or unpruned spec finds its row after canonicalization.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hashlib
import logging
import mmap
import struct
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import ImportFormatError, InvalidArchitectureError
from nasbench_suite.importers._json import load_json
from nasbench_suite.importers._wire import WireFormatError, as_int32, decode_message, iter_tfrecords
from nasbench_suite.spaces.nb101 import Architecture
from nasbench_suite.store.model import BenchmarkData, DatasetTable
from nasbench_suite.store.ranges import check_value

log = logging.getLogger(__name__)

METRICS: tuple[str, ...] = ("train_acc", "valid_acc", "test_acc", "train_time", "train_time_total")
#: the raw per-run values gathered from the file, in this order
_RAW = ("train_accuracy", "validation_accuracy", "test_accuracy", "training_time")
#: the store metric whose range each raw field must respect
_RAW_METRIC = ("train_acc", "valid_acc", "test_acc", "train_time")

SPLITS = {
    "train_acc": "a fixed 10,000-image subset of the CIFAR-10 training images the model trains on",
    "valid_acc": "10,000 CIFAR-10 training images held out from training (NAS-Bench-101's validation set)",
    "test_acc": "the CIFAR-10 test set (10,000 images)",
}


_EVALUATION_FIELDS = ((1, "current_epoch"), (2, "training_time"), (3, "train_accuracy"), (4, "validation_accuracy"), (5, "test_accuracy"))
_unpack_double = struct.Struct("<d").unpack


def _model_metrics(raw: bytes) -> tuple[int, list[dict[str, float]]]:
    """(trainable parameters, per evaluation: its double fields by name) of a ModelMetrics message."""
    fields = decode_message(raw)
    params = fields.get(2)
    if not params:
        raise WireFormatError("ModelMetrics lacks trainable_parameters (field 2)", 0)
    evaluations = []
    for item in fields.get(1, ()):
        if not isinstance(item, bytes):
            raise WireFormatError("ModelMetrics.evaluation_data (field 1) is not a message", 0)
        sub = decode_message(item)
        try:
            evaluations.append({name: _unpack_double(sub[num][-1])[0] for num, name in _EVALUATION_FIELDS if num in sub})
        except (TypeError, struct.error):
            raise WireFormatError("an EvaluationData field that should be a double is not a fixed64", 0) from None
    return as_int32(params[-1]), evaluations


class _Table:
    """Growing arrays: raw values [row, seed, epoch slot, _RAW] and per-row params."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.archs: list[str] = []
        self.slots: dict[int, int] = {}
        self.values = np.full((1024, 3, 4, len(_RAW)), np.nan)
        self.counts = np.zeros((1024, 4), dtype=np.int64)
        self.params = np.full(1024, np.nan)

    def row(self, key: str, arch: str, params: int) -> int:
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = len(self.archs)
            self.archs.append(arch)
            if row == len(self.params):
                self.values = np.concatenate([self.values, np.full_like(self.values, np.nan)])
                self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)])
                self.params = np.concatenate([self.params, np.full_like(self.params, np.nan)])
            self.params[row] = params
        return row

    def put(self, row: int, epochs: int, values: list[float]) -> None:
        slot = self.slots.get(epochs)
        if slot is None:
            slot = self.slots[epochs] = len(self.slots)
            if slot == self.values.shape[2]:
                self.values = np.concatenate([self.values, np.full_like(self.values, np.nan)], axis=2)
                self.counts = np.concatenate([self.counts, np.zeros_like(self.counts)], axis=1)
        seed = self.counts[row, slot]
        if seed == self.values.shape[1]:
            self.values = np.concatenate([self.values, np.full_like(self.values[:, :1], np.nan)], axis=1)
        self.values[row, seed, slot] = values
        self.counts[row, slot] = seed + 1


def read_nb101_tfrecord(
    path: str | Path, *, name: str = "nb101", verify_hashes: bool = True, progress: bool = False
) -> BenchmarkData:
    """Read an official NAS-Bench-101 TFRecord file into a :class:`BenchmarkData`.

    Parameters
    ----------
    path
        ``nasbench_full.tfrecord`` or ``nasbench_only108.tfrecord`` (or any file of that format).
    name
        The benchmark's name in the store.
    verify_hashes
        Recompute each cell's official hash from its matrix and ops and require it to
        equal the record's ``module_hash``.
    progress
        Show a progress bar over the file's bytes.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no TFRecord file at {str(path)!r}")
    size = path.stat().st_size
    if size == 0:
        raise ImportFormatError(f"{str(path)!r} is empty; expected NAS-Bench-101 TFRecord records")
    table = _Table()
    n_records = 0
    param_mismatches = 0
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        sha256 = hashlib.sha256(buf).hexdigest()
        bar = _progress(size, path.name) if progress else None
        # closing() ends the generator (releasing its view of the mapping) before the mapping closes
        with contextlib.closing(iter_tfrecords(buf)) as records:
            try:
                for offset, data in records:
                    key, epochs, arch, params, values = _parse_record(path, offset, data)
                    row = table.rows.get(key)
                    if row is None:
                        cell = _check_cell(path, offset, key, arch, verify_hashes)
                        row = table.row(key, cell.canonical().to_string(), params)
                    elif table.params[row] != params:
                        param_mismatches += 1
                    table.put(row, epochs, values)
                    n_records += 1
                    if bar is not None and n_records % 8192 == 0:
                        bar[0].update(bar[1], completed=offset)
                if bar is not None:
                    bar[0].update(bar[1], completed=size)
            except WireFormatError as exc:
                raise ImportFormatError(f"{str(path)!r}: record at byte offset {exc.offset}: {exc}") from None
            finally:
                if bar is not None:
                    bar[0].stop()
    if param_mismatches:
        log.warning("%s: %d records disagree with their cell's first parameter count; kept the first", path, param_mismatches)
    return _assemble(path, name, table, n_records, size, sha256, param_mismatches)


def _progress(total: int, label: str) -> tuple[Any, Any]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("reading {task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    task = bar.add_task(label, total=total)
    bar.start()
    return bar, task


def _parse_record(path: Path, offset: int, data: bytes) -> tuple[str, int, str, int, list[float]]:
    def fail(why: str) -> ImportFormatError:
        return ImportFormatError(f"{str(path)!r}: record at byte offset {offset}: {why}")

    try:
        row = load_json(data, source="")
    except ImportFormatError:
        raise fail(f"not a JSON row: {data[:80]!r}") from None
    if not isinstance(row, list) or len(row) != 5:
        raise fail(f"expected [module_hash, epochs, raw_adjacency, raw_operations, raw_metrics], got {str(row)[:120]}")
    key, epochs, adjacency, operations, raw_metrics = row
    if not (isinstance(key, str) and isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0):
        raise fail(f"module_hash must be a string and epochs a positive int, got {key!r}, {epochs!r}")
    if not all(isinstance(v, str) for v in (adjacency, operations, raw_metrics)):
        raise fail("raw_adjacency, raw_operations and raw_metrics must be strings")
    try:
        metrics = base64.b64decode(raw_metrics, validate=True)
    except (binascii.Error, ValueError):
        raise fail("raw_metrics is not valid base64") from None
    try:
        params, evaluations = _model_metrics(metrics)
    except WireFormatError as exc:
        raise fail(f"raw_metrics is not a ModelMetrics protobuf: {exc} at byte {exc.offset}") from None
    if len(evaluations) != 3:
        raise fail(f"expected 3 evaluations (start, halfway, end of training), got {len(evaluations)}")
    final = evaluations[2]
    missing = [f for f in _RAW if f not in final]
    if missing:
        raise fail(f"the end-of-training evaluation lacks {', '.join(missing)}")
    for f, metric in zip(_RAW, _RAW_METRIC):
        scale = 100.0 if metric.endswith("_acc") else 1.0  # accuracies are fractions in the file
        check_value(final[f] * scale, metric, where=f"{str(path)!r}: record at byte offset {offset}, field {f!r} (x{scale:g})")
    check_value(float(params), "params", where=f"{str(path)!r}: record at byte offset {offset}, field 'trainable_parameters'")
    return key, epochs, f"{adjacency}|{operations}", params, [final[f] for f in _RAW]


def _check_cell(path: Path, offset: int, key: str, text: str, verify_hash: bool) -> Architecture:
    try:
        arch = Architecture.from_string(text)
    except InvalidArchitectureError as exc:
        raise ImportFormatError(f"{str(path)!r}: record at byte offset {offset}: invalid cell: {exc}") from None
    if verify_hash and arch.hash != key:
        raise ImportFormatError(
            f"{str(path)!r}: record at byte offset {offset}: module_hash {key} does not match the cell "
            f"{text!r}, whose NAS-Bench-101 hash is {arch.hash}"
        )
    return arch


def _assemble(
    path: Path, name: str, table: _Table, n_records: int, size: int, sha256: str, param_mismatches: int
) -> BenchmarkData:
    n = len(table.archs)
    order = sorted(table.slots, key=int)
    slots = [table.slots[e] for e in order]
    n_seeds = int(table.counts[:n].max()) if n else 0
    raw = table.values[:n, :n_seeds][:, :, slots]
    curves = np.full(raw.shape[:3] + (len(METRICS),), np.nan)
    curves[..., 0:3] = raw[..., 0:3] * 100.0
    total = raw[..., 3]
    curves[..., 4] = total
    # per seed, the time since the previous measured budget, so sums over epochs give each run's total
    previous = np.zeros(total.shape[:2])
    for e in range(total.shape[2]):
        measured = ~np.isnan(total[:, :, e])
        curves[:, :, e, 3] = np.where(measured, total[:, :, e] - previous, np.nan)
        previous = np.where(measured, total[:, :, e], previous)
    dataset = DatasetTable(
        epochs=np.asarray(order, dtype=np.int64),
        seeds=np.arange(n_seeds, dtype=np.int64),
        metrics=METRICS,
        curves=curves,
        costs=table.params[:n, None].copy(),
        cost_names=("params",),
        provenance={
            "splits": SPLITS,
            "seeds": "the 3 repeats of each (cell, budget) in file order; repeats of different budgets are unrelated runs",
            "fidelities": "each budget (epochs) is a separate run trained from scratch with a cosine schedule to that "
            "budget; values are at the end of that run",
            "train_time_total": "seconds of training of the run trained to this budget (evaluation excluded), "
            "ModelMetrics.evaluation_data[2].training_time",
            "train_time": "train_time_total minus the same seed's value at the previous held budget (the first "
            "budget: its total); the sum over held epochs <= E is the cost of training to E",
            "params": "trainable parameters (ModelMetrics.trainable_parameters) of the cell's first record",
        },
    )
    provenance = {
        "sources": [{"file": path.name, "bytes": size, "sha256": sha256, "records": n_records}],
        "benchmark": "NAS-Bench-101 (Ying et al. 2019), github.com/google-research/nasbench",
        "license": "NAS-Bench-101 data: Apache-2.0",
        "importer": "nb101-tfrecord",
        "archs": "one row per module_hash: the canonical representative (Architecture.canonical()) of the "
        "file's raw_adjacency|raw_operations",
        "param_mismatches": param_mismatches,
    }
    return BenchmarkData(name=name, search_space="nb101", archs=table.archs, datasets={"cifar10": dataset}, provenance=provenance)


class NB101TFRecordImporter:
    """``nasbench import nb101-tfrecord FILE --out FILE.h5``."""

    name = "nb101-tfrecord"
    help = "NAS-Bench-101's official nasbench_full.tfrecord / nasbench_only108.tfrecord (CIFAR-10, 3 seeds)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="nasbench_full.tfrecord or nasbench_only108.tfrecord")
        parser.add_argument("--name", default="nb101", help="benchmark name in the store (default: nb101)")
        parser.add_argument(
            "--no-verify-hash",
            dest="verify_hashes",
            action="store_false",
            help="skip recomputing each cell's hash (saves about a minute on the full file)",
        )

    def read(self, args: argparse.Namespace) -> BenchmarkData:
        return read_nb101_tfrecord(args.file, name=args.name, verify_hashes=args.verify_hashes, progress=True)


__all__ = ["METRICS", "NB101TFRecordImporter", "read_nb101_tfrecord"]
