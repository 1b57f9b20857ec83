"""The multi-objective part of a leaderboard: hypervolume regret as the score, IGD+, fronts and the problem.

A board of multi-objective runs (records with ``objectives``) ranks on
**hypervolume regret**: the true front's hypervolume minus the hypervolume of
a run's reported front (chosen on validation, scored on test), in the
problem's fixed normalised space
(:mod:`nasbench_suite.multiobjective.indicators`: ideal 0, the table's worst
value 1, reference point 1.1 in every objective). Every statistic of a
single-objective board -- anytime curves over evaluations and simulated
time, areas, ranks, Friedman, Nemenyi, paired Wilcoxon tests, bootstrap
intervals -- is computed the same way on that curve; before the first
evaluation the regret is the true hypervolume. This module adds what only a
multi-objective board has: the problem (objectives, normalisation, reference
point, true front, and for a cost measured beside the table how and on which
hardware it was measured), each entry's final IGD+ and front size, and the
final fronts of every run for the front figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.leaderboard.aggregate import Entry, Run, summary
from nasbench_suite.multiobjective.indicators import MOProblem, hypervolume_regret_curve, problem_for, reported_front

__all__ = ["MOBoardError", "is_multiobjective", "problem_of", "section", "to_run"]


class MOBoardError(NasBenchError, ValueError):
    """Multi-objective runs that cannot make a board (no table to take the true front from)."""


def is_multiobjective(record: dict[str, Any]) -> bool:
    """Whether a results record is of a multi-objective run."""
    return bool(record.get("objectives"))


def objectives_text(record: dict[str, Any]) -> str:
    """A record's objectives as ``metric:direction,...``."""
    return ",".join(f"{o['metric']}:{o['direction']}" for o in record["objectives"])


def problem_of(record: dict[str, Any], benchmark: Any = None) -> MOProblem:
    """The problem of a record's runs, from ``benchmark`` or else the benchmark it names (checked by content digest)."""
    from nasbench_suite.harness.identity import content_digest

    if benchmark is None:
        from nasbench_suite.catalog import resolve

        benchmark = resolve(record["benchmark"]["name"])
    digest = content_digest(benchmark)
    if digest != record["benchmark"]["checksum"]:
        raise MOBoardError(f"benchmark {benchmark.name!r} has content digest {digest}; the runs were made on "
                           f"{record['benchmark']['checksum']}")
    files = dict(getattr(benchmark, "cost_files", None) or {})
    if files != (record["benchmark"].get("cost_files") or {}):
        raise MOBoardError(f"benchmark {benchmark.name!r} has measured-cost files {files or 'none'}; the runs were made "
                           f"with {record['benchmark'].get('cost_files') or 'none'}")
    if not hasattr(benchmark, "archs"):
        raise MOBoardError(f"a multi-objective board needs a table for its true front; {benchmark.name!r} is a "
                           f"{type(benchmark).__name__}")
    return problem_for(benchmark, record["dataset"], objectives_text(record), epoch=int(record["epoch"]))


def to_run(record: dict[str, Any], source: tuple[int, int], problem: MOProblem) -> Run:
    """One record's hypervolume-regret curve as a :class:`Run` (its ``regret`` after each evaluation)."""
    traj = record["trajectory"]
    regret = hypervolume_regret_curve(record, problem) if traj["eval"] else np.empty(0)
    return Run(int(record["seed"]), record["status"] == "ok", record.get("error"), source,
               np.array(traj["time"], dtype=float), np.asarray(regret, dtype=float))


def _hardware(benchmark: Any, dataset: str, problem: MOProblem) -> dict[str, Any]:
    """For each objective measured beside the table (a cost file), how and on which machine it was measured."""
    setting_of = getattr(benchmark, "cost_setting", None)
    out: dict[str, Any] = {}
    for metric in problem.metrics:
        setting = setting_of(dataset, metric) if callable(setting_of) else None
        if setting:
            fp = setting.get("fingerprint") or {}
            info = fp.get("info") or {}
            out[metric] = {k: setting.get(k) for k in ("name", "batch", "threads", "device", "repeats", "warmup",
                                                         "statistic", "input_shape", "thread_env", "fingerprint_digest")}
            out[metric]["machine"] = {"cpu": info.get("cpu"), "cpu_count": info.get("cpu_count"),
                                      "torch": fp.get("torch"), "torch_cpu_capability": fp.get("torch_cpu_capability"),
                                      "device_name": fp.get("device_name")}
    return out


def section(entries: list[Entry], records: list[dict[str, Any]], origin: list[tuple[int, int]], problem: MOProblem,
            benchmark: Any = None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The board's ``multiobjective`` block and, per entry key, its IGD+, front-size and final-front numbers."""
    by_source = {src: rec for rec, src in zip(records, origin)}
    per_entry: dict[str, dict[str, Any]] = {}
    for e in entries:
        igd, size, fronts = [], [], {}
        for r in e.ok_runs:
            pts = reported_front(by_source[r.source], problem)
            igd.append(problem.igd_plus(pts))
            size.append(float(len(pts)))
            order = np.lexsort(pts.T[::-1])
            fronts[str(r.seed)] = pts[order].tolist()
        per_entry[e.key] = {"igd_plus": summary(np.array(igd)), "front_size": summary(np.array(size)),
                            "final_fronts": fronts}
    first = records[0]
    block = {**problem.to_dict(), "true_front": problem.front[np.lexsort(problem.front.T[::-1])].tolist(),
             "score": "hypervolume regret: the true front's hypervolume minus the run's reported front's, normalised "
                      "(ideal 0, the table's worst 1 in every objective), reference point 1.1 in each"}
    if benchmark is None:
        from nasbench_suite.catalog import resolve

        benchmark = resolve(first["benchmark"]["name"])
    hardware = _hardware(benchmark, first["dataset"], problem)
    if hardware:
        block["measured_costs"] = hardware
    return block, per_entry
