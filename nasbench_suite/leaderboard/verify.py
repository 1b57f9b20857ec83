"""Verifying a results file before it joins a leaderboard.

Checks, per file: that its runs follow their track (:mod:`~nasbench_suite.leaderboard.tracks`:
exactly the track's seeds for every strategy, its settings and store) and
were made on the store at hand, identified by its content digest recomputed
from the file (:func:`nasbench_suite.harness.identity.content_digest`), never
by the checksum attribute the store carries. Per run: the record's schema;
the rules the harness applies (selection metric, clock, fidelities,
optimum); that ``trajectory_sha256`` matches the trajectory (an edited
number changes the hash); the incumbent rule, full length and the record of
own compute (:mod:`~nasbench_suite.leaderboard.rules`); that every
evaluation's valid and test numbers, and the incumbent's test number, are
the table's; for a multi-objective run, that its objectives, every
``objective:`` and ``report:`` column and its front are the table's
(:mod:`~nasbench_suite.leaderboard.mo_checks`); that the ``final`` summary
agrees with the trajectory; and that times add up. Then runs are re-run (:mod:`~nasbench_suite.leaderboard.rerun`:
every run of strategies that only query the table, an unpredictable sample
of the expensive ones): a re-run must give the same trajectory hash, status
and notes. A strategy's own compute (``search_costs``, measured CPU time) is
replayed from the record in the re-run, so the re-run checks what the
strategy proposed and everything the clock derived from those charges; the
re-run also measures it again, and a record far below the re-measurement is
rejected. Where the record also holds what that compute decided
(``decisions``), the re-run is fed those decisions too -- an exact *replay*
on any machine -- and the decisions are separately *recomputed* (which
re-measures the own compute, a second time before a measurement over the
tolerance rejects the run: CPU time spikes on a busy machine, under-reporting
does not) and compared within stated tolerances
(:mod:`nasbench_suite.leaderboard.replay`); the report states both.
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

from nasbench_suite.harness.results import ResultsFormatError, parse_line, read_text, rounded, trajectory_hash
from nasbench_suite.leaderboard.mo_checks import objective_lookup_for, objectives_problem
from nasbench_suite.leaderboard.records import TRAJECTORY_COLUMNS, board_settings, schema_problems
from nasbench_suite.leaderboard.replay import recompute_decisions, records_decisions
from nasbench_suite.leaderboard.rerun import (
    MIN_SAMPLE,
    RerunPlan,
    default_jobs,
    execute,
    is_expensive,
    new_nonce,
    plan_reruns,
    task_for,
)
from nasbench_suite.leaderboard.rules import (
    cost_outliers,
    cost_problems,
    has_own_compute,
    incumbent_problem,
    length_problem,
    search_costs_problem,
)
from nasbench_suite.leaderboard.tracks import Track

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
    #: the benchmark's content digest, recomputed from the store
    digest: str | None = None
    #: the track the file was checked against (None: no standard track has its settings)
    track: str | None = None
    #: (strategy, seed) of the runs re-run
    rerun: list[tuple[str, int]] = field(default_factory=list)
    #: which runs were chosen to re-run, with the nonce of the draw
    plan: RerunPlan | None = None
    #: (strategy, seed, recorded, re-measured) own compute in CPU seconds of the re-runs that measured it
    remeasured: list[tuple[str, int, float, float]] = field(default_factory=list)
    #: per re-run with recorded decisions: "exact" or "mismatch" (the replay)
    replayed: dict[tuple[str, int], str] = field(default_factory=dict)
    #: per re-run with recorded decisions: the decisions recomputed here and compared with the record
    recomputed: dict[tuple[str, int], Any] = field(default_factory=dict)
    #: problems with the file as a whole (unreadable, unknown benchmark, wrong digest, seeds off the track)
    file_problems: list[str] = field(default_factory=list)
    problems: list[RunProblem] = field(default_factory=list)
    #: remarks that do not reject the file
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file passed every check."""
        return not self.file_problems and not self.problems

    def lines(self) -> list[str]:
        """The report as text lines (problems first)."""
        out = [f"{self.path}: {p}" for p in self.file_problems]
        out += [f"{self.path}: {p}" for p in self.problems]
        out += [f"{self.path}: note: {n}" for n in self.notes]
        if self.plan is not None:
            counts: dict[str, int] = {}
            for name, _ in self.rerun:
                counts[name] = counts.get(name, 0) + 1
            full = ", ".join(f"{n} ({counts.get(n, 0)})" for n in self.plan.full) or "none"
            drawn = ", ".join(f"{n} ({counts.get(n, 0)})" for n in sorted(self.plan.sampled)) or "none"
            out.append(f"{self.path}: re-ran every run of {full}; a sample of {drawn} (nonce {self.plan.nonce}, "
                       f"file sha256 {self.plan.file_sha256[:16]}...; repeat with --nonce {self.plan.nonce})")
        if self.remeasured:
            worst = min(r / m if m > 0 else math.inf for *_, r, m in self.remeasured)
            out.append(f"{self.path}: own compute re-measured in {len(self.remeasured)} run(s); lowest recorded/re-measured "
                       f"ratio {worst:.3g}")
        for (name, seed), outcome in sorted(self.replayed.items()):
            result = self.recomputed.get((name, seed))
            recompute = "not run" if result is None else (
                f"{result.check} ({result.cpu_seconds:.1f} CPU s; numerics "
                + {True: "identical to the record's", False: "differ from the record's", None: "not recorded"}[result.same_numerics]
                + ")")
            out.append(f"{self.path}: {name} seed {seed}: replay of recorded decisions {outcome}; recompute {recompute}")
        verdict = "OK" if self.ok else f"REJECTED ({len(self.file_problems) + len(self.problems)} problem(s))"
        where = f"{self.benchmark or '?'}" + (f" (content digest {self.digest})" if self.digest else "")
        track = f"; track {self.track}" if self.track else ""
        out.append(f"{self.path}: {verdict}: {self.runs} run(s) on {where}{track}; {len(self.rerun)} re-run")
        return out


