"""Building a leaderboard: results files in, ``leaderboard.json`` + Markdown + HTML + plots out.

``leaderboard.json`` is the source of truth: every number the Markdown and
HTML pages show is read from it, and it lists the results files it was built
from with their sha256 so a reader can trace each number back to the runs.
The same inputs give the same bytes on any machine: fixed bootstrap seed, no
timestamps, grids computed without SIMD-dependent functions, sums exactly
rounded (``math.fsum``), and every float of ``leaderboard.json`` rounded to
:data:`BOARD_DIGITS` significant digits before anything is written or
rendered, so a last-bit difference of a library routine does not show.
"""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.harness.results import rounded
from nasbench_suite.leaderboard import aggregate as agg
from nasbench_suite.leaderboard import multiobjective as mo
from nasbench_suite.leaderboard import stats
from nasbench_suite.leaderboard.records import Loaded, load_results

log = logging.getLogger(__name__)

FORMAT = "nasbench-suite/leaderboard"
FORMAT_VERSION = 1
#: significance level of the Nemenyi critical difference and the Holm-corrected Wilcoxon tests
ALPHA = 0.05
JSON_NAME, MD_NAME, HTML_NAME = "leaderboard.json", "leaderboard.md", "index.html"
#: the strategy every board must include (docs/PROTOCOL.md)
BASELINE = "rs"
#: significant digits every float of ``leaderboard.json`` is rounded to (the pages show at most 4)
BOARD_DIGITS = 10


class BoardError(NasBenchError, ValueError):
    """Results that do not make a leaderboard (e.g. no table optimum to measure regret against)."""


