"""``nasbench latency``: measured latency columns for every distinct network of a table, into a cost file."""

from __future__ import annotations

import argparse

from nasbench_suite.cli._common import non_negative_float, non_negative_int, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``latency`` subcommand."""
    p = subparsers.add_parser(
        "latency",
        help="time every distinct network of a table under latency settings (b1-t1, b64-tall, ...) into a cost file",
        description="Build each isomorphism class's network as the table's protocol records it, time its eval-mode "
        "forward pass under every setting (batch size, CPU threads or device), and write a cost file with columns "
        "latency_<setting> (median of the repeats; every repeat and the numerics fingerprint of each setting are kept). "
        "An existing --out measured with the same settings on the same numerics is continued. Attach the file to "
        "the table by placing it at <table>.costs/<name>.h5 and opening the benchmark as <table>+<name>.",
    )
    p.add_argument("--benchmark", required=True, help="a table name (see `nasbench info`) or a store file")
    p.add_argument("--settings", default="b1-t1,b64-tall",
                   help="comma-separated settings b<batch>-t<threads|all> or b<batch>-<device> (default: b1-t1,b64-tall)")
    p.add_argument("--dataset", default=None, help="table dataset the columns belong to (default: the protocol's)")
    p.add_argument("--repeats", type=positive_int, default=9, help="timed forward passes per network and setting (default: 9)")
    p.add_argument("--warmup", type=non_negative_int, default=3, help="untimed passes before them (default: 3)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed of the weights' initialisation (default: 0)")
    for name in ("skeleton", "channels", "cells"):
        p.add_argument(f"--{name}", type=positive_int if name != "skeleton" else str, default=None,
                       help=f"network {name} (default: the table's protocol)")
    p.add_argument("--train-dataset", default=None, help="images the network is built for and fed (default: the protocol's dataset)")
    p.add_argument("--name", default="latency", help="the cost file's name, used as <table>+<name> (default: latency)")
    p.add_argument("--limit", type=positive_int, default=None, help="time at most this many networks now (run again to continue)")
    p.add_argument("--checkpoint-seconds", type=non_negative_float, default=60.0,
                   help="write progress to --out this often (default: 60)")
    p.add_argument("--out", required=True, help="output cost file (.h5); an existing one is continued")
    p.add_argument("--fresh", action="store_true", help="start over instead of continuing an existing --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Measure, write and print one line per column."""
    from rich.console import Console
    from rich.table import Table

    from nasbench_suite._atomic import check_output
    from nasbench_suite.catalog import resolve
    from nasbench_suite.spaces import get_bundle
    from nasbench_suite.training.latency import parse_settings
    from nasbench_suite.training.latency_sweep import LatencyNetwork, measure_latency_columns

    settings = parse_settings(args.settings)
    check_output(args.out, force=True)
    bench = resolve(args.benchmark)
    if not hasattr(bench, "archs") or not hasattr(bench, "full_space"):
        raise ValueError(f"{args.benchmark!r} is not a table (a {type(bench).__name__}): latency columns belong to a table's rows")
    if args.dataset is not None and args.dataset not in bench.datasets:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("dataset", args.dataset, bench.datasets)
    network = LatencyNetwork.from_protocol(bench.protocol, dataset=args.train_dataset, skeleton=args.skeleton,
                                           channels=args.channels, cells=args.cells, seed=args.seed)
    get_bundle(bench.space_name).builder(network.skeleton)  # an unknown skeleton fails before any work
    from nasbench_suite.training.data import load_dataset

    load_dataset(network.dataset)  # as does an unknown dataset
    console = Console(stderr=True)
    progress = None
    if not args.no_progress:  # pragma: no cover - display only
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        bar = Progress(TextColumn("[bold]latency"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("eta"), TimeRemainingColumn(), console=console)
        task = bar.add_task("networks", total=None)
        bar.start()
        progress = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
    try:
        result = measure_latency_columns(bench, args.out, settings, dataset=args.dataset, network=network,
                                         repeats=args.repeats, warmup=args.warmup, name=args.name,
                                         fresh=args.fresh, limit=args.limit, checkpoint_seconds=args.checkpoint_seconds,
                                         progress=progress)
    finally:
        if progress is not None:  # pragma: no cover
            bar.stop()
    import numpy as np

    table = Table(title=f"{args.out}: {result.provenance['networks']} networks, {len(result.archs)} rows, "
                        f"{result.provenance['wall_seconds']:.0f} s")
    for col in ("column", "measured rows", "median (ms)", "min..max (ms)", "median spread (IQR/median)", "threads", "device"):
        table.add_column(col)
    for key, col in result.columns.items():
        ok = np.isfinite(col.values)
        q1, q3 = np.nanpercentile(col.samples[ok], [25, 75], axis=1) if ok.any() else (np.nan, np.nan)
        spread = float(np.median((q3 - q1) / col.values[ok])) if ok.any() else float("nan")
        vals = col.values[ok] * 1e3
        span = f"{vals.min():.3f}..{vals.max():.3f}" if ok.any() else "-"
        table.add_row(key, f"{int(ok.sum())}/{len(ok)}", f"{np.median(vals):.3f}" if ok.any() else "-", span,
                      f"{spread:.3f}", str(col.setting["threads"]), col.setting["device"])
    Console().print(table)
    return 0
