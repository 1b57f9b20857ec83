"""``nasbench zc``: zero-cost proxies for every architecture of a table, written as extra columns."""

from __future__ import annotations

import argparse

from nasbench_suite.cli._common import add_force, make_console, non_negative_int, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``zc`` subcommand."""
    p = subparsers.add_parser(
        "zc",
        help="compute zero-cost proxies for every architecture of a table and write a copy with zc/<proxy> columns",
        description="Build each architecture's untrained network as the table's protocol records it (skeleton, "
        "channels, cells, dataset), compute the proxies on one seeded training minibatch (once per isomorphism "
        "class), and write the table with columns zc/<proxy> (NaN where undefined, the reason in zc_reason/<proxy> "
        "and the dataset provenance).",
    )
    p.add_argument("--benchmark", required=True, help="a benchmark name (see `nasbench info`) or a store file")
    p.add_argument("--proxies", default="all", help="'all' or a comma-separated list, e.g. synflow,nwot (default: all)")
    p.add_argument("--workers", type=positive_int, default=2, help="single-threaded worker processes (default: 2)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed of the initialization and the minibatch (default: 0)")
    p.add_argument("--batch-size", type=positive_int, default=64, help="minibatch size (default: 64)")
    p.add_argument("--dataset", default=None, help="table dataset that receives the columns (default: the protocol's)")
    for name in ("skeleton", "channels", "cells"):
        p.add_argument(f"--{name}", type=positive_int if name != "skeleton" else str, default=None,
                       help=f"network {name} (default: the table's protocol)")
    p.add_argument("--train-dataset", default=None, help="images of the minibatch (default: the protocol's dataset)")
    p.add_argument("--reuse", default=None, metavar="TABLE",
                   help="copy the scores from a table that computed them with the same setup (same space and "
                        "network; its training does not matter) instead of computing them")
    p.add_argument("--out", required=True, help="output store file (.h5)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_force(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the sweep and print a summary."""
    from rich.table import Table

    from nasbench_suite._atomic import check_output
    from nasbench_suite.estimation.zc_sweep import zc_sweep

    check_output(args.out, force=args.force)
    result = zc_sweep(
        args.benchmark,
        args.out,
        proxies=args.proxies,
        workers=args.workers,
        dataset=args.dataset,
        show_progress=not args.no_progress,
        seed=args.seed,
        batch_size=args.batch_size,
        skeleton=args.skeleton,
        channels=args.channels,
        cells=args.cells,
        train_dataset=args.train_dataset,
        reuse=args.reuse,
    )
    table = Table(title=f"{args.out}: {len(result.archs)} architectures, {result.classes} classes, "
                        f"{result.wall_seconds:.1f} s on {result.workers} workers")
    for col in ("proxy", "undefined", "reasons"):
        table.add_column(col)
    for p in result.values:
        undefined = int((result.codes[p] != 0).sum())
        table.add_row(p, str(undefined), "; ".join(result.reasons[p]) or "-")
    make_console().print(table)
    return 0
