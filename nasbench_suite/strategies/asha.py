"""ASHA, stopping variant: asynchronous successive halving that stops trials at rungs (Li et al., MLSys 2020)."""

from __future__ import annotations

from nasbench_suite.strategies._asha import STOPPING, AsyncSuccessiveHalving


class ASHA(AsyncSuccessiveHalving):
    """Asynchronous successive halving, stopping variant.

    Rungs are ``max / eta^k`` snapped to the held epochs between ``min_fidelity`` and
    ``max_fidelity`` (as in :func:`~nasbench_suite.strategies.hyperband.rungs`). A new architecture
    starts at the lowest rung. When its result at a rung arrives, it continues to the next rung if
    it ranks within the top ``ceil(n / eta)`` of the ``n`` results recorded at that rung so far;
    otherwise the freed worker starts a new random architecture. Continuing is a proposal of the same
    architecture at the next epoch (the harness charges only the extra epochs). No worker ever waits
    for a rung to fill. With a single fidelity it is random search.

    Parameters
    ----------
    eta : float
        Reduction factor (> 1).
    min_fidelity : int, optional
        Lowest epoch to use (default: the lowest the benchmark offers).
    max_fidelity : int, optional
        Highest epoch to use (default: the benchmark's full budget).
    """

    name = "asha"
    variant = STOPPING
