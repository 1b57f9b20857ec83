"""Generate a benchmark table: train one network per isomorphism class, for each seed.

Isomorphic cells compute the same function, so only one representative per
class (:meth:`Architecture.canonical_key`) is trained. Two kinds of table:

* **enumerated** (spaces with an index: NB201, NATS-sss, TransNAS-Bench-101):
  every architecture of the space; the representative is the member with the
  smallest official index and classes are ordered by it;
* **sampled** (``sample=N``, any space, the only kind for NB101 and DARTS):
  ``N`` distinct architectures drawn uniformly by the space's sampler from
  ``numpy.random.default_rng(sample_seed)``, rows in draw order; the
  representative of a class is its first drawn member and classes are
  ordered by it. Draws with one seed extend each other, so a larger ``N``
  with the same seed continues a smaller table's journal.

Every architecture of the table gets its class's numbers; ``limit`` keeps the
first classes. The network is the space's builder for the protocol's skeleton
(:func:`nasbench_suite.training.builders.get_builder`).

Generation is resumable: each finished (class, seed) job is committed to a
journal next to the output (``<out>.journal.sqlite``); rerunning the same
call continues where the last one stopped. The table is assembled and written
through :func:`nasbench_suite.store.write_store` once every job is done.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import COSTS, METRICS
from nasbench_suite.spaces import SPACES, get_space
from nasbench_suite.spaces.base import isomorphism_rows
from nasbench_suite.store.model import BenchmarkData, DatasetTable
from nasbench_suite.training.data import DATASETS
from nasbench_suite.training.engines import ENGINES
from nasbench_suite.training.jobs import JobSpec
from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.training.journal import Journal, JobResult, Proposal, ProtocolMismatchError, proposal_class
from nasbench_suite.training.builders import get_builder
from nasbench_suite.training.trainer import TrainProtocol

__all__ = [
    "IsoClass",
    "generate_table",
    "isomorphism_classes",
    "journal_path",
    "machine_info",
    "sampled_architectures",
    "sampled_classes",
]

log = logging.getLogger(__name__)

#: how representatives are chosen, recorded in every generated table
REPRESENTATIVE_POLICY = (
    "one network per isomorphism class (Architecture.canonical_key); the representative is the member "
    "with the smallest official index; every member gets its class's numbers; classes are ordered by "
    "their representative's official index"
)
#: how a sampled table is drawn and represented, recorded in every sampled table
SAMPLE_POLICY = (
    "architectures drawn uniformly by the space's sampler (SearchSpace.sample) with "
    "numpy.random.default_rng(sample seed), a string already drawn skipped, until N distinct; rows in draw order; "
    "one network per isomorphism class (canonical_key) among them, the representative is the class's first drawn "
    "member; every member gets its class's numbers; classes are ordered by their first draw"
)
#: largest space enumerated by index (larger ones are sampled)
MAX_ENUMERATED = 100_000


@dataclass(frozen=True)
class IsoClass:
    """One isomorphism class: its representative and all members (official indices, ascending)."""

    representative: int
    arch: str
    members: tuple[int, ...]


@cache
def isomorphism_classes(space: str = "nb201") -> tuple[IsoClass, ...]:
    """The space's isomorphism classes, ordered by their representative's official index."""
    sp = SPACES.get(space)()
    if not sp.size or sp.size > MAX_ENUMERATED or not _has_index(sp):
        size = "too many" if not sp.size else f"{sp.size:,}"
        raise ValueError(
            f"space {space!r} ({size} architectures) is not enumerated by index; generate a sampled table "
            "instead (sample=N, on the command line --sample N)"
        )
    groups: dict[str, list[int]] = defaultdict(list)
    for index in range(sp.size):
        groups[sp.parse(index).canonical_key()].append(index)
    classes = [IsoClass(m[0], sp.parse(m[0]).to_string(), tuple(m)) for m in map(sorted, groups.values())]
    return tuple(sorted(classes, key=lambda c: c.representative))


def _has_index(sp: Any) -> bool:
    try:
        sp.parse(0)
    except (ValueError, TypeError, LookupError):
        return False
    return True


@cache
def sampled_architectures(space: str, n: int, seed: int = 0) -> tuple[str, ...]:
    """``n`` distinct architectures of ``space`` (strings) drawn uniformly with ``default_rng(seed)``, in draw order.

    The draws of one seed extend each other: the first ``n`` of a larger sample are this sample.
    """
    sp = get_space(space)
    if isinstance(n, bool) or int(n) < 1:
        raise ValueError(f"sample must be a positive number of architectures, got {n!r}")
    if sp.size is not None and n > sp.size:
        raise ValueError(f"sample {n} exceeds the {sp.size:,} architectures of space {space!r}")
    rng = np.random.default_rng(int(seed))
    drawn: dict[str, None] = {}
    misses = 0
    while len(drawn) < n:
        text = sp.sample(rng).to_string()
        if text in drawn:
            misses += 1
            if misses > 100 * n + 1000:  # pragma: no cover - only for near-exhaustive samples of small spaces
                raise ValueError(f"could not draw {n} distinct architectures of {space!r}; ask for fewer")
            continue
        drawn[text] = None
    return tuple(drawn)


@cache
def sampled_classes(space: str, n: int, seed: int = 0) -> tuple[IsoClass, ...]:
    """The isomorphism classes among :func:`sampled_architectures`; members are draw positions."""
    archs = sampled_architectures(space, n, seed)
    first, cls_of = isomorphism_rows(get_space(space), archs)
    members: dict[int, list[int]] = defaultdict(list)
    for position, c in enumerate(cls_of.tolist()):
        members[c].append(position)
    return tuple(IsoClass(int(f), archs[int(f)], tuple(members[c])) for c, f in enumerate(first.tolist()))


@dataclass(frozen=True)
class _Plan:
    """What a generation trains: the classes, the string of each member, and what the table records about it."""

    classes: tuple[IsoClass, ...]
    archs: Any  # member number -> architecture string (a sequence, or the space's index order)
    protocol: dict[str, Any]


class _ByIndex:
    def __init__(self, space: str) -> None:
        self.space = get_space(space)

    def __getitem__(self, index: int) -> str:
        return self.space.parse(index).to_string()


def _plan(space: str, sample: int | None, sample_seed: int) -> _Plan:
    if sample is None:
        classes = isomorphism_classes(space)
        return _Plan(classes, _ByIndex(space), {"representatives": REPRESENTATIVE_POLICY})
    classes = sampled_classes(space, int(sample), int(sample_seed))
    recorded = {"representatives": SAMPLE_POLICY, "sample": {"size": int(sample), "seed": int(sample_seed)}}
    return _Plan(classes, sampled_architectures(space, int(sample), int(sample_seed)), recorded)


def journal_path(out: str | Path) -> Path:
    """Where the journal of a generation writing ``out`` lives."""
    return Path(f"{out}.journal.sqlite")


def machine_info(*, threads: int) -> dict[str, Any]:
    """The machine class that determines bit-exact reproducibility: platform, CPU, torch, threads."""
    import torch

    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": threads,
    }


def _numerics_here(engine: str, ray_address: str | None, device: str, threads: int) -> dict[str, Any] | None:
    """The numerics fingerprint this invocation's jobs run under (None: they run on other machines)."""
    from nasbench_suite.numerics import current_fingerprint, numerics_context

    if engine != "local" and (ray_address or os.environ.get("RAY_ADDRESS")):
        return None  # the jobs run on the cluster's machines, not this one
    # the workers run with ``threads`` torch threads and deterministic algorithms, as in this context
    with numerics_context(threads=threads):
        return current_fingerprint(device=device).to_dict()


