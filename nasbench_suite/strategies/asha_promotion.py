"""ASHA, promotion variant: asynchronous successive halving of Li et al. (MLSys 2020), Algorithm 2."""

from __future__ import annotations

from nasbench_suite.strategies._asha import PROMOTION, AsyncSuccessiveHalving


class ASHAPromotion(AsyncSuccessiveHalving):
    """Asynchronous successive halving, promotion variant.

    Rungs as in :class:`~nasbench_suite.strategies.asha.ASHA`. Whenever a worker is free, the best
    not-yet-promoted architecture among the top ``floor(n / eta)`` of the ``n`` results of the
    highest rung that has one is promoted to the next rung (the harness charges only the extra
    epochs); if no rung has one, a new random architecture starts at the lowest rung. With a single
    fidelity it is random search.

    Parameters
    ----------
    eta : float
        Reduction factor (> 1).
    min_fidelity : int, optional
        Lowest epoch to use (default: the lowest the benchmark offers).
    max_fidelity : int, optional
        Highest epoch to use (default: the benchmark's full budget).
    """

    name = "asha-promotion"
    variant = PROMOTION
