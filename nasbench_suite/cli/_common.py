"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

#: line width of output that goes to a file or a pipe (no terminal to fit): wide enough never to wrap a table
PIPE_WIDTH = 1000


def to_jsonable(value: Any) -> Any:
    """NaN becomes ``null``; numpy scalars become Python numbers."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    json.dump(to_jsonable(value), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def make_console(*, stderr: bool = False, min_width: int = 0) -> Any:
    """A rich ``Console`` for CLI output: the terminal's width, but no wrapping at 80 columns into a pipe or file.

    ``COLUMNS`` still sets the width where given; ``min_width`` widens a narrow terminal.
    """
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    isatty = getattr(stream, "isatty", None)
    width = None if (isatty is not None and isatty()) or os.environ.get("COLUMNS") else PIPE_WIDTH
    con = Console(stderr=stderr, width=width)
    if con.width < min_width:
        con = Console(stderr=stderr, width=min_width)
    return con


def fmt(value: float, digits: int = 4) -> str:
    """A number for a table cell; NaN prints as 'n/a' (not measured)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:g}"


def _number(text: str, kind: type, what: str) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if kind is float and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1 (counts, sizes, epochs, workers)."""
    value = _number(text, int, "an integer >= 1")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: an integer >= 0 (seeds, sample sizes where 0 means none)."""
    value = _number(text, int, "an integer >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    value = _number(text, float, "a finite number >= 0")
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text!r}")
    return value


def add_force(parser: argparse.ArgumentParser, what: str = "--out") -> None:
    """Add ``--force``: replace an existing output instead of refusing."""
    parser.add_argument("--force", action="store_true", help=f"replace an existing {what} (default: refuse)")
