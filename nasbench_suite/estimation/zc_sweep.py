"""Zero-cost proxies for every architecture of a table, stored as extra columns of a copy.

Proxies are computed once per isomorphism class (:meth:`Architecture.canonical_key`)
on a process pool of single-threaded workers and copied to every member. The
copy of the benchmark gets, in the dataset the networks were trained on,

``columns/zc/<proxy>``
    the proxy value, NaN where it is undefined for the architecture;
``columns/zc_reason/<proxy>``
    0 where the value is defined, else ``k``: the reason is the k-th entry of
    ``provenance["zero_cost"]["reasons"][<proxy>]`` of that dataset.

The dataset provenance records the setup (network, seed, minibatch), the
proxy definitions and the compute time; see :func:`zc_provenance`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.estimation.zc_setup import ProxySetup, compute_proxies, resolve_proxies
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.base import isomorphism_rows
from nasbench_suite.store.model import BenchmarkData, DatasetTable

__all__ = ["ZcSweep", "add_zc_columns", "read_data", "stored_sweep", "sweep_archs", "zc_provenance", "zc_sweep"]

log = logging.getLogger(__name__)
_CHUNK = 16


@dataclass
class ZcSweep:
    """Proxy values of a list of architectures and why some are NaN.

    ``values[p][i]`` is proxy ``p`` of architecture ``i``; ``codes[p][i]`` is 0
    where defined, else the 1-based position of the reason in ``reasons[p]``.
    """

    archs: list[str]
    setup: ProxySetup
    values: dict[str, np.ndarray]
    codes: dict[str, np.ndarray]
    reasons: dict[str, list[str]]
    classes: int
    wall_seconds: float
    #: summed per-proxy compute seconds over the computed classes (all workers)
    proxy_seconds: dict[str, float] = field(default_factory=dict)
    workers: int = 1
    #: for scores copied from another table, that table's compute record (its machine and times made them)
    compute: dict[str, Any] | None = None
    #: the search space of ``archs``
    space: str = "nb201"


def _init_worker(parent: int, kernel: bool) -> None:
    from nasbench_suite._workers import die_with_parent

    die_with_parent(parent, kernel)  # no orphans after the parent is killed
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass


def _work(
    chunk: list[tuple[int, str]], names: list[str], setup: dict[str, Any], space: str = "nb201"
) -> list[tuple[int, dict[str, tuple]]]:
    s = ProxySetup(**setup)
    return [(c, {k: tuple(v) for k, v in compute_proxies(a, names, setup=s, space=space).items()}) for c, a in chunk]


def _run(
    chunks: list[list[tuple[int, str]]], names: list[str], setup: ProxySetup, workers: int, space: str
) -> Iterator[list]:
    if workers == 1:  # in process, single-threaded like the pool's workers
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            for chunk in chunks:
                yield _work(chunk, names, setup.to_dict(), space)
        finally:
            torch.set_num_threads(threads)
        return
    ctx = multiprocessing.get_context("spawn")
    pending = list(reversed(chunks))
    from nasbench_suite._workers import watch_args

    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=watch_args()) as pool:
        running: set = set()
        try:
            while pending or running:
                while pending and len(running) < 2 * workers:
                    running.add(pool.submit(_work, pending.pop(), names, setup.to_dict(), space))
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _progress(total: int):  # pragma: no cover - display only
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(TextColumn("[bold]zero-cost proxies"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("eta"), TimeRemainingColumn())
    return progress, progress.add_task("classes", total=total)


def sweep_archs(
    archs: Sequence[str],
    proxies: str | Sequence[str] = "all",
    *,
    setup: ProxySetup,
    workers: int = 1,
    show_progress: bool = True,
    space: str = "nb201",
) -> ZcSweep:
    """Proxies of every architecture in ``archs`` (of ``space``), computed once per isomorphism class.

    The values do not depend on ``workers`` (each worker computes with one thread).
    """
    names = resolve_proxies(proxies if isinstance(proxies, str) else list(proxies))
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    archs = list(archs)
    from nasbench_suite.training.builders import get_builder

    get_builder(space, setup.skeleton)  # an unknown space or skeleton raises before any work
    first, cls_of = isomorphism_rows(get_space(space), archs)
    reps = [archs[i] for i in first]
    per_class = {n: np.full(len(reps), np.nan) for n in names}
    reason_of: dict[str, list[str | None]] = {n: [None] * len(reps) for n in names}
    seconds = dict.fromkeys(names, 0.0)
    items = list(enumerate(reps))
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    start = time.perf_counter()
    progress = None
    if show_progress:
        progress, task = _progress(len(reps))
        progress.start()
    try:
        for results in _run(chunks, names, setup, workers, space):
            for c, vals in results:
                for n, (value, reason, secs) in vals.items():
                    per_class[n][c] = value
                    reason_of[n][c] = reason
                    seconds[n] += secs
            if progress is not None:
                progress.advance(task, len(results))
    finally:
        if progress is not None:
            progress.stop()
    wall = time.perf_counter() - start
    values, codes, reasons = {}, {}, {}
    for n in names:
        distinct = sorted({r for r in reason_of[n] if r is not None})
        pos = {r: k + 1 for k, r in enumerate(distinct)}
        class_codes = np.array([0 if r is None else pos[r] for r in reason_of[n]], dtype=np.float64)
        values[n] = per_class[n][cls_of]
        codes[n] = class_codes[cls_of]
        reasons[n] = distinct
    log.info("computed %d proxies for %d classes (%d architectures) in %.1f s", len(names), len(reps), len(archs), wall)
    return ZcSweep(archs, setup, values, codes, reasons, len(reps), wall, seconds, workers, space=space)


def read_data(bench: Any) -> BenchmarkData:
    """The whole content of an opened table (a :class:`~nasbench_suite.store.TableBenchmark`) in memory."""
    datasets = {}
    for ds in bench.datasets:
        costs = bench.costs(ds)
        datasets[ds] = DatasetTable(
            epochs=np.asarray(bench.epochs(ds)),
            seeds=np.asarray(bench.seeds(ds)),
            metrics=tuple(bench.metric_names(ds)),
            curves=bench.curves(ds),
            costs=np.stack([costs[c] for c in costs], axis=1) if costs else np.zeros((len(bench.archs), 0)),
            cost_names=tuple(costs),
            columns=dict(bench.columns(ds)),
            provenance=dict(bench.dataset_provenance(ds)),
        )
    return BenchmarkData(name=bench.name, search_space=bench.space_name, archs=list(bench.archs), datasets=datasets,
                         protocol=dict(bench.protocol), provenance=dict(bench.provenance))


def zc_provenance(sweep: ZcSweep) -> dict[str, Any]:
    """What a dataset's provenance records about its zero-cost columns."""
    import platform

    import torch

    return {
        "setup": sweep.setup.to_dict(),
        "space": sweep.space,
        "network": "nasbench_suite.training.builders.get_builder(space, skeleton).build with the setup's channels "
                   "and cells; built afresh for each proxy after torch.manual_seed(seed)",
        "minibatch": "batch_size training-split images at numpy.random.default_rng(seed).choice(n_train, batch_size, "
                     "replace=False); synflow uses one all-ones input instead",
        "definitions": "nasbench_suite.estimation.zero_cost (module docstring)",
        "proxies": sorted(sweep.values),
        "columns": "zc/<proxy>: value (NaN = undefined); zc_reason/<proxy>: 0 = defined, k = reasons[<proxy>][k-1]",
        "reasons": {p: list(r) for p, r in sorted(sweep.reasons.items())},
        "undefined_counts": {p: int(np.count_nonzero(c)) for p, c in sorted(sweep.codes.items())},
        "isomorphism_classes_computed": sweep.classes,
        "compute": sweep.compute if sweep.compute is not None else {
            "wall_seconds": round(sweep.wall_seconds, 3),
            "workers": sweep.workers,
            "threads_per_worker": 1,
            "proxy_seconds_summed": {p: round(s, 3) for p, s in sorted(sweep.proxy_seconds.items())},
            "torch": torch.__version__,
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
        },
    }


