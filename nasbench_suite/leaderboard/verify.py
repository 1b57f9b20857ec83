"""Verifying a results file before it joins a leaderboard.

Checks, per run: the record's schema; that it was made on the benchmark at
hand (content checksum) under the rules the harness applies to it (selection
metric, clock, fidelities, optimum); that its ``trajectory_sha256`` matches
its trajectory (an edited number changes the hash); that every evaluation's
valid and test numbers, and the incumbent's test number, are the table's;
that the ``final`` summary agrees with the trajectory; and, for a seeded
sample of (strategy, seed) runs, that re-running gives the same trajectory
hash. A strategy's own compute (``search_costs``, measured CPU time) is
replayed from the record in the re-run, so the re-run checks what the
strategy proposed and everything the clock derived from those charges.
Any problem rejects the file.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.harness.results import ResultsFormatError, parse_line, read_text, rounded, trajectory_hash
from nasbench_suite.leaderboard.records import TRAJECTORY_COLUMNS, board_settings, schema_problems

log = logging.getLogger(__name__)

#: rule fields of a record that must equal what the harness derives from the benchmark today
RULE_KEYS: tuple[str, ...] = ("selection_metric", "test_metric", "clock_unit", "fidelities", "benchmark_seed", "optimum", "warnings")


@dataclass(frozen=True)
class RunProblem:
    """One thing wrong with one run (``line`` is 1-based in the results file)."""

    line: int
    strategy: str | None
    seed: int | None
    problem: str

    def __str__(self) -> str:
        who = f"{self.strategy} seed {self.seed}" if self.strategy is not None else "record"
        return f"line {self.line} ({who}): {self.problem}"


@dataclass
class VerifyReport:
    """What :func:`verify_results` checked and found."""

    path: Path
    runs: int = 0
    benchmark: str | None = None
    #: (strategy, seed) of the runs re-run
    rerun: list[tuple[str, int]] = field(default_factory=list)
    #: problems with the file as a whole (unreadable, unknown benchmark, wrong checksum)
    file_problems: list[str] = field(default_factory=list)
    problems: list[RunProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file passed every check."""
        return not self.file_problems and not self.problems

    def lines(self) -> list[str]:
        """The report as text lines (problems first)."""
        out = [f"{self.path}: {p}" for p in self.file_problems]
        out += [f"{self.path}: {p}" for p in self.problems]
        verdict = "OK" if self.ok else f"REJECTED ({len(self.file_problems) + len(self.problems)} problem(s))"
        reruns = ", ".join(f"{s}/{n}" for s, n in self.rerun) or "none"
        out.append(f"{self.path}: {verdict}: {self.runs} run(s) on {self.benchmark or '?'}; re-ran {reruns}")
        return out


def _same(a: Any, b: Any) -> bool:
    """Equal after the harness's rounding (12 significant digits, NaN as None)."""
    return rounded(a) == rounded(b)


def _parse(path: Path, report: VerifyReport) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        report.file_problems.append(f"cannot read: {exc}")
        return []
    out = []
    seen: dict[tuple[str, int], int] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = parse_line(line, where=f"line {i}")
        except ResultsFormatError as exc:
            report.problems.append(RunProblem(i, None, None, str(exc)))
            continue
        problems = schema_problems(rec)
        if problems:
            report.problems += [RunProblem(i, None, None, p) for p in problems]
            continue
        key = (rec["strategy"]["name"], rec["seed"])
        if key in seen:
            report.problems.append(RunProblem(i, *key, f"the same strategy and seed as line {seen[key]}"))
            continue
        seen[key] = i
        out.append((i, rec))
    report.runs = len(out)
    if not out and not report.problems:
        report.file_problems.append("no runs in the file")
    return out


