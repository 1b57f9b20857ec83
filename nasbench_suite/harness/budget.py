"""Search budgets: a number of evaluations, or simulated time in seconds or epochs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nasbench_suite.errors import NasBenchError

#: budget kind -> the clock unit it needs (``None``: any)
KINDS: dict[str, str | None] = {"evals": None, "seconds": "seconds", "epochs": "epoch"}


class BudgetUnitError(NasBenchError, ValueError):
    """A time budget in a unit the benchmark's clock does not count in."""


@dataclass(frozen=True)
class Budget:
    """How long a run may search.

    ``evals``: start at most ``value`` evaluations (all of them finish and count).
    ``seconds`` / ``epochs``: simulated time; evaluations that would finish
    later than ``value`` are dropped and no new one starts once the clock has
    reached it. ``seconds`` needs a benchmark that records training times;
    ``epochs`` one whose clock counts epochs (no recorded times).

    Examples
    --------
    >>> Budget.evals(300)
    Budget(kind='evals', value=300)
    >>> Budget.evals(0)
    Traceback (most recent call last):
    ...
    ValueError: budget of evaluations must be > 0, got 0
    """

    kind: str
    value: float

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"budget kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        what = "evaluations" if self.kind == "evals" else f"simulated {self.kind}"
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)) or math.isnan(self.value):
            raise ValueError(f"budget of {what} must be a number, got {self.value!r}")
        if self.value <= 0:
            raise ValueError(f"budget of {what} must be > 0, got {self.value!r}")
        if math.isinf(self.value):
            raise ValueError(f"budget of {what} must be finite, got {self.value!r}")
        if self.kind == "evals":
            if int(self.value) != self.value:
                raise ValueError(f"budget of evaluations must be a whole number, got {self.value!r}")
            object.__setattr__(self, "value", int(self.value))

    @classmethod
    def evals(cls, n: int) -> Budget:
        """At most ``n`` evaluations."""
        return cls("evals", n)

    @classmethod
    def seconds(cls, s: float) -> Budget:
        """At most ``s`` simulated seconds of training."""
        return cls("seconds", s)

    @classmethod
    def epochs(cls, n: float) -> Budget:
        """At most ``n`` simulated epochs of training (benchmarks without training times)."""
        return cls("epochs", n)

    def check_unit(self, clock_unit: str) -> None:
        """Raise BudgetUnitError if this budget cannot be measured on a clock counting ``clock_unit``."""
        need = KINDS[self.kind]
        if need is not None and need != clock_unit:
            hint = "--budget-epochs" if clock_unit == "epoch" else "--budget-seconds"
            raise BudgetUnitError(
                f"a budget in {self.kind} needs a clock counting {need}, but this benchmark's clock counts "
                f"{clock_unit} ({'no training times recorded' if clock_unit == 'epoch' else 'training times recorded'}); "
                f"use --budget-evals or {hint}"
            )

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"kind": ..., "value": ...}``."""
        return {"kind": self.kind, "value": self.value}
