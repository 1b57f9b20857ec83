"""``nasbench plot results.jsonl --out fig.png``: anytime regret per strategy, vs time and vs evaluations."""

from __future__ import annotations

import argparse

from nasbench_suite.cli._common import add_force


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plot", help="plot anytime regret (mean and 95%% CI per strategy) from results files")
    p.add_argument("results", nargs="+", help="results files (.jsonl) written by `nasbench run`")
    p.add_argument("--out", required=True, help="image file (.png, .pdf, .svg)")
    p.add_argument("--title", default=None)
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nasbench_suite._atomic import check_output
    from nasbench_suite.harness.plot import plot_results

    check_output(args.out, force=args.force)
    out = plot_results(args.results, args.out, title=args.title)
    print(f"wrote {out}")
    return 0
