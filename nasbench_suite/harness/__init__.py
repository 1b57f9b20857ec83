"""The search harness: evaluation on a simulated clock, budgets, results files and sweeps.

Strategies only ask and tell; the harness evaluates what they ask against a
benchmark, charges simulated training time, picks incumbents on validation,
and writes byte-reproducible JSON Lines results.
"""

from __future__ import annotations

from nasbench_suite.harness.budget import Budget, BudgetUnitError
from nasbench_suite.harness.lookup import EvalRow, Lookup
from nasbench_suite.harness.results import read_results, trajectory_hash
from nasbench_suite.harness.runner import run_search
from nasbench_suite.harness.simulator import RunOutcome, simulate
from nasbench_suite.harness.sweep import SweepMismatchError, SweepSpec, SweepSummary, parse_seeds, parse_strategies, run_sweep

__all__ = [
    "Budget",
    "BudgetUnitError",
    "EvalRow",
    "Lookup",
    "RunOutcome",
    "SweepMismatchError",
    "SweepSpec",
    "SweepSummary",
    "parse_seeds",
    "parse_strategies",
    "read_results",
    "run_search",
    "run_sweep",
    "simulate",
    "trajectory_hash",
]