def _same(a: Any, b: Any) -> bool:
    """Equal after the harness's rounding (12 significant digits, NaN as None)."""
    return rounded(a) == rounded(b)


def _parse(path: Path, report: VerifyReport) -> tuple[list[tuple[int, dict[str, Any]]], str]:
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        report.file_problems.append(f"cannot read: {exc}")
        return [], ""
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
    return out, text


class _Rows:
    """The table's numbers of (arch, epoch) pairs as the harness rounds them, memoized for a whole file."""

    def __init__(self, lookup: Any) -> None:
        self.lookup = lookup
        self._memo: dict[tuple[Any, Any], tuple[Any, Any, Any, float]] = {}

    def get(self, arch: Any, epoch: Any) -> tuple[Any, Any, Any, float]:
        """``(valid, test, final_test, cum_cost)``, the first three rounded; raises for invalid input."""
        key = (arch, epoch)
        got = self._memo.get(key)
        if got is None:
            row = self.lookup.get(arch, epoch)
            got = self._memo[key] = (rounded(row.valid), rounded(row.test), rounded(row.final_test), row.cum_cost)
        return got


def _check_against_table(line: int, rec: dict[str, Any], rows: _Rows, report: VerifyReport, olookup: Any = None) -> None:
    """Every evaluation's numbers are the table's (a multi-objective run's objectives too); ``final`` agrees with the trajectory."""
    who = (rec["strategy"]["name"], rec["seed"])
    traj = rec["trajectory"]
    valid, test, incumbent, incumbent_test = traj["valid"], traj["test"], traj["incumbent"], traj["incumbent_test"]
    for i, (arch, epoch) in enumerate(zip(traj["arch"], traj["epoch"])):
        try:
            want_valid, want_test, _, _ = rows.get(arch, epoch)
        except (ValueError, LookupError) as exc:
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: {exc}"))
            return
        for col, got, want in (("valid", valid[i], want_valid), ("test", test[i], want_test)):
            if got != want and not _same(got, want):  # recorded numbers are rounded already: equal unless edited
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: {col} is {got!r}, the table says {want!r}"))
                return
        inc = incumbent[i]
        if inc is not None:
            if not isinstance(inc, int) or not 0 <= inc <= i:
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: incumbent index {inc!r} is not an earlier evaluation"))
                return
            want = rows.get(traj["arch"][inc], traj["epoch"][inc])[2]
            if incumbent_test[i] != want and not _same(incumbent_test[i], want):
                report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: incumbent_test is {incumbent_test[i]!r}, "
                                                              f"the table says {want!r}"))
                return
    if rec["workers"] == 1 and not _clock_ok(line, rec, rows, report):
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
    if olookup is not None:
        problem = objectives_problem(rec, olookup)
        if problem is not None:
            report.problems.append(RunProblem(line, *who, problem))


