"""Performance predictors: encoders, models, metrics and surrogate benchmarks.

* :data:`SURROGATES`: preset name (``gin``, ``xgb``, ``rf``, ``gp``,
  ``ridge``, ``mlp``, ``ensemble``, ``lgbm``, ``ngboost``, ``deep-ensemble``, ``wl-gp``, ``arch2vec``) -> factory ``(space, *, random_state)``
  returning an unfitted architecture-level estimator with the encoding,
  target transform and hyperparameters that preset stands for.
* :data:`MODELS`: estimator class name -> class; the only classes a saved
  surrogate may instantiate when loaded.

Examples
--------
>>> from nasbench_suite.surrogates import make_surrogate
>>> model = make_surrogate("ridge", space="nb201", random_state=0)
>>> model.fit([0, 1, 2, 3, 4], [80.0, 85.0, 10.0, 90.0, 70.0]).predict(["|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"]).shape
(1,)
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.registry import Registry

#: preset name -> factory(space: str, *, random_state: int) -> unfitted estimator over architectures
SURROGATES: Registry[Any] = Registry("surrogates")
for _name in ("gin", "xgb", "rf", "gp", "ridge", "mlp", "ensemble", "lgbm", "ngboost", "deep-ensemble", "wl-gp", "arch2vec"):
    SURROGATES.register(_name, f"nasbench_suite.surrogates.presets:{_name.replace('-', '_')}")

#: predictors that also read per-architecture inputs from a table (zero-cost columns, an early learning-curve
#: prefix): name -> factory(space, *, benchmark, dataset=None, target_epoch=None, random_state=0)
INFORMED: Registry[Any] = Registry("informed_predictors")
#: the proxies of :mod:`nasbench_suite.estimation.zero_cost` (a test keeps the two lists equal)
ZC_PROXIES: tuple[str, ...] = ("fisher", "flops", "grad_norm", "grasp", "jacov", "nwot", "params", "snip", "synflow")
for _name in ZC_PROXIES:
    INFORMED.register(f"zc-{_name}", f"nasbench_suite.surrogates.informed_presets:zc_{_name}")
for _name in ("lc-bayes", "omni", "omni-boost"):
    INFORMED.register(_name, f"nasbench_suite.surrogates.informed_presets:{_name.replace('-', '_')}")

#: estimator class name -> class (what a saved surrogate may build)
MODELS: Registry[type] = Registry("surrogate_models")
MODELS.register("ArchRegressor", "nasbench_suite.surrogates.estimator:ArchRegressor")
MODELS.register("EnsembleRegressor", "nasbench_suite.surrogates.ensemble:EnsembleRegressor")
MODELS.register("GINRegressor", "nasbench_suite.surrogates.models.gin:GINRegressor")
MODELS.register("XGBRegressor", "nasbench_suite.surrogates.models.xgb:XGBRegressor")
MODELS.register("RandomForestRegressor", "nasbench_suite.surrogates.models.forest:RandomForestRegressor")
MODELS.register("GaussianProcessRegressor", "nasbench_suite.surrogates.models.gp:GaussianProcessRegressor")
MODELS.register("RidgeRegressor", "nasbench_suite.surrogates.models.ridge:RidgeRegressor")
MODELS.register("MLPRegressor", "nasbench_suite.surrogates.models.mlp:MLPRegressor")
MODELS.register("LGBMRegressor", "nasbench_suite.surrogates.models.lgbm:LGBMRegressor")
MODELS.register("NGBoostRegressor", "nasbench_suite.surrogates.models.ngb:NGBoostRegressor")
MODELS.register("BayesianLinearRegressor", "nasbench_suite.surrogates.models.bayes_linear:BayesianLinearRegressor")
MODELS.register("DeepEnsembleRegressor", "nasbench_suite.surrogates.models.deep_ensemble:DeepEnsembleRegressor")
MODELS.register("WLGaussianProcessRegressor", "nasbench_suite.surrogates.models.wl_gp:WLGaussianProcessRegressor")
MODELS.register("Arch2VecRegressor", "nasbench_suite.surrogates.models.arch2vec:Arch2VecRegressor")
MODELS.register("InformedRegressor", "nasbench_suite.surrogates.informed:InformedRegressor")
MODELS.register("StackedRegressor", "nasbench_suite.surrogates.stacking:StackedRegressor")
MODELS.register("ZeroCostRanker", "nasbench_suite.surrogates.zc_rank:ZeroCostRanker")


def make_surrogate(name: str, *, space: str, random_state: int = 0) -> Any:
    """An unfitted surrogate of preset ``name`` for search space ``space``."""
    return SURROGATES.get(name)(space, random_state=random_state)


def __getattr__(name: str) -> Any:  # lazy re-exports keep ``import nasbench_suite.surrogates`` light
    lazy = {
        "ArchRegressor": "nasbench_suite.surrogates.estimator",
        "EnsembleRegressor": "nasbench_suite.surrogates.ensemble",
        "SurrogateBenchmark": "nasbench_suite.surrogates.benchmark",
        "fit_surrogate": "nasbench_suite.surrogates.training",
        "open_surrogate": "nasbench_suite.surrogates.io",
        "evaluate": "nasbench_suite.surrogates.metrics",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "INFORMED",
    "MODELS",
    "SURROGATES",
    "ArchRegressor",
    "EnsembleRegressor",
    "SurrogateBenchmark",
    "evaluate",
    "fit_surrogate",
    "make_surrogate",
    "open_surrogate",
]
