"""``nasbench verify``: retrain sampled entries of a generated table and compare them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nasbench_suite.cli._common import make_console, non_negative_int, positive_int


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``verify`` subcommand."""
    p = subparsers.add_parser(
        "verify",
        help="retrain sampled architectures of a generated table and compare every number",
        description="Retrain sampled architectures with the table's recorded protocol and compare every number. "
        "--mode auto (the default) compares exactly where this machine's numerics fingerprint (torch version and "
        "CPU capability, device, numpy SIMD paths, BLAS, threads, determinism flags) equals the one the table "
        "records, and otherwise within the table's seed-to-seed band per metric and epoch; params and FLOPs "
        "always exactly. Exit status 1 on any disagreement.",
    )
    p.add_argument("benchmark", help="benchmark name or store file")
    p.add_argument("--sample", type=positive_int, default=3, help="architectures to retrain (default: 3)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="seed of the architecture sample (default: 0)")
    p.add_argument("--device", default="cpu", help="torch device: cpu or cuda (default: cpu)")
    p.add_argument("--data-root", default=None, help="folder holding local dataset files (CIFAR, ImageNet16)")
    p.add_argument(
        "--mode",
        choices=("auto", "exact", "band"),
        default="auto",
        help="auto: exact where the numerics fingerprints agree, else band; exact: bit for bit; "
        "band: within the table's seed-to-seed band (default: auto)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON (with both fingerprints and their differences)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Verify the benchmark named by ``args``; 0 when everything agrees, 1 otherwise."""
    import nasbench_suite
    from nasbench_suite.training.verify import verify_table

    from nasbench_suite.cli.generate import _check_device

    _check_device(args.device)
    path = Path(args.benchmark)
    # verify=True: a store whose content no longer matches its checksum is refused before anything is retrained
    bench = nasbench_suite.open_benchmark(path, verify=True) if path.exists() else nasbench_suite.load(args.benchmark, verify=True)
    report = verify_table(
        bench, sample=args.sample, seed=args.seed, device=args.device, data_root=args.data_root, mode=args.mode
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _render(report)
    return 0 if report.ok else 1


def _render(report) -> None:
    from rich.table import Table

    console = make_console()
    console.print(f"[bold]{report.benchmark}[/] on {report.dataset}: [bold]{report.mode}[/] mode: {report.reason}")
    decision = report.decision
    recorded = decision.recorded.summary() if decision.recorded is not None else "none recorded"
    if decision.recorded is None and report.recorded_machine:
        m = report.recorded_machine
        recorded += f" (the table's machine record: {m.get('cpu')}, torch {m.get('torch')}, {m.get('threads')} thread(s))"
    console.print(f"numerics of the table: {recorded}", highlight=False)
    console.print(f"numerics here:         {decision.here.summary()}", highlight=False)
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
