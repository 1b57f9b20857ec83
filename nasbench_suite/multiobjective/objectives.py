"""Objectives of a multi-objective search: which stored metric or cost, and whether to minimise or maximise it.

``"valid_acc:max,params:min"`` names two objectives. Each objective is read
on the split that selects (a validation metric, or a cost, which has no
split) and reported on its counterpart: ``valid_<x>`` is reported as
``test_<x>``, everything else as itself. Test metrics cannot be objectives:
selection never looks at test numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError

#: how many objectives a multi-objective run may have
MIN_OBJECTIVES, MAX_OBJECTIVES = 2, 3
DIRECTIONS: tuple[str, ...] = ("min", "max")


class ObjectiveError(NasBenchError, ValueError):
    """An objective list that cannot be searched: bad syntax, direction, count, or a metric the benchmark lacks."""


@dataclass(frozen=True)
class Objective:
    """One objective: a stored metric or cost and its direction (``"min"`` or ``"max"``)."""

    metric: str
    direction: str

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ObjectiveError(f"objective {self.metric!r}: direction must be 'min' or 'max', got {self.direction!r}")
        if not self.metric or not isinstance(self.metric, str):
            raise ObjectiveError(f"an objective needs a metric name, got {self.metric!r}")
        if self.metric.startswith("test_"):
            raise ObjectiveError(
                f"objective {self.metric!r}: test metrics are reported, never selected on; give "
                f"{'valid_' + self.metric[5:]!r} (its test counterpart is reported for it)"
            )

    @property
    def report(self) -> str:
        """The metric the objective is reported as: ``test_<x>`` for ``valid_<x>``, else the metric itself."""
        return "test_" + self.metric[6:] if self.metric.startswith("valid_") else self.metric

    @property
    def sign(self) -> float:
        """+1 for a minimised objective, -1 for a maximised one: ``sign * value`` is to be minimised."""
        return 1.0 if self.direction == "min" else -1.0

    def to_dict(self) -> dict[str, str]:
        """The objective as a results file records it."""
        return {"metric": self.metric, "direction": self.direction, "report": self.report}

    def __str__(self) -> str:
        return f"{self.metric}:{self.direction}"


def parse_objectives(text: str | Sequence[Any]) -> tuple[Objective, ...]:
    """``"valid_acc:max,params:min"`` (or a sequence of ``Objective``, ``"m:d"`` or ``(m, d)`` / dicts) as objectives.

    Raises :class:`ObjectiveError` for a bad entry, a duplicate metric, or fewer than 2 or more than 3 objectives.

    Examples
    --------
    >>> [str(o) for o in parse_objectives("valid_acc:max, params:min")]
    ['valid_acc:max', 'params:min']
    """
    items: Iterable[Any] = [p for p in text.split(",") if p.strip()] if isinstance(text, str) else text
    out: list[Objective] = []
    for item in items:
        if isinstance(item, Objective):
            obj = item
        elif isinstance(item, dict):
            obj = Objective(str(item.get("metric")), str(item.get("direction")))
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            obj = Objective(str(item[0]), str(item[1]))
        elif isinstance(item, str):
            metric, sep, direction = item.strip().rpartition(":")
            if not sep:
                raise ObjectiveError(f"objective {item.strip()!r} must look like METRIC:min or METRIC:max")
            obj = Objective(metric.strip(), direction.strip())
        else:
            raise ObjectiveError(f"cannot read an objective from {item!r:.80}; expected 'METRIC:min' or 'METRIC:max'")
        out.append(obj)
    names = [o.metric for o in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ObjectiveError(f"objective metric(s) {', '.join(dup)} given twice in {text!r}")
    if not MIN_OBJECTIVES <= len(out) <= MAX_OBJECTIVES:
        raise ObjectiveError(f"give {MIN_OBJECTIVES} or {MAX_OBJECTIVES} objectives, got {len(out)} in {text!r}")
    return tuple(out)


def signs(objectives: Sequence[Objective]) -> np.ndarray:
    """Per objective +1 (minimise) or -1 (maximise): ``values * signs(...)`` is to be minimised throughout."""
    return np.array([o.sign for o in objectives], dtype=float)


def to_minimise(values: Any, objectives: Sequence[Objective]) -> np.ndarray:
    """``values`` (``(n, k)`` or ``(k,)``, in the objectives' own directions) turned into all-minimised form."""
    return np.asarray(values, dtype=float) * signs(objectives)
