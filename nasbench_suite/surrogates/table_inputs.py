"""Per-architecture inputs a predictor may read from a table besides the cell: zero-cost columns and early curves.

Some predictors are given more than the architecture: the zero-cost proxy
scores a table stores as ``zc/<proxy>`` columns, or the first epochs of the
cell's own learning curve (what a partial training run would have measured).
These helpers look both up by architecture in a table named by a catalog
name or store path, so an estimator keeps only that string as a parameter
(``clone`` and saving stay plain) and works on every space the table's
``row`` lookup knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from nasbench_suite.errors import NotMeasuredError, UnknownNameError


@lru_cache(maxsize=8)
def open_table(benchmark: str) -> Any:
    """The table ``benchmark`` (catalog name or store path), opened once per process."""
    from nasbench_suite.catalog import resolve

    table = resolve(benchmark)
    if not hasattr(table, "columns") or not hasattr(table, "rows"):
        raise TypeError(f"{benchmark!r} is a {type(table).__name__}; per-architecture inputs are read from a stored table")
    return table


def dataset_of(table: Any, dataset: str | None) -> str:
    """``dataset``, or the table's only dataset where it is ``None``."""
    if dataset is None:
        if len(table.datasets) != 1:
            raise ValueError(f"{table.name!r} holds datasets {list(table.datasets)}; name one")
        return str(table.datasets[0])
    if dataset not in table.datasets:
        raise UnknownNameError(f"dataset of {table.name!r}", dataset, table.datasets)
    return dataset


def zc_proxies(table: Any, dataset: str) -> tuple[str, ...]:
    """Names of the zero-cost proxies ``dataset`` of ``table`` stores (sorted)."""
    return tuple(sorted(k.split("/", 1)[1] for k in table.columns(dataset) if k.startswith("zc/")))


def zc_matrix(table: Any, dataset: str, archs: Sequence[Any], proxies: Sequence[str]) -> np.ndarray:
    """Scores ``(len(archs), len(proxies))`` of ``proxies`` (NaN where undefined for a cell)."""
    columns = table.columns(dataset)
    held = zc_proxies(table, dataset)
    for p in proxies:
        if f"zc/{p}" not in columns:
            if not held:
                raise NotMeasuredError(
                    f"{table.name!r} ({dataset}) stores no zero-cost proxies; add them with "
                    f"`nasbench zc --benchmark {table.name}` (or use a predictor that needs only the architecture)"
                )
            raise UnknownNameError(f"zero-cost proxy of {table.name!r} ({dataset})", p, held)
    rows = table.rows(list(archs))
    if not len(proxies):
        return np.zeros((len(rows), 0))
    return np.stack([np.asarray(columns[f"zc/{p}"], dtype=np.float64)[rows] for p in proxies], axis=1)


def observed_epochs(table: Any, dataset: str, target_epoch: int | None, observed_epoch: int | None) -> tuple[int, ...]:
    """Epochs of a curve prefix: every held epoch up to ``observed_epoch``.

    ``observed_epoch=None`` takes the largest held epoch at most a quarter of
    ``target_epoch`` (the table's last epoch where that is ``None``), or the
    first held epoch where none is that early. The prefix must end before the
    target epoch: extrapolating to an epoch already observed is no prediction.
    """
    held = tuple(int(e) for e in table.epochs(dataset))
    target = held[-1] if target_epoch is None else int(target_epoch)
    if observed_epoch is None:
        early = [e for e in held if e <= target / 4]
        observed_epoch = early[-1] if early else held[0]
    if observed_epoch not in held:
        raise NotMeasuredError(f"epoch {observed_epoch!r} is not held for {table.name!r} ({dataset}); held: {list(held)}")
    if observed_epoch >= target:
        raise ValueError(f"the observed prefix must end before the target epoch {target}, got observed_epoch={observed_epoch}")
    return tuple(e for e in held if e <= observed_epoch)


def curve_matrix(table: Any, dataset: str, archs: Sequence[Any], metric: str, epochs: Sequence[int]) -> np.ndarray:
    """Seed-mean ``metric`` of ``archs`` at ``epochs``: an ``(n, len(epochs))`` prefix (NaN where not measured)."""
    archs = list(archs)
    return np.stack([table.query_many(archs, dataset, metric=metric, epoch=int(e)) for e in epochs], axis=1)


__all__ = ["curve_matrix", "dataset_of", "observed_epochs", "open_table", "zc_matrix", "zc_proxies"]
