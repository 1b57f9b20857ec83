"""Optuna's TPE sampler behind ask/tell: Optuna's own ``study.ask`` / ``study.tell`` with a seeded sampler."""

from __future__ import annotations

import logging
import math
import warnings

import numpy as np

from nasbench_suite.strategies._acquisition import seed_from
from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require


class OptunaTPE(Strategy):
    """Tree-structured Parzen estimator (Bergstra et al., 2011) as implemented by Optuna.

    Each of the space's categorical choices (NB201: the op of each edge) is one
    categorical parameter of an in-memory Optuna study (direction maximize).
    ``ask`` is ``study.ask`` with fixed distributions and ``tell`` is
    ``study.tell``; pending trials are allowed, so asynchronous asks work.
    The sampler's seed is drawn from the strategy's Generator. A NaN result is
    told as a failed trial.

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
    """

    name = "tpe"
    own_numerics = True  # its density models of the observations decide the proposals

    def __init__(
        self,
        context: SearchContext,
        *,
        seed: int | np.random.Generator,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
    ) -> None:
        super().__init__(context, seed=seed)
        require(int(n_startup_trials) >= 0, f"n_startup_trials must be >= 0, got {n_startup_trials!r}")
        require(int(n_ei_candidates) >= 1, f"n_ei_candidates must be >= 1, got {n_ei_candidates!r}")
        self.n_startup_trials = int(n_startup_trials)
        self.n_ei_candidates = int(n_ei_candidates)
        self.multivariate = bool(multivariate)
        self._view = categorical_view(self.space, strategy=self.name)

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
        self._labels = self._view.labels

    def ask(self) -> Proposal:
        trial = self._study.ask(self._dists)
        ids = [self._labels[d].index(trial.params[f"x{d}"]) for d in range(self._view.n_dims)]
        return Proposal(self._view.arch(ids), tag=trial.number)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        from optuna.trial import TrialState

        if math.isnan(observation.value):
            self._study.tell(proposal.tag, state=TrialState.FAIL)
        else:
            self._study.tell(proposal.tag, observation.value)