def add_zc_columns(data: BenchmarkData, sweep: ZcSweep, *, dataset: str) -> BenchmarkData:
    """A copy of ``data`` whose ``dataset`` holds the sweep's columns and provenance (rows matched by string)."""
    if dataset not in data.datasets:
        raise UnknownNameError("dataset", dataset, sorted(data.datasets))
    pos = {a: i for i, a in enumerate(sweep.archs)}
    missing = [a for a in data.archs if a not in pos]
    if missing:
        raise ValueError(f"the sweep has no values for {len(missing)} architectures of the table, e.g. {missing[0]!r}")
    rows = np.array([pos[a] for a in data.archs], dtype=np.int64)
    table = data.datasets[dataset]
    columns = {k: v for k, v in table.columns.items() if not k.startswith(("zc/", "zc_reason/"))}
    for p in sweep.values:
        columns[f"zc/{p}"] = sweep.values[p][rows]
        columns[f"zc_reason/{p}"] = sweep.codes[p][rows]
    provenance = {**table.provenance, "zero_cost": zc_provenance(sweep)}
    datasets = {**data.datasets, dataset: replace(table, columns=columns, provenance=provenance)}
    return replace(data, datasets=datasets, provenance={**data.provenance})


def stored_sweep(
    source: Any, archs: Sequence[str], names: Sequence[str], setup: ProxySetup, space: str | None = None
) -> ZcSweep:
    """The proxies ``names`` of ``archs`` as another table stores them, when it computed them with ``setup``.

    Proxy scores depend on the architecture, the network setup and the seed,
    never on how a table trained its networks, so a table of the same space
    and setup can lend them. Raises if ``source`` used another setup, lacks a
    proxy, or lacks an architecture.
    """
    holders = [ds for ds in source.datasets if "zero_cost" in source.dataset_provenance(ds)]
    if len(holders) != 1:
        raise ValueError(f"{source.name!r} holds zero-cost columns in {len(holders)} datasets; expected exactly one")
    prov = source.dataset_provenance(holders[0])["zero_cost"]
    their_space = prov.get("space", "nb201")  # recorded since proxies exist for every space; NB201 before
    our_space = getattr(source, "space_name", their_space) if space is None else space
    if their_space != our_space:
        raise ValueError(f"{source.name!r} scored architectures of space {their_space!r}, not {our_space!r}")
    theirs, ours = prov["setup"], setup.to_dict()
    differ = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
    if differ:
        raise ValueError(f"{source.name!r} computed its proxies with another setup: "
                         + ", ".join(f"{k} {theirs.get(k)!r} there, {ours.get(k)!r} here" for k in differ))
    missing = [n for n in names if n not in prov["proxies"]]
    if missing:
        raise ValueError(f"{source.name!r} has no {', '.join(missing)} column(s); it holds {', '.join(prov['proxies'])}")
    row = {a: i for i, a in enumerate(source.archs)}
    absent = [a for a in archs if a not in row]
    if absent:
        raise ValueError(f"{source.name!r} has no scores for {len(absent)} architectures, e.g. {absent[0]!r}")
    rows = np.array([row[a] for a in archs], dtype=np.int64)
    cols = source.columns(holders[0])
    compute = prov.get("compute", {})
    return ZcSweep(
        archs=list(archs),
        setup=setup,
        values={n: np.asarray(cols[f"zc/{n}"], dtype=np.float64)[rows] for n in names},
        codes={n: np.asarray(cols[f"zc_reason/{n}"], dtype=np.float64)[rows] for n in names},
        reasons={n: list(prov["reasons"].get(n, [])) for n in names},
        classes=int(prov["isomorphism_classes_computed"]),
        wall_seconds=float(compute.get("wall_seconds", 0.0)),
        proxy_seconds={n: float(compute.get("proxy_seconds_summed", {}).get(n, 0.0)) for n in names},
        workers=int(compute.get("workers", 1)),
        compute=dict(compute),
        space=their_space,
    )