def _check_against_table(line: int, rec: dict[str, Any], lookup: Any, report: VerifyReport) -> None:
    """Every evaluation's numbers are the table's; ``final`` agrees with the trajectory."""
    who = (rec["strategy"]["name"], rec["seed"])
    traj = rec["trajectory"]
    for i, (arch, epoch) in enumerate(zip(traj["arch"], traj["epoch"])):
        try:
            row = lookup.get(arch, epoch)
        except (ValueError, LookupError) as exc:
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: {exc}"))
            return
        for col, want in (("valid", row.valid), ("test", row.test)):
            if not _same(traj[col][i], want):
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: {col} is {traj[col][i]!r}, the table says {rounded(want)!r}"))
                return
        inc = traj["incumbent"][i]
        if inc is not None:
            if not isinstance(inc, int) or not 0 <= inc <= i:
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: incumbent index {inc!r} is not an earlier evaluation"))
                return
            want = lookup.get(traj["arch"][inc], traj["epoch"][inc]).final_test
            if not _same(traj["incumbent_test"][i], want):
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: incumbent_test is {traj['incumbent_test'][i]!r}, "
                                                              f"the table says {rounded(want)!r}"))
                return
    if rec["workers"] == 1 and not _clock_ok(line, rec, lookup, report):
        return
    final = rec.get("final")
    if traj["incumbent"] and traj["incumbent"][-1] is not None:
        j = traj["incumbent"][-1]
        expect = {"arch": traj["arch"][j], "epoch": traj["epoch"][j], "test": traj["incumbent_test"][-1], "evals": len(traj["eval"])}
        if rec.get("optimum"):
            expect["regret"] = rec["optimum"]["value"] - traj["incumbent_test"][-1]
        if not isinstance(final, dict):
            report.problems.append(RunProblem(line, *who, "final is missing though the run has an incumbent"))
            return
        for k, v in expect.items():
            if not _same(final.get(k), v) and not (k == "regret" and _close(final.get(k), v)):
                report.problems.append(RunProblem(line, *who, f"final.{k} is {final.get(k)!r}, the trajectory says {rounded(v)!r}"))
                return


def _clock_ok(line: int, rec: dict[str, Any], lookup: Any, report: VerifyReport) -> bool:
    """With one worker, each cost is the table's training cost (less a continued checkpoint) and times add up.

    A strategy's own compute (``search_costs``, one per proposal) is added before its evaluation.
    """
    who = (rec["strategy"]["name"], rec["seed"])
    traj = rec["trajectory"]
    searched = rec.get("search_costs") or []
    trained: dict[str, int] = {}
    now = 0.0
    for i, (arch, epoch) in enumerate(zip(traj["arch"], traj["epoch"])):
        cost = lookup.get(arch, epoch).cum_cost
        prev = trained.get(arch)
        if len(lookup.fidelities) > 1 and prev is not None and prev < epoch:
            cost -= lookup.get(arch, prev).cum_cost
        now += (searched[i] if i < len(searched) else 0.0) + cost
        if not _close(traj["cost"][i], cost):
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: cost is {traj['cost'][i]!r}, the table says {rounded(cost)!r}"))
            return False
        if not _close(traj["time"][i], now):
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: finish time is {traj['time'][i]!r}, "
                                                          f"the costs add up to {rounded(now)!r}"))
            return False
        trained[arch] = max(trained.get(arch, 0), epoch)
    return True


