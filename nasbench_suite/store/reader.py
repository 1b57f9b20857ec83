"""Reads a store file as a :class:`TableBenchmark` (the Benchmark protocol over a table).

Opening reads only the attributes, the architecture strings and the small
per-dataset index arrays. One epoch of all architectures is read on first use
as a single slice and kept in memory, so ``query`` on the hot path is a few
dictionary lookups and one row read.

Damage is detected before a value is served (docs/SCHEMA.md, "Damage
detection"): the format version, the shapes of every dataset and the
uniqueness of the architectures are checked on open; a store of at most
:data:`VERIFY_ON_OPEN_MAX_BYTES` has its content checksum recomputed on open;
every numeric chunk carries a Fletcher-32 checksum that HDF5 checks on read;
and every value read into memory is checked against its metric's range
(:mod:`nasbench_suite.store.ranges`) in one vectorized pass.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from nasbench_suite.benchmark import METRICS, EvalResult, Metric
from nasbench_suite.errors import (
    ChecksumMismatchError,
    ImpossibleStoredValueError,
    NasBenchError,
    NotMeasuredError,
    StoreFormatError,
    UnknownNameError,
    UnsupportedVersionError,
)
from nasbench_suite.store.format import FORMAT_NAME, FORMAT_VERSION, content_checksum
from nasbench_suite.store.model import AGGREGATED_SEED
from nasbench_suite.store.ranges import declared_ranges, first_impossible
from nasbench_suite.objective import ObjectiveMixin

_new_tuple = tuple.__new__

#: format version -> function upgrading an opened file's in-memory view; none needed yet
MIGRATIONS: dict[int, Any] = {}

#: stores up to this file size have their content checksum recomputed on every open (about 40 ms at 1 MiB)
VERIFY_ON_OPEN_MAX_BYTES = 1 << 20


def _read(ds: h5py.Dataset, index: Any = ()) -> np.ndarray:
    """``ds[index]``; a chunk failing its checksum or decompression becomes StoreFormatError."""
    try:
        return ds[index]
    except OSError as exc:
        raise StoreFormatError(f"{ds.file.filename!r}: corrupted data in {ds.name}: {exc}") from None


def _strings(ds: h5py.Dataset) -> list[str]:
    return [] if ds.shape == (0,) else list(ds.asstr()[()])


def _check_index(where: str, what: str, values: Sequence[Any]) -> None:
    if len(set(values)) != len(values):
        seen: set[Any] = set()
        dup = next(v for v in values if v in seen or seen.add(v))  # type: ignore[func-returns-value]
        raise StoreFormatError(f"{where}: {what} {dup!r} is held twice; {what}s must be unique")


class _Dataset:
    """Index arrays of one dataset and its cached epoch slices."""

    def __init__(self, name: str, group: h5py.Group, archs: list[str], where: str) -> None:
        self.name = name
        self.group = group
        self.archs = archs
        self.where = f"{where}, dataset {name!r}"
        self.epochs: tuple[int, ...] = tuple(int(e) for e in _read(group["epochs"], ()))
        self.seeds: tuple[int, ...] = tuple(int(s) for s in _read(group["seeds"], ()))
        self.metrics: tuple[str, ...] = tuple(_strings(group["metrics"]))
        self.cost_names: tuple[str, ...] = tuple(_strings(group["cost_names"]))
        self.epoch_pos = {e: i for i, e in enumerate(self.epochs)}
        self.seed_pos = {s: i for i, s in enumerate(self.seeds)}
        self.metric_pos = {m: i for i, m in enumerate(self.metrics)}
        self.provenance: dict[str, Any] = json.loads(group.attrs.get("provenance", "{}"))
        if not isinstance(self.provenance, dict):
            raise StoreFormatError(f"{self.where}: provenance is not a JSON object")
        self.declared = declared_ranges(self.provenance)
        self._check_layout()
        # per epoch: (A, S, 7) in EvalResult field order, and its seed mean (A, 7)
        self._seed_slices: dict[int, np.ndarray] = {}
        self._mean_slices: dict[int, np.ndarray] = {}
        # per epoch: the seed mean as nested Python lists, for the scalar query hot path
        self.mean_rows: dict[int, list[list[float]]] = {}
        self._known = [self.metric_pos.get(m) for m in METRICS]

    def _check_layout(self) -> None:
        """Index arrays sorted and unique, every array's shape matching them (metadata only, no values read)."""
        w = self.where
        epochs, seeds = self.epochs, self.seeds
        if not epochs or epochs[0] < 1 or any(b <= a for a, b in zip(epochs, epochs[1:])):
            raise StoreFormatError(f"{w}: epochs must be non-empty, >= 1 and strictly ascending, got {list(epochs)}")
        _check_index(w, "seed", seeds)
        if AGGREGATED_SEED in seeds and len(seeds) > 1:
            raise StoreFormatError(f"{w}: seed -1 (a mean over seeds) must stand alone, got {list(seeds)}")
        _check_index(w, "metric", self.metrics)
        _check_index(w, "cost name", self.cost_names)
        n = len(self.archs)
        expected = {
            "curves": (n, len(seeds), len(epochs), len(self.metrics)),
            "costs": (n, len(self.cost_names)),
        }
        for key, shape in expected.items():
            ds = self.group[key]
            if ds.shape != shape:
                raise StoreFormatError(f"{w}: {key} has shape {ds.shape}, expected {shape} from the index arrays")
            if ds.dtype.kind != "f":
                raise StoreFormatError(f"{w}: {key} has dtype {ds.dtype}, expected float32 or float64")
        if "columns" in self.group:
            def check(name: str, obj: object) -> None:
                if isinstance(obj, h5py.Dataset) and (obj.shape != (n,) or obj.dtype.kind != "f"):
                    raise StoreFormatError(f"{w}: column {name!r} is {obj.dtype} {obj.shape}, expected float ({n},)")

            self.group["columns"].visititems(check)

    def check(self, values: np.ndarray, names: Sequence[str], what: str, index: Any = ()) -> np.ndarray:
        """``values`` after checking every one against its metric's range (raises ImpossibleStoredValueError)."""
        found = first_impossible(values, names, self.declared)
        if found is None:
            return values
        pos, name, value, rng = found
        raise ImpossibleStoredValueError(
            f"{self.where}: {what} holds {name} = {value!r}{self._locate(what, index, pos)}, which is impossible "
            f"(allowed: {rng.describe()}); the file is damaged or was edited"
        )

    def _locate(self, what: str, index: Any, pos: tuple[int, ...]) -> str:
        if what == "curves":
            full = []
            it = iter(pos[:-1])
            for sel in index[:3]:
                full.append(sel if isinstance(sel, (int, np.integer)) else next(it, None))
            a, s, e = full
            parts = []
            if a is not None and 0 <= a < len(self.archs):
                parts.append(f"architecture {self.archs[a]!r} (row {a})")
            if s is not None and 0 <= s < len(self.seeds):
                parts.append(f"seed {self.seeds[s]}")
            if e is not None and 0 <= e < len(self.epochs):
                parts.append(f"epoch {self.epochs[e]}")
            return " at " + ", ".join(parts) if parts else ""
        if pos and 0 <= pos[0] < len(self.archs) and what != "curves":
            return f" at architecture {self.archs[pos[0]]!r} (row {pos[0]})"
        return ""

    def curves(self, index: Any = np.s_[:, :, :, :]) -> np.ndarray:
        """``curves[index]`` (a 4-tuple of ints and full slices), range-checked before it is returned."""
        raw = _read(self.group["curves"], index)
        sel = index[3]
        if isinstance(sel, (int, np.integer)):
            self.check(raw[..., None], [self.metrics[sel]], "curves", index)
        else:
            self.check(raw, self.metrics[sel], "curves", index)
        return raw

    def seed_slice(self, e: int) -> np.ndarray:
        sl = self._seed_slices.get(e)
        if sl is None:
            raw = self.curves(np.s_[:, :, e, :])
            sl = np.full(raw.shape[:2] + (len(METRICS),), np.nan)
            for j, pos in enumerate(self._known):
                if pos is not None:
                    sl[:, :, j] = raw[:, :, pos]
            self._seed_slices[e] = sl
        return sl

    def mean_slice(self, e: int) -> np.ndarray:
        sl = self._mean_slices.get(e)
        if sl is None:
            seeds = self.seed_slice(e)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN = not measured
                sl = np.nanmean(seeds, axis=1) if seeds.shape[1] > 1 else seeds[:, 0, :].copy()
            self._mean_slices[e] = sl
            self.mean_rows[e] = sl.tolist()
        return sl


