"""``nasbench leaderboard build|verify|submit``: leaderboards from results files.

``build`` aggregates results files into a board folder (``leaderboard.json``,
``leaderboard.md``, ``index.html``, figures); ``verify`` checks a results file
against its benchmark and re-runs a sample of its runs; ``submit`` verifies a
file, adds it to a board's ``results/`` and rebuilds the board, changing
nothing when verification fails.
"""

from __future__ import annotations

import argparse
import sys

from nasbench_suite.cli import describe_error

from nasbench_suite.cli._common import make_console, non_negative_int, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "leaderboard",
        help="build, verify and submit to leaderboards of results files",
        description="build: aggregate results files into a board folder (leaderboard.json, leaderboard.md, index.html, "
        "figures). verify: check a results file against its benchmark and re-run a sample of its runs. submit: verify a "
        "file, add it to a board's results/ and rebuild the board; a rejected file changes nothing. See docs/PROTOCOL.md.",
    )
    lsub = p.add_subparsers(dest="leaderboard_command", metavar="ACTION", required=True)

    b = lsub.add_parser("build", help="aggregate results files into a leaderboard folder")
    b.add_argument("results", nargs="+", help="results files (.jsonl) written by `nasbench run`, all of one setting")
    b.add_argument("--out", required=True, help="board folder, e.g. leaderboards/nb201-digits/digits-hard-evals200/")
    b.add_argument("--title", default=None, help="page title (default: benchmark / dataset)")
    b.add_argument("--report-epoch", type=positive_int, default=None, metavar="E",
                   help="also report each final incumbent's test metric at epoch E of the table (e.g. 200)")
    b.add_argument("--benchmark", default=None, metavar="NAME|FILE",
                   help="the benchmark for --report-epoch and for the true front of multi-objective runs "
                        "(default: the name the results carry)")
    b.add_argument("--force", action="store_true",
                   help="write into an --out folder that holds other files (a board folder is always rebuilt in place)")
    b.set_defaults(func=run_build)

    v = lsub.add_parser("verify", help="check a results file and re-run its runs (a sample of the expensive ones)")
    _verify_args(v)
    v.add_argument("--track", default=None, metavar="NAME|FILE",
                   help="the track to check against: a standard track (e.g. nb201-digits/digits-hard-time) or a "
                        "track.json (default: the standard track with the runs' settings, if any)")
    v.set_defaults(func=run_verify)

    s = lsub.add_parser("submit", help="verify a results file, add it to a board and rebuild the board")
    s.add_argument("--board", required=True, help="board folder (created when it does not exist)")
    _verify_args(s)
    s.add_argument("--seeds", default=None, metavar="SEEDS",
                   help="the seed set of a new board that is not a standard track, e.g. 0-99 (written to its track.json)")
    s.set_defaults(func=run_submit)


def _verify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", help="a results file (.jsonl)")
    p.add_argument("--benchmark", default=None, metavar="NAME|FILE",
                   help="the benchmark the runs claim (default: the name the results carry)")
    p.add_argument("--sample", type=non_negative_int, default=5, metavar="K",
                   help="runs of expensive strategies (own compute, slow model fits) to re-run, at least 5 and one per "
                        "such strategy; every run of the others is re-run (default: 5)")
    p.add_argument("--nonce", default=None, metavar="HEX",
                   help="nonce of the sample's draw, to repeat a verification (default: fresh from the OS)")
    p.add_argument("--full", action="store_true", help="re-run every run")
    p.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help="processes for the re-runs (default: the CPUs available)")


def _check_inputs(args: argparse.Namespace) -> None:
    """A missing or malformed results file, or an unknown benchmark, is an error, not a rejected verification."""
    from nasbench_suite.harness.results import read_lines

    read_lines(args.results)
    if args.benchmark is not None:
        from nasbench_suite.catalog import resolve

        resolve(args.benchmark)


def run_build(args: argparse.Namespace) -> int:
    from nasbench_suite.leaderboard import build

    from pathlib import Path

    from nasbench_suite._atomic import check_output
    from nasbench_suite.leaderboard.board import JSON_NAME

    out = Path(args.out)
    # rebuilding a board in place is the point; files of anything else are not replaced without --force
    check_output(out, folder=True, force=args.force or (out / JSON_NAME).is_file())
    bench = None
    from nasbench_suite.harness.results import read_results

    multiobjective = bool(read_results(args.results[0])[0].get("objectives"))
    if args.benchmark is not None and args.report_epoch is None and not multiobjective:
        raise ValueError("--benchmark is only used with --report-epoch or multi-objective runs (their true front)")
    if args.report_epoch is not None or args.benchmark is not None:
        from nasbench_suite.catalog import resolve

        ref = args.benchmark or read_results(args.results[0])[0]["benchmark"]["name"]
        bench = resolve(ref)
    board = build(args.results, args.out, title=args.title, benchmark=bench, report_epoch=args.report_epoch)
    _print_board(board, args.out)
    return 0


