"""``nasbench verify``: retrain sampled entries of a generated table and compare them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` subcommand."""
    p = subparsers.add_parser(
        "verify",
        help="retrain sampled architectures of a generated table and compare every number",
        description="Exact comparison on the recorded machine class, else within the table's seed-to-seed band. "
        "Exit status 1 on any disagreement.",
    )
    p.add_argument("benchmark", help="benchmark name or store file")
    p.add_argument("--sample", type=int, default=3, help="architectures to retrain (default: 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the architecture sample (default: 0)")
    p.add_argument("--device", default="cpu", help="torch device: cpu or cuda (default: cpu)")
    p.add_argument("--data-root", default=None, help="folder holding local dataset files (CIFAR, ImageNet16)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify the benchmark named by ``args``; 0 when everything agrees, 1 otherwise."""
    import nasbench_suite
    from nasbench_suite.training.verify import verify_table

    path = Path(args.benchmark)
    bench = nasbench_suite.open_benchmark(path) if path.exists() else nasbench_suite.load(args.benchmark)
    report = verify_table(bench, sample=args.sample, seed=args.seed, device=args.device, data_root=args.data_root)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _render(report)
    return 0 if report.ok else 1


def _render(report) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{report.benchmark}[/] on {report.dataset}: {report.reason}")
    table = Table("architecture", "seed", "compared", "max deviation", "result")
    for c in report.checks:
        result = "[green]ok[/]" if c.ok else f"[red]{len(c.mismatches)} differ[/]"
        table.add_row(c.arch, str(c.seed), str(c.compared), f"{c.max_deviation:.3g}", result)
    console.print(table)
    for c in report.checks:
        for m in c.mismatches[:5]:
            console.print(
                f"[red]{c.arch} seed {c.seed}: {m['value']} stored {m['stored']!r}, retrained {m['retrained']!r} "
                f"(tolerance {m['tolerance']:.3g})[/]"
            )
    console.print("[bold green]all numbers agree[/]" if report.ok else "[bold red]disagreements found[/]")
