"""The named predictors of :data:`~nasbench_suite.surrogates.INFORMED`: they read the table besides the cell.

Every factory takes the search space and, by keyword, the table
(``benchmark``: catalog name or store path), its ``dataset``, the target
``metric`` and ``target_epoch`` the predictor will be fitted on, and a seed,
and returns an unfitted estimator over architectures:

``zc-<proxy>``
    :class:`~nasbench_suite.surrogates.zc_rank.ZeroCostRanker`: the stored proxy
    score, oriented on the training set; rank only (``rank_only = True``).
``lc-bayes``
    Learning-curve extrapolation from the cell's own curve of ``metric`` up to
    an early epoch (the last at most a quarter of the target epoch): Bayesian
    linear regression on the prefix and its diffs, with a predictive std.
``omni``
    The OMNI combination as a :class:`~nasbench_suite.surrogates.stacking.StackedRegressor`
    of five families: ``lc`` (the ``lc-bayes`` extrapolator), ``zc`` (Bayesian
    linear regression on the log-scaled zero-cost proxies), ``enc`` (LightGBM on
    the ``features`` encoding), ``boost`` (LightGBM on the encoding, every
    proxy and the early curve) and ``mlp`` (the ``mlp`` predictor). Inner
    cross-validation on the training cells, grouped by isomorphism class, picks
    the single family or the non-negative stack of all of them that ranks best;
    the zero-cost, encoding and boosted families are candidates from
    :data:`MODEL_MIN_SIZE` training cells on and the MLP from
    :data:`MLP_MIN_SIZE`, so on fewer cells ``omni`` is the learning-curve
    extrapolator. Where no family can be fitted (few cells of a table without
    an early curve epoch), the ``gp`` predictor stands in, and ``ridge`` where
    the GP's fit collapses to a constant.
``omni-boost``
    The ``boost`` family alone (the single-model OMNI of earlier releases).

A table without ``zc/*`` columns refuses ``zc-*`` by name; ``omni`` then uses
the encoding and the curve (``table_inputs()`` lists what it read).
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.surrogates import ZC_PROXIES
from nasbench_suite.surrogates.informed import InformedRegressor


def zero_cost(proxy: str) -> Any:
    """The factory of the rank-only predictor of zero-cost proxy ``proxy``."""

    def factory(space: str, *, benchmark: str, dataset: str | None = None, metric: str = "valid_acc",
                target_epoch: int | None = None, random_state: int = 0) -> Any:
        from nasbench_suite.surrogates.zc_rank import ZeroCostRanker

        return ZeroCostRanker(proxy, space=space, benchmark=benchmark, dataset=dataset)

    factory.__doc__ = f"Zero-cost proxy {proxy!r} as a rank-only predictor (deterministic: the seed is unused)."
    factory.__name__ = factory.__qualname__ = f"zc_{proxy}"
    return factory


def lc_bayes(space: str, *, benchmark: str, dataset: str | None = None, metric: str = "valid_acc",
             target_epoch: int | None = None, random_state: int = 0) -> InformedRegressor:
    """Bayesian linear extrapolation of the early curve of ``metric`` (deterministic: the seed is unused)."""
    from nasbench_suite.surrogates.models.bayes_linear import BayesianLinearRegressor

    return InformedRegressor(BayesianLinearRegressor(), space=space, benchmark=benchmark, dataset=dataset, encoding=None,
                             curve_metric=metric, target_epoch=target_epoch, target="quantile")


#: training cells from which the families of ``omni`` that fit many weights (``zc``: one per stored proxy;
#: ``enc`` and ``boost``: LightGBM) are candidates: in 5 inner folds each fit then has >= 20 cells, four times
#: LightGBM's leaf minimum (``min_child_samples=5``) and two per proxy weight. On fewer cells an inner-CV
#: score is noise that such a family wins by chance: on nb201-digits at 10 cells the proxy family won one
#: seed's inner CV with tau 0.82 and ranked the held-out cells at 0.24.
MODEL_MIN_SIZE = 25

#: training cells from which ``omni``'s MLP family is a candidate: the network has thousands of weights, and
#: below this the inner folds' MLPs are too noisy to rank: on the NB201 CIFAR-10 reference at 100 cells, letting it
#: compete lowered ``omni``'s mean held-out tau on valid_acc@12 from 0.595 to 0.581 (5 seeds), while from 500
#: cells on it lifts it above either model alone
MLP_MIN_SIZE = 200


def omni_boost(space: str, *, benchmark: str, dataset: str | None = None, metric: str = "valid_acc",
               target_epoch: int | None = None, random_state: int = 0) -> InformedRegressor:
    """LightGBM on the ``features`` encoding, every stored zero-cost proxy and the early curve of ``metric``."""
    from nasbench_suite.surrogates.models.lgbm import LGBMRegressor

    return InformedRegressor(LGBMRegressor(random_state=random_state), space=space, benchmark=benchmark, dataset=dataset,
                             encoding="features", zc="all", curve_metric=metric, target_epoch=target_epoch,
                             target="quantile")


def omni(space: str, *, benchmark: str, dataset: str | None = None, metric: str = "valid_acc",
         target_epoch: int | None = None, random_state: int = 0) -> Any:
    """The learning-curve, zero-cost, encoding, boosted and MLP families, combined as inner cross-validation chooses.

    Where none of them can be fitted (fewer than :data:`MODEL_MIN_SIZE` cells of a table with no early curve
    epoch), the GP on the encoding stands in, and the ridge regression where the GP collapses to a constant.
    """
    from nasbench_suite.surrogates import presets
    from nasbench_suite.surrogates.models.bayes_linear import BayesianLinearRegressor
    from nasbench_suite.surrogates.models.lgbm import LGBMRegressor
    from nasbench_suite.surrogates.stacking import StackedRegressor

    table = {"space": space, "benchmark": benchmark, "dataset": dataset, "target_epoch": target_epoch, "target": "quantile"}
    components = [
        ("lc", lc_bayes(space, benchmark=benchmark, dataset=dataset, metric=metric, target_epoch=target_epoch)),
        ("zc", InformedRegressor(BayesianLinearRegressor(), encoding=None, zc="all", zc_scale="signed-log", **table)),
        ("enc", InformedRegressor(LGBMRegressor(random_state=random_state), encoding="features", **table)),
        ("boost", omni_boost(space, benchmark=benchmark, dataset=dataset, metric=metric, target_epoch=target_epoch,
                             random_state=random_state)),
        ("mlp", presets.mlp(space, random_state=random_state)),
        ("gp", presets.gp(space, random_state=random_state)),
        ("ridge", presets.ridge(space, random_state=random_state)),
    ]
    sizes = {name: MODEL_MIN_SIZE for name in ("zc", "enc", "boost")} | {"mlp": MLP_MIN_SIZE}
    return StackedRegressor(components, space=space, min_sizes=sizes, fallback=("gp", "ridge"), random_state=random_state)


for _proxy in ZC_PROXIES:
    globals()[f"zc_{_proxy}"] = zero_cost(_proxy)
