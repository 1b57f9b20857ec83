"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import json
import math
import sys
from typing import Any


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


def fmt(value: float, digits: int = 4) -> str:
    """A number for a table cell; NaN prints as 'n/a' (not measured)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:g}"
