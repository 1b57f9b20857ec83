"""``nasbench plot results.jsonl --out fig.png``: the leaderboard's anytime figure of any results files."""

from __future__ import annotations

import argparse

from nasbench_suite.cli._common import add_force


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot", help="plot anytime regret (mean and 95%% band per strategy) from results files",
        description="Draw the leaderboard's anytime figure (regret vs evaluations and vs simulated time, mean and "
        "95%% band over seeds) of results files of one setting; a run offered twice is counted once.",
    )
    p.add_argument("results", nargs="+", help="results files (.jsonl) written by `nasbench run`")
    p.add_argument("--out", required=True, help="image file (.png, .pdf, .svg)")
    p.add_argument("--title", default=None, help="figure title (default: benchmark / dataset / epoch; '' for none)")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nasbench_suite._atomic import check_output
    from nasbench_suite.leaderboard.plots import plot_results

    check_output(args.out, force=args.force)
    out, board = plot_results(args.results, args.out, title=args.title)
    runs = ", ".join(f"{e['name']} {e['ok']}" + (f" (+{e['failed']} failed)" if e["failed"] else "") for e in board["entries"])
    dup = board["duplicate_runs_ignored"]
    print(f"wrote {out}: runs per strategy: {runs}" + (f"; {dup} duplicate run(s) counted once" if dup else ""))
    return 0
