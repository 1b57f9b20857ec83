"""Writes a :class:`BenchmarkData` as a store file, atomically.

The file is written under a temporary name in the target's folder and renamed
into place only when complete, so a crash or kill never leaves a half-written
store behind under the real name.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import h5py
import numpy as np

from nasbench_suite._atomic import write_bytes
from nasbench_suite.store.format import FORMAT_NAME, FORMAT_VERSION, STRING_DTYPE, content_checksum
from nasbench_suite.store.model import AGGREGATED_SEED, BenchmarkData, DatasetTable
from nasbench_suite.store.ranges import check_array, declared_ranges


def _check(data: BenchmarkData) -> None:
    n = len(data.archs)
    if n == 0:
        raise ValueError("a benchmark needs at least one architecture, got none")
    if len(set(data.archs)) != n:
        raise ValueError("architecture strings must be unique per table")
    if not data.datasets:
        raise ValueError("a benchmark needs at least one dataset, got none")
    for name, t in data.datasets.items():
        epochs = np.asarray(t.epochs)
        seeds = np.asarray(t.seeds)
        expected = (n, len(seeds), len(epochs), len(t.metrics))
        if np.shape(t.curves) != expected:
            raise ValueError(f"dataset {name!r}: curves shape {np.shape(t.curves)} != (archs, seeds, epochs, metrics) {expected}")
        if np.shape(t.costs) != (n, len(t.cost_names)):
            raise ValueError(f"dataset {name!r}: costs shape {np.shape(t.costs)} != (archs, costs) {(n, len(t.cost_names))}")
        if len(epochs) == 0 or np.any(np.diff(epochs) <= 0) or epochs[0] < 1:
            raise ValueError(f"dataset {name!r}: epochs must be non-empty, >= 1 and strictly ascending, got {epochs.tolist()}")
        if len(set(seeds.tolist())) != len(seeds) or (AGGREGATED_SEED in seeds and len(seeds) > 1):
            raise ValueError(f"dataset {name!r}: seeds must be unique and -1 must stand alone, got {seeds.tolist()}")
        if len(set(t.metrics)) != len(t.metrics):
            raise ValueError(f"dataset {name!r}: duplicate metric names {list(t.metrics)}")
        for key, col in t.columns.items():
            if np.shape(col) != (n,):
                raise ValueError(f"dataset {name!r}: column {key!r} has shape {np.shape(col)}, expected ({n},)")
        _check_values(name, t, data.archs)


def _check_values(name: str, t: DatasetTable, archs: list[str]) -> None:
    """Every value possible for its metric, cost or column (:mod:`nasbench_suite.store.ranges`)."""
    declared = declared_ranges(t.provenance)
    seeds, epochs = np.asarray(t.seeds).tolist(), np.asarray(t.epochs).tolist()

    def curve_at(pos: tuple[int, ...]) -> str:
        a, s, e = pos[:3]
        return f"dataset {name!r}, architecture {archs[a]!r} (row {a}), seed {seeds[s]}, epoch {epochs[e]}"

    check_array(np.asarray(t.curves, dtype=np.float64), list(t.metrics), where=curve_at, declared=declared)
    check_array(
        np.asarray(t.costs, dtype=np.float64), list(t.cost_names), declared=declared,
        where=lambda pos: f"dataset {name!r}, architecture {archs[pos[0]]!r} (row {pos[0]}), costs",
    )  # fmt: skip
    for key, col in t.columns.items():
        check_array(
            np.asarray(col, dtype=np.float64)[:, None], [key], declared=declared,
            where=lambda pos, key=key: f"dataset {name!r}, architecture {archs[pos[0]]!r} (row {pos[0]}), column {key!r}",
        )  # fmt: skip


def _float(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float64)


def _strings(group: h5py.Group, name: str, values: list[str]) -> None:
    # variable-length strings admit no HDF5 filters; the content checksum covers them
    if values:
        group.create_dataset(name, data=values, dtype=STRING_DTYPE)
    else:
        group.create_dataset(name, shape=(0,), dtype=STRING_DTYPE)


def _write_dataset(group: h5py.Group, name: str, t: DatasetTable, n_arch: int) -> None:
    g = group.create_group(name)
    g.attrs["provenance"] = json.dumps(t.provenance, sort_keys=True)
    opts = {"fletcher32": True}
    g.create_dataset("epochs", data=np.asarray(t.epochs, dtype=np.int64), chunks=True, **opts)
    g.create_dataset("seeds", data=np.asarray(t.seeds, dtype=np.int64), chunks=True, **opts)
    _strings(g, "metrics", list(t.metrics))
    curves = _float(t.curves)
    chunk = (min(n_arch, 4096), curves.shape[1], 1, curves.shape[3])
    g.create_dataset("curves", data=curves, chunks=chunk, compression="gzip", compression_opts=4, shuffle=True, **opts)
    _strings(g, "cost_names", list(t.cost_names))
    costs = _float(t.costs)
    if costs.size:
        g.create_dataset("costs", data=costs, chunks=True, **opts)
    else:
        g.create_dataset("costs", data=costs)
    cols = g.create_group("columns")
    for key in sorted(t.columns):
        cols.create_dataset(key, data=_float(t.columns[key]), chunks=True, **opts)


def _row_order(data: BenchmarkData) -> str:
    from nasbench_suite.errors import NasBenchError
    from nasbench_suite.spaces import get_space

    try:
        space = get_space(data.search_space)
    except NasBenchError:
        return "listed"
    if space.size != len(data.archs) or not hasattr(space, "all"):
        return "listed"
    expected = [a.to_string() for a in space.all()]
    return "index" if expected == list(data.archs) else "listed"


def write_store(path: str | os.PathLike[str], data: BenchmarkData) -> str:
    """Write ``data`` to ``path`` atomically and return the content checksum.

    Raises ``ValueError`` naming the inconsistency when the arrays do not
    match the architecture, seed, epoch and metric counts, and
    :class:`~nasbench_suite.errors.ImpossibleValueError` (a ``ValueError``)
    naming the value, where it is and the allowed range when a value is
    impossible for its metric (:mod:`nasbench_suite.store.ranges`).
    """
    from nasbench_suite import __version__

    _check(data)
    path = Path(path)
    # HDF5 builds the file in memory and Python writes it out: a full disk is then a clear error from a plain
    # write (:mod:`nasbench_suite._atomic`), never a failure inside HDF5's close, which can abort the interpreter
    with h5py.File(f"{os.urandom(8).hex()}.h5", "w", driver="core", backing_store=False, track_order=False) as f:
        f.attrs["format"] = FORMAT_NAME
        f.attrs["format_version"] = FORMAT_VERSION
        f.attrs["name"] = data.name
        f.attrs["search_space"] = data.search_space
        f.attrs["row_order"] = _row_order(data)
        f.attrs["protocol"] = json.dumps(data.protocol, sort_keys=True)
        f.attrs["provenance"] = json.dumps(data.provenance, sort_keys=True)
        f.attrs["created_by"] = f"nasbench-suite {__version__}"
        _strings(f, "archs", list(data.archs))
        group = f.create_group("datasets")
        for name in sorted(data.datasets):
            _write_dataset(group, name, data.datasets[name], len(data.archs))
        checksum = content_checksum(f)
        f.attrs["checksum"] = checksum
        f.flush()
        image = f.id.get_file_image()
    write_bytes(path, image)
    return checksum
