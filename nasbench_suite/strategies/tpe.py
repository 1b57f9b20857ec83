"""TPE behind ask/tell: Optuna's algorithm on the space's categorical choices, in numpy or through Optuna itself."""

from __future__ import annotations

import logging
import math
import warnings

from typing import Any, ClassVar

import numpy as np

from nasbench_suite.strategies._acquisition import seed_from
from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies._parzen import CategoricalTPE
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

#: ``numpy``: :class:`~nasbench_suite.strategies._parzen.CategoricalTPE`; ``optuna``: Optuna's ``TPESampler``
IMPLEMENTATIONS = ("numpy", "optuna")


class OptunaTPE(Strategy):
    """Tree-structured Parzen estimator (Bergstra et al., 2011) as implemented by Optuna.

    Each of the space's categorical choices (NB201: the op of each edge) is one
    categorical parameter; after ``n_startup_trials`` uniformly random trials
    each proposal is TPE's (Optuna's defaults: the best ``min(ceil(n/10), 25)``
    finished trials against the rest, a prior weight of 1, older trials
    down-weighted beyond the newest 25). Pending trials are ignored, so
    asynchronous asks work. A NaN result counts as a failed trial (left out).

    ``implementation="numpy"`` (the default) runs the algorithm on arrays
    (:class:`~nasbench_suite.strategies._parzen.CategoricalTPE`): a
    1,000-evaluation run takes about a second, where Optuna's sampler, which
    rebuilds its estimators from every trial object on each ask, takes many.
    ``implementation="optuna"`` is Optuna's own ``study.ask`` / ``study.tell``
    on an in-memory study (direction maximize) with a ``TPESampler`` seeded
    from the strategy's Generator: how runs recorded without an
    ``implementation`` parameter were made. The two draw their random numbers
    differently, so their proposals differ run by run, not in distribution.

    Parameters
    ----------
    n_startup_trials : int
        Random trials before TPE takes over.
    n_ei_candidates : int
        Candidates TPE scores per parameter.
    multivariate : bool
        Model the choices jointly (Optuna's multivariate TPE, the default here: the ops of a
        cell interact, and one joint model per trial is several times cheaper than one per
        choice) instead of independently (Optuna's default).
    implementation : {"numpy", "optuna"}
        Which implementation proposes (see above).
    """

    name = "tpe"
    #: parameters added after runs were published, with the value those runs used
    absent_params: ClassVar[dict[str, Any]] = {"implementation": "optuna"}
    own_numerics = True  # its density models of the observations decide the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
        implementation: str = "numpy",
    ) -> None:
        super().__init__(context, seed=seed)
        require(implementation in IMPLEMENTATIONS,
                f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}")
        require(int(n_startup_trials) >= 0, f"n_startup_trials must be >= 0, got {n_startup_trials!r}")
        require(int(n_ei_candidates) >= 1, f"n_ei_candidates must be >= 1, got {n_ei_candidates!r}")
        self.n_startup_trials = int(n_startup_trials)
        self.n_ei_candidates = int(n_ei_candidates)
        self.multivariate = bool(multivariate)
        self.implementation = implementation
        self._view = categorical_view(self.space, strategy=self.name)
        self._labels = self._view.labels
        if implementation == "numpy":
            self._tpe = CategoricalTPE(self._view.n_choices, n_ei_candidates=self.n_ei_candidates,
                                       multivariate=self.multivariate)
            return
        import optuna

        logging.getLogger("optuna").setLevel(logging.WARNING)  # one INFO line per trial otherwise
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)  # multivariate=True
            sampler = optuna.samplers.TPESampler(
                n_startup_trials=self.n_startup_trials,
                n_ei_candidates=self.n_ei_candidates,
                multivariate=self.multivariate,
                seed=seed_from(self.rng),
            )
        self._study = optuna.create_study(direction="maximize", sampler=sampler)
        self._dists = {
            f"x{d}": optuna.distributions.CategoricalDistribution(list(labels))
            for d, labels in enumerate(self._view.labels)
        }

    def ask(self) -> Proposal:
        if self.implementation == "numpy":
            if len(self._tpe) < self.n_startup_trials:
                ids = tuple(int(self.rng.integers(c)) for c in self._view.n_choices)
            else:
                ids = self._tpe.suggest(self.rng)
            return Proposal(self._view.arch(list(ids)), tag=ids)
        trial = self._study.ask(self._dists)
        ids = [self._labels[d].index(trial.params[f"x{d}"]) for d in range(self._view.n_dims)]
        return Proposal(self._view.arch(ids), tag=trial.number)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        if self.implementation == "numpy":
            if not math.isnan(observation.value):
                self._tpe.add(proposal.tag, observation.value)
            return
        from optuna.trial import TrialState

        if math.isnan(observation.value):
            self._study.tell(proposal.tag, state=TrialState.FAIL)
        else:
            self._study.tell(proposal.tag, observation.value)
