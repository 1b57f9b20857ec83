"""The predictor benchmark: a fixed protocol, a registry of predictors, boards and their verification.

* :data:`PREDICTORS`: every surrogate preset plus predictors registered here or
  through the entry-point group ``nasbench_suite.predictors`` (a factory
  ``(space, *, random_state)`` or a scikit-learn estimator class).
* :func:`run_protocol`: fit and score every (target, predictor, size, seed)
  cell on group-held-out cells into a resumable JSON Lines file.
* :func:`build_board` / :func:`verify_board`: the board (tables with CIs,
  ranks, paired tests, curves, HTML) and its re-fit check.

The protocol is specified in ``docs/PREDICTORS.md``.
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.predictors.registry import PREDICTORS, make_predictor, parse_predictors


def __getattr__(name: str) -> Any:  # lazy re-exports keep the import light
    lazy = {
        "RunSpec": "nasbench_suite.predictors.runner",
        "run_protocol": "nasbench_suite.predictors.runner",
        "read_records": "nasbench_suite.predictors.runner",
        "Target": "nasbench_suite.predictors.protocol",
        "default_targets": "nasbench_suite.predictors.protocol",
        "build_board": "nasbench_suite.predictors.board",
        "compute_board": "nasbench_suite.predictors.board",
        "verify_board": "nasbench_suite.predictors.verify",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "PREDICTORS",
    "RunSpec",
    "Target",
    "build_board",
    "compute_board",
    "default_targets",
    "make_predictor",
    "parse_predictors",
    "read_records",
    "run_protocol",
    "verify_board",
]
