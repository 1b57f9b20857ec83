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
    The OMNI combination: LightGBM on the ``features`` encoding, every stored
    zero-cost proxy and the same early curve prefix.

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


def omni(space: str, *, benchmark: str, dataset: str | None = None, metric: str = "valid_acc",
         target_epoch: int | None = None, random_state: int = 0) -> InformedRegressor:
    """LightGBM on the ``features`` encoding, every stored zero-cost proxy and the early curve of ``metric``."""
    from nasbench_suite.surrogates.models.lgbm import LGBMRegressor

    return InformedRegressor(LGBMRegressor(random_state=random_state), space=space, benchmark=benchmark, dataset=dataset,
                             encoding="features", zc="all", curve_metric=metric, target_epoch=target_epoch,
                             target="quantile")


for _proxy in ZC_PROXIES:
    globals()[f"zc_{_proxy}"] = zero_cost(_proxy)
