"""GDAS on the space's supernet (NB201, DARTS) as a strategy: train once, propose the derived cell."""

from __future__ import annotations

import numpy as np

from nasbench_suite.estimation.ws_strategy import OneShotStrategy
from nasbench_suite.strategies.base import SearchContext


class GdasWS(OneShotStrategy):
    """Dong & Yang 2019: Gumbel-softmax hard sampling, one operation per edge per step.

    The first proposal is the argmax-per-edge cell; later ones follow the
    learned ``alpha`` ranking. ``search_cost_seconds`` is the measured
    supernet training time.

    Parameters
    ----------
    epochs, steps_per_epoch, batch_size : int
        Supernet training epochs, weight steps per epoch (``None``: one pass over the train split), batch size.
    w_lr, a_lr : float
        Weight SGD learning rate (cosine-annealed) and architecture Adam learning rate.
    tau_max, tau_min : float
        Gumbel-softmax temperature, annealed linearly over the epochs.
    dataset, skeleton, channels, cells
        The training data and the supernet's macro structure (default: the shipped digits table's).
    """

    name = "ws-gdas"
    method = "gdas"

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        epochs: int = 10,
        steps_per_epoch: int | None = None,
        batch_size: int = 64,
        w_lr: float = 0.05,
        a_lr: float = 3e-3,
        tau_max: float = 10.0,
        tau_min: float = 0.1,
        dataset: str = "digits-hard",
        skeleton: str = "light",
        channels: int = 8,
        cells: int = 1,
    ) -> None:
        super().__init__(context, seed=seed, epochs=epochs, steps_per_epoch=steps_per_epoch, batch_size=batch_size,
                         w_lr=w_lr, a_lr=a_lr,
                         tau_max=tau_max, tau_min=tau_min, dataset=dataset, skeleton=skeleton,
                         channels=channels, cells=cells)
