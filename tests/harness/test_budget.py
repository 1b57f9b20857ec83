"""Budgets: validation and units."""

from __future__ import annotations

import math

import pytest

from nasbench_suite.harness import Budget, BudgetUnitError


@pytest.mark.parametrize("value", [0, -1, -0.5])
@pytest.mark.parametrize("kind", ["evals", "seconds", "epochs"])
def test_non_positive_budgets_are_refused_by_name(kind: str, value: float) -> None:
    with pytest.raises(ValueError, match=rf"budget of .*{'evaluations' if kind == 'evals' else kind} must be > 0, got {value}"):
        Budget(kind, value)


@pytest.mark.parametrize("value", [math.nan, math.inf, "10", True])
def test_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="budget of"):
        Budget("seconds", value)  # type: ignore[arg-type]


def test_eval_budgets_are_whole_numbers() -> None:
    assert Budget.evals(10.0).value == 10
    with pytest.raises(ValueError, match="whole number"):
        Budget.evals(2.5)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="evals, seconds, epochs"):
        Budget("hours", 3)


def test_units_must_match_the_clock() -> None:
    Budget.evals(3).check_unit("epoch")
    Budget.evals(3).check_unit("seconds")
    Budget.seconds(3).check_unit("seconds")
    Budget.epochs(3).check_unit("epoch")
    with pytest.raises(BudgetUnitError, match="no training times recorded"):
        Budget.seconds(3).check_unit("epoch")
    with pytest.raises(BudgetUnitError, match="--budget-seconds"):
        Budget.epochs(3).check_unit("seconds")


def test_to_dict() -> None:
    assert Budget.seconds(1.5).to_dict() == {"kind": "seconds", "value": 1.5}
