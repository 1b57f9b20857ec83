"""``nasbench import FORMAT ... --out FILE.h5``: public benchmark files into the store."""

from __future__ import annotations

import argparse
from pathlib import Path

from nasbench_suite.cli._common import add_force, make_console
from nasbench_suite.importers import IMPORTERS


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("import", help="import a public benchmark's own files into a store file")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name in IMPORTERS.names():
        importer = IMPORTERS.get(name)()
        p = formats.add_parser(name, help=importer.help, description=importer.help)
        importer.add_arguments(p)
        p.add_argument("--out", type=Path, required=True, help="store file to write (.h5)")
        add_force(p)
        p.set_defaults(func=_run, importer=importer)


def _run(args: argparse.Namespace) -> int:
    from nasbench_suite._atomic import check_output
    from nasbench_suite.store import write_store

    check_output(args.out, force=args.force)
    data = args.importer.read(args)
    checksum = write_store(args.out, data)
    n = len(data.archs)
    make_console().print(
        f"wrote [bold]{args.out}[/]: {data.name} ({data.search_space}), {n:,} architectures, "
        f"datasets {', '.join(data.datasets)}; checksum {checksum[:16]}…"
    )
    return 0