def _clock_ok(line: int, rec: dict[str, Any], rows: _Rows, report: VerifyReport) -> bool:
    """With one worker, each cost is the table's training cost (less a continued checkpoint) and times add up.

    A strategy's own compute (``search_costs``, one per proposal) is added before its evaluation.
    """
    who = (rec["strategy"]["name"], rec["seed"])
    traj = rec["trajectory"]
    searched = rec.get("search_costs") or []
    several = len(rows.lookup.fidelities) > 1
    trained: dict[str, int] = {}
    now = 0.0
    for i, (arch, epoch) in enumerate(zip(traj["arch"], traj["epoch"])):
        cost = rows.get(arch, epoch)[3]
        prev = trained.get(arch)
        if several and prev is not None and prev < epoch:
            cost -= rows.get(arch, prev)[3]
        now += (searched[i] if i < len(searched) else 0.0) + cost
        if not _close(traj["cost"][i], cost):
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: cost is {traj['cost'][i]!r}, the table says {rounded(cost)!r}"))
            return False
        if not _close(traj["time"][i], now):
            report.problems.append(RunProblem(line, *who, f"evaluation {i + 1}: finish time is {traj['time'][i]!r}, "
                                                          f"the costs add up to {rounded(now)!r}"))
            return False
        if prev is None or prev < epoch:
            trained[arch] = epoch
    return True


def _close(a: Any, b: Any) -> bool:
    if type(a) is float and type(b) is float:  # the hot path
        return abs(a - b) <= max(1e-9 * max(abs(a), abs(b)), 1e-9)
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


#: the trajectory columns in the order a difference is named: what was proposed before what follows from it
_CAUSE_FIRST = ("arch", "epoch", *(c for c in TRAJECTORY_COLUMNS if c not in ("arch", "epoch")))


def _first_difference(a: dict[str, list[Any]], b: dict[str, list[Any]]) -> str:
    for i in range(max(len(a.get("eval", [])), len(b.get("eval", [])))):
        for col in _CAUSE_FIRST:
            x = a.get(col, [])[i] if i < len(a.get(col, [])) else "(missing)"
            y = b.get(col, [])[i] if i < len(b.get(col, [])) else "(missing)"
            if x != y:
                return f"first difference at evaluation {i + 1}, {col}: recorded {x!r}, re-run {y!r}"
    return "trajectories are equal but hashes differ"