class TableBenchmark(ObjectiveMixin):
    """A benchmark backed by a store file; implements the Benchmark protocol.

    Examples
    --------
    >>> bench = TableBenchmark("nb201.h5")  # doctest: +SKIP
    >>> bench.query("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", "cifar10").test_acc  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str], *, verify: bool = False) -> None:
        """Open ``path``; ``verify=True`` recomputes the content checksum whatever the file's size.

        Stores of at most :data:`VERIFY_ON_OPEN_MAX_BYTES` are always verified on open.
        """
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no store file at {str(self.path)!r}")
        try:
            self._file = h5py.File(self.path, "r")
        except OSError as exc:
            raise StoreFormatError(f"{str(self.path)!r} is not a readable HDF5 store (truncated or corrupted?): {exc}") from None
        try:
            self._open(verify)
        except NasBenchError:
            self._file.close()
            raise
        except (OSError, KeyError, ValueError, TypeError, AttributeError, IndexError, RuntimeError, UnicodeDecodeError) as exc:
            self._file.close()
            raise StoreFormatError(f"{str(self.path)!r} is a damaged store: {type(exc).__name__}: {exc}") from None

    def _open(self, verify: bool) -> None:
        attrs = self._file.attrs
        if attrs.get("format") != FORMAT_NAME:
            raise StoreFormatError(
                f"{str(self.path)!r} is not a nasbench-suite store (root attribute format={attrs.get('format')!r}, "
                f"expected {FORMAT_NAME!r})"
            )
        version = int(attrs.get("format_version", -1))
        if version > FORMAT_VERSION:
            raise UnsupportedVersionError(
                f"{str(self.path)!r} has store format version {version}; this release reads versions up to "
                f"{FORMAT_VERSION}: upgrade nasbench-suite"
            )
        if version < 1:
            raise StoreFormatError(f"{str(self.path)!r} has an invalid format_version {version!r}")
        if version in MIGRATIONS:
            MIGRATIONS[version](self._file)
        self.format_version = version
        self.name: str = str(attrs["name"])
        self.space_name: str = str(attrs["search_space"])
        self.checksum: str = str(attrs["checksum"])
        self.row_order: str = str(attrs.get("row_order", "listed"))
        self.protocol: dict[str, Any] = json.loads(attrs.get("protocol", "{}"))
        self.provenance: dict[str, Any] = json.loads(attrs.get("provenance", "{}"))
        self.created_by: str = str(attrs.get("created_by", ""))
        self.archs: list[str] = _strings(self._file["archs"])
        where = repr(str(self.path))
        if not self.archs:
            raise StoreFormatError(f"{where} holds no architectures")
        _check_index(where, "architecture", self.archs)
        self._n_index_rows = len(self.archs) if self.row_order == "index" else 0
        self._ds = {name: _Dataset(name, g, self.archs, where) for name, g in sorted(self._file["datasets"].items())}
        if not self._ds:
            raise StoreFormatError(f"{where} holds no datasets")
        self.datasets: tuple[str, ...] = tuple(self._ds)
        self.metrics: tuple[str, ...] = tuple(dict.fromkeys(m for d in self._ds.values() for m in d.metrics))
        if verify or self.path.stat().st_size <= VERIFY_ON_OPEN_MAX_BYTES:
            self.verify()

    # ----------------------------------------------------------------- basics
    def close(self) -> None:
        """Close the underlying file."""
        self._file.close()

    def __enter__(self) -> TableBenchmark:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TableBenchmark({self.name!r}, space={self.space_name!r}, archs={len(self.archs)}, datasets={self.datasets})"

    def __len__(self) -> int:
        return len(self.archs)

    def verify(self) -> str:
        """Recompute the content checksum; raise ChecksumMismatchError if it differs."""
        try:
            actual = content_checksum(self._file)
        except (OSError, KeyError, ValueError, TypeError, RuntimeError, UnicodeDecodeError) as exc:
            raise StoreFormatError(
                f"{str(self.path)!r}: corrupted data{self._damaged_dataset()}: {type(exc).__name__}: {exc}"
            ) from None
        if actual != self.checksum:
            raise ChecksumMismatchError(
                f"{str(self.path)!r}: content checksum {actual} does not match the recorded {self.checksum}"
            )
        return actual

    def _damaged_dataset(self) -> str:
        """`` in /path`` of the first dataset that cannot be read whole (only called once reading failed)."""
        names: list[str] = []
        self._file.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
        for name in sorted(names):
            try:
                self._file[name][()]
            except Exception:  # noqa: BLE001 - any failure locates the damage
                return f" in /{name}"
        return ""

    @cached_property
    def full_space(self) -> Any:
        """The whole search space this table's architectures come from."""
        from nasbench_suite.spaces import get_space

        return get_space(self.space_name)

    @cached_property
    def search_space(self) -> Any:
        """What can be searched on this table: the full space, or the held architectures of a listed table."""
        if self.row_order == "index":
            return self.full_space
        from nasbench_suite.spaces.table_space import TableSpace

        return TableSpace(self.full_space, self.archs)

    @cached_property
    def _row_of(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.archs)}

    def _dataset(self, dataset: str) -> _Dataset:
        try:
            return self._ds[dataset]
        except KeyError:
            raise UnknownNameError("dataset", dataset, self.datasets) from None

    def epochs(self, dataset: str) -> tuple[int, ...]:
        """Fidelities (epochs) held for ``dataset``, ascending."""
        return self._dataset(dataset).epochs

    def seeds(self, dataset: str) -> tuple[int, ...]:
        """Seeds held for ``dataset``; ``(-1,)`` marks a mean aggregated at the source."""
        return self._dataset(dataset).seeds

    def dataset_provenance(self, dataset: str) -> dict[str, Any]:
        """Where ``dataset``'s numbers come from (splits, training schedules, sources)."""
        return self._dataset(dataset).provenance

    # ------------------------------------------------------------- resolving
    def row(self, arch: Any) -> int:
        """The table row of ``arch`` (an Architecture, its string or its index)."""
        if isinstance(arch, (int, np.integer)) and not isinstance(arch, bool):
            arch = int(arch)
            if self.row_order == "index" and 0 <= arch < len(self.archs):
                return arch
            if self.row_order != "index":
                arch = self.full_space.parse(arch).to_string()
            else:
                self.full_space.parse(arch)  # raises InvalidArchitectureError for a bad index
        if isinstance(arch, str):
            row = self._row_of.get(arch)
            if row is not None:
                return row
            arch = self.full_space.parse(arch)  # raises InvalidArchitectureError on bad text
        if not hasattr(arch, "to_string"):  # a float, a bool, None, ...: the space names what it expected
            arch = self.full_space.parse(arch)
        if getattr(arch, "space", None) not in (None, self.space_name):
            raise NotMeasuredError(
                f"architecture of space {arch.space!r} queried on a {self.space_name!r} table {self.name!r}"
            )
        if self.row_order == "index" and hasattr(arch, "index"):
            return int(arch.index)
        row = self._row_of.get(arch.to_string())
        if row is None and hasattr(arch, "canonical"):  # e.g. an unpruned NB101 cell of a stored canonical one
            row = self._row_of.get(arch.canonical().to_string())
        if row is None:
            raise NotMeasuredError(f"architecture {arch.to_string()!r} is not in table {self.name!r} ({len(self.archs)} architectures)")
        return row

    def rows(self, archs: Sequence[Any] | np.ndarray | None) -> np.ndarray:
        """Table rows of many architectures (``None``: every row)."""
        if archs is None:
            return np.arange(len(self.archs))
        if isinstance(archs, np.ndarray) and archs.dtype.kind in "iu":
            if self.row_order == "index":
                if archs.size and (archs.min() < 0 or archs.max() >= len(self.archs)):
                    bad = archs[(archs < 0) | (archs >= len(self.archs))][0]
                    self.full_space.parse(int(bad))
                return archs.astype(np.intp, copy=False)
            archs = archs.tolist()
        return np.fromiter((self.row(a) for a in archs), dtype=np.intp, count=len(archs))

    def _epoch_pos(self, d: _Dataset, epoch: int | None) -> int:
        if epoch is None:
            return len(d.epochs) - 1
        pos = d.epoch_pos.get(epoch)
        if pos is None:
            raise NotMeasuredError(f"epoch {epoch!r} is not held for dataset {d.name!r} of {self.name!r}; held: {list(d.epochs)}")
        return pos

    def _seed_pos(self, d: _Dataset, seed: int) -> int:
        pos = d.seed_pos.get(seed)
        if pos is None:
            held = "only a mean over seeds (query with seed=None)" if d.seeds == (AGGREGATED_SEED,) else str(list(d.seeds))
            raise NotMeasuredError(f"seed {seed!r} is not held for dataset {d.name!r} of {self.name!r}; held: {held}")
        return pos

    # --------------------------------------------------------------- queries
    def query(self, arch: Any, dataset: str, *, epoch: int | None = None, seed: int | None = None) -> EvalResult:
        """Every metric of one architecture at one epoch; ``seed=None`` averages the seeds."""
        d = self._ds.get(dataset) or self._dataset(dataset)
        e = len(d.epochs) - 1 if epoch is None else d.epoch_pos.get(epoch)
        if e is None:
            e = self._epoch_pos(d, epoch)
        row = arch if type(arch) is int and 0 <= arch < self._n_index_rows else self.row(arch)
        if seed is None:
            rows = d.mean_rows.get(e)
            if rows is None:
                d.mean_slice(e)
                rows = d.mean_rows[e]
            values = rows[row]
        else:
            values = d.seed_slice(e)[row, self._seed_pos(d, seed)].tolist()
        # tuple.__new__ skips the named tuple's Python-level __new__ (a third of the query time)
        return _new_tuple(EvalResult, (self.archs[row], dataset, d.epochs[e], seed, *values))

    def query_many(
        self,
        archs: Sequence[Any] | np.ndarray | None,
        dataset: str,
        *,
        metric: str | Metric,
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """One metric of many architectures (``None``: all rows, in row order) as float64."""
        d = self._dataset(dataset)
        e = self._epoch_pos(d, epoch)
        metric = str(metric)
        rows = self.rows(archs)
        if metric in METRICS:
            j = METRICS.index(metric)
            if seed is None:
                return d.mean_slice(e)[rows, j]
            return d.seed_slice(e)[rows, self._seed_pos(d, seed), j]
        pos = d.metric_pos.get(metric)
        if pos is None:
            raise UnknownNameError("metric", metric, d.metrics)
        raw = d.curves(np.s_[:, :, e, pos])[rows]
        if seed is not None:
            return raw[:, self._seed_pos(d, seed)].astype(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(raw, axis=1).astype(np.float64)

    def curves(self, dataset: str) -> np.ndarray:
        """The full ``curves[arch, seed, epoch, metric]`` array of ``dataset`` (metric order: ``metric_names``)."""
        return self._dataset(dataset).curves()

    def metric_names(self, dataset: str) -> tuple[str, ...]:
        """Names of the last axis of :meth:`curves` for ``dataset``."""
        return self._dataset(dataset).metrics

    def curve(self, arch: Any, dataset: str, *, metric: str | Metric, seed: int | None = None) -> np.ndarray:
        """One architecture's learning curve of ``metric`` over :meth:`epochs`."""
        d = self._dataset(dataset)
        pos = d.metric_pos.get(str(metric))
        if pos is None:
            raise UnknownNameError("metric", str(metric), d.metrics)
        raw = d.curves(np.s_[self.row(arch), :, :, pos])
        if seed is not None:
            return raw[self._seed_pos(d, seed)].astype(np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(raw, axis=0).astype(np.float64)

    def costs(self, dataset: str) -> dict[str, np.ndarray]:
        """Per-architecture costs of ``dataset`` by name (``params``, ``flops``, ``latency``, ...)."""
        d = self._dataset(dataset)
        values = d.check(_read(d.group["costs"]), d.cost_names, "costs")
        return {name: values[:, i].astype(np.float64) for i, name in enumerate(d.cost_names)}

    def cost(self, arch: Any, dataset: str, cost: str) -> float:
        """One cost of one architecture; NaN where not measured."""
        costs = self._cost_cache(dataset)
        name = str(cost)
        if name not in costs:
            raise UnknownNameError("cost", name, tuple(costs))
        return float(costs[name][self.row(arch)])

    def _cost_cache(self, dataset: str) -> dict[str, np.ndarray]:
        cache = self.__dict__.setdefault("_costs_by_ds", {})
        if dataset not in cache:
            cache[dataset] = self.costs(dataset)
        return cache[dataset]

    def columns(self, dataset: str) -> dict[str, np.ndarray]:
        """Extra per-architecture columns of ``dataset`` (e.g. ``zc/synflow``)."""
        d = self._dataset(dataset)
        out: dict[str, np.ndarray] = {}
        if "columns" in d.group:
            d.group["columns"].visititems(lambda name, obj: out.__setitem__(name, _read(obj)) if isinstance(obj, h5py.Dataset) else None)
        for name, values in out.items():
            d.check(values[:, None], [name], f"column {name!r}")
        return out

    def optimum(self, dataset: str, *, metric: str | Metric = Metric.TEST_ACC, epoch: int | None = None) -> tuple[Any, float]:
        """The architecture with the highest seed-mean ``metric`` (lowest for losses and times) and that value."""
        values = self.query_many(None, dataset, metric=metric, epoch=epoch)
        if np.all(np.isnan(values)):
            e = self.epochs(dataset)[-1] if epoch is None else epoch
            raise NotMeasuredError(f"{metric!s} is not measured for dataset {dataset!r} at epoch {e} of {self.name!r}")
        lower_is_better = str(metric).endswith(("_loss", "_time"))
        row = int(np.nanargmin(values) if lower_is_better else np.nanargmax(values))
        return self.full_space.parse(self.archs[row]), float(values[row])

    def to_frame(self, dataset: str, *, epoch: int | None = None, seed: int | None = None) -> Any:
        """All architectures' metrics at one epoch as a pandas DataFrame (pandas: the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("to_frame needs pandas, which is not installed: pip install 'nasbench-suite[pandas]' "
                              "(or pandas itself); query_many gives the same numbers as numpy arrays") from exc

        d = self._dataset(dataset)
        e = self._epoch_pos(d, epoch)
        values = d.mean_slice(e) if seed is None else d.seed_slice(e)[:, self._seed_pos(d, seed)]
        frame = pd.DataFrame(values, columns=list(METRICS), index=pd.Index(self.archs, name="arch"))
        return frame.dropna(axis=1, how="all")
