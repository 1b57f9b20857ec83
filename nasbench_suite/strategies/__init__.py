"""Search strategies, one module each, behind the ask/tell :class:`Strategy` protocol.

>>> from nasbench_suite.strategies import STRATEGIES
>>> "re" in STRATEGIES
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nasbench_suite.registry import Registry
from nasbench_suite.strategies.base import Observation, OwnCompute, Proposal, SearchContext, SearchExhausted, Strategy

#: short name -> Strategy subclass
STRATEGIES: Registry[type[Strategy]] = Registry("strategies")
STRATEGIES.register("rs", "nasbench_suite.strategies.random_search:RandomSearch")
STRATEGIES.register("re", "nasbench_suite.strategies.evolution:RegularizedEvolution")
STRATEGIES.register("ls", "nasbench_suite.strategies.local_search:LocalSearch")
STRATEGIES.register("bananas", "nasbench_suite.strategies.bananas:Bananas")
STRATEGIES.register("gp-bo", "nasbench_suite.strategies.gp_bo:GaussianProcessBO")
STRATEGIES.register("smac", "nasbench_suite.strategies.smac:SMAC")
STRATEGIES.register("reinforce", "nasbench_suite.strategies.reinforce:Reinforce")
STRATEGIES.register("hyperband", "nasbench_suite.strategies.hyperband:Hyperband")
STRATEGIES.register("bohb", "nasbench_suite.strategies.bohb:BOHB")
STRATEGIES.register("asha", "nasbench_suite.strategies.asha:ASHA")
STRATEGIES.register("asha-promotion", "nasbench_suite.strategies.asha_promotion:ASHAPromotion")
STRATEGIES.register("async-hb", "nasbench_suite.strategies.async_hb:AsyncHyperband")
STRATEGIES.register("dehb", "nasbench_suite.strategies.dehb:DEHB")
STRATEGIES.register("mobster", "nasbench_suite.strategies.mobster:MOBSTER")
STRATEGIES.register("rs-lce", "nasbench_suite.strategies.lc_early_stopping:LCEarlyStopping")
STRATEGIES.register("tpe", "nasbench_suite.strategies.tpe:OptunaTPE")
STRATEGIES.register("ws-darts", "nasbench_suite.strategies.ws_darts:DartsWS")
STRATEGIES.register("ws-gdas", "nasbench_suite.strategies.ws_gdas:GdasWS")
STRATEGIES.register("ws-rsws", "nasbench_suite.strategies.ws_random:RandomWS")
STRATEGIES.register("zc-re", "nasbench_suite.strategies.zc_warmstart:ZCRegularizedEvolution")
STRATEGIES.register("optuna", "nasbench_suite.adapters.optuna:OptunaSampler")
STRATEGIES.register("nsga2", "nasbench_suite.strategies.nsga2:NSGA2")
STRATEGIES.register("mo-re", "nasbench_suite.strategies.mo_re:MORegularizedEvolution")
STRATEGIES.register("parego", "nasbench_suite.strategies.parego:ParEGO")
STRATEGIES.register("mo-asha", "nasbench_suite.strategies.mo_asha:MOASHA")


def get_strategy(name: str) -> type[Strategy]:
    """The Strategy class registered under ``name`` (unknown names list the valid ones)."""
    return STRATEGIES.get(name)


def make_strategy(name: str, context: SearchContext, *, seed: int | np.random.Generator, **params: Any) -> Strategy:
    """An instance of strategy ``name`` for ``context`` with hyperparameters ``params``."""
    return get_strategy(name)(context, seed=seed, **params)


__all__ = [
    "STRATEGIES",
    "Observation",
    "OwnCompute",
    "Proposal",
    "SearchContext",
    "SearchExhausted",
    "Strategy",
    "get_strategy",
    "make_strategy",
]
