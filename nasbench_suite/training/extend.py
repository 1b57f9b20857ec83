"""Extend a sampled table without its journal: seed a new generation's journal with the table's jobs.

A sampled table (``nasbench generate --sample N``) holds, per architecture and
seed, the curves its job produced and, for the seed that measured them, the
costs. That is everything a finished job contributes to a table, so a table
that travelled without its journal (a shipped ``datasets/`` file, a colleague's
run) can still be grown: the table's jobs are written into the new journal,
and only the new draws (or new seeds) are trained. The assembled table equals
the one a single uninterrupted generation would have written, except the
per-job wall seconds, which a table does not keep: the extended table's
``job_seconds_total`` adds the source's total to the new jobs' seconds.

Only sampled tables written by :func:`nasbench_suite.training.generate.generate_table`
can be extended this way, under the same space, training protocol and sample
seed; anything else is refused with the setting that differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import COSTS, METRICS
from nasbench_suite.training.journal import Journal, JobResult, Proposal, ProtocolMismatchError, proposal_class
from nasbench_suite.training.protocol import TrainProtocol

__all__ = ["ExtendSource", "read_extend_source", "seed_journal"]


@dataclass(frozen=True)
class ExtendSource:
    """What a table contributes to a new generation: its jobs, proposals and provenance."""

    path: Path
    checksum: str
    jobs: tuple[JobResult, ...]
    proposals: tuple[Proposal, ...]
    job_seconds_total: float
    numerics: tuple[dict[str, Any] | None, ...]


def read_extend_source(path: str | Path, *, space: str, protocol: TrainProtocol, sample_seed: int) -> ExtendSource:
    """The jobs of the sampled table at ``path``, checked against the generation that extends it."""
    from nasbench_suite.store.reader import TableBenchmark
    from nasbench_suite.training.generate import sampled_classes

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"table to extend {str(path)!r} does not exist")
    with TableBenchmark(path, verify=True) as bench:
        recorded = bench.protocol
        where = f"table to extend {str(path)!r}"
        if bench.space_name != space:
            raise ProtocolMismatchError(f"{where} is of space {bench.space_name!r}, not {space!r}")
        sample = recorded.get("sample")
        if not isinstance(sample, dict) or "size" not in sample or "seed" not in sample:
            raise ProtocolMismatchError(f"{where} is not a sampled table written by 'nasbench generate --sample N'")
        if int(sample["seed"]) != int(sample_seed):
            raise ProtocolMismatchError(f"{where} was drawn with sample seed {sample['seed']}, not {sample_seed}")
        wanted = protocol.to_dict()
        differing = sorted(k for k in wanted if recorded.get(k) != wanted[k])
        if differing:
            raise ProtocolMismatchError(
                f"{where} was trained with different settings (differing: {', '.join(differing)}; recorded "
                f"{[recorded.get(k) for k in differing]}, requested {[wanted[k] for k in differing]})"
            )
        if bench.datasets != (protocol.dataset,):
            raise ProtocolMismatchError(f"{where} holds datasets {list(bench.datasets)}, expected [{protocol.dataset!r}]")
        dataset = protocol.dataset
        if tuple(bench.metric_names(dataset)) != METRICS:
            raise ProtocolMismatchError(f"{where} holds metrics {list(bench.metric_names(dataset))}, expected {list(METRICS)}")
        curves = bench.curves(dataset)
        costs = bench.costs(dataset)
        seeds = [int(s) for s in bench.seeds(dataset)]
        archs = list(bench.archs)
        size = int(sample["size"])
        proposed = recorded.get("proposed") or {}
        classes = sampled_classes(space, size, int(sample_seed))
        n_trained = int(recorded.get("classes_trained", len(classes))) - int(proposed.get("count", 0))
        row_of = {a: i for i, a in enumerate(archs)}
        jobs: list[JobResult] = []
        for c, iso in enumerate(classes[:n_trained]):
            row = row_of.get(iso.arch)
            if row is None:
                raise ProtocolMismatchError(f"{where} lacks architecture {iso.arch!r} of its own sample (class {c})")
            jobs.extend(_jobs_of_row(c, iso.arch, curves[row], [costs[n][row] for n in COSTS], seeds))
        proposals = _proposals(proposed, archs, where)
        first = len(archs) - len(proposals)
        for pos, p in enumerate(proposals):
            row = first + pos
            jobs.extend(_jobs_of_row(proposal_class(pos), p.arch, curves[row], [costs[n][row] for n in COSTS], seeds))
        numerics = bench.provenance.get("numerics_history") or [bench.provenance.get("numerics")]
        return ExtendSource(
            path=path,
            checksum=bench.checksum,
            jobs=tuple(jobs),
            proposals=tuple(proposals),
            job_seconds_total=float(bench.provenance.get("job_seconds_total", math.nan)),
            numerics=tuple(numerics),
        )


def _jobs_of_row(cls: int, arch: str, curves: np.ndarray, costs: list[float], seeds: list[int]) -> list[JobResult]:
    """One job per seed whose curves the row holds; the first of them carries the measured costs."""
    out: list[JobResult] = []
    measured = False
    for s, seed in enumerate(seeds):
        if np.isnan(curves[s]).all():
            continue  # this class was not trained with this seed
        take = not measured
        measured = True
        params, flops, latency = (float(v) for v in costs) if take else (math.nan, math.nan, math.nan)
        out.append(JobResult(cls, seed, arch, np.array(curves[s], dtype=np.float64), params, flops, latency,
                             math.nan, "imported"))
    return out


def _proposals(proposed: dict[str, Any], archs: list[str], where: str) -> list[Proposal]:
    """The table's proposed rows as proposals, with the strategy and source of each row."""
    count = int(proposed.get("count", 0))
    if not count:
        return []
    lo, hi = (int(x) for x in proposed["rows"])
    per_row = proposed.get("row_by")
    by = proposed.get("by", [])
    if per_row is None or len(per_row) != count or hi - lo != count:
        raise ProtocolMismatchError(f"{where} does not record which strategy proposed each of its proposed rows; "
                                    "it cannot be extended without its journal")
    if not 0 <= lo <= hi == len(archs) or not all(isinstance(g, int) and 0 <= g < len(by) for g in per_row):
        raise ProtocolMismatchError(f"{where} records proposed rows {lo}..{hi} of its {len(archs)} and strategy "
                                    f"entries outside its {len(by)} proposers; the record is inconsistent")
    return [Proposal(archs[i], str(by[g]["strategy"]), str(by[g]["source"]), "") for i, g in zip(range(lo, hi), per_row)]


def seed_journal(journal: Journal, source: ExtendSource, *, space: str) -> int:
    """Write ``source``'s proposals and jobs into ``journal`` (already held ones are kept); how many jobs were new."""
    from nasbench_suite.spaces import get_space

    if source.proposals:
        sp = get_space(space)
        keyed = [Proposal(p.arch, p.strategy, p.source, sp.parse(p.arch).canonical_key()) for p in source.proposals]
        held = journal.proposals()
        if held[: len(keyed)] != keyed[: len(held)]:
            raise ProtocolMismatchError(f"journal {journal.path} holds other proposals than table {str(source.path)!r}")
        journal.add_proposals(keyed)
    for fingerprint in source.numerics:  # before the jobs: a journal with jobs but no fingerprint means unknown numerics
        journal.record_numerics(fingerprint)
    done = journal.done()
    new = [j for j in source.jobs if (j.cls, j.seed) not in done]
    for j in new:
        journal.commit(j)
    if new:  # a table this journal already holds every job of (e.g. the one it wrote) adds nothing to its provenance
        journal.record_extended(source.path.name, source.checksum, len(source.jobs), source.job_seconds_total)
    return len(new)
