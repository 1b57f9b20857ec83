"""Random search with learning-curve early stopping (Domhan et al., IJCAI 2015; Baker et al., 2018).

Each candidate trains for the first few epochs only; a learning-curve
predictor (:mod:`nasbench_suite.estimation.learning_curves`) extrapolates
its final value, and only candidates predicted to land among the best
finish training.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

#: the curve predictors on offer
PREDICTORS = ("ridge", "gbm", "parametric")


class LCEarlyStopping(Strategy):
    """Random architectures trained epoch by epoch through a short prefix, continued only when promising.

    A new architecture is proposed at each of the first ``prefix_epochs``
    fidelities in turn (the harness charges only the extra epochs of each
    step). With the whole prefix observed, the predictor extrapolates the
    final value; the architecture is trained to the final fidelity when that
    prediction reaches the ``quantile`` of the final values observed so far,
    and dropped otherwise. Until ``n_full`` architectures have finished,
    every candidate continues: their (prefix, final) pairs train the learned
    predictors (refitted as more arrive) and set the bar. An architecture with an unmeasured (NaN) prefix value is
    dropped. With fewer than ``prefix_epochs + 1`` fidelities on offer there
    is no prefix to stop on, and this is random search at the final epoch.

    Parameters
    ----------
    prefix_epochs : int
        How many of the lowest fidelities every candidate is trained through
        (default 1: the cheapest screen; with one value the learned
        predictors rescale it to the final epoch, so what they add is the
        calibrated comparison with final values).
    predictor : {"ridge", "gbm", "parametric"}
        :class:`~nasbench_suite.estimation.learning_curves.LearnedCurvePredictor`
        with ridge regression or gradient boosting on the prefix and its
        differences, or the per-curve
        :class:`~nasbench_suite.estimation.learning_curves.ParametricExtrapolator`.
    n_full : int
        Finished architectures needed before any candidate is stopped.
    quantile : float
        In [0, 1): continue when the predicted final value is at least this
        quantile of the final values seen so far (0 never stops).
    """

    name = "rs-lce"
    own_numerics = True  # its learning-curve fits decide which runs stop
    multi_fidelity = True
    check_params: ClassVar[dict[str, Any]] = {"n_full": 4}

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator, prefix_epochs: int = 1,
                 predictor: str = "ridge", n_full: int = 10, quantile: float = 0.75) -> None:
        super().__init__(context, seed=seed)
        require(isinstance(prefix_epochs, int) and prefix_epochs >= 1,
                f"prefix_epochs must be an integer >= 1, got {prefix_epochs!r}")
        require(predictor in PREDICTORS, f"predictor must be one of {PREDICTORS}, got {predictor!r}")
        require(isinstance(n_full, int) and n_full >= 2, f"n_full must be an integer >= 2, got {n_full!r}")
        require(0.0 <= float(quantile) < 1.0, f"quantile must lie in [0, 1), got {quantile!r}")
        self.prefix_epochs = prefix_epochs
        self.predictor = predictor
        self.n_full = n_full
        self.quantile = float(quantile)
        fids = context.fidelities
        self._prefix: tuple[int, ...] = tuple(fids[:prefix_epochs]) if len(fids) > prefix_epochs else ()
        self._final = context.max_fidelity
        self._todo: deque[tuple[Any, int, int]] = deque()  # (architecture, epoch, candidate id) follow-ups, in order
        self._curves: dict[int, list[float]] = {}  # candidate id -> prefix values so far
        self._next_id = 0
        self._pairs: list[tuple[list[float], float]] = []  # (prefix, final) of finished candidates
        self._model: Any = None
        self._fitted_on = 0
        #: candidates stopped after their prefix, and those sent on to the final fidelity (the first n_full too)
        self.stopped = 0
        self.continued = 0

    def ask(self) -> Proposal:
        if self._todo:
            arch, epoch, ident = self._todo.popleft()
            return Proposal(arch, epoch, ident)
        arch = self.space.sample(self.rng)
        if not self._prefix:
            return Proposal(arch, self._final, None)
        ident = self._next_id
        self._next_id += 1
        self._curves[ident] = []
        return Proposal(arch, self._prefix[0], ident)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        value, ident = observation.value, proposal.tag
        if observation.epoch == self._final:
            prefix = self._curves.pop(ident, None)
            if prefix is not None and not math.isnan(value):
                self._pairs.append((prefix, value))
            return
        curve = self._curves.get(ident)
        if curve is None:
            return
        if math.isnan(value):  # nothing to extrapolate from
            del self._curves[ident]
            return
        curve.append(value)
        if len(curve) < len(self._prefix):
            self._todo.append((proposal.arch, self._prefix[len(curve)], ident))
        elif self._promising(curve):
            self.continued += 1
            self._todo.append((proposal.arch, self._final, ident))
        else:
            self.stopped += 1
            del self._curves[ident]

    def _promising(self, prefix: list[float]) -> bool:
        if len(self._pairs) < self.n_full or self.quantile == 0.0:
            return True
        predicted = float(self._fitted().predict(np.asarray([prefix]))[0])
        return predicted >= float(np.quantile([final for _, final in self._pairs], self.quantile))

    def _fitted(self) -> Any:
        """The predictor, refitted when finished candidates arrived since the last fit."""
        from nasbench_suite.estimation.learning_curves import LearnedCurvePredictor, ParametricExtrapolator

        if self.predictor == "parametric":
            if self._model is None:
                self._model = ParametricExtrapolator(target_epoch=self._final, epochs=self._prefix)
            return self._model
        if self._model is None or self._fitted_on != len(self._pairs):
            X = np.asarray([p for p, _ in self._pairs])
            y = np.asarray([f for _, f in self._pairs])
            self._model = LearnedCurvePredictor(model=self.predictor).fit(X, y)
            self._fitted_on = len(self._pairs)
        return self._model
