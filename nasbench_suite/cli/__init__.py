"""The ``nasbench`` command: one subcommand per job, one module per subcommand.

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a callable taking the parsed arguments and
returning an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from nasbench_suite.errors import NasBenchError

#: subcommand modules, in the order ``nasbench --help`` lists them
COMMANDS: tuple[str, ...] = (
    "nasbench_suite.cli.demo",
    "nasbench_suite.cli.info",
    "nasbench_suite.cli.query",
    "nasbench_suite.cli.importing",
    "nasbench_suite.cli.generate",
    "nasbench_suite.cli.verify",
    "nasbench_suite.cli.run",
    "nasbench_suite.cli.plot",
    "nasbench_suite.cli.leaderboard",
    "nasbench_suite.cli.zc",
    "nasbench_suite.cli.surrogate",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    from nasbench_suite import __version__

    parser = argparse.ArgumentParser(
        prog="nasbench", description="Tabular and surrogate NAS benchmarks, search strategies and leaderboards."
    )
    parser.add_argument("--version", action="version", version=f"nasbench-suite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nasbench`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except (NasBenchError, FileNotFoundError) as exc:
        print(f"nasbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"nasbench {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``nasbench info --json | head``): stop quietly, as cat and grep do,
        # and point stdout at /dev/null so the interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
