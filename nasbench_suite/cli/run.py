"""``nasbench run``: run search strategies x seeds on a benchmark into a JSON Lines results file."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from nasbench_suite.cli._common import make_console, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run search strategies over many seeds on a benchmark (simulated clock, resumable)",
        description=textwrap.fill("Run every (strategy, seed) pair on one benchmark dataset and write one JSON line per "
                                  "run. Rerunning with the same --out keeps the finished runs and does the rest.", 88),
        formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False,
    )
    p.add_argument("-h", "--help", action=_HelpWithStrategies, help="show this help, the strategies and their parameters, and exit")
    p.add_argument("--benchmark", required=True, help="a benchmark name (see `nasbench info`) or a store file")
    p.add_argument("--dataset", required=True)
    p.add_argument("--strategies", default="all", help="'all' (every strategy that can search the dataset) or a comma-separated list, e.g. rs,re,ls (default: all)")
    p.add_argument("--seeds", default="0-9", help="e.g. 0-99 or 0,3,10-19 (default: 0-9)")
    budget = p.add_mutually_exclusive_group(required=True)
    budget.add_argument("--budget-evals", type=int, metavar="N", help="evaluations per run")
    budget.add_argument("--budget-seconds", type=float, metavar="S", help="simulated training seconds per run")
    budget.add_argument("--budget-epochs", type=float, metavar="E",
                        help="simulated training epochs per run (benchmarks without recorded training times)")
    p.add_argument("--epoch", type=positive_int, default=None, help="full-budget epoch (default: the dataset's final epoch)")
    p.add_argument("--workers", type=positive_int, default=1, help="asynchronous workers per run on the simulated clock")
    p.add_argument("--jobs", type=positive_int, default=1, help="runs executed in parallel (processes or Ray tasks)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--ray-address", default=None, help="an existing Ray cluster (default: start a local one)")
    p.add_argument("--param", action="append", default=[], metavar="STRATEGY.NAME=VALUE",
                   help="a strategy hyperparameter (VALUE as JSON, else a string); repeatable; the names are listed below, "
                   "and an unknown one stops the sweep before it starts")
    p.add_argument("--objectives", default=None, metavar="METRIC:DIR,...",
                   help="a multi-objective run: 2 or 3 stored metrics or costs with min/max, e.g. valid_acc:max,params:min "
                   "(selected on validation, reported on test; every objective is recorded per evaluation)")
    p.add_argument("--out", required=True, help="results file (.jsonl)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


class _HelpWithStrategies(argparse._HelpAction):
    """``-h``: the usual help, then every registered strategy with its hyperparameters (imported only when asked)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.epilog = strategies_help()
        super().__call__(parser, namespace, values, option_string)


def _summary(cls: type) -> str:
    """The first sentence of a class docstring's first paragraph, on one line."""
    words = (cls.__doc__ or "").strip().split("\n\n")[0].replace("``", "`").split()
    for i, word in enumerate(words):
        if word.endswith(".") and word not in ("al.", "e.g.", "i.e.", "vs."):
            return " ".join(words[: i + 1])
    return " ".join(words)


def _default(value: Any) -> str:
    """A default as it is given to ``--param`` (JSON, a string bare)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)


def strategies_help(width: int = 88) -> str:
    """Every registered strategy, its one-line summary and its ``--param`` names with their defaults."""
    from nasbench_suite.harness.sweep import hyperparameters
    from nasbench_suite.strategies import STRATEGIES, get_strategy

    lines = ["strategies (--strategies NAME,...) and their parameters (--param NAME.PARAM=VALUE, default shown):"]
    for name in STRATEGIES.names():
        params = hyperparameters(name)
        text = _summary(get_strategy(name))
        lines += textwrap.wrap(text, width, initial_indent=f"  {name:<16}", subsequent_indent=" " * 18)
        shown = "any keyword" if params is None else ", ".join(f"{k}={_default(v)}" for k, v in params.items()) or "none"
        lines += textwrap.wrap(shown, width, initial_indent=" " * 18, subsequent_indent=" " * 20, break_on_hyphens=False)
    return "\n".join(lines)


def parse_params(items: list[str]) -> dict[str, dict[str, Any]]:
    """``["re.population_size=50"]`` -> ``{"re": {"population_size": 50}}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        strategy, dot, name = key.partition(".")
        if not sep or not dot or not strategy or not name:
            raise ValueError(f"--param must look like STRATEGY.NAME=VALUE, got {item!r}")
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        out.setdefault(strategy, {})[name] = value
    return out


def run(args: argparse.Namespace) -> int:
    from nasbench_suite.harness import Budget, SweepSpec, parse_seeds, parse_strategies, run_sweep

    if args.budget_evals is not None:
        budget = Budget.evals(args.budget_evals)
    elif args.budget_seconds is not None:
        budget = Budget.seconds(args.budget_seconds)
    else:
        budget = Budget.epochs(args.budget_epochs)
    spec = SweepSpec(
        benchmark=args.benchmark,
        dataset=args.dataset,
        strategies=parse_strategies(args.strategies),
        seeds=parse_seeds(args.seeds),
        budget=budget,
        epoch=args.epoch,
        workers=args.workers,
        params=parse_params(args.param),
        objectives=args.objectives,
    )
    summary = run_sweep(spec, args.out, jobs=args.jobs, engine=args.engine, ray_address=args.ray_address,
                        progress=not args.no_progress, skip_inapplicable=args.strategies.strip() == "all")
    _report(summary)
    return 0


def _report(summary: Any) -> None:
    import numpy as np
    from rich.table import Table

    from nasbench_suite.harness.results import read_results

    records = read_results(summary.path)
    console = make_console()
    for name, reason in summary.skipped.items():
        console.print(f"skipped {name}: {reason}")
    table = Table(title=f"{summary.path} ({summary.ran} run, {summary.reused} kept, {summary.wall_seconds:.1f} s)")
    for col in ("strategy", "runs", "failed", "final test (mean ± std)", "regret (mean)"):
        table.add_column(col, justify="left" if col == "strategy" else "right")
    by: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by.setdefault(r["strategy"]["name"], []).append(r)
    for name, runs in by.items():
        ok = [r for r in runs if r["status"] == "ok" and r["final"]]
        tests = np.array([r["final"]["test"] for r in ok if r["final"]["test"] is not None], dtype=float)
        regrets = np.array([r["final"]["regret"] for r in ok if r["final"]["regret"] is not None], dtype=float)
        test_text = f"{tests.mean():.3f} ± {tests.std():.3f}" if tests.size else "n/a"
        regret_text = f"{regrets.mean():.3f}" if regrets.size else "n/a"
        table.add_row(name, str(len(runs)), str(len(runs) - len(ok)), test_text, regret_text)
    console.print(table)
    for strategy, seed, error in summary.failed[:10]:
        console.print(f"[red]failed[/] {strategy} seed {seed}: {error}", soft_wrap=True)
    if len(summary.failed) > 10:
        console.print(f"[red]... and {len(summary.failed) - 10} more failed runs[/]")
