"""Sweeps: many (strategy, seed) runs into one results file, resumable and engine-independent.

Lines are appended as runs complete (so an interrupted sweep keeps its
finished runs) and the file is finally rewritten in a fixed order -- sorted by
strategy name, then seed -- so the bytes do not depend on completion order,
the number of jobs or the engine. Rerunning with the same output file keeps
the runs already there and does the rest; it refuses when the file's settings
differ from the requested ones, and when the store's content digest
(recomputed, see :mod:`nasbench_suite.harness.identity`) is not the one the
runs name.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError, UnknownNameError
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.engines import check_engine, run_tasks
from nasbench_suite.harness.identity import checked_digest
from nasbench_suite.harness.lookup import Lookup
from nasbench_suite.harness.objective_lookup import ObjectiveLookup, check_objectives
from nasbench_suite.harness.results import (
    make_record,
    read_lines,
    run_key,
    same_params,
    settings_of,
    write_lines_atomic,
)
from nasbench_suite.harness.runner import Task, jsonable_params
from nasbench_suite.harness.simulator import RunOutcome
from nasbench_suite.strategies import STRATEGIES, SearchContext, get_strategy
from nasbench_suite.strategies.base import recorded_params

log = logging.getLogger(__name__)


class SweepMismatchError(NasBenchError, ValueError):
    """An existing results file whose settings differ from the sweep's: refusing to mix them."""


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep runs: every strategy with every seed under one setting."""

    benchmark: str
    dataset: str
    strategies: tuple[str, ...]
    seeds: tuple[int, ...]
    budget: Budget
    epoch: int | None = None
    workers: int = 1
    #: per-strategy hyperparameter overrides
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: a multi-objective sweep's objectives (``"valid_acc:max,params:min"`` or a sequence); None: single-objective
    objectives: str | tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if self.objectives is not None:
            from nasbench_suite.multiobjective.objectives import parse_objectives

            object.__setattr__(self, "objectives", tuple(str(o) for o in parse_objectives(self.objectives)))
        if not self.strategies:
            raise ValueError("a sweep needs at least one strategy")
        if not self.seeds:
            raise ValueError("a sweep needs at least one seed")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise ValueError(f"workers must be an int >= 1, got {self.workers!r}")
        for name in self.strategies:
            get_strategy(name)  # unknown names list the valid ones
        for name in self.params:
            if name not in self.strategies:
                raise ValueError(f"parameters given for strategy {name!r}, which is not in the sweep ({', '.join(self.strategies)})")
            _check_param_names(name, self.params[name])


def hyperparameters(strategy: str) -> dict[str, Any] | None:
    """The keyword-only hyperparameters of a strategy's constructor and their defaults (``None``: it takes any)."""
    import inspect

    signature = inspect.signature(get_strategy(strategy))
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None
    return {n: p.default for n, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY and n != "seed"}


def _check_param_names(strategy: str, params: Mapping[str, Any]) -> None:
    """Refuse a hyperparameter the strategy's constructor does not take (a typo would fail every run)."""
    known = hyperparameters(strategy)
    if known is None:
        return
    for name in params:
        if name not in known:
            raise UnknownNameError(f"hyperparameter of strategy {strategy!r}", name, list(known))


@dataclass
class SweepSummary:
    """What a sweep did."""

    path: Path
    total: int
    reused: int
    ran: int
    failed: list[tuple[str, int, str]]
    wall_seconds: float
    #: strategies left out because they cannot search this benchmark dataset, with the reason
    skipped: dict[str, str] = field(default_factory=dict)


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0-99"``, ``"3"`` or ``"0,5,10-12"`` as a sorted tuple of distinct seeds."""
    seeds: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        lo, sep, hi = part.partition("-")
        try:
            if sep:
                a, b = int(lo), int(hi)
                if b < a:
                    raise ValueError
                seeds.update(range(a, b + 1))
            else:
                seeds.add(int(part))
        except ValueError:
            raise ValueError(f"seeds must look like 0-99, 7 or 0,5,10-12; got {text!r}") from None
    if any(s < 0 for s in seeds):
        raise ValueError(f"seeds must be >= 0, got {text!r}")
    return tuple(sorted(seeds))


def parse_strategies(text: str) -> tuple[str, ...]:
    """``"all"`` (every registered strategy) or a comma-separated list of names."""
    if text.strip() == "all":
        return tuple(STRATEGIES.names())
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise ValueError(f"no strategy names in {text!r}")
    for name in names:
        get_strategy(name)
    return names


def applicable(names: tuple[str, ...], context: SearchContext) -> tuple[tuple[str, ...], dict[str, str]]:
    """The strategies among ``names`` that accept ``context`` (default hyperparameters), and why the others do not.

    ``--strategies all`` runs only these: e.g. one-shot strategies, which train
    their own supernet, cannot search a table of CIFAR results on digits images.
    """
    kept, skipped = [], {}
    for name in names:
        try:
            get_strategy(name)(context, seed=0)
        except ValueError as exc:
            skipped[name] = str(exc)
        else:
            kept.append(name)
    return tuple(kept), skipped


def _benchmark_ref(spec: SweepSpec, bench: Any) -> str:
    """What workers open: an absolute path when the benchmark came from a file."""
    path = getattr(bench, "path", None)
    if path is None:
        return spec.benchmark
    files = getattr(bench, "cost_files", None)  # a table with measured-cost files beside it: <path>+<name>...
    return "+".join([str(Path(path).resolve()), *files]) if files else str(Path(path).resolve())