def _relpath(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return path.resolve().as_posix()




def _report_epoch(entries: list[agg.Entry], loaded: Loaded, benchmark: Any, epoch: int) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Test metric at ``epoch`` of every final incumbent, looked up in ``benchmark``."""
    first = loaded.records[0]
    if benchmark.checksum != first["benchmark"]["checksum"]:
        raise BoardError(f"benchmark {benchmark.name!r} has checksum {benchmark.checksum}, the results were made on "
                         f"{first['benchmark']['checksum']}")
    dataset, metric = first["dataset"], first["test_metric"]
    _, optimum = benchmark.optimum(dataset, metric=metric, epoch=epoch)
    finals: dict[tuple[int, int], float] = {}
    for rec, src in zip(loaded.records, loaded.origin):
        traj = rec["trajectory"]
        if rec["status"] == "ok" and traj["incumbent"] and traj["incumbent"][-1] is not None:
            arch = traj["arch"][traj["incumbent"][-1]]
            finals[src] = benchmark.query(arch, dataset, epoch=epoch).get(metric)
    per_entry = {}
    for e in entries:
        tests = np.array([finals[r.source] for r in e.ok_runs if r.source in finals], dtype=float)
        tests = tests[~np.isnan(tests)]
        per_entry[e.key] = {"final_test": agg.summary(tests), "regret": agg.summary(optimum - tests)}
    return per_entry, {"epoch": epoch, "metric": metric, "optimum": float(optimum)}


def compute_board(loaded: Loaded, *, base: Path, benchmark: Any = None, report_epoch: int | None = None,
                  file_names: list[str] | None = None) -> dict[str, Any]:
    """The content of ``leaderboard.json`` for ``loaded`` runs.

    Results files are listed by ``file_names`` when given, else by their
    paths relative to ``base`` (the board folder).
    """
    names_of_files = file_names or [_relpath(f.path, base) for f in loaded.files]
    first = loaded.records[0]
    problem = None
    if mo.is_multiobjective(first):  # ranked on hypervolume regret against the table's true front
        if report_epoch is not None:
            raise BoardError("a multi-objective board reports its fronts at the runs' target epoch; drop report_epoch")
        problem = mo.problem_of(first, benchmark)
        optimum = problem.true_hypervolume
        entries = agg.group_entries(loaded.records, loaded.origin, to_run=lambda rec, src: mo.to_run(rec, src, problem))
    else:
        if not first.get("optimum"):
            raise BoardError(f"{loaded.files[0].path}: the runs record no table optimum of {first['test_metric']} at epoch "
                             f"{first['epoch']}, so there is no regret to rank on")
        optimum = float(first["optimum"]["value"])
        entries = agg.group_entries(loaded.records, loaded.origin)
    hz = agg.horizons(entries, first["budget"])
    seeds = agg.complete_seeds(entries)
    scores = agg.score_matrix(entries, seeds)
    ranks = stats.average_ranks(scores) if seeds else np.full(len(entries), np.nan)
    fried = stats.friedman(scores) if seeds else stats.FriedmanResult(math.nan, math.nan, 0, len(entries), "no seed on which every entry has a successful run")
    cd = stats.nemenyi_cd(ranks, len(seeds), alpha=ALPHA)
    pairs = stats.pairwise_wilcoxon(scores) if seeds else []
    report = _report_epoch(entries, loaded, benchmark, report_epoch) if report_epoch is not None else None

    mo_block, mo_entries = (mo.section(entries, loaded.records, loaded.origin, problem, benchmark)
                            if problem is not None else (None, {}))
    egrid = agg.eval_grid(hz.evals)
    tgrid = agg.time_grid(entries, hz.time)
    rows = []
    for j, e in enumerate(entries):
        ok = e.ok_runs
        ok_ids = {id(r) for r in ok}
        failed = [r for r in e.runs if id(r) not in ok_ids]
        final = np.array([r.regret[-1] for r in ok])
        row: dict[str, Any] = {
            "name": e.label,
            "strategy": e.strategy,
            "params": e.params,
            "runs": len(e.runs),
            "ok": len(ok),
            "failed": len(failed),
            "failed_runs": [
                {"seed": r.seed, "error": r.error or "finished no evaluation", "file": names_of_files[r.source[0]],
                 "line": r.source[1]} for r in failed
            ],
            "seeds": [r.seed for r in ok],
            "final_regret_per_seed": final.tolist(),
            "final_test": agg.summary(optimum - final),
            "regret": agg.summary(final),
            "aurc_evals": agg.summary(np.array([agg.aurc_evals(r, hz.evals) for r in ok])),
            "aurc_time": agg.summary(np.array([agg.aurc_time(r, hz.time, optimum) for r in ok])),
            "avg_rank": None if math.isnan(ranks[j]) else float(ranks[j]),
            "evals_per_run": agg.summary(np.array([len(r.regret) for r in ok], dtype=float)),
        }
        if report is not None:
            row["report"] = report[0][e.key]
        if problem is not None:
            row["multiobjective"] = mo_entries[e.key]
        rows.append(row)
    order = sorted(range(len(rows)), key=lambda j: (rows[j]["avg_rank"] is None, rows[j]["avg_rank"] or 0.0,
                                                    rows[j]["regret"]["mean"] if rows[j]["regret"]["mean"] is not None else math.inf, rows[j]["name"]))
    for pos, j in enumerate(order, start=1):
        rows[j]["position"] = pos

    def curves_for(runs_of: Any) -> dict[str, Any]:
        return {e.label: agg.curve_band(np.vstack([runs_of(r) for r in e.ok_runs])) for e in entries if e.ok_runs}

    names = [e.label for e in entries]
    board = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_by": _generator(),
        "benchmark": first["benchmark"],
        "dataset": first["dataset"],
        "epoch": first["epoch"],
        "fidelities": first["fidelities"],
        "budget": first["budget"],
        "workers": first["workers"],
        "selection_metric": first["selection_metric"],
        "test_metric": first["test_metric"],
        "clock_unit": first["clock_unit"],
        "benchmark_seed": first.get("benchmark_seed"),
        "optimum": first["optimum"],
        "report_epoch": None if report is None else report[1],
        "warnings": sorted({w for r in loaded.records for w in r.get("warnings", [])})
        + ([] if any(e.strategy == BASELINE for e in entries) else [
            f"random search ({BASELINE!r}) is not on this board; the protocol requires it as the baseline"]),
        "suite_versions": sorted({r["suite_version"] for r in loaded.records}),
        "files": [{"path": n, "sha256": f.sha256, "runs": f.runs} for n, f in zip(names_of_files, loaded.files)],
        "duplicate_runs_ignored": loaded.duplicates,
        "settings": {
            "bootstrap": {"method": "percentile", "level": 0.95, "resamples": stats.BOOTSTRAP_RESAMPLES, "seed": stats.BOOTSTRAP_SEED},
            "alpha": ALPHA,
            "horizon": {"evals": hz.evals, "time": hz.time},
            "score": "final regret (lower is better)" if problem is None else "final hypervolume regret (lower is better)",
        },
        "entries": [rows[j] for j in order],
        "tests": {
            "seeds": seeds,
            "friedman": {"statistic": _num(fried.statistic), "pvalue": _num(fried.pvalue), "seeds": fried.n_blocks,
                         "entries": fried.n_strategies, "skipped": fried.skipped},
            "nemenyi": {"alpha": cd.alpha, "q_alpha": _num(cd.q_alpha), "cd": _num(cd.cd),
                        "cliques": [[names[i] for i in c] for c in cd.cliques]},
            "wilcoxon": [
                {"a": names[p.a], "b": names[p.b], "median_diff": _num(p.median_diff), "wins": p.wins, "losses": p.losses,
                 "ties": p.ties, "statistic": _num(p.statistic), "pvalue": _num(p.pvalue), "pvalue_holm": _num(p.pvalue_holm),
                 "significant": bool(p.pvalue_holm < ALPHA) if not math.isnan(p.pvalue_holm) else False}
                for p in pairs
            ],
        },
        "curves": {
            "evals": {"x": egrid.tolist(), "entries": curves_for(lambda r: agg.regret_at_evals(r, hz.evals)[egrid - 1])},
            "time": {"x": tgrid.tolist(), "entries": curves_for(lambda r: agg.regret_at_times(r, tgrid, optimum))},
        },
    }
    if problem is not None:
        board["objectives"] = first["objectives"]
        board["multiobjective"] = mo_block
    return rounded(board, BOARD_DIGITS)


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def _generator() -> str:
    from nasbench_suite import __version__

    return f"nasbench-suite {__version__}"


def dumps(board: dict[str, Any]) -> str:
    """The canonical text of ``leaderboard.json``."""
    return json.dumps(board, indent=1, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"


def build(paths: list[str | os.PathLike[str]], out: str | os.PathLike[str], *, title: str | None = None,
          benchmark: Any = None, report_epoch: int | None = None) -> dict[str, Any]:
    """Build the leaderboard of ``paths`` into folder ``out``; return the ``leaderboard.json`` content.

    Writes ``leaderboard.json``, ``leaderboard.md``, ``index.html`` and the
    plots (PNG) into ``out``, each file replaced atomically.
    ``report_epoch`` (with ``benchmark``) adds each final incumbent's test
    metric at another epoch of the table (e.g. 200 when searching at 12).
    """
    if report_epoch is not None and benchmark is None:
        raise ValueError("report_epoch needs the benchmark to look the incumbents up in")
    out = Path(out)
    loaded = load_results([Path(p) for p in paths])
    board = compute_board(loaded, base=out, benchmark=benchmark, report_epoch=report_epoch)
    board["title"] = title or f"{board['benchmark']['name']} / {board['dataset']}"
    write_outputs(board, out)
    return board


def render_outputs(board: dict[str, Any]) -> dict[str, bytes]:
    """Every file of a board folder, rendered in memory: ``{file name: bytes}`` (sets ``board["plots"]``)."""
    from nasbench_suite.leaderboard import plots, render_html, render_md

    images = plots.render_all(board)
    board["plots"] = {name: name for name in sorted(images)}
    return {
        JSON_NAME: dumps(board).encode(),
        **images,
        MD_NAME: render_md.render(board).encode(),
        HTML_NAME: render_html.render(board, images).encode(),
    }


def write_outputs(board: dict[str, Any], out: Path) -> None:
    """Render ``board`` and write its files into ``out``, each replaced atomically (stale figures removed)."""
    from nasbench_suite.leaderboard import plots

    files = render_outputs(board)
    write_files(out, files)
    for name in (plots.ANYTIME, plots.FINAL, plots.CD, plots.FRONTS):
        if name not in files and (out / name).exists():
            (out / name).unlink()


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into folder ``out``, each through a temporary file and an atomic rename."""
    from nasbench_suite._atomic import write_bytes

    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_bytes(out / name, data)


def read_board(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``leaderboard.json`` of a board folder."""
    return json.loads((Path(folder) / JSON_NAME).read_text(encoding="utf-8"))


__all__ = ["ALPHA", "BOARD_DIGITS", "BoardError", "build", "compute_board", "dumps", "read_board", "render_outputs", "write_files", "write_outputs"]