def verify_results(
    path: str | os.PathLike[str],
    *,
    benchmark: str | None = None,
    sample: int = MIN_SAMPLE,
    nonce: str | None = None,
    full: bool = False,
    track: Track | None = None,
    jobs: int | None = None,
) -> VerifyReport:
    """Check a results file run by run and re-run its runs as :mod:`~nasbench_suite.leaderboard.rerun` plans; see the module docstring.

    Parameters
    ----------
    path : path-like
        A results file written by ``nasbench run``.
    benchmark : str, optional
        A benchmark name or store path; by default the name the records carry,
        resolved with :func:`nasbench_suite.catalog.resolve`.
    sample : int
        How many runs of expensive strategies to re-run (at least
        :data:`~nasbench_suite.leaderboard.rerun.MIN_SAMPLE` and one per
        expensive strategy); every run of the other strategies is re-run.
    nonce : str, optional
        The nonce of the sample's draw; by default a fresh one from the OS
        (reported, so that a verification can be repeated exactly).
    full : bool
        Re-run every run.
    track : Track, optional
        The track the file must follow (seed set, settings, store); by
        default the standard track whose settings the runs have, if any.
    jobs : int, optional
        Processes for the re-runs (default: the CPUs available).
    """
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise ValueError(f"sample must be an int >= 0, got {sample!r}")
    from nasbench_suite.harness.identity import content_digest
    from nasbench_suite.harness.runner import lookup_cached, open_cached
    from nasbench_suite.leaderboard.tracks import standard_track_for
    from nasbench_suite.strategies import STRATEGIES, get_strategy

    path = Path(path)
    report = VerifyReport(path)
    rows, text = _parse(path, report)
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
    track = track if track is not None else standard_track_for(first)
    report.track = track.name if track is not None else None
    if track is not None:
        report.file_problems += track.setting_problems(first)
        seeds: dict[str, list[int]] = {}
        for _, rec in rows:
            seeds.setdefault(rec["strategy"]["name"], []).append(rec["seed"])
        report.file_problems += [f"strategy {name!r}: {p}" for name, p in track.seed_problems(seeds).items()]
    else:
        report.notes.append("no standard track has these settings: the seed set is not checked")
    try:
        bench = open_cached(ref)
        report.digest = content_digest(bench)
    except (ValueError, LookupError, OSError) as exc:
        report.file_problems.append(f"cannot open benchmark {ref!r}: {exc}; pass --benchmark NAME|FILE")
        return report
    claimed = first["benchmark"]["checksum"]
    if report.digest != claimed:
        stored = "" if bench.checksum == report.digest else f" (its checksum attribute says {bench.checksum}: the file was changed)"
        report.file_problems.append(f"content digest mismatch: the runs were made on a store with content digest {claimed}, "
                                    f"but {ref!r} has content digest {report.digest}{stored}")
        return report
    claimed_files = first["benchmark"].get("cost_files") or {}
    held_files = dict(getattr(bench, "cost_files", None) or {})
    if claimed_files != held_files:
        report.file_problems.append(f"measured-cost files differ: the runs were made with {claimed_files or 'none'}, "
                                    f"{ref!r} has {held_files or 'none'}")
        return report
    try:
        lookup = lookup_cached(ref, first["dataset"], first["epoch"])
    except (ValueError, LookupError) as exc:
        report.file_problems.append(f"dataset {first['dataset']!r} at epoch {first['epoch']}: {exc}")
        return report
    try:
        olookup = objective_lookup_for(lookup, first)
    except (ValueError, LookupError) as exc:
        report.file_problems.append(f"objectives {first.get('objectives')!r:.200}: {exc}")
        return report
    rules = rounded(lookup.describe())
    max_cost = _max_cost(lookup)
    rows_of = _Rows(lookup)
    classes = {name: get_strategy(name) for name in {rec["strategy"]["name"] for _, rec in rows} if name in STRATEGIES}
    clean: list[int] = []
    totals: dict[tuple[str, int], float] = {}
    for idx, (line, rec) in enumerate(rows):
        who = (rec["strategy"]["name"], rec["seed"])
        before = len(report.problems)
        _check_run(line, rec, rules, rows_of, report, max_cost=max_cost, cls=classes.get(who[0]), olookup=olookup)
        if len(report.problems) == before:
            clean.append(idx)
            if rec.get("search_costs") is not None:
                totals[who] = float(sum(rec["search_costs"]))
    for who, problem in cost_outliers(totals).items():
        line = next(ln for ln, rec in rows if (rec["strategy"]["name"], rec["seed"]) == who)
        report.problems.append(RunProblem(line, *who, problem))
        clean = [i for i in clean if (rows[i][1]["strategy"]["name"], rows[i][1]["seed"]) != who]

    if report.file_problems:
        report.notes.append("no runs re-run: the file as a whole is rejected")
        return report
    expensive = {n for n, cls in classes.items() if is_expensive(n, cls)}
    runs = [(rows[i][1]["strategy"]["name"], rows[i][1]["seed"], rows[i][1]["status"]) for i in clean]
    plan = plan_reruns(runs, expensive=expensive, text=text, nonce=nonce if nonce is not None else new_nonce(),
                       sample=sample, full=full)
    report.plan = plan
    picked = sorted((clean[i] for i in plan.indices), key=lambda i: (rows[i][1]["strategy"]["name"] not in expensive, i))
    tasks = [task_for(rows[i][1], ref) for i in picked]
    for k, outcome in execute(tasks, jobs=jobs if jobs is not None else default_jobs()):
        line, rec = rows[picked[k]]
        who = (rec["strategy"]["name"], rec["seed"])
        report.rerun.append(who)
        if isinstance(outcome, Exception):
            report.problems.append(RunProblem(line, *who, f"re-run failed: {type(outcome).__name__}: {outcome}"))
            continue
        again = json.loads(outcome)
        _compare_rerun(line, rec, again, report)
        if records_decisions(rec):
            _recompute(line, rec, again, lookup, report)
    report.rerun.sort()
    log.info("verified %s: %d runs, %d re-run, %d problems", path, report.runs, len(report.rerun), len(report.problems))
    return report


def _max_cost(lookup: Any) -> float:
    """The largest cost of one evaluation on the run's clock (training to the target epoch from scratch)."""
    if hasattr(lookup, "max_cost"):
        return float(lookup.max_cost())
    if getattr(lookup, "_table", False):
        return float(max(lookup._cum_costs()[lookup.target_epoch]))
    return math.inf  # a surrogate: no bound from the table


