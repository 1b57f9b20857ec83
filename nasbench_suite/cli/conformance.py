"""``nasbench conformance``: every strategy and estimator on every registered space, as a pass/refuse/fail matrix."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from nasbench_suite.cli._common import print_json
from nasbench_suite.errors import NasBenchError, UnknownNameError

log = logging.getLogger(__name__)


class InvalidOptionError(NasBenchError, ValueError):
    """A command-line option value that is not what the option expects."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "conformance",
        help="run every strategy x space x benchmark kind (table, surrogate) and every estimator x space briefly; "
             "print the pass/refuse/fail matrix (exit 1 on an unexpected cell)",
    )
    p.add_argument("--space", action="append", default=None, metavar="SPACE",
                   help="only this search space (repeatable; default: every registered space)")
    p.add_argument("--strategy", action="append", default=None, metavar="NAME",
                   help="only this strategy (repeatable; default: every registered strategy)")
    p.add_argument("--kind", action="append", default=None, choices=("table", "surrogate"),
                   help="only this benchmark kind (repeatable; default: both)")
    p.add_argument("--no-estimators", action="store_true", help="skip the estimator rows")
    p.add_argument("--table", action="append", default=[], metavar="SPACE=FILE",
                   help="use this store file as SPACE's table (default: a shipped table of the space, else a "
                        "synthetic sampled one)")
    p.add_argument("--evals", type=int, default=None, help="evaluations per strategy run (default: 24)")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where synthetic tables are written (default: a temporary folder, removed afterwards)")
    p.add_argument("--json", action="store_true", help="print every cell as JSON")
    p.add_argument("--markdown", action="store_true", help="print the matrix as the Markdown of docs/SPACES.md")
    p.set_defaults(func=run)


def _tables(specs: list[str]) -> dict[str, str]:
    from nasbench_suite.spaces import space_names

    out: dict[str, str] = {}
    for spec in specs:
        space, sep, path = spec.partition("=")
        if not sep or not path:
            raise InvalidOptionError(f"--table expects SPACE=FILE, got {spec!r}")
        if space not in space_names():
            raise UnknownNameError("search space (in --table)", space, space_names())
        out[space] = path
    return out


def run(args: argparse.Namespace) -> int:
    from nasbench_suite.spaces import space_names
    from nasbench_suite.strategies import STRATEGIES
    from nasbench_suite.testing.conformance import DEFAULT_EVALS, ESTIMATORS, KINDS, render_markdown, run_matrix, unexpected

    for space in args.space or ():
        if space not in space_names():
            raise UnknownNameError("search space", space, space_names())
    for name in args.strategy or ():
        STRATEGIES.get(name)  # unknown names raise, listing the valid ones
    evals = DEFAULT_EVALS if args.evals is None else args.evals
    if evals < 1:
        raise InvalidOptionError(f"--evals must be >= 1, got {evals}")
    options: dict[str, Any] = {
        "spaces": args.space,
        "strategies": args.strategy,
        "kinds": tuple(dict.fromkeys(args.kind)) if args.kind else KINDS,
        "estimators": () if args.no_estimators else ESTIMATORS,
        "tables": _tables(args.table),
        "evals": evals,
    }
    quiet = args.json or args.markdown

    def progress(cell: Any) -> None:
        if not quiet:
            print(f"{cell.space:18} {cell.benchmark:9} {cell.name:16} {cell.status:6} {cell.seconds:7.2f}s  {cell.reason}",
                  flush=True)

    if args.workdir is not None:
        cells = run_matrix(args.workdir, progress=progress, **options)
    else:
        with tempfile.TemporaryDirectory(prefix="nasbench-conformance-") as tmp:
            cells = run_matrix(tmp, progress=progress, **options)
    bad = unexpected(cells)
    if args.json:
        print_json({"cells": [c.to_dict() for c in cells], "unexpected": [c.to_dict() for c in bad]})
    elif args.markdown:
        sys.stdout.write(render_markdown(cells))
    else:
        counts = {s: sum(c.status == s for c in cells) for s in ("pass", "refuse", "fail")}
        print(f"{len(cells)} cells: {counts['pass']} pass, {counts['refuse']} refuse, {counts['fail']} fail; "
              f"{len(bad)} unexpected")
        for c in bad:
            print(f"UNEXPECTED {c.status}: {c.name} on {c.space} ({c.benchmark}): {c.reason}")
    return 1 if bad else 0
