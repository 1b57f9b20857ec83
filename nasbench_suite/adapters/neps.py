"""NePS on a benchmark: its optimizers ask, the objective API answers, the harness' clock keeps time.

:func:`run_neps` drives a NePS (Neural Pipeline Search) optimizer through its
ask-and-tell wrapper (``neps.AskAndTell``) on the benchmark's categorical
description (one ``HPOCategorical`` per decision, the choices of
``bench.configspace()``): each asked trial is evaluated with
``bench.objective(config, fidelity=...)`` and NePS is told
``100 - selection metric`` as its ``objective_to_minimize`` (it minimizes)
with the trial's cost as its ``cost``. The simulated clock, the workers, the
budget and the incumbent rule are the harness'
(:mod:`nasbench_suite.adapters._loop`), so the run lands in a normal results
record (strategy ``neps/<optimizer>``, e.g. ``neps/hyperband``) that
``nasbench leaderboard build`` puts beside the suite's own strategies.

Optimizers (:data:`OPTIMIZERS`, NePS' own names): ``random_search`` and
``bayesian_optimization`` (a Gaussian process with an acquisition optimized
by restarts: seconds per ask, the model fitted on every evaluation) evaluate
the target epoch; ``successive_halving``, ``hyperband``, ``asha``,
``async_hb`` and ``priorband`` get the epoch as an integer fidelity between
the run's lowest and highest held epoch (the run evaluates the lowest held
epoch at least as high as asked:
:func:`~nasbench_suite.adapters._loop.fidelity_at_least`). The space carries
no priors, so ``priorband`` samples uniformly where it would sample a prior
(NePS warns so; the warning is silenced). ``ifbo`` is left out: it downloads
its surrogate's weights on first use, into the working directory.

NePS draws from the global torch generator (and numpy's and ``random``'s in
places); the run seeds the three with ``seed`` and restores their states
after, so a seed gives the same bytes and the caller's generators are
untouched. NePS' ask-and-tell keeps its trials in memory; nothing is written
to disk.

Examples
--------
>>> import nasbench_suite as nbs  # doctest: +SKIP
>>> from nasbench_suite.adapters.neps import run_neps  # doctest: +SKIP
>>> from nasbench_suite.harness import Budget  # doctest: +SKIP
>>> rec = run_neps(nbs.load("nb201-digits"), "digits-hard", optimizer="hyperband", budget=Budget.evals(50), seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import random
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from nasbench_suite.adapters._configs import ConfigMapper
from nasbench_suite.adapters._logging import quiet_logger
from nasbench_suite.adapters._loop import Asked, Told, drive, fidelity_at_least
from nasbench_suite.adapters._records import record_from_evaluations
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup

__all__ = ["FIDELITY", "MULTI_FIDELITY", "OPTIMIZERS", "make_optimizer", "run_neps", "search_space"]

#: the optimizers the adapter runs (names of ``neps.algorithms``)
OPTIMIZERS: tuple[str, ...] = (
    "random_search", "bayesian_optimization", "successive_halving", "hyperband", "asha", "async_hb", "priorband",
)
#: optimizers whose trials carry a fidelity (the epoch)
MULTI_FIDELITY = frozenset({"successive_halving", "hyperband", "asha", "async_hb", "priorband"})
#: the name of the fidelity parameter in the NePS search space
FIDELITY = "epoch"
#: the worker name NePS records in its trials' metadata (its default holds the process id and the time)
WORKER_ID = "nasbench"


def _require_neps() -> Any:
    try:
        import neps
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("the NePS adapter needs neural-pipeline-search: pip install 'nasbench-suite[neps]'") from exc
    return neps


def search_space(choices: Mapping[str, tuple[str, ...]], fidelities: tuple[int, ...] | None = None) -> Any:
    """A NePS ``SearchSpace``: one categorical per decision, and the epoch as a fidelity where ``fidelities`` is given."""
    _require_neps()
    from neps.space import HPOCategorical, HPOInteger, SearchSpace

    if FIDELITY in choices:
        raise ValueError(f"the space has a decision named {FIDELITY!r}, the name the NePS adapter gives the epoch")
    elements: dict[str, Any] = {name: HPOCategorical(list(opts)) for name, opts in choices.items()}
    if fidelities is not None:
        elements[FIDELITY] = HPOInteger(lower=min(fidelities), upper=max(fidelities), is_fidelity=True)
    return SearchSpace(elements)


def make_optimizer(name: str, space: Any, *, params: Mapping[str, Any] | None = None) -> Any:
    """NePS optimizer ``name`` (one of :data:`OPTIMIZERS`) built on ``space`` with keyword arguments ``params``.

    ``params`` are keyword arguments of ``neps.algorithms.<name>`` (e.g.
    ``{"eta": 2}`` for ``hyperband``, ``{"initial_design_size": 5}`` for
    ``bayesian_optimization``); a keyword it does not take is named in the error.
    """
    neps = _require_neps()
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown NePS optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    build = getattr(neps.algorithms, name)
    params = dict(params or {})
    accepted = [p for p in inspect.signature(build).parameters if p != "pipeline_space"]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(f"NePS optimizer {name!r} takes no parameter {unknown[0]!r}; expected one of {sorted(accepted)}")
    try:
        return build(space, **params)
    except (TypeError, ValueError, AssertionError) as exc:
        raise ValueError(f"NePS optimizer {name!r} refused parameters {params!r}: {exc}") from None


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """The global torch, numpy and ``random`` generators seeded with ``seed`` for the block, restored after."""
    import torch

    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            np.random.seed(seed % 2**32)
            random.seed(seed)
            yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


def run_neps(benchmark: Any, dataset: str, *, budget: Budget, seed: int, optimizer: str = "hyperband",
             optimizer_params: dict[str, Any] | None = None, workers: int = 1,
             epoch: int | None = None) -> dict[str, Any]:
    """Run NePS optimizer ``optimizer`` on ``benchmark``'s ``dataset``; return the results record.

    Parameters
    ----------
    benchmark : Benchmark
        A table or surrogate of any space with a categorical description.
    dataset : str
        One of ``benchmark.datasets``.
    budget : Budget
        Evaluations started, or simulated clock units.
    seed : int
        Seeds the generators NePS draws from (see the module docstring).
    optimizer : str
        One of :data:`OPTIMIZERS`.
    optimizer_params : dict, optional
        Keyword arguments of the optimizer (see :func:`make_optimizer`); JSON values.
    workers : int
        Simulated workers; NePS is asked again before earlier trials are told
        (they are pending in its trials while they run).
    epoch : int, optional
        The target epoch; ``None`` is the dataset's final one.

    Returns
    -------
    dict
        A results record (strategy ``neps/<optimizer>``); write it with
        :func:`nasbench_suite.harness.results.dumps`, one per line.
    """
    neps = _require_neps()
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown NePS optimizer {optimizer!r}; expected one of {sorted(OPTIMIZERS)}")
    lookup = Lookup(benchmark, dataset, epoch=epoch)
    budget.check_unit(lookup.clock_unit)
    mapper = ConfigMapper(lookup.space, who="the NePS adapter")
    fids = lookup.fidelities
    multi = optimizer in MULTI_FIDELITY
    if multi and len(fids) < 2:
        raise ValueError(f"NePS optimizer {optimizer!r} needs several fidelities; dataset {dataset!r} holds only {list(fids)} up to the target")
    params = {"optimizer": optimizer, "optimizer_params": dict(optimizer_params or {})}

    # NePS logs at INFO when it builds an optimizer and at WARNING about unused options
    with _seeded(seed), quiet_logger("neps", logging.ERROR):
        space = search_space(mapper.choices(), fids if multi else None)
        opt = neps.AskAndTell(make_optimizer(optimizer, space, params=optimizer_params), worker_id=WORKER_ID)

        def ask() -> Asked:
            trial = opt.ask()
            config = {k: v for k, v in trial.config.items() if k != FIDELITY}
            asked_epoch = trial.config.get(FIDELITY) if multi else None
            return Asked(config=config, epoch=fidelity_at_least(fids, asked_epoch), tag=trial.id)

        def tell(told: Told) -> None:
            if math.isnan(told.value):
                opt.tell(told.asked.tag, RuntimeError(f"no {lookup.selection_metric} for {told.arch} at epoch {told.epoch}"),
                         time_end=told.finish, evaluation_duration=told.cost)
            else:
                opt.tell(told.asked.tag, {"objective_to_minimize": 100.0 - told.value, "cost": told.cost},
                         time_end=told.finish, evaluation_duration=told.cost)

        evaluations, error = drive(benchmark, lookup, mapper, ask, tell, budget=budget, workers=workers)
    return record_from_evaluations(benchmark, lookup, evaluations, strategy=f"neps/{optimizer}", params=params, seed=seed,
                                   budget=budget, workers=workers, error=error,
                                   notes=[f"run by NePS' {optimizer} through the objective API"])
