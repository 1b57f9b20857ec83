"""Measured-cost files: per-architecture cost columns of a table, kept beside it (docs/SCHEMA.md).

A cost file adds columns such as ``latency_b1_t1`` to one dataset of a
table without touching the table, whose content digest names it in every
published results file. It names the table by its content checksum, holds
the table's architecture strings in row order, every timed repeat and the
robust statistic of each column, and the setting that produced it (batch,
threads, device, repeats and the numerics fingerprint of the machine). Its
own content checksum uses the store's algorithm
(:func:`nasbench_suite.store.format.content_checksum`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from nasbench_suite._atomic import write_bytes
from nasbench_suite.errors import ChecksumMismatchError, StoreFormatError, UnsupportedVersionError
from nasbench_suite.store.format import STRING_DTYPE, content_checksum
from nasbench_suite.store.ranges import check_array

__all__ = ["COSTS_FORMAT_NAME", "COSTS_FORMAT_VERSION", "CostColumn", "CostFile", "read_cost_file", "write_cost_file"]

COSTS_FORMAT_NAME = "nasbench-suite-costs"
COSTS_FORMAT_VERSION = 1


@dataclass
class CostColumn:
    """One measured cost: its value per row, every repeat behind it and how it was measured.

    ``values[a]`` is the robust statistic (``setting["statistic"]``) of
    ``samples[a, :]``; NaN in both means "not measured (yet)".
    """

    values: np.ndarray
    samples: np.ndarray
    #: JSON-serializable: batch, threads, device, repeats, warmup, statistic, input shape, fingerprint, ...
    setting: dict[str, Any]


@dataclass
class CostFile:
    """Cost columns of one dataset of one table, named by the table's content checksum."""

    name: str
    base_name: str
    base_checksum: str
    search_space: str
    dataset: str
    archs: list[str]
    columns: dict[str, CostColumn]
    provenance: dict[str, Any] = field(default_factory=dict)
    #: ``sha256:`` content checksum; set by :func:`write_cost_file` and :func:`read_cost_file`
    checksum: str = ""

    def complete(self, name: str) -> bool:
        """Whether column ``name`` is measured for every row."""
        return bool(np.all(np.isfinite(self.columns[name].values)))


def _check(data: CostFile) -> None:
    n = len(data.archs)
    if n == 0 or len(set(data.archs)) != n:
        raise ValueError(f"a cost file needs unique architecture strings, got {n} rows ({len(set(data.archs))} distinct)")
    if not data.columns:
        raise ValueError("a cost file needs at least one column, got none")
    for key, col in data.columns.items():
        if "/" in key or not key:
            raise ValueError(f"cost column names must be non-empty and without '/', got {key!r}")
        values, samples = np.asarray(col.values), np.asarray(col.samples)
        if values.shape != (n,) or samples.ndim != 2 or samples.shape[0] != n:
            raise ValueError(f"column {key!r}: values {values.shape} and samples {samples.shape} must be ({n},) and ({n}, repeats)")
        for arr, what in ((values[:, None], "value"), (samples, "sample")):
            check_array(np.asarray(arr, dtype=np.float64), [key] * arr.shape[1],
                        where=lambda pos, what=what: f"column {key!r}, {what} of architecture {data.archs[pos[0]]!r} (row {pos[0]})")
        json.dumps(col.setting)  # must be JSON


def write_cost_file(path: str | os.PathLike[str], data: CostFile) -> str:
    """Write ``data`` to ``path`` atomically and return (and set) its content checksum.

    Raises ``ValueError`` naming the column and row of an inconsistent shape or an impossible value.
    """
    from nasbench_suite import __version__

    _check(data)
    opts = {"fletcher32": True, "chunks": True}
    with h5py.File(f"{os.urandom(8).hex()}.h5", "w", driver="core", backing_store=False, track_order=False) as f:
        attrs = {
            "format": COSTS_FORMAT_NAME, "format_version": COSTS_FORMAT_VERSION, "name": data.name,
            "base_name": data.base_name, "base_checksum": data.base_checksum, "search_space": data.search_space,
            "dataset": data.dataset, "provenance": json.dumps(data.provenance, sort_keys=True),
            "created_by": f"nasbench-suite {__version__}",
        }  # fmt: skip
        for key, value in attrs.items():
            f.attrs[key] = value
        f.create_dataset("archs", data=list(data.archs), dtype=STRING_DTYPE)
        for key in sorted(data.columns):
            col = data.columns[key]
            ds = f.create_dataset(f"costs/{key}", data=np.asarray(col.values, dtype=np.float64), **opts)
            ds.attrs["setting"] = json.dumps(col.setting, sort_keys=True)
            f.create_dataset(f"samples/{key}", data=np.asarray(col.samples, dtype=np.float64), **opts)
        checksum = content_checksum(f)
        f.attrs["checksum"] = checksum
        f.flush()
        image = f.id.get_file_image()
    write_bytes(Path(path), image)
    data.checksum = checksum
    return checksum


def read_cost_file(path: str | os.PathLike[str]) -> CostFile:
    """Read a cost file, recomputing its content checksum and checking every value.

    Raises
    ------
    StoreFormatError
        When the file is not a cost file, is damaged, or holds an impossible value.
    UnsupportedVersionError
        When its format version is newer than this release reads.
    ChecksumMismatchError
        When its content differs from its recorded checksum.
    """
    where = repr(str(path))
    if not Path(path).is_file():
        raise FileNotFoundError(f"no cost file at {where}")
    try:
        with h5py.File(path, "r") as f:
            return _read(f, where)
    except (StoreFormatError, ChecksumMismatchError):
        raise
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise StoreFormatError(f"{where} is not a readable cost file: {type(exc).__name__}: {exc}") from None


def _read(f: h5py.File, where: str) -> CostFile:
    attrs = f.attrs
    if attrs.get("format") != COSTS_FORMAT_NAME:
        raise StoreFormatError(f"{where} is not a cost file (format={attrs.get('format')!r}, expected {COSTS_FORMAT_NAME!r})")
    version = int(attrs.get("format_version", -1))
    if version > COSTS_FORMAT_VERSION:
        raise UnsupportedVersionError(f"{where} has cost-file format version {version}; this release reads up to "
                                      f"{COSTS_FORMAT_VERSION}: upgrade nasbench-suite")
    if version < 1:
        raise StoreFormatError(f"{where} has an invalid format_version {version!r}")
    actual, recorded = content_checksum(f), str(attrs["checksum"])
    if actual != recorded:
        raise ChecksumMismatchError(f"{where}: content checksum {actual} does not match the recorded {recorded}")
    archs = list(f["archs"].asstr()[()])
    columns = {}
    for key in sorted(f["costs"]):
        col = CostColumn(f["costs"][key][()], f["samples"][key][()], json.loads(f["costs"][key].attrs["setting"]))
        columns[key] = col
    data = CostFile(
        name=str(attrs["name"]), base_name=str(attrs["base_name"]), base_checksum=str(attrs["base_checksum"]),
        search_space=str(attrs["search_space"]), dataset=str(attrs["dataset"]), archs=archs, columns=columns,
        provenance=json.loads(attrs["provenance"]), checksum=recorded,
    )  # fmt: skip
    try:
        _check(data)
    except ValueError as exc:
        raise StoreFormatError(f"{where}: {exc}") from None
    return data
