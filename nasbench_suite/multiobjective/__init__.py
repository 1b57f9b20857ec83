"""Multi-objective search: objectives, exact Pareto fronts and quality indicators (moocore, pymoo)."""

from __future__ import annotations

from nasbench_suite.multiobjective.front import ParetoFront, nondominated_mask, pareto_ranks, run_front, true_front
from nasbench_suite.multiobjective.objectives import Objective, ObjectiveError, parse_objectives

__all__ = [
    "Objective",
    "ObjectiveError",
    "ParetoFront",
    "nondominated_mask",
    "parse_objectives",
    "pareto_ranks",
    "run_front",
    "true_front",
]
