"""Which values each metric, cost and column can possibly take: one place for importers, writer and reader.

A value outside its range is not a measurement but a damaged or forged file
(an accuracy of 150 %, an infinite loss, a negative parameter count). NaN is
always allowed: it means "not measured".

==============================  ==========================  ===========================
name                            allowed                     e.g.
==============================  ==========================  ===========================
``*_acc``, ``acc``              finite, in [0, 100]         ``test_acc`` (percent)
``*_loss``, ``loss``            finite, >= 0                ``train_loss``
``*_time``, ``zc_time/*``       finite, >= 0                ``train_time`` (seconds)
``params``, ``flops``           finite, >= 0                counts
``latency``, ``latency_*``      finite, >= 0                seconds (``latency_b1_t1``)
anything else                   finite                      ``zc/synflow``, ``nats_index``
==============================  ==========================  ===========================

A dataset whose metric legitimately leaves its usual range (TransNAS-Bench-101's
``room_layout`` keeps the *negated* loss under ``valid_acc`` so that higher is
better) declares it in its provenance as ``"value_ranges": {"valid_acc": [null, 0]}``
(``null`` = unbounded); see docs/SCHEMA.md.

What ranges cannot catch: a plausible value in the wrong place (two accuracy
columns swapped, a loss that happens to lie in [0, 100] under an ``*_acc``
name). On stores small enough to be checksummed on open the content checksum
catches those; on larger ones ``nasbench info --verify`` does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench_suite.errors import ImpossibleValueError

#: the provenance key a dataset uses to declare a metric's range differently
RANGES_KEY = "value_ranges"


@dataclass(frozen=True)
class ValueRange:
    """The finite interval ``[low, high]`` a value must lie in (NaN is always allowed)."""

    low: float = -math.inf
    high: float = math.inf
    what: str = "a finite number"

    def describe(self) -> str:
        """``'[0, 100] (an accuracy in percent)'``-style text for error messages."""
        if self.low == -math.inf and self.high == math.inf:
            bounds = "finite"
        elif self.high == math.inf:
            bounds = f"finite, >= {self.low:g}"
        elif self.low == -math.inf:
            bounds = f"finite, <= {self.high:g}"
        else:
            bounds = f"[{self.low:g}, {self.high:g}]"
        return f"{bounds} ({self.what}; NaN = not measured)"

    def allows(self, value: float) -> bool:
        """Whether one value is possible."""
        return math.isnan(value) or (math.isfinite(value) and self.low <= value <= self.high)


ACCURACY = ValueRange(0.0, 100.0, "an accuracy in percent")
LOSS = ValueRange(0.0, math.inf, "a loss")
SECONDS = ValueRange(0.0, math.inf, "a time in seconds")
COUNT = ValueRange(0.0, math.inf, "a count")
FINITE = ValueRange()

_EXACT = {"acc": ACCURACY, "loss": LOSS, "params": COUNT, "flops": COUNT, "latency": SECONDS}


def value_range(name: str, declared: Mapping[str, Any] | None = None) -> ValueRange:
    """The allowed range of metric, cost or column ``name``; ``declared`` is a dataset's ``value_ranges``."""
    if declared and name in declared:
        return _declared(name, declared[name])
    if name in _EXACT:
        return _EXACT[name]
    if name.endswith("_acc"):
        return ACCURACY
    if name.endswith("_loss"):
        return LOSS
    if name.endswith("_time") or name.startswith(("zc_time/", "latency_")):
        return SECONDS
    return FINITE


def _declared(name: str, spec: Any) -> ValueRange:
    if (
        not isinstance(spec, (list, tuple))
        or len(spec) != 2
        or not all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)) for v in spec)
    ):
        raise ValueError(f"value_ranges[{name!r}] must be [low, high] with numbers or null, got {spec!r}")
    low = -math.inf if spec[0] is None else float(spec[0])
    high = math.inf if spec[1] is None else float(spec[1])
    if low > high:
        raise ValueError(f"value_ranges[{name!r}] = {list(spec)!r} is empty (low > high)")
    return ValueRange(low, high, f"declared in the dataset's provenance for {name}")


def declared_ranges(provenance: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A dataset provenance's ``value_ranges`` (empty when it declares none)."""
    declared = (provenance or {}).get(RANGES_KEY) or {}
    if not isinstance(declared, Mapping):
        raise ValueError(f"provenance {RANGES_KEY!r} must be an object of metric -> [low, high], got {declared!r}")
    return declared


def bounds(names: Sequence[str], declared: Mapping[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of lows and highs for ``names`` (to broadcast over a last axis of metrics)."""
    ranges = [value_range(n, declared) for n in names]
    return np.array([r.low for r in ranges]), np.array([r.high for r in ranges])


def impossible(values: np.ndarray, low: np.ndarray | float, high: np.ndarray | float) -> np.ndarray:
    """Mask of values that are neither NaN nor finite within ``[low, high]`` (broadcast over the last axis)."""
    v = np.asarray(values)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(v) & ~((v >= low) & (v <= high) & np.isfinite(v))


def first_impossible(
    values: np.ndarray, names: Sequence[str], declared: Mapping[str, Any] | None = None
) -> tuple[tuple[int, ...], str, float, ValueRange] | None:
    """(position, name, value, range) of the first impossible value of ``values[..., metric]``, or None.

    One vectorized pass over the array; ``names`` label its last axis.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return None
    low, high = bounds(names, declared)
    bad = impossible(v, low, high)
    if not bad.any():
        return None
    pos = tuple(int(i) for i in np.argwhere(bad)[0])
    name = names[pos[-1]]
    return pos, name, float(v[pos]), value_range(name, declared)


def check_array(
    values: np.ndarray,
    names: Sequence[str],
    *,
    where: Callable[[tuple[int, ...]], str],
    declared: Mapping[str, Any] | None = None,
    error: type[Exception] = ImpossibleValueError,
) -> None:
    """Raise ``error`` naming the first impossible value; ``where(position)`` says where it is."""
    found = first_impossible(values, names, declared)
    if found is not None:
        pos, name, value, rng = found
        raise error(f"{where(pos)}: {name} = {value!r} is impossible; allowed: {rng.describe()}")


def check_value(
    value: float,
    name: str,
    *,
    where: str,
    declared: Mapping[str, Any] | None = None,
    error: type[Exception] = ImpossibleValueError,
) -> float:
    """Return ``value`` if metric ``name`` can take it, else raise ``error`` naming ``where`` and the range."""
    rng = value_range(name, declared)
    if not rng.allows(value):
        raise error(f"{where}: {name} = {value!r} is impossible; allowed: {rng.describe()}")
    return value


__all__ = [
    "ACCURACY",
    "COUNT",
    "FINITE",
    "LOSS",
    "RANGES_KEY",
    "SECONDS",
    "ValueRange",
    "bounds",
    "check_array",
    "check_value",
    "declared_ranges",
    "first_impossible",
    "impossible",
    "value_range",
]
