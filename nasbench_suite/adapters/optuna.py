"""Any Optuna sampler as a search strategy: Optuna proposes, the harness evaluates and keeps the clock.

:class:`OptunaSampler` (registry name ``"optuna"``) wraps an in-memory Optuna
study: ``ask`` is ``study.ask`` with one categorical distribution per
hyperparameter of the benchmark's ConfigSpace (``bench.configspace()``), and
``tell`` is ``study.tell`` with the selection metric the harness observed.
Because it is a strategy like any other, its runs follow the harness' rules
(simulated clock, workers, incumbent rule) and land in normal results files
that ``nasbench leaderboard build`` puts beside the suite's own strategies.

Examples
--------
>>> import nasbench_suite as nbs  # doctest: +SKIP
>>> from nasbench_suite.adapters.optuna import run_optuna  # doctest: +SKIP
>>> from nasbench_suite.harness import Budget  # doctest: +SKIP
>>> rec = run_optuna(nbs.load("nb201-digits"), "digits-hard", budget=Budget.evals(50), seed=0)  # doctest: +SKIP

or from the command line::

    nasbench run --benchmark nb201-digits --dataset digits-hard --strategies optuna \
        --param optuna.sampler=RandomSampler --seeds 0-4 --budget-evals 100 --out optuna.jsonl
"""

from __future__ import annotations

import importlib
import inspect
import logging
import math
import warnings
from typing import Any

import numpy as np

from nasbench_suite.strategies._acquisition import seed_from
from nasbench_suite.strategies._encoding import categorical_view
from nasbench_suite.strategies.base import Observation, Proposal, SearchContext, Strategy, require

__all__ = ["OptunaSampler", "make_sampler", "run_optuna"]


def _sampler_class(name: str) -> type:
    """The sampler class ``name``: a class of ``optuna.samplers`` or a ``"module:Class"`` path."""
    import optuna

    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            cls = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"cannot import Optuna sampler {name!r}: {exc}") from None
    else:
        cls = getattr(optuna.samplers, name, None)
    if not (isinstance(cls, type) and issubclass(cls, optuna.samplers.BaseSampler)) or cls is optuna.samplers.BaseSampler:
        valid = sorted(n for n in dir(optuna.samplers) if n.endswith("Sampler") and not n.startswith("Base"))
        raise ValueError(f"unknown Optuna sampler {name!r}; expected one of {valid} or a 'module:Class' path of a BaseSampler subclass")
    return cls


def make_sampler(name: str, params: dict[str, Any], seed: int) -> Any:
    """An instance of sampler ``name`` with keyword arguments ``params``, seeded where it takes a seed."""
    cls = _sampler_class(name)
    kwargs = dict(params)
    if "seed" in kwargs:
        raise ValueError("sampler_params may not hold 'seed': the run's seed seeds the sampler")
    if "seed" in inspect.signature(cls.__init__).parameters:
        kwargs["seed"] = seed
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ValueError(f"Optuna sampler {name!r} refused sampler_params {params!r}: {exc}") from None


class OptunaSampler(Strategy):
    """An Optuna sampler driving the search through ``study.ask`` / ``study.tell``.

    The study maximizes the run's selection metric; each hyperparameter of the
    space's ConfigSpace is one ``CategoricalDistribution``. A sampled
    configuration maps to its architecture through the space's categorical
    description; on a table that lists only some architectures, one the table
    lacks is replaced by the nearest held one (the rule of every categorical
    strategy here). A NaN observation is told as a failed trial. Pending
    trials are allowed, so several workers work.

    Parameters
    ----------
    sampler : str
        A class of ``optuna.samplers`` (``"TPESampler"``, ``"RandomSampler"``,
        ``"CmaEsSampler"``, ``"GPSampler"``, ``"QMCSampler"``, ``"NSGAIISampler"``, ...)
        or a ``"module:Class"`` path to any ``BaseSampler`` subclass.
    sampler_params : dict
        Keyword arguments of the sampler (JSON values); the seed is drawn from the
        strategy's Generator and passed as ``seed`` where the sampler takes one.
    """

    name = "optuna"
    own_numerics = True  # a model-based sampler's floating-point compute decides the proposals

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator,
                 sampler: str = "TPESampler", sampler_params: dict[str, Any] | None = None) -> None:
        super().__init__(context, seed=seed)
        require(isinstance(sampler, str) and bool(sampler), f"sampler must be a sampler class name, got {sampler!r}")
        require(sampler_params is None or isinstance(sampler_params, dict),
                f"sampler_params must be a dict of keyword arguments, got {sampler_params!r}")
        self.sampler = sampler
        self.sampler_params = dict(sampler_params or {})
        self._view = categorical_view(self.space, strategy=self.name)
        description = self._view.description

        import optuna

        logging.getLogger("optuna").setLevel(logging.WARNING)  # one INFO line per trial otherwise
        self._study = optuna.create_study(direction="maximize",
                                          sampler=make_sampler(sampler, self.sampler_params, seed_from(self.rng)))
        from nasbench_suite.spaces import get_bundle

        cs = get_bundle(self.space.name, who="strategy 'optuna'").configspace()
        self._dists = {hp.name: optuna.distributions.CategoricalDistribution(list(hp.choices)) for hp in cs.values()}
        self._description = description

    def ask(self) -> Proposal:
        import optuna

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            trial = self._study.ask(self._dists)
        ids = self._description.ids_from_config(trial.params)
        return Proposal(self._view.arch(ids), tag=trial.number)

    def tell(self, proposal: Proposal, observation: Observation) -> None:
        from optuna.trial import TrialState

        if math.isnan(observation.value):
            self._study.tell(proposal.tag, state=TrialState.FAIL)
        else:
            self._study.tell(proposal.tag, observation.value)


def run_optuna(benchmark: Any, dataset: str, *, budget: Any, seed: int, sampler: str = "TPESampler",
               sampler_params: dict[str, Any] | None = None, epoch: int | None = None, workers: int = 1) -> dict[str, Any]:
    """Run one Optuna sampler on ``benchmark``'s ``dataset`` through the harness; return the results record.

    ``budget`` is a :class:`~nasbench_suite.harness.budget.Budget` (evaluations
    or simulated clock units). Write records with
    :func:`nasbench_suite.harness.results.dumps`, one per line, to make a
    results file, or run a sweep (:func:`nasbench_suite.harness.run_sweep`) with strategy ``"optuna"``.
    """
    from nasbench_suite.harness.runner import run_search

    params = {"sampler": sampler, "sampler_params": dict(sampler_params or {})}
    return run_search(benchmark, dataset, "optuna", seed=seed, budget=budget, epoch=epoch, workers=workers, params=params)