def _numerics_provenance(recorded: list[dict[str, Any] | None]) -> dict[str, Any]:
    """The table's ``numerics`` provenance: the one fingerprint every job ran under, or null and why."""
    if len(recorded) == 1 and recorded[0] is not None:
        return {"numerics": recorded[0]}
    if None in recorded or not recorded:
        note = "some jobs ran where no numerics fingerprint was taken (a Ray cluster, or an older release)"
    else:
        note = f"the jobs ran under {len(recorded)} different numerics fingerprints (a generation resumed elsewhere)"
    return {"numerics": None, "numerics_note": note, "numerics_history": recorded}


def _settings(space: str, protocol: TrainProtocol, sample_seed: int | None = None) -> dict[str, Any]:
    # seeds are not part of the settings: jobs are keyed by (class, seed), so a table of any
    # subset of the journaled seeds can be assembled, and more seeds can be added later; nor is
    # a sample's size: the draws of one sample seed extend each other, so a sample can grow
    settings = {"space": space, "protocol": protocol.to_dict()}
    if sample_seed is not None:
        settings["sample_seed"] = int(sample_seed)
    return settings


def _check_names(space: str, protocol: TrainProtocol, engine: str) -> None:
    for registry, name in ((SPACES, space), (DATASETS, protocol.dataset)):
        if name not in registry:
            registry.get(name)  # raises UnknownNameError listing the valid names
    get_builder(space, protocol.skeleton)  # raises UnknownNameError listing the space's skeletons
    if engine not in ENGINES:
        ENGINES.get(engine)


