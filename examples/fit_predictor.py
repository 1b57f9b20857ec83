"""Fit a performance predictor on a few hundred architectures of a table and score it on held-out ones.

Run: python examples/fit_predictor.py
"""

from __future__ import annotations

import numpy as np
from scipy.stats import kendalltau

import nasbench_suite as nbs
from nasbench_suite.surrogates import make_surrogate


def main() -> None:
    bench = nbs.load("nb201-digits")
    rng = np.random.default_rng(0)
    rows = rng.permutation(len(bench.archs))
    train, test = rows[:300], rows[300:1300]
    y = bench.query_many(None, "digits-hard", metric=nbs.Metric.VALID_ACC)
    archs = np.asarray(bench.archs, dtype=object)

    model = make_surrogate("ridge", space=bench.search_space.name, random_state=0)
    model.fit(list(archs[train]), y[train])
    pred = np.asarray(model.predict(list(archs[test])))
    tau = kendalltau(pred, y[test]).statistic
    rmse = float(np.sqrt(np.mean((pred - y[test]) ** 2)))
    print(f"ridge predictor fitted on {len(train)} architectures; on {len(test)} held-out ones: "
          f"Kendall tau {tau:.3f}, RMSE {rmse:.2f} valid_acc points")
    top = test[np.argsort(-pred)[:5]]
    print("predicted top 5:", ", ".join(f"{y[r]:.1f}" for r in top), f"(best held-out {y[test].max():.1f})")


if __name__ == "__main__":
    main()
