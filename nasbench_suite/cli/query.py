"""``nasbench query NAME|FILE ARCH --dataset D``: one architecture's numbers."""

from __future__ import annotations

import argparse
from typing import Any

from nasbench_suite.benchmark import METRICS, display_unit, unit
from nasbench_suite.cli._common import fmt, make_console, positive_int, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="look up one architecture (string or index) in a benchmark")
    p.add_argument("benchmark", help="a benchmark name or a store file / surrogate folder")
    p.add_argument("arch", help="architecture in the space's text form, or its official index")
    p.add_argument("--dataset", default=None, help="dataset (default: the benchmark's only one)")
    p.add_argument("--epoch", type=positive_int, default=None, help="fidelity (default: the final epoch held)")
    p.add_argument("--seed", type=int, default=None, help="one seed (default: mean over seeds)")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nasbench_suite.catalog import resolve

    bench = resolve(args.benchmark)
    arch = int(args.arch) if args.arch.isdigit() else args.arch
    arch = bench.search_space.parse(arch)
    dataset = only_dataset(bench) if args.dataset is None else args.dataset
    r = bench.query(arch, dataset, epoch=args.epoch, seed=args.seed)
    costs = {}
    names = ("params", "flops", "latency")
    if hasattr(bench, "cost_files"):  # measured-cost files attached: their columns too (latency_b1_t1, ...)
        names = (*names, *(n for n in bench.costs(dataset) if n not in names))
    for name in names:
        try:
            costs[name] = bench.cost(arch, dataset, name)
        except LookupError:
            continue
    if args.json:
        print_json({**r._asdict(), "costs": costs, "units": {k: unit(k) for k in (*METRICS, *costs)}})
        return 0

    from rich.table import Table

    seed_text = "mean over seeds" if args.seed is None else f"seed {args.seed}"
    console = make_console()
    console.print(r.arch, soft_wrap=True)
    console.print(f"{bench.name} / {r.dataset} / epoch {r.epoch} / {seed_text}")
    table = Table()
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, value in [*((m, getattr(r, m)) for m in METRICS), *costs.items()]:
        shown, factor = display_unit(name)
        table.add_row(name, fmt(value if value is None else value * factor), shown)
    console.print(table)
    return 0


def only_dataset(bench: Any) -> str:
    """The benchmark's dataset when it holds one; else an error naming them (``--dataset`` is needed)."""
    datasets = list(bench.datasets)
    if len(datasets) == 1:
        return datasets[0]
    raise ValueError(f"{bench.name!r} holds {len(datasets)} datasets ({', '.join(repr(d) for d in datasets)}): "
                     f"choose one with --dataset")
