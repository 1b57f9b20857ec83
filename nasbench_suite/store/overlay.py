"""A table seen with the columns of measured-cost files added to its costs, the table itself untouched.

``TableWithCosts(table, [cost_file])`` answers everything as ``table`` does
(queries, curves, optimum, its content digest and checksum, so results made
on it name the same store) except that :meth:`costs` and :meth:`cost` of the
cost file's dataset also hold the file's columns (``latency_b1_t1``, ...).
Its ``name`` is ``<table>+<cost file>`` so that a results file names the
combination and a re-run opens it again through the catalog;
:attr:`cost_files` gives each file's content checksum for the record.

Examples
--------
>>> from nasbench_suite.catalog import load
>>> bench = load("nb201-digits+latency")  # doctest: +SKIP
>>> sorted(bench.costs("digits-hard"))  # doctest: +SKIP
['flops', 'latency', 'latency_b1_t1', 'latency_b64_tall', 'params']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError, UnknownNameError
from nasbench_suite.store.costs import CostFile, read_cost_file

__all__ = ["CostFileMismatchError", "TableWithCosts", "cost_file_path"]


class CostFileMismatchError(NasBenchError, ValueError):
    """A cost file measured for another table (other content, rows or dataset), or clashing column names."""


def cost_file_path(table_path: str | os.PathLike[str], name: str) -> Path:
    """Where the cost file ``name`` of the table at ``table_path`` lives: ``<table>.costs/<name>.h5`` beside it."""
    path = Path(table_path)
    return path.with_name(path.stem + ".costs") / f"{name}.h5"


class TableWithCosts:
    """``table`` with the columns of ``cost_files`` in its costs (see the module docstring)."""

    def __init__(self, table: Any, cost_files: Sequence[CostFile | str | os.PathLike[str]]) -> None:
        from nasbench_suite.harness.identity import content_digest

        self._table = table
        files = [f if isinstance(f, CostFile) else read_cost_file(f) for f in cost_files]
        if not files:
            raise ValueError("TableWithCosts needs at least one cost file")
        digest = content_digest(table)
        self._extra: dict[str, dict[str, tuple[np.ndarray, CostFile]]] = {}
        for f in files:
            if f.base_checksum != digest:
                raise CostFileMismatchError(
                    f"cost file {f.name!r} was measured for table {f.base_name!r} with content digest {f.base_checksum}, "
                    f"not for {table.name!r} ({digest}): measure it again with `nasbench latency`")
            if f.archs != list(table.archs):
                raise CostFileMismatchError(f"cost file {f.name!r} lists other rows than table {table.name!r}")
            if f.dataset not in table.datasets:
                raise CostFileMismatchError(f"cost file {f.name!r} is for dataset {f.dataset!r}, which table "
                                            f"{table.name!r} does not hold ({', '.join(table.datasets)})")
            have = self._extra.setdefault(f.dataset, {})
            for key, col in f.columns.items():
                if key in have or key in table.costs(f.dataset):
                    raise CostFileMismatchError(f"cost column {key!r} of {f.name!r} is already held for {f.dataset!r}")
                have[key] = (np.asarray(col.values, dtype=np.float64), f)
        self._files = files
        self.name = "+".join([table.name, *(f.name for f in files)])

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self._table, attr)

    def __repr__(self) -> str:
        return f"TableWithCosts({self._table!r}, cost files {[f.name for f in self._files]})"

    def __len__(self) -> int:
        return len(self._table)

    @property
    def table(self) -> Any:
        """The table underneath."""
        return self._table

    @property
    def cost_files(self) -> dict[str, str]:
        """Each cost file's name and content checksum, as a results record names them."""
        return {f.name: f.checksum for f in self._files}

    def cost_setting(self, dataset: str, cost: str) -> dict[str, Any] | None:
        """How a cost column of a cost file was measured (batch, threads, device, fingerprint); ``None`` for the table's own."""
        entry = self._extra.get(dataset, {}).get(cost)
        return None if entry is None else dict(entry[1].columns[cost].setting)

    def costs(self, dataset: str) -> dict[str, np.ndarray]:
        """The table's costs of ``dataset`` and the cost files' columns for it."""
        out = self._table.costs(dataset)
        out.update({k: v.copy() for k, (v, _) in self._extra.get(dataset, {}).items()})
        return out

    def cost(self, arch: Any, dataset: str, cost: str) -> float:
        """One cost of one architecture; NaN where not measured."""
        entry = self._extra.get(dataset, {}).get(str(cost))
        if entry is None:
            try:
                return self._table.cost(arch, dataset, cost)
            except UnknownNameError:
                raise UnknownNameError("cost", str(cost), tuple(self.costs(dataset))) from None
        return float(entry[0][self._table.row(arch)])