def zc_sweep(
    benchmark: Any,
    out: str | os.PathLike[str],
    *,
    proxies: str | Sequence[str] = "all",
    workers: int = 2,
    dataset: str | None = None,
    show_progress: bool = True,
    train_dataset: str | None = None,
    reuse: Any = None,
    **setup: Any,
) -> ZcSweep:
    """Compute ``proxies`` for every architecture of ``benchmark`` and write it with the columns to ``out``.

    ``benchmark`` is a name, a path or an opened table. The networks follow the
    table's recorded protocol (dataset, skeleton, channels, cells);
    ``train_dataset`` and the ``setup`` fields (``seed``, ``batch_size``,
    ``skeleton``, ``channels``, ``cells``) override it. ``dataset`` is the
    table dataset that receives the columns (default: the training dataset).
    ``reuse`` (a name, path or opened table) lends its stored scores instead
    of computing them, when it computed them with the same setup (see
    :func:`stored_sweep`); the provenance then names it and keeps its
    compute figures.
    """
    from nasbench_suite.catalog import resolve
    from nasbench_suite.store import write_store

    names = resolve_proxies(proxies if isinstance(proxies, str) else list(proxies))  # fail before any work
    bench = resolve(str(benchmark)) if isinstance(benchmark, (str, os.PathLike)) else benchmark
    if not hasattr(bench, "curves"):
        raise TypeError(f"zero-cost columns are added to stored tables, got {type(bench).__name__}")
    setup = {k: v for k, v in {**setup, "dataset": train_dataset}.items() if v is not None}
    proxy_setup = ProxySetup.from_protocol(bench.protocol, **setup)
    missing = [k for k in ("skeleton", "channels", "cells", "dataset") if k not in bench.protocol and k not in setup]
    if missing:
        raise ValueError(f"table {bench.name!r} records no training protocol for {missing}; pass them explicitly")
    target = dataset or (proxy_setup.dataset if proxy_setup.dataset in bench.datasets else None)
    if target is None:
        if len(bench.datasets) != 1:
            raise UnknownNameError("dataset to hold the columns", proxy_setup.dataset, bench.datasets)
        target = bench.datasets[0]
    data = read_data(bench)
    if reuse is None:
        result = sweep_archs(data.archs, names, setup=proxy_setup, workers=workers, show_progress=show_progress,
                             space=bench.space_name)
    else:
        source = resolve(str(reuse)) if isinstance(reuse, (str, os.PathLike)) else reuse
        result = stored_sweep(source, data.archs, names, proxy_setup, space=bench.space_name)
    data = add_zc_columns(data, result, dataset=target)
    if reuse is not None:
        data.datasets[target].provenance["zero_cost"]["reused_from"] = {"name": source.name, "checksum": source.checksum}
    data.provenance["derived_from"] = {"checksum": bench.checksum, "change": f"zero-cost proxy columns added to {target!r}"}
    write_store(Path(out), data)
    return result
