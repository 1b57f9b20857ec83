"""``nasbench demo``: the suite's main job in one command.

Runs every search strategy over many seeds on the shipped ``nb201-digits``
benchmark (a table this suite trained itself), then writes the results, an
anytime plot and a leaderboard page. Where the shipped table is missing (a
partial checkout), it first trains a small table offline with ``generate
--limit`` and searches the architectures that table holds.

Running it again in the same folder resumes: finished runs are kept (the
results file is resumable), only missing ones run, and the plot and board
are rebuilt. When the folder holds runs of other settings it says what
differs; ``--fresh`` deletes the old results first and starts over.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasbench_suite.cli._common import make_console, positive_int

SHIPPED = "nb201-digits"
DATASET = "digits-hard"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="compare every search strategy on the shipped benchmark: results, plot, leaderboard")
    p.add_argument("--out", type=Path, default=Path("demo"), help="output folder (default: ./demo)")
    p.add_argument("--strategies", default="all", help="'all' or a comma-separated list (default: all)")
    p.add_argument("--seeds", default="0-19", help="seeds per strategy (default: 0-19)")
    p.add_argument("--budget-evals", type=positive_int, default=100, help="evaluations per run (default: 100)")
    p.add_argument("--jobs", type=positive_int, default=2, help="runs in parallel (default: 2)")
    p.add_argument("--fresh", action="store_true",
                   help="delete the results of an earlier demo in --out and start over (default: resume them)")
    p.set_defaults(func=run)


def _benchmark(out: Path, jobs: int) -> str:
    """The shipped benchmark's name, or the path of a small table trained now."""
    from nasbench_suite.catalog import list_benchmarks

    if SHIPPED in list_benchmarks():
        return SHIPPED

    from nasbench_suite.cli import main

    path = out / "nb201-digits-small.h5"
    if not path.is_file():
        make_console(stderr=True).print(
            f"[yellow]{SHIPPED} is not installed here; training a small table offline first ({path})[/]"
        )
        code = main([
            "generate", "--space", "nb201", "--dataset", DATASET, "--skeleton", "light", "--channels", "8",
            "--cells", "1", "--epochs", "4", "--seeds", "0", "1", "--limit", "120", "--workers", str(jobs),
            "--out", str(path),
        ])
        if code:
            raise SystemExit(code)
    return str(path)


def run(args: argparse.Namespace) -> int:
    from nasbench_suite.cli import main
    from nasbench_suite.harness import parse_seeds, parse_strategies

    parse_seeds(args.seeds)  # refuse bad arguments before anything is written
    parse_strategies(args.strategies)
    args.out.mkdir(parents=True, exist_ok=True)
    bench = _benchmark(args.out, args.jobs)
    results = args.out / "results.jsonl"
    if args.fresh and results.exists():
        results.unlink()
    resumed = results.exists()
    steps = [
        ["info", bench],
        ["run", "--benchmark", bench, "--dataset", DATASET, "--strategies", args.strategies, "--seeds", args.seeds,
         "--budget-evals", str(args.budget_evals), "--jobs", str(args.jobs), "--out", str(results)],
        ["plot", str(results), "--out", str(args.out / "anytime.png"), "--force"],
        ["leaderboard", "build", str(results), "--out", str(args.out / "leaderboard")],
    ]
    for step in steps:
        code = main(step)
        if code:
            if step[0] == "run" and resumed:
                print(f"nasbench demo: {results} holds runs of an earlier demo with other settings (above: what differs); "
                      f"run `nasbench demo --fresh` to delete them and start over, or give another --out",
                      file=sys.stderr)
            return code
    print(f"\nresults: {results}\nplot: {args.out / 'anytime.png'}\nleaderboard: {args.out / 'leaderboard' / 'index.html'}")
    return 0