def _track_arg(text: str | None):
    if text is None:
        return None
    import json
    from pathlib import Path

    from nasbench_suite.leaderboard.tracks import STANDARD_TRACKS, Track, TrackError, get_track

    if text in STANDARD_TRACKS or not Path(text).is_file():
        return get_track(text)
    try:
        data = json.loads(Path(text).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrackError(f"{text}: cannot read the track definition: {exc}") from None
    return Track.from_dict(data, where=text)


def run_verify(args: argparse.Namespace) -> int:
    from nasbench_suite.leaderboard.verify import verify_results

    _check_inputs(args)
    report = verify_results(args.results, benchmark=args.benchmark, sample=args.sample, nonce=args.nonce,
                            full=args.full, track=_track_arg(args.track), jobs=args.jobs)
    stream = sys.stdout if report.ok else sys.stderr
    for line in report.lines():
        print(line, file=stream)
    return 0 if report.ok else 1


def run_submit(args: argparse.Namespace) -> int:
    from nasbench_suite.leaderboard.submit import SubmissionRejectedError, submit

    _check_inputs(args)
    try:
        seeds = None
        if args.seeds is not None:
            from nasbench_suite.harness.sweep import parse_seeds

            seeds = parse_seeds(args.seeds)
        result = submit(args.results, args.board, benchmark=args.benchmark, sample=args.sample, nonce=args.nonce,
                        seeds=seeds, jobs=args.jobs, full=args.full)
    except SubmissionRejectedError as exc:
        for line in exc.report.lines():
            print(line, file=sys.stderr)
        print(f"nasbench leaderboard submit: {args.board} left unchanged", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # runs that do not belong on this board
        print(f"nasbench leaderboard submit: error: {describe_error(exc)}; {args.board} left unchanged", file=sys.stderr)
        return 2
    for line in result.report.lines():
        print(line)
    if result.added is None:
        print(f"{args.results} is already on {args.board}; nothing changed")
    else:
        print(f"added {result.added}")
        _print_board(result.board, args.board)
    return 0


def _print_board(board: dict, out: str) -> None:
    from rich.table import Table

    from nasbench_suite.leaderboard.render_md import mean_ci, num

    rep = board.get("report_epoch")
    seeds = len(board["tests"]["seeds"])
    metric = board["test_metric"]
    if board.get("multiobjective"):
        table = _mo_table(board, out)
    else:
        table = Table(title=f"{board['title']} ({out})",
                      caption=f"ordered by average rank of final regret over the {seeds} seeds every entry finished "
                      f"(1 = best); {metric} in %, regret = optimum - incumbent's {metric} in percentage points, "
                      f"mean [95% bootstrap interval]")
        cols = ["#", "strategy", "runs", "failed", f"{metric} @{board['epoch']} (%)", "regret (pp)", "avg. rank"]
        if rep:
            cols.insert(5, f"{rep['metric']} @{rep['epoch']} (%)")
        for col in cols:
            table.add_column(col, justify="left" if col == "strategy" else "right")
        for e in board["entries"]:
            cells = [str(e["position"]), e["name"], str(e["runs"]), str(e["failed"]), mean_ci(e["final_test"]),
                     mean_ci(e["regret"], 3), num(e["avg_rank"])]
            if rep:
                cells.insert(5, mean_ci(e["report"]["final_test"]))
            table.add_row(*cells)
    console = make_console(min_width=100)
    console.print(table)
    for w in board["warnings"]:
        console.print(f"[yellow]warning:[/] {w}", soft_wrap=True)
    fr = board["tests"]["friedman"]
    if fr["skipped"]:
        console.print(f"Friedman test not run: {fr['skipped']}")
    else:
        console.print(f"Friedman p = {fr['pvalue']:.3g} over {fr['seeds']} seeds; Nemenyi CD = {board['tests']['nemenyi']['cd']:.3f}")


def _mo_table(board: dict, out: str):
    """The terminal table of a multi-objective board: hypervolume, its regret, IGD+ and front size per entry."""
    from rich.table import Table

    from nasbench_suite.leaderboard.render_md import mean_ci, num, objectives_text

    mo = board["multiobjective"]
    seeds = len(board["tests"]["seeds"])
    table = Table(title=f"{board['title']} ({out})",
                  caption=f"objectives {objectives_text(board).replace('`', '')}; ordered by average rank of final "
                  f"hypervolume regret over the {seeds} seeds every entry finished (1 = best); normalised space (ideal 0, "
                  f"the table's worst 1), true front hypervolume {num(mo['true_hypervolume'], 4)}; mean [95% bootstrap "
                  f"interval]")
    cols = ["#", "strategy", "runs", "failed", f"hypervolume @{board['epoch']}", "HV regret", "IGD+", "front size",
            "avg. rank"]
    for col in cols:
        table.add_column(col, justify="left" if col == "strategy" else "right")
    for e in board["entries"]:
        m = e["multiobjective"]
        table.add_row(str(e["position"]), e["name"], str(e["runs"]), str(e["failed"]), mean_ci(e["final_test"], 4),
                      mean_ci(e["regret"], 4), mean_ci(m["igd_plus"], 4), mean_ci(m["front_size"], 1), num(e["avg_rank"]))
    return table
