"""One-shot (weight-sharing) search as an ask/tell strategy.

On its first :meth:`~OneShotStrategy.ask` the strategy trains the supernet
once (seeded from its Generator, see :mod:`nasbench_suite.estimation.weight_sharing`)
and proposes the derived architecture. Later asks continue down the search's
own ranking, one architecture per isomorphism class: DARTS and GDAS by the
architecture's log-probability under the learned ``alpha`` (the sum over
edges of ``log_softmax(alpha)``), RS-WS by supernet validation accuracy; the
strategy raises :class:`SearchExhausted` when the ranking is used up.
Evaluation results are not used (one-shot methods do not learn from them).

The search's measured cost is exposed as :attr:`OneShotStrategy.search_cost_seconds`
(wall seconds) and :attr:`OneShotStrategy.search_cpu_seconds`;
:meth:`OneShotStrategy.take_search_cost` hands the CPU seconds not yet charged
to the harness, which charges them on its clock before the first evaluation
(CPU time, like the tables' ``train_time``, so load from other processes
does not inflate it).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.estimation.supernet import arch_from_path
from nasbench_suite.estimation.weight_sharing import WSConfig, WSResult, search
from nasbench_suite.spaces.nb201 import EDGES, OPS, Architecture
from nasbench_suite.strategies.base import (
    Observation,
    OwnCompute,
    Proposal,
    SearchContext,
    SearchExhausted,
    Strategy,
    require,
    require_training_data,
)

__all__ = ["OneShotStrategy", "ranked_by_alphas"]


def ranked_by_alphas(alphas: np.ndarray) -> Iterator[Architecture]:
    """Every NB201 cell, most probable first under independent per-edge ``softmax(alphas)`` (stable order)."""
    from scipy.special import log_softmax

    logp = log_softmax(np.asarray(alphas, dtype=np.float64), axis=1)
    paths = np.array(list(itertools.product(range(len(OPS)), repeat=len(EDGES))), dtype=np.int64)
    scores = logp[np.arange(len(EDGES)), paths].sum(axis=1)
    for i in np.argsort(-scores, kind="stable"):
        yield arch_from_path(paths[i])


class OneShotStrategy(OwnCompute, Strategy):
    """Base of the one-shot strategies; subclasses set :attr:`method` and list their hyperparameters."""

    #: the :func:`~nasbench_suite.estimation.weight_sharing.search` method
    method: ClassVar[str]
    #: cheap hyperparameters for conformance checks (as scikit-learn's checks shorten ``max_iter``)
    check_params: ClassVar[dict[str, Any]] = {"epochs": 1, "steps_per_epoch": 2}

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, **config: Any) -> None:
        super().__init__(context, seed=seed)
        from nasbench_suite.spaces import get_bundle

        get_bundle(self.space.name).require("supernet", who=f"{type(self).__name__} (one-shot search)")
        self.config = WSConfig(**config)  # validates the values
        require_training_data(context, self.config.dataset, type(self).__name__)
        for name, value in config.items():
            setattr(self, name, value)
        self.result: WSResult | None = None
        self.search_cost_seconds = 0.0
        self._order: Iterator[Architecture] | None = None
        self._seen: set[str] = set()

    def _search(self) -> None:
        cpu = time.process_time()
        self.result = search(self.method, seed=int(self.rng.integers(2**31 - 1)), config=self.config)
        self.search_cpu_seconds = time.process_time() - cpu
        self.search_cost_seconds = self.result.seconds
        if self.result.alphas is not None:
            self._order = ranked_by_alphas(self.result.alphas)
        else:
            self._order = (Architecture.from_string(a) for a, _, _ in self.result.ranking)

    def ask(self) -> Proposal:
        if self._order is None:
            self._search()
        for arch in self._order:  # type: ignore[union-attr]
            key = arch.canonical_key()
            if key not in self._seen:
                self._seen.add(key)
                return Proposal(arch)
        raise SearchExhausted(f"{self.name}: every architecture of the one-shot ranking has been proposed")

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        """One-shot search does not learn from evaluations."""

    @property
    def derived(self) -> Architecture | None:
        """The architecture the one-shot search derived (``None`` before the first ask)."""
        return None if self.result is None else self.result.arch
