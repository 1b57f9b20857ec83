"""Asynchronous Hyperband: ASHA brackets with different lowest rungs (Li et al., MLSys 2020)."""

from __future__ import annotations

import numpy as np

from nasbench_suite.strategies._asha import STOPPING, VARIANTS, AsyncSuccessiveHalving
from nasbench_suite.strategies.base import SearchContext, require


class AsyncHyperband(AsyncSuccessiveHalving):
    """Asynchronous Hyperband: one ASHA bracket per rung, each new architecture assigned to one at random.

    Rungs as in :class:`~nasbench_suite.strategies.asha.ASHA`; bracket ``j`` starts its
    architectures at rung ``j`` and halves them asynchronously up to the top rung. Each new
    architecture draws its bracket from the strategy's Generator with Hyperband's weights
    (:func:`~nasbench_suite.strategies._asha.bracket_weights`: in proportion to the number of
    architectures synchronous Hyperband starts in that bracket). Brackets keep their own rungs.
    ``variant="stopping"`` continues a trial when its result arrives (as ``asha``);
    ``variant="promotion"`` promotes, when a worker is free, from the first bracket that has a
    promotable trial (as ``asha-promotion``), else starts a new architecture.

    Parameters
    ----------
    eta : float
        Reduction factor (> 1).
    min_fidelity : int, optional
        Lowest epoch to use (default: the lowest the benchmark offers).
    max_fidelity : int, optional
        Highest epoch to use (default: the benchmark's full budget).
    variant : {"stopping", "promotion"}
        How trials move up the rungs.
    """

    name = "async-hb"
    hyperband_brackets = True

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, eta: float = 3.0,
                 min_fidelity: int | None = None, max_fidelity: int | None = None,
                 variant: str = STOPPING) -> None:
        require(variant in VARIANTS, f"variant must be one of {VARIANTS}, got {variant!r}")
        self.variant = variant
        super().__init__(context, seed=seed, eta=eta, min_fidelity=min_fidelity, max_fidelity=max_fidelity)
