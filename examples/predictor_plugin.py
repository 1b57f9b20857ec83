"""Your own performance predictor in the predictor benchmark, beside the suite's, on one board.

A predictor is a scikit-learn-style estimator over array encodings (wrapped
in the space's ``features`` encoding for you), or a factory
``(space, *, random_state)`` returning anything with ``fit(archs, y)`` and
``predict(archs)``. A ``predict(X, return_std=True)`` gives it NLL and
interval-coverage scores too. Register it from Python, as below, or from
your package's ``pyproject.toml``, so that ``nasbench predictors run`` finds it:

    [project.entry-points."nasbench_suite.predictors"]
    bayes-ridge = "predictor_plugin:BayesianRidgePredictor"

Run: python examples/predictor_plugin.py
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import BayesianRidge


class BayesianRidgePredictor(RegressorMixin, BaseEstimator):
    """Bayesian ridge regression: a linear model whose posterior gives each prediction a standard deviation."""

    def __init__(self, max_iter: int = 300) -> None:
        self.max_iter = max_iter

    def fit(self, X: np.ndarray, y: np.ndarray) -> BayesianRidgePredictor:
        self.model_ = BayesianRidge(max_iter=self.max_iter).fit(X, y)
        return self

    def predict(self, X: np.ndarray, return_std: bool = False) -> Any:
        return self.model_.predict(X, return_std=return_std)


def main() -> None:
    from nasbench_suite.predictors import PREDICTORS, RunSpec, build_board, default_targets, run_protocol
    from nasbench_suite.catalog import resolve

    if "bayes-ridge" not in PREDICTORS:  # installed packages register it by entry point instead
        PREDICTORS.register("bayes-ridge", BayesianRidgePredictor)
    bench = resolve("nb201-digits")
    target = default_targets(bench, "digits-hard")[0]
    spec = RunSpec("nb201-digits", "digits-hard", (target,), ("bayes-ridge", "ridge"), sizes=(20, 100), seeds=(0, 1, 2),
                   test_size=500)
    run_protocol(spec, "predictors.jsonl", progress=False)
    board = build_board(["predictors.jsonl"], "predictor-board")
    for size in board["targets"][0]["sizes"]:
        for e in size["entries"]:
            s = e["scores"]
            print(f"{e['predictor']:>12} @{size['size']:>4} cells: Kendall tau {s['kendall_tau']['mean']:.3f}, "
                  f"90%-interval coverage {s['coverage90']['mean'] if s['coverage90']['mean'] is not None else '-'}")
    print(f"board written to predictor-board/ ({len(board['predictors'])} predictors)")


if __name__ == "__main__":
    main()
