"""SMAC3 on a benchmark: its facades ask, the objective API answers, the harness' clock keeps time.

:func:`run_smac` drives a SMAC3 facade through its ask/tell interface on the
benchmark's ConfigSpace (``bench.configspace()``): each asked trial is
evaluated with ``bench.objective(config, fidelity=...)`` and SMAC is told
``100 - selection metric`` (it minimizes) with the trial's cost as its time.
The simulated clock, the workers, the budget and the incumbent rule are the
harness' (:mod:`nasbench_suite.adapters._loop`), so the run lands in a normal
results record (strategy ``smac/<facade>``, e.g. ``smac/hpo``) that ``nasbench
leaderboard build`` puts beside the suite's own strategies.

Facades (:data:`FACADES`): ``hpo`` (random forest + EI, SMAC's
hyperparameter-optimization default), ``mf`` (the same model under Hyperband
budgets: BOHB-like), ``hb`` (Hyperband with random configurations), ``bb``
(Gaussian process, the black-box facade) and ``random``. Multi-fidelity
facades ask for real-valued epochs between the run's lowest and highest
fidelity; the run evaluates the lowest held epoch at least as high
(:func:`~nasbench_suite.adapters._loop.fidelity_at_least`).

Examples
--------
>>> import nasbench_suite as nbs  # doctest: +SKIP
>>> from nasbench_suite.adapters.smac import run_smac  # doctest: +SKIP
>>> from nasbench_suite.harness import Budget  # doctest: +SKIP
>>> rec = run_smac(nbs.load("nb201-digits"), "digits-hard", facade="hpo", budget=Budget.evals(50), seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import math
import tempfile
from typing import Any

from nasbench_suite.adapters._configs import ConfigMapper
from nasbench_suite.adapters._logging import quiet_logger
from nasbench_suite.adapters._loop import Asked, Told, drive, fidelity_at_least
from nasbench_suite.adapters._records import record_from_evaluations
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup

__all__ = ["FACADES", "make_facade", "run_smac"]

#: short name -> SMAC3 facade class (in ``smac``)
FACADES: dict[str, str] = {
    "hpo": "HyperparameterOptimizationFacade",
    "mf": "MultiFidelityFacade",
    "hb": "HyperbandFacade",
    "bb": "BlackBoxFacade",
    "random": "RandomFacade",
}
#: facades whose trials carry a budget (the epoch)
MULTI_FIDELITY = frozenset({"mf", "hb"})
#: SMAC's trial limit under a time budget (the clock ends the run first); the initial design is sized from it
TIME_BUDGET_TRIALS = 1_000_000


def _require_smac() -> Any:
    try:
        import smac
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("the SMAC adapter needs smac: pip install 'nasbench-suite[smac]'") from exc
    return smac


def make_facade(name: str, configspace: Any, *, seed: int, n_trials: int, min_budget: float | None = None,
                max_budget: float | None = None, params: dict[str, dict[str, Any]] | None = None,
                output_directory: str) -> Any:
    """SMAC3 facade ``name`` (a key of :data:`FACADES`) set up for ask/tell on ``configspace``.

    ``params`` maps a facade component to keyword arguments of the facade's
    ``get_<component>`` (e.g. ``{"initial_design": {"n_configs": 5},
    "intensifier": {"eta": 2}}``); components left out get SMAC's defaults.
    The scenario is deterministic (one seed per configuration: metrics are
    seed means) and seeded with ``seed``.
    """
    smac = _require_smac()
    if name not in FACADES:
        raise ValueError(f"unknown SMAC facade {name!r}; expected one of {sorted(FACADES)}")
    cls = getattr(smac, FACADES[name])
    scenario = smac.Scenario(configspace, deterministic=True, seed=seed, n_trials=n_trials, min_budget=min_budget,
                             max_budget=max_budget, output_directory=output_directory, name=f"nasbench-{name}")
    components = {}
    for component, kwargs in (params or {}).items():
        getter = getattr(cls, f"get_{component}", None)
        if getter is None or component in ("runhistory_encoder",):
            valid = sorted(n[4:] for n in dir(cls) if n.startswith("get_") and n != "get_runhistory_encoder")
            raise ValueError(f"SMAC facade {name!r} has no component {component!r}; expected one of {valid}")
        if not isinstance(kwargs, dict):
            raise ValueError(f"facade_params[{component!r}] must be a dict of keyword arguments, got {kwargs!r}")
        try:
            components[component] = getter(scenario, **kwargs)
        except TypeError as exc:
            raise ValueError(f"SMAC facade {name!r} refused {component} parameters {kwargs!r}: {exc}") from None
    return cls(scenario, None, logging_level=False, overwrite=True, **components)


def run_smac(benchmark: Any, dataset: str, *, budget: Budget, seed: int, facade: str = "hpo",
             facade_params: dict[str, dict[str, Any]] | None = None, workers: int = 1,
             epoch: int | None = None) -> dict[str, Any]:
    """Run SMAC3 facade ``facade`` on ``benchmark``'s ``dataset``; return the results record.

    Parameters
    ----------
    benchmark : Benchmark
        A table or surrogate of any space with a categorical description.
    dataset : str
        One of ``benchmark.datasets``.
    budget : Budget
        Evaluations (SMAC's ``n_trials``) or simulated clock units.
    seed : int
        Seeds SMAC's scenario.
    facade : str
        A key of :data:`FACADES`.
    facade_params : dict, optional
        Component -> keyword arguments (see :func:`make_facade`); JSON values.
    workers : int
        Simulated workers; SMAC is asked again before earlier trials are told.
    epoch : int, optional
        The target epoch; ``None`` is the dataset's final one.

    Returns
    -------
    dict
        A results record (strategy ``smac/<facade>``); write it with
        :func:`nasbench_suite.harness.results.dumps`, one per line.
    """
    _require_smac()
    from smac.runhistory.dataclasses import TrialValue
    from smac.runhistory.enumerations import StatusType

    lookup = Lookup(benchmark, dataset, epoch=epoch)
    budget.check_unit(lookup.clock_unit)
    mapper = ConfigMapper(lookup.space, who="the SMAC adapter")
    fids = lookup.fidelities
    multi = facade in MULTI_FIDELITY
    if multi and len(fids) < 2:
        raise ValueError(f"SMAC facade {facade!r} needs several fidelities; dataset {dataset!r} holds only {list(fids)} up to the target")
    n_trials = int(budget.value) if budget.kind == "evals" else TIME_BUDGET_TRIALS
    params = {"facade": facade, "facade_params": dict(facade_params or {})}

    # SMAC logs every incumbent change at INFO
    with tempfile.TemporaryDirectory(prefix="nasbench-smac-") as tmp, quiet_logger("smac", logging.WARNING):
        smac = make_facade(facade, mapper.configspace(seed=seed), seed=seed, n_trials=n_trials,
                           min_budget=min(fids) if multi else None, max_budget=max(fids) if multi else None,
                           params=facade_params, output_directory=tmp)

        def ask() -> Asked:
            info = smac.ask()
            return Asked(config=dict(info.config), epoch=fidelity_at_least(fids, info.budget if multi else None), tag=info)

        def tell(told: Told) -> None:
            if math.isnan(told.value):
                value = TrialValue(cost=math.inf, time=told.cost, status=StatusType.CRASHED)
            else:
                value = TrialValue(cost=100.0 - told.value, time=told.cost)
            smac.tell(told.asked.tag, value, save=False)

        evaluations, error = drive(benchmark, lookup, mapper, ask, tell, budget=budget, workers=workers)
    return record_from_evaluations(benchmark, lookup, evaluations, strategy=f"smac/{facade}", params=params, seed=seed,
                                   budget=budget, workers=workers, error=error,
                                   notes=[f"run by SMAC3's {FACADES[facade]} through the objective API"])
