"""Measure latency columns for every distinct network of a table, resumably, into a cost file.

Each isomorphism class (rows with one :meth:`canonical_key`) is one network:
it is built once by the space's builder for the table's recorded network
(skeleton, channels, cells, dataset), initialised after
``torch.manual_seed(seed)``, and timed under every setting in turn
(:mod:`nasbench_suite.training.latency`); every member row gets its class's
numbers. The value of a column is the median of its repeats (robust to the
preemptions a shared machine causes); every repeat is kept. The numerics
fingerprint of each setting is recorded with its column, so a reader knows
which hardware the numbers are for. Progress is written to the output every
``checkpoint_seconds``; running again with the same settings on the same
numerics continues where it stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.store.costs import CostColumn, CostFile, read_cost_file, write_cost_file
from nasbench_suite.training.latency import LatencySetting, time_forward

__all__ = ["LatencyNetwork", "LatencyResumeError", "distinct_networks", "measure_latency_columns"]

log = logging.getLogger(__name__)


class LatencyResumeError(NasBenchError, ValueError):
    """An existing output that was measured for another table, network, setting or machine."""


@dataclass(frozen=True)
class LatencyNetwork:
    """The network whose forward pass is timed: a table's recorded skeleton and sizes, and its init seed."""

    dataset: str
    skeleton: str
    channels: int
    cells: int
    seed: int = 0

    @classmethod
    def from_protocol(cls, protocol: dict[str, Any], **overrides: Any) -> LatencyNetwork:
        """The network a table's training protocol records, with ``overrides`` (``None`` keeps the protocol's)."""
        values = {k: protocol[k] for k in ("dataset", "skeleton", "channels", "cells") if k in protocol}
        values.update({k: v for k, v in overrides.items() if v is not None})
        missing = sorted({"dataset", "skeleton", "channels", "cells"} - set(values))
        if missing:
            raise ValueError(f"the table's protocol does not record the network's {', '.join(missing)}: give them "
                             f"(--{' --'.join(missing)})")
        return cls(str(values["dataset"]), str(values["skeleton"]), int(values["channels"]), int(values["cells"]),
                   int(values.get("seed", 0)))


def distinct_networks(space: Any, archs: Sequence[str]) -> list[list[int]]:
    """Rows grouped by network (the space's ``canonical_key``; each row alone where it has none), by first row."""
    groups: dict[str, list[int]] = {}
    for row, text in enumerate(archs):
        arch = space.parse(text)
        key = arch.canonical_key() if hasattr(arch, "canonical_key") else text
        groups.setdefault(str(key), []).append(row)
    return sorted(groups.values(), key=lambda rows: rows[0])