def _progress(total: int, done: int):  # pragma: no cover - display only
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("eta"), TimeRemainingColumn(),
    )
    task = progress.add_task("jobs", total=total, completed=done)
    return progress, task


def generate_table(
    out: str | Path,
    protocol: TrainProtocol,
    *,
    space: str = "nb201",
    seeds: Sequence[int] = (0, 1),
    workers: int = 1,
    engine: str = "local",
    limit: int | None = None,
    classes: Sequence[int] | None = None,
    sample: int | None = None,
    sample_seed: int = 0,
    device: str = "cpu",
    data_root: str | None = None,
    name: str | None = None,
    ray_address: str | None = None,
    show_progress: bool = True,
    write: bool = True,
    proposals: Sequence[Proposal] = (),
    journaled_seeds: bool = True,
    extend: str | Path | None = None,
) -> BenchmarkData:
    """Train every pending job, then assemble the table and (``write=True``) write it to ``out``.

    ``sample=N`` trains ``N`` architectures drawn with ``sample_seed`` (see the
    module docstring) instead of the whole space. ``limit`` keeps the first
    ``limit`` classes; ``classes`` picks classes by position in the class list
    (:func:`isomorphism_classes` or :func:`sampled_classes`) instead.
    ``proposals`` (architectures a search proposed; their ``key`` is filled in
    here) join a sampled table's journal and are trained with ``seeds`` like
    the sampled classes; proposals already in the journal are trained and
    kept on every later call. ``journaled_seeds`` keeps every seed the
    journal holds for some of the table's classes (NaN where not trained);
    without it the table holds ``seeds`` only. ``extend`` names a sampled
    table (of the same space, protocol and sample seed) whose jobs seed the
    journal, so a table that travelled without its journal can be grown
    (``training.extend``); it may be ``out`` itself. Returns the assembled data.
    """
    _check_names(space, protocol, engine)
    seeds = [int(s) for s in seeds]
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"seeds must be distinct, non-empty and >= 0 (-1 marks a seed mean in a store), got {seeds}")
    plan = _plan(space, sample, sample_seed)
    all_classes = plan.classes
    if classes is None:
        chosen = list(range(len(all_classes) if limit is None else min(int(limit), len(all_classes))))
    else:
        chosen = sorted({int(c) for c in classes})
        if chosen and not 0 <= chosen[0] <= chosen[-1] < len(all_classes):
            raise ValueError(f"class positions must lie in 0..{len(all_classes) - 1}, got {chosen[0]}..{chosen[-1]}")
    if limit is not None and int(limit) < 1:
        raise ValueError(f"limit must be a positive number of classes, got {limit}")
    out = Path(out)
    jpath = journal_path(out)
    source = None
    if extend is not None:
        if sample is None:
            raise ValueError("extending a table needs a sample: give sample=N (on the command line --sample N)")
        from nasbench_suite.training.extend import read_extend_source

        source = read_extend_source(extend, space=space, protocol=protocol, sample_seed=sample_seed)
    in_place = source is not None and out.exists() and out.resolve() == source.path.resolve()
    if out.exists() and not jpath.exists() and not in_place:
        raise ProtocolMismatchError(
            f"output {out} exists but has no generation journal ({jpath}); refusing to overwrite a table "
            "made by another run; choose another path or delete the file"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    wall_start = time.time()
    if proposals and sample is None:
        raise ValueError("proposed architectures join a sampled table: give sample=N (on the command line --sample N)")
    checked = _proposals_to_add(space, proposals)
    with Journal(jpath, _settings(space, protocol, None if sample is None else sample_seed)) as journal:
        if source is not None:
            from nasbench_suite.training.extend import seed_journal

            imported = seed_journal(journal, source, space=space)
            log.info("%d jobs imported from %s", imported, source.path)
        if checked:
            added = journal.add_proposals(checked)
            log.info("%d of %d proposed architectures are new to the journal", added, len(checked))
        proposed = _proposed_classes(journal, space, plan, chosen)
        job_archs = {c: all_classes[c].arch for c in chosen} | {proposal_class(pos): p.arch for pos, p in proposed}
        done = journal.done()
        specs = [
            JobSpec(c, s, arch, protocol.to_dict(), device, data_root, measure_costs=s == seeds[0], space=space)
            for s in seeds  # seed-major: every class of the first seed finishes first
            for c, arch in job_archs.items()
            if (c, s) not in done
        ]
        total = len(job_archs) * len(seeds)
        log.info("%d of %d jobs already journaled; %d to run", total - len(specs), total, len(specs))
        if specs:
            journal.record_numerics(_numerics_here(engine, ray_address, device, protocol.threads))
        runner = ENGINES.get(engine)
        results = runner(specs, workers=workers, threads=protocol.threads, device=device, address=ray_address)
        if show_progress:
            progress, task = _progress(total, total - len(specs))
            with progress:
                for result in results:
                    journal.commit(result)
                    progress.advance(task)
        else:
            for result in results:
                journal.commit(result)
        data = assemble(
            journal, protocol, space=space, seeds=seeds, chosen=chosen, name=name or out.stem, device=device, plan=plan,
            proposed=proposed, journaled_seeds=journaled_seeds,
        )
        data.provenance.update(_numerics_provenance(journal.numerics()))
        extended = journal.extended()
        if extended:
            data.provenance["extended_from"] = extended
            data.provenance["job_seconds_total"] += sum(e["job_seconds_total"] or 0.0 for e in extended)
        data.provenance.update(
            machine=machine_info(threads=protocol.threads),
            engine=engine,
            workers=workers,
            device=device,
            started=journal.started(),
            finished=time.time(),
            wall_seconds_last_invocation=time.time() - wall_start,
        )
    if write:
        from nasbench_suite.store import write_store  # imported late: only needed once all jobs are done

        write_store(out, data)
    return data


def _proposals_to_add(space: str, proposals: Sequence[Proposal]) -> list[Proposal]:
    """``proposals`` with strings in the space's canonical form and their keys, checked against the space."""
    sp = get_space(space)
    out = []
    for i, p in enumerate(proposals):
        try:
            arch = sp.parse(p.arch)
        except (ValueError, TypeError, LookupError) as exc:
            raise InvalidArchitectureError(
                f"proposed architecture {i + 1} ({p.arch!r}) is not an architecture of space {space!r}: {exc}"
            ) from None
        out.append(Proposal(arch.to_string(), p.strategy, p.source, arch.canonical_key()))
    return out


def _proposed_classes(journal: Journal, space: str, plan: _Plan, chosen: Sequence[int]) -> list[tuple[int, Proposal]]:
    """The journal's proposals (position, proposal) that are not isomorphic to a chosen sampled class."""
    proposals = journal.proposals()
    if not proposals:
        return []
    sp = get_space(space)
    sampled = {sp.parse(plan.classes[c].arch).canonical_key() for c in chosen}
    kept = [(pos, p) for pos, p in enumerate(proposals) if p.key not in sampled]
    if len(kept) < len(proposals):
        log.info("%d proposed architectures are isomorphic to sampled ones and are not trained again",
                 len(proposals) - len(kept))
    return kept


def assemble(
    journal: Journal,
    protocol: TrainProtocol,
    *,
    space: str,
    seeds: Sequence[int],
    chosen: Sequence[int],
    name: str,
    device: str = "cpu",
    plan: _Plan | None = None,
    proposed: Sequence[tuple[int, Proposal]] = (),
    journaled_seeds: bool = True,
) -> BenchmarkData:
    """The table of the ``chosen`` classes and the ``proposed`` ones from the journal's results.

    Every job of ``seeds`` must be done. With ``journaled_seeds`` the table
    also holds every other seed the journal has for some of these classes,
    NaN where a class was not trained with it (e.g. a second seed on the
    first 10% of a sample, the seed-to-seed noise floor). ``plan`` says which
    classes there are (default: the space's enumeration); proposed rows
    follow the sampled ones, in the order they were proposed.
    """
    plan = plan or _plan(space, None, 0)
    all_classes = plan.classes
    by_job: dict[tuple[int, int], JobResult] = {(r.cls, r.seed): r for r in journal.results()}
    # (member position or proposal order, class number, architecture) of every row, in table order
    rows = [(m, c, plan.archs[m]) for m, c in sorted((m, c) for c in chosen for m in all_classes[c].members)]
    rows += [(len(rows) + i, proposal_class(pos), p.arch) for i, (pos, p) in enumerate(proposed)]
    job_classes = [*chosen, *(proposal_class(pos) for pos, _ in proposed)]
    missing = [(c, s) for c in job_classes for s in seeds if (c, s) not in by_job]
    if missing:
        raise RuntimeError(f"{len(missing)} jobs are not finished yet, e.g. {missing[:3]}")
    table_seeds = [int(s) for s in seeds]
    if journaled_seeds:
        wanted = set(job_classes)
        table_seeds = sorted({*table_seeds, *(s for c, s in by_job if c in wanted)})
    archs = [a for _, _, a in rows]
    n, e = len(rows), protocol.epochs
    curves = np.full((n, len(table_seeds), e, len(METRICS)), np.nan)
    costs = np.full((n, len(COSTS)), np.nan)
    per_class_curves: dict[int, np.ndarray] = {}
    per_class_costs: dict[int, np.ndarray] = {}
    seconds = 0.0
    for c in job_classes:
        results = [by_job.get((c, s)) for s in table_seeds]
        per_class_curves[c] = np.stack([np.full((e, len(METRICS)), np.nan) if r is None else r.curves for r in results])
        held = [r for r in results if r is not None]
        # the job that measured the class's costs (the first seed it was trained with)
        first = next((r for r in held if r.params is not None and np.isfinite(r.params)), by_job[c, seeds[0]])
        per_class_costs[c] = np.array([first.params, first.flops, first.latency], dtype=np.float64)
        seconds += sum(r.seconds for r in held if np.isfinite(r.seconds))  # imported jobs' seconds are not known
    for row, (_, c, _) in enumerate(rows):
        curves[row] = per_class_curves[c]
        costs[row] = per_class_costs[c]
    coverage = {str(s): sum((c, s) in by_job for c in job_classes) for s in table_seeds}
    table = DatasetTable(
        epochs=np.arange(1, e + 1),
        seeds=np.asarray(table_seeds, dtype=np.int64),
        metrics=METRICS,
        curves=curves,
        costs=costs,
        cost_names=COSTS,
        provenance={
            "source": "trained by nasbench_suite.training",
            "dataset": protocol.dataset,
            "splits": "see nasbench_suite.training.data (fixed seeded train/valid/test split)",
            "accuracy_unit": "percent",
            "train_time": "seconds of training in the epoch (evaluation excluded); "
            + ("CPU seconds of the training thread" if protocol.counts_cpu_time(device) else "wall-clock seconds"),
            "latency": "median seconds of one batch-1 forward pass (measured after training with the first seed)",
            "flops": "torch.utils.flop_counter.FlopCounterMode, one input",
        },
    )
    recorded: dict[str, Any] = {
        **protocol.to_dict(),
        "space": space,
        "network": get_builder(space, protocol.skeleton).description,
        "seeds": table_seeds,
        "seed_coverage": coverage,
        **plan.protocol,
        "classes_trained": len(job_classes),
        "classes_total": len(all_classes) + len(proposed),
    }
    if proposed:
        recorded["proposed"] = _proposed_record(proposed, first_row=n - len(proposed))
    return BenchmarkData(
        name=name,
        search_space=space,
        archs=archs,
        datasets={protocol.dataset: table},
        protocol=recorded,
        provenance={"job_seconds_total": seconds, "jobs": sum(coverage.values())},
    )


#: how proposed architectures join a sampled table, recorded with them
PROPOSAL_POLICY = (
    "architectures proposed by search strategies (nasbench generate --arch-file), each trained like a sampled one; "
    "a proposal isomorphic to a sampled architecture or an earlier proposal is not trained again; "
    "proposed rows follow the sampled rows, in the order they were proposed"
)


def _proposed_record(proposed: Sequence[tuple[int, Proposal]], *, first_row: int) -> dict[str, Any]:
    """The ``proposed`` protocol entry: which rows were proposed, by which strategy, searching what."""
    by: dict[tuple[str, str], int] = {}
    row_by: list[int] = []
    for _, p in proposed:
        by[p.strategy, p.source] = by.get((p.strategy, p.source), 0) + 1
        row_by.append(list(by).index((p.strategy, p.source)))
    return {
        "policy": PROPOSAL_POLICY,
        "rows": [int(first_row), int(first_row) + len(proposed)],
        "count": len(proposed),
        "by": [{"strategy": st, "source": src, "count": k} for (st, src), k in by.items()],
        "row_by": row_by,  # per proposed row, its entry in "by"
    }