def _check_run(line: int, rec: dict[str, Any], rules: dict[str, Any], rows: _Rows, report: VerifyReport, *,
               max_cost: float, cls: Any, olookup: Any = None) -> None:
    """Every check of one run that needs no re-run; problems go to ``report``."""
    who = (rec["strategy"]["name"], rec["seed"])
    wrong = [k for k in RULE_KEYS if rounded(rec.get(k)) != rules.get(k)]
    if wrong:
        k = wrong[0]
        report.problems.append(RunProblem(line, *who, f"{k} is {rec.get(k)!r:.120}, the harness applies {rules.get(k)!r:.120}"))
        return
    if cls is None:
        report.problems.append(RunProblem(line, *who, f"unknown strategy {who[0]!r}: it cannot be re-run here"))
        return
    if trajectory_hash(rec["trajectory"]) != rec["trajectory_sha256"]:
        report.problems.append(RunProblem(line, *who, "trajectory_sha256 does not match the trajectory (numbers edited?)"))
        return
    charged = has_own_compute(cls) and rec["clock_unit"] == "seconds"
    for problem in (search_costs_problem(rec, charged=charged), incumbent_problem(rec), length_problem(rec, max_cost=max_cost)):
        if problem is not None:
            report.problems.append(RunProblem(line, *who, problem))
            return
    _check_against_table(line, rec, rows, report, olookup)


def _compare_rerun(line: int, rec: dict[str, Any], again: dict[str, Any], report: VerifyReport) -> None:
    """A re-run must give the recorded trajectory, status and notes, and measure no more own compute than recorded allows."""
    who = (rec["strategy"]["name"], rec["seed"])
    replayed = records_decisions(rec)
    if again["trajectory_sha256"] != rec["trajectory_sha256"] or again["status"] != rec["status"]:
        what = "replay of the recorded decisions differs: " if replayed else "re-run differs: " + _own_compute_hint(rec)
        report.problems.append(RunProblem(line, *who, what + _first_difference(rec["trajectory"], again["trajectory"])
                                          + (f"; status {rec['status']!r} vs {again['status']!r}" if again["status"] != rec["status"] else "")
                                          + (f" ({again['error']})" if again.get("error") and not rec.get("error") else "")))
        return
    if (again.get("notes") or []) != (rec.get("notes") or []):
        report.problems.append(RunProblem(line, *who, f"re-run notes {again.get('notes')!r:.200} differ from the recorded "
                                                      f"{rec.get('notes')!r:.200}"))
        return
    measured = again.get("measured_search_costs")
    if measured is not None and rec.get("search_costs") is not None and not replayed:  # a replay computes nothing
        report.remeasured.append((*who, float(sum(rec["search_costs"])), float(sum(measured))))
        problem = cost_problems(rec["search_costs"], measured)
        if problem is not None:
            report.problems.append(RunProblem(line, *who, problem))


def _own_compute_hint(rec: dict[str, Any]) -> str:
    """For a run whose strategy computes on its own but records no decisions: why a re-run may differ."""
    if "search_costs" not in rec:
        return ""
    return ("the record holds no decisions of the strategy's own compute, so that compute ran again here and may "
            "decide otherwise on other numerics (runs made by this release record them and replay exactly); ")


def _recompute(line: int, rec: dict[str, Any], again: dict[str, Any], lookup: Any, report: VerifyReport) -> None:
    """The replay's verdict, then the decisions recomputed here: compared with the record and re-measured."""
    who = (rec["strategy"]["name"], rec["seed"])
    same = again["trajectory_sha256"] == rec["trajectory_sha256"] and again["status"] == rec["status"]
    report.replayed[who] = "exact" if same else "mismatch"
    try:
        result = recompute_decisions(rec, lookup)
    except Exception as exc:  # recorded decisions of the wrong shape, or a strategy that cannot recompute them
        report.problems.append(RunProblem(line, *who, f"recomputing the recorded decisions failed: {type(exc).__name__}: {exc}"))
        return
    report.recomputed[who] = result
    if not result.check.agree:
        if result.same_numerics is False:  # seeded training can take another path on other numerics
            report.notes.append(f"{who[0]} seed {who[1]}: recomputed decisions differ from the record beyond tolerance on "
                                f"other numerics than the record's ({result.check}); the replay decides, so this does not "
                                f"reject the run: recompute on the recorded numerics to check the decisions themselves")
        else:
            report.problems.append(RunProblem(line, *who, "recomputed decisions differ from the record beyond tolerance "
                                              + ("on the record's own numerics" if result.same_numerics else
                                                 "(the record holds no readable numerics fingerprint)")
                                              + f": {result.check}"))
    if rec.get("search_costs") is not None:
        recorded, seconds = float(sum(rec["search_costs"])), result.cpu_seconds
        problem = cost_problems([recorded], [seconds])
        if problem is not None:  # CPU time spikes on a busy machine; under-reported compute stays on a second measurement
            seconds = min(seconds, recompute_decisions(rec, lookup).cpu_seconds)
            problem = cost_problems([recorded], [seconds])
        report.remeasured.append((*who, recorded, seconds))
        if problem is not None:
            report.problems.append(RunProblem(line, *who, problem))


__all__ = ["RULE_KEYS", "RunProblem", "VerifyReport", "verify_results"]