def _close(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _first_difference(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> str:
    for i in range(max(len(a.get("eval", [])), len(b.get("eval", [])))):
        for col in TRAJECTORY_COLUMNS:
            x = a.get(col, [])[i] if i < len(a.get(col, [])) else "(missing)"
            y = b.get(col, [])[i] if i < len(b.get(col, [])) else "(missing)"
            if x != y:
                return f"first difference at evaluation {i + 1}, {col}: recorded {x!r}, re-run {y!r}"
    return "trajectories are equal but hashes differ"


def verify_results(
    path: str | os.PathLike[str],
    *,
    benchmark: str | None = None,
    sample: int = 5,
    seed: int = 0,
) -> VerifyReport:
    """Check a results file run by run and re-run ``sample`` of its runs; see the module docstring.

    Parameters
    ----------
    path : path-like
        A results file written by ``nasbench run``.
    benchmark : str, optional
        A benchmark name or store path; by default the name the records carry,
        resolved with :func:`nasbench_suite.catalog.resolve`.
    sample : int
        How many (strategy, seed) runs to re-run (all when larger than the file; 0: none).
    seed : int
        Seed of the choice of runs to re-run.
    """
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ValueError(f"sample must be an int >= 0, got {sample!r}")
    from nasbench_suite.harness.budget import Budget
    from nasbench_suite.harness.runner import Task, lookup_cached, open_cached, run_task

    path = Path(path)
    report = VerifyReport(path)
    rows = _parse(path, report)
    if not rows:
        return report
    first = rows[0][1]
    ref = benchmark or first["benchmark"]["name"]
    report.benchmark = ref
    for line, rec in rows[1:]:
        if board_settings(rec) != board_settings(first):
            diff = next(k for k in board_settings(rec) if board_settings(rec)[k] != board_settings(first)[k])
            report.problems.append(RunProblem(line, rec["strategy"]["name"], rec["seed"],
                                              f"{diff} differs from line {rows[0][0]}: {rec.get(diff)!r:.120}"))
    try:
        bench = open_cached(ref)
    except (ValueError, LookupError, OSError) as exc:
        report.file_problems.append(f"cannot open benchmark {ref!r}: {exc}; pass --benchmark NAME|FILE")
        return report
    if bench.checksum != first["benchmark"]["checksum"]:
        report.file_problems.append(f"the runs were made on a benchmark with checksum {first['benchmark']['checksum']}, "
                                    f"but {ref!r} has {bench.checksum}")
        return report
    try:
        lookup = lookup_cached(ref, first["dataset"], first["epoch"])
    except (ValueError, LookupError) as exc:
        report.file_problems.append(f"dataset {first['dataset']!r} at epoch {first['epoch']}: {exc}")
        return report
    rules = rounded(lookup.describe())
    for line, rec in rows:
        who = (rec["strategy"]["name"], rec["seed"])
        wrong = [k for k in RULE_KEYS if rounded(rec.get(k)) != rules.get(k)]
        if wrong:
            k = wrong[0]
            report.problems.append(RunProblem(line, *who, f"{k} is {rec.get(k)!r:.120}, the harness applies {rules.get(k)!r:.120}"))
            continue
        if trajectory_hash(rec["trajectory"]) != rec["trajectory_sha256"]:
            report.problems.append(RunProblem(line, *who, "trajectory_sha256 does not match the trajectory (numbers edited?)"))
            continue
        _check_against_table(line, rec, lookup, report)

    rng = np.random.default_rng(seed)
    picks = sorted(rng.choice(len(rows), size=min(sample, len(rows)), replace=False).tolist()) if sample else []
    for idx in picks:
        line, rec = rows[idx]
        who = (rec["strategy"]["name"], rec["seed"])
        report.rerun.append(who)
        try:
            budget = Budget(rec["budget"]["kind"], rec["budget"]["value"])
            replay = tuple(rec["search_costs"]) if "search_costs" in rec else None  # measured: replayed, not re-measured
            task = Task(ref, rec["dataset"], rec["epoch"], budget, rec["workers"], who[0], who[1],
                        dict(rec["strategy"]["params"]), search_costs=replay)
            _, text = run_task(task)
        except Exception as exc:  # an unknown strategy or a setting the harness refuses
            report.problems.append(RunProblem(line, *who, f"re-run failed: {type(exc).__name__}: {exc}"))
            continue
        again = json.loads(text)
        if again["trajectory_sha256"] != rec["trajectory_sha256"] or again["status"] != rec["status"]:
            report.problems.append(RunProblem(line, *who, "re-run differs: " + _first_difference(rec["trajectory"], again["trajectory"])
                                              + (f"; status {rec['status']!r} vs {again['status']!r}" if again["status"] != rec["status"] else "")))
    log.info("verified %s: %d runs, %d re-run, %d problems", path, report.runs, len(report.rerun), len(report.problems))
    return report


__all__ = ["RULE_KEYS", "RunProblem", "VerifyReport", "verify_results"]
