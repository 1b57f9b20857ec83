"""The ``nasbench`` command: one subcommand per job, one module per subcommand.

Each module in :data:`COMMANDS` exposes ``register(subparsers)``, which adds its
parser and sets ``func`` to a callable taking the parsed arguments and
returning an exit status.

Errors take one path, in :func:`main`: an expected error (bad input, a missing
or unreadable file, a full disk: a :class:`~nasbench_suite.errors.NasBenchError`,
``ValueError`` or ``OSError``) prints one line ``nasbench CMD: error: ...`` on
stderr and exits with status 2, as argparse does for a bad command line; any
other exception is a bug and prints ``nasbench CMD: internal error: ...`` and
exits with status 1. ``--debug`` (before or after the subcommand) or
``NASBENCH_DEBUG=1`` prints the traceback as well.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence

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
    "nasbench_suite.cli.latency",
    "nasbench_suite.cli.surrogate",
    "nasbench_suite.cli.predictors",
    "nasbench_suite.cli.conformance",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand registered."""
    from nasbench_suite import __version__

    parser = argparse.ArgumentParser(
        prog="nasbench", description="Tabular and surrogate NAS benchmarks, search strategies and leaderboards."
    )
    parser.add_argument("--version", action="version", version=f"nasbench-suite {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--debug", action="store_true", default=False,
                        help=f"print the traceback of an error (or set {DEBUG_ENV}=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    for _, leaf in iter_commands(parser):
        # also accepted after the subcommand; SUPPRESS keeps a --debug given before it
        leaf.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        leaf.set_defaults(prog=leaf.prog)
    return parser


def iter_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every leaf subcommand of ``parser`` as ``(("leaderboard", "build"), its parser)``, in help order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from iter_commands(child, (*prefix, name))
            return
    if prefix:
        yield prefix, parser


#: environment variable that turns on ``--debug``
DEBUG_ENV = "NASBENCH_DEBUG"

#: exceptions that report bad input or a failed read/write rather than a bug
EXPECTED_ERRORS: tuple[type[BaseException], ...] = (NasBenchError, ValueError, OSError)


def describe_error(exc: BaseException) -> str:
    """``exc`` as one line: an ``OSError`` as ``FILE: reason``, newlines folded into ``; ``."""
    if isinstance(exc, OSError) and exc.strerror and not isinstance(exc, NasBenchError):
        names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
        text = f"{' -> '.join(names)}: {exc.strerror}" if names else exc.strerror
    else:
        text = str(exc) or type(exc).__name__
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _debug_requested(args: argparse.Namespace | None) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``nasbench`` console script: the exit status (0 ok, 1 failed or internal error, 2 error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    prog = getattr(args, "prog", "nasbench")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``nasbench info --json | head``): stop quietly, as cat and grep do,
        # and point stdout at /dev/null so the interpreter's final flush does not raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except EXPECTED_ERRORS as exc:
        if _debug_requested(args):
            traceback.print_exc()
        print(f"{prog}: error: {describe_error(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if _debug_requested(args):
            traceback.print_exc()
            print(f"{prog}: internal error: {type(exc).__name__}: {describe_error(exc)}", file=sys.stderr)
        else:
            print(f"{prog}: internal error: {type(exc).__name__}: {describe_error(exc)}; "
                  "run with --debug for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