def _expected(spec: SweepSpec, bench: Any, lookup: Lookup, context: SearchContext,
              objectives: ObjectiveLookup | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The settings every record must have, and the full params of each strategy."""
    probe = RunOutcome()
    budget = spec.budget
    settings = settings_of(make_record(benchmark=bench, lookup=lookup, strategy="-", params={}, seed=0, budget=budget,
                                       workers=spec.workers, outcome=probe, objectives=objectives))
    params: dict[str, Any] = {}
    for name in spec.strategies:
        requested = dict(spec.params.get(name, {}))
        try:
            params[name] = get_strategy(name)(context, seed=0, **requested).params()
        except Exception:  # the run itself will fail and say why
            params[name] = jsonable_params(requested)
    return settings, params


def _check_existing(path: Path, lines: list[str], settings: dict[str, Any], params: dict[str, Any]) -> dict[tuple[str, int], str]:
    kept: dict[tuple[str, int], str] = {}
    for i, line in enumerate(lines, start=1):
        record = json.loads(line)
        have = settings_of(record)
        diff = sorted(k for k in settings if have.get(k) != settings[k])
        if diff:
            k = diff[0]
            was = (have.get("benchmark") or {}).get("checksum") if isinstance(have.get("benchmark"), dict) else None
            now = settings["benchmark"]["checksum"]
            if k == "benchmark" and was != now:
                raise SweepMismatchError(
                    f"{path}:{i} was made on a store with content digest {was}, but the benchmark "
                    f"{settings['benchmark']['name']!r} now has content digest {now} (digest mismatch): "
                    f"refusing to resume on another store; use another --out file or delete it"
                )
            raise SweepMismatchError(
                f"{path}:{i} was written with different settings ({k}: {have.get(k)!r}, this sweep: {settings[k]!r}); "
                f"use another --out file or delete it"
            )
        key = run_key(record)
        if key[0] in params and not same_params(recorded_params(get_strategy(key[0]), record["strategy"]["params"]),
                                                params[key[0]]):
            raise SweepMismatchError(
                f"{path}:{i}: strategy {key[0]!r} ran with params {record['strategy']['params']!r}, this sweep uses "
                f"{params[key[0]]!r}; use another --out file or delete it"
            )
        kept[key] = line
    return kept


def _append(fh: Any, out: Path, line: str, kept: int) -> None:
    """Append one record line to the unbuffered ``fh``; on a full disk, cut it back to its complete lines and say so."""
    from nasbench_suite._atomic import DiskFullError, is_disk_full

    data = memoryview((line + "\n").encode("utf-8"))
    start = fh.seek(0, 2)
    try:
        while data:
            data = data[fh.write(data):]
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        os.ftruncate(fh.fileno(), start)  # a half-written line would be dropped on resume anyway; leave none
        raise DiskFullError(
            f"no space left on device while writing {out}; it keeps the {kept} complete run(s) written so far "
            "(rerun the same command to resume)"
        ) from exc


def run_sweep(
    spec: SweepSpec,
    out: str | Path,
    *,
    jobs: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    progress: bool = True,
    on_result: Callable[[tuple[str, int], str], None] | None = None,
    skip_inapplicable: bool = False,
) -> SweepSummary:
    """Run every (strategy, seed) of ``spec`` not yet in ``out`` and write ``out`` in canonical order.

    With ``skip_inapplicable`` (what ``--strategies all`` means), strategies
    that refuse the benchmark dataset are left out and listed in the summary;
    otherwise their runs fail and record why.
    """
    from nasbench_suite.catalog import resolve

    t0 = time.perf_counter()
    check_engine(engine, jobs)  # before anything is written
    out = Path(out)
    bench = resolve(spec.benchmark)
    checked_digest(bench)  # records name the store by its checksum: it must be the digest of what is in the file
    lookup = Lookup(bench, spec.dataset, epoch=spec.epoch)
    spec.budget.check_unit(lookup.clock_unit)
    mo = check_objectives(lookup, spec.objectives)  # an unknown or incomplete metric stops here, before any run
    context = SearchContext(lookup.space, lookup.fidelities, dataset=lookup.dataset,
                            objectives=mo.objectives if mo is not None else ())
    skipped: dict[str, str] = {}
    if skip_inapplicable:
        names, skipped = applicable(spec.strategies, context)
        if not names:
            raise ValueError(f"no strategy can search {spec.dataset!r} of {spec.benchmark!r}: {skipped}")
        spec = replace(spec, strategies=names)
    settings, params = _expected(spec, bench, lookup, context, mo)
    existing = _check_existing(out, read_lines(out), settings, params) if out.exists() else {}
    ref = _benchmark_ref(spec, bench)
    tasks = [
        Task(ref, spec.dataset, lookup.target_epoch, spec.budget, spec.workers, name, seed, dict(spec.params.get(name, {})),
             objectives=spec.objectives)
        for name in spec.strategies
        for seed in spec.seeds
        if (name, seed) not in existing
    ]
    done = dict(existing)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_lines_atomic(out, [existing[k] for k in sorted(existing)])  # drops a truncated last line
    if tasks:
        log.info("sweep: %d runs to do, %d kept from %s", len(tasks), len(existing), out)
    with open(out, "ab", buffering=0) as fh:
        for key, line in run_tasks(tasks, jobs=jobs, engine=engine, ray_address=ray_address, progress=progress):
            _append(fh, out, line, len(done))
            done[key] = line
            if on_result is not None:
                on_result(key, line)
    write_lines_atomic(out, [done[k] for k in sorted(done)])
    failed = []
    for key in sorted(done):
        record = json.loads(done[key])
        if record["status"] != "ok":
            failed.append((key[0], key[1], str(record.get("error"))))
    return SweepSummary(out, len(done), len(existing), len(tasks), failed, time.perf_counter() - t0, skipped)
