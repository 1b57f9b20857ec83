"""Random search with weight sharing (RS-WS) as a strategy: train the supernet once, propose by its ranking."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nasbench_suite.estimation.ws_strategy import OneShotStrategy
from nasbench_suite.strategies.base import SearchContext


class RandomWS(OneShotStrategy):
    """Li & Talwalkar 2019: train on uniformly sampled paths, rank sampled cells by supernet valid accuracy.

    Proposals follow that ranking (best first), one per isomorphism class;
    the strategy is exhausted after ``candidates`` proposals.
    ``search_cost_seconds`` is the measured supernet training and ranking time.

    Parameters
    ----------
    epochs, steps_per_epoch, batch_size : int
        Supernet training epochs, weight steps per epoch (``None``: one pass over the train split), batch size.
    w_lr : float
        Weight SGD learning rate (cosine-annealed).
    candidates : int
        Cells sampled and ranked with the shared weights.
    dataset, skeleton, channels, cells
        The training data and the supernet's macro structure (default: the shipped digits table's).
    """

    name = "ws-rsws"
    method = "rsws"
    check_params: ClassVar[dict[str, Any]] = {"epochs": 1, "steps_per_epoch": 1, "batch_size": 16, "channels": 4,
                                              "candidates": 48}

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        epochs: int = 10,
        steps_per_epoch: int | None = None,
        batch_size: int = 64,
        w_lr: float = 0.05,
        candidates: int = 100,
        dataset: str = "digits-hard",
        skeleton: str = "light",
        channels: int = 8,
        cells: int = 1,
    ) -> None:
        super().__init__(context, seed=seed, epochs=epochs, steps_per_epoch=steps_per_epoch, batch_size=batch_size,
                         w_lr=w_lr,
                         candidates=candidates, dataset=dataset, skeleton=skeleton, channels=channels, cells=cells)