def _sample(images: Any, batch: int) -> Any:
    import torch

    reps = -(-batch // len(images))
    return (torch.cat([images] * reps) if reps > 1 else images)[:batch].contiguous()


def _setting_record(setting: LatencySetting, net: LatencyNetwork, shape: tuple[int, ...], repeats: int,
                    warmup: int, fingerprint: Any) -> dict[str, Any]:
    return {**setting.describe(), "repeats": repeats, "warmup": warmup, "statistic": "median",
            "input_shape": list(shape), "input": f"the first {setting.batch} validation images of {net.dataset!r} (tiled)",
            "network": asdict(net), "mode": "eval mode, torch.inference_mode, weights from torch.manual_seed(seed)",
            "fingerprint": fingerprint.to_dict(), "fingerprint_digest": fingerprint.digest()}


def _compatible(old: CostFile, new: CostFile) -> None:
    """Refuse to continue ``old`` as ``new`` unless table, rows, dataset, network, settings and numerics agree."""
    if (old.base_checksum, old.archs, old.dataset) != (new.base_checksum, new.archs, new.dataset):
        raise LatencyResumeError(f"the existing output was measured for table {old.base_name!r} ({old.base_checksum}), "
                                 f"dataset {old.dataset!r}; this run is for {new.base_name!r} ({new.base_checksum}), "
                                 f"dataset {new.dataset!r}: choose another --out or pass --fresh")
    for key, col in new.columns.items():
        was = old.columns.get(key)
        if was is None:
            raise LatencyResumeError(f"the existing output has no column {key!r} (it has {sorted(old.columns)}): "
                                     f"measure the same settings, or pass --fresh")
        same = ("name", "batch", "device", "threads", "repeats", "warmup", "network", "input_shape", "fingerprint_digest")
        diff = [k for k in same if was.setting.get(k) != col.setting.get(k)]
        if diff:
            raise LatencyResumeError(f"column {key!r} of the existing output was measured with other {', '.join(diff)} "
                                     f"(recorded {[was.setting.get(k) for k in diff]}, here {[col.setting.get(k) for k in diff]}); "
                                     f"numbers of two setups do not mix: choose another --out or pass --fresh")


def measure_latency_columns(
    bench: Any,
    out: str | Path,
    settings: Sequence[LatencySetting],
    *,
    dataset: str | None = None,
    network: LatencyNetwork | None = None,
    repeats: int = 9,
    warmup: int = 3,
    name: str = "latency",
    fresh: bool = False,
    limit: int | None = None,
    checkpoint_seconds: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> CostFile:
    """Time every distinct network of ``bench`` under ``settings`` and write the cost file ``out``.

    ``limit`` stops after that many networks of this invocation (the file is
    then partial: run again to continue). ``progress(done, total)`` is called
    after each network. Returns the cost file as written.
    """
    import torch

    from nasbench_suite.harness.identity import checked_digest
    from nasbench_suite.numerics import current_fingerprint
    from nasbench_suite.spaces import get_bundle
    from nasbench_suite.training.data import load_dataset

    if repeats < 1 or warmup < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got {repeats!r} and {warmup!r}")
    dataset = dataset or bench.protocol.get("dataset") or (bench.datasets[0] if len(bench.datasets) == 1 else None)
    if dataset not in bench.datasets:
        raise ValueError(f"dataset {dataset!r} is not one of the table's datasets {list(bench.datasets)}: pass --dataset")
    network = network or LatencyNetwork.from_protocol(bench.protocol)
    digest = checked_digest(bench)
    builder = get_bundle(bench.space_name).builder(network.skeleton)
    data = load_dataset(network.dataset)
    groups = distinct_networks(bench.full_space, bench.archs)
    n = len(bench.archs)
    previous_threads = torch.get_num_threads()
    columns: dict[str, CostColumn] = {}
    samples_in: dict[str, Any] = {}
    for s in settings:
        torch.set_num_threads(s.resolved_threads())
        sample = _sample(data.valid_x, s.batch).to(s.device)
        samples_in[s.column] = sample
        fp = current_fingerprint(device=s.device, threads=s.resolved_threads())
        record = _setting_record(s, network, tuple(sample.shape), repeats, warmup, fp)
        columns[s.column] = CostColumn(np.full(n, np.nan), np.full((n, repeats), np.nan), record)
    torch.set_num_threads(previous_threads)
    target = CostFile(name=name, base_name=bench.name, base_checksum=digest, search_space=bench.space_name,
                      dataset=dataset, archs=list(bench.archs), columns=columns,
                      provenance={"networks": len(groups), "rows": n, "wall_seconds": 0.0, "started": time.time()})
    if Path(out).exists() and not fresh:
        old = read_cost_file(out)
        _compatible(old, target)
        for key, col in columns.items():
            col.values[:], col.samples[:] = old.columns[key].values, old.columns[key].samples
        target.provenance.update(wall_seconds=float(old.provenance.get("wall_seconds", 0.0)),
                                 started=old.provenance.get("started", target.provenance["started"]))
    todo = [g for g in groups if not all(np.isfinite(c.values[g[0]]) for c in columns.values())]
    log.info("%d of %d networks left to time", len(todo), len(groups))
    start = last = time.perf_counter()
    done = len(groups) - len(todo)
    try:
        for count, rows in enumerate(todo):
            if limit is not None and count >= limit:
                break
            torch.manual_seed(network.seed)
            net = builder.build(bench.archs[rows[0]], in_channels=data.in_channels, num_classes=data.num_classes,
                                channels=network.channels, cells=network.cells)
            for s in settings:
                torch.set_num_threads(s.resolved_threads())
                times = time_forward(net.to(s.device), samples_in[s.column], repeats=repeats, warmup=warmup)
                col = columns[s.column]
                col.samples[rows] = times
                col.values[rows] = float(np.median(times))
            done += 1
            if progress is not None:
                progress(done, len(groups))
            if time.perf_counter() - last >= checkpoint_seconds:
                _write(out, target, start)
                start = last = time.perf_counter()
    finally:
        torch.set_num_threads(previous_threads)
        _write(out, target, start)
    return target


def _write(out: str | Path, target: CostFile, start: float) -> None:
    target.provenance["wall_seconds"] = float(target.provenance["wall_seconds"]) + (time.perf_counter() - start)
    target.provenance["complete"] = all(target.complete(k) for k in target.columns)
    write_cost_file(out, target)
