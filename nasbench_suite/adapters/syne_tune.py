"""Syne Tune on a benchmark: the benchmark as a Syne Tune blackbox, its schedulers on its simulated backend.

:class:`NasBenchBlackbox` exports one dataset of any table or surrogate, of
any space, as a Syne Tune ``Blackbox`` (the interface of its blackbox
repository): the configuration space is one ``choice`` per decision of the
space's ConfigSpace (``bench.configspace()``), the fidelity is the epoch
(``"epoch"``, the run's fidelities), and the objectives are the harness'
selection metric (``valid_acc``; ``test_acc`` where the dataset measures no
validation metric), ``test_acc`` and ``elapsed_time`` (the cost of training
from scratch to the epoch, in the harness' clock unit). Metrics are seed
means, as the harness uses them.

:func:`run_syne_tune` runs a Syne Tune scheduler (``ASHA``, ``RandomSearch``,
``BOHB``, ``REA``, ... of ``syne_tune.optimizer.baselines``) on it with Syne
Tune's ``UserBlackboxBackend`` (a ``SimulatorBackend``: simulated time,
checkpointing, several workers) and turns every result the trials reported
into a normal results record (strategy ``syne-tune/<scheduler>``, e.g.
``syne-tune/asha``): each report of a trial at an epoch is one evaluation at
that epoch, finishing at Syne Tune's simulated time, so ``nasbench
leaderboard build`` puts it beside the suite's own strategies run with the
same budget and worker count. (An evaluation budget therefore counts reported
epochs, as Syne Tune's ``max_num_evaluations`` does; compare strategies under
a time budget.)

The simulated clock follows the harness' rules, not Syne Tune's defaults:
no fixed delays around starts, reports and stops, no real scheduler compute
time added (it would make runs depend on the machine's load), and a tuner
that waits by jumping to the next event instead of a fixed 5 s step. With
these a run is a function of its seed: the same seed gives the same bytes.
Syne Tune's random sampling draws from NumPy's global RNG, so the run seeds
it for its duration and restores it after.

These rules reach into Syne Tune's simulator internals (its time keeper and
event heap), so the extra pins ``syne-tune`` 0.16.

Examples
--------
>>> import nasbench_suite as nbs  # doctest: +SKIP
>>> from nasbench_suite.adapters.syne_tune import run_syne_tune  # doctest: +SKIP
>>> from nasbench_suite.harness import Budget  # doctest: +SKIP
>>> rec = run_syne_tune(nbs.load("nb201-digits"), "digits-hard", scheduler="ASHA",  # doctest: +SKIP
...                     budget=Budget.seconds(3000), workers=4, seed=0)
"""

from __future__ import annotations

import contextlib
import inspect
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import numpy as np

from nasbench_suite.adapters._configs import ConfigMapper
from nasbench_suite.adapters._logging import quiet_logger
from nasbench_suite.adapters._records import Evaluation, record_from_evaluations
from nasbench_suite.harness.budget import Budget
from nasbench_suite.harness.lookup import Lookup

__all__ = ["NasBenchBlackbox", "make_scheduler", "run_syne_tune"]

#: the fidelity attribute of the blackbox (what schedulers read as ``time_attr``)
FIDELITY = "epoch"
#: the objective holding the cost of training from scratch to the epoch
ELAPSED = "elapsed_time"


def _blackbox_base() -> type:
    try:
        from syne_tune.blackbox_repository.blackbox import Blackbox
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("the Syne Tune adapter needs syne-tune: pip install 'nasbench-suite[syne-tune]'") from exc
    return Blackbox


class NasBenchBlackbox(_blackbox_base()):  # type: ignore[misc]
    """One dataset of a benchmark as a Syne Tune ``Blackbox``, answered by the harness' :class:`Lookup`.

    ``objective_function(config, fidelity=e)`` returns a dict of the objectives
    at epoch ``e``; without a fidelity, an array ``(num_fidelities,
    num_objectives)``. ``seed`` is ignored: metrics are seed means. A
    configuration that names no valid architecture is repaired, and one naming
    an architecture a listed table lacks evaluates the nearest held one, as the
    suite's categorical strategies do (:mod:`nasbench_suite.adapters._configs`).

    Parameters
    ----------
    benchmark : Benchmark
        A table or a surrogate of any space with a categorical description.
    dataset : str
        One of ``benchmark.datasets``.
    epoch : int, optional
        The target (full-budget) epoch; the fidelities are the held epochs up to it.
    lookup : Lookup, optional
        The lookup to answer from (built from the arguments above when left out).
    """

    def __init__(self, benchmark: Any, dataset: str, *, epoch: int | None = None, lookup: Lookup | None = None) -> None:
        from syne_tune.config_space import choice, randint

        self.lookup = lookup if lookup is not None else Lookup(benchmark, dataset, epoch=epoch)
        self.benchmark = benchmark
        self.mapper = ConfigMapper(self.lookup.space, who="the Syne Tune adapter")
        fids = self.lookup.fidelities
        metrics = list(dict.fromkeys([self.lookup.selection_metric, self.lookup.test_metric]))
        super().__init__(configuration_space={name: choice(list(c)) for name, c in self.mapper.choices().items()},
                         fidelity_space={FIDELITY: randint(min(fids), max(fids))},
                         objectives_names=[*metrics, ELAPSED])
        self.metric = self.lookup.selection_metric

    @property
    def fidelity_values(self) -> np.ndarray:
        """The run's fidelities (held epochs up to the target), ascending."""
        return np.asarray(self.lookup.fidelities)

    def arch_of(self, configuration: dict[str, Any]) -> Any:
        """The architecture a configuration evaluates (see :class:`~nasbench_suite.adapters._configs.ConfigMapper`)."""
        return self.mapper.arch({k: configuration[k] for k in self.configuration_space})

    def _row_values(self, arch: Any, epoch: int) -> list[float]:
        row = self.lookup.get(arch, epoch)
        by_name = {self.lookup.selection_metric: row.value, self.lookup.test_metric: row.test, ELAPSED: row.cum_cost}
        return [float(by_name[name]) for name in self.objectives_names]

    def _objective_function(self, configuration: dict[str, Any], fidelity: dict | None = None,
                            seed: int | None = None) -> Any:
        arch = self.arch_of(configuration)
        if fidelity is None:
            return np.array([self._row_values(arch, e) for e in self.lookup.fidelities])
        epoch = int(fidelity[FIDELITY])
        return dict(zip(self.objectives_names, self._row_values(arch, epoch)))


def _scheduler_class(name: str) -> type:
    from syne_tune.optimizer import baselines
    from syne_tune.optimizer.scheduler import TrialScheduler

    cls = getattr(baselines, name, None)
    if not (isinstance(cls, type) and issubclass(cls, TrialScheduler)):
        valid = sorted(n for n, c in vars(baselines).items()
                       if isinstance(c, type) and issubclass(c, TrialScheduler) and c.__module__ == baselines.__name__)
        raise ValueError(f"unknown Syne Tune scheduler {name!r}; expected a class of syne_tune.optimizer.baselines: {valid}")
    return cls


def make_scheduler(name: str, blackbox: NasBenchBlackbox, *, seed: int, params: dict[str, Any] | None = None) -> Any:
    """Scheduler ``name`` of ``syne_tune.optimizer.baselines`` maximizing ``blackbox``'s selection metric.

    The arguments the class takes among the configuration space, the metric
    (``metric`` or ``metrics``), ``do_minimize=False``, ``random_seed``, and for
    multi-fidelity schedulers ``time_attr="epoch"``, ``max_t`` (the target epoch)
    and ``grace_period`` (the lowest fidelity) are filled in; ``params`` adds or
    overrides keyword arguments (e.g. ``reduction_factor``).
    """
    cls = _scheduler_class(name)
    params = dict(params or {})
    for fixed in ("random_seed", "config_space"):
        if fixed in params:
            raise ValueError(f"scheduler_params may not hold {fixed!r}: the adapter sets it")
    accepted = inspect.signature(cls.__init__).parameters
    fids = blackbox.lookup.fidelities
    fill = {"config_space": blackbox.configuration_space, "metric": blackbox.metric, "metrics": [blackbox.metric],
            "do_minimize": False, "random_seed": seed, "time_attr": FIDELITY, "max_t": max(fids),
            "grace_period": min(fids)}
    kwargs = {k: v for k, v in fill.items() if k in accepted}
    kwargs.update(params)
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"Syne Tune scheduler {name!r} refused scheduler_params {params!r}: {exc}") from None


@contextlib.contextmanager
def _global_numpy_seed(seed: int) -> Iterator[None]:
    """NumPy's global RNG seeded with ``seed`` for the block, its state restored after.

    Syne Tune 0.16's random sampling (``Domain.sample()`` without a
    ``random_state``, as its random searcher and ASHA call it) draws from the
    global NumPy RNG, ignoring the scheduler's ``random_seed``; seeding it per run
    is what makes a run a function of its seed.
    """
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _simulated_time_keeper() -> Any:
    """A Syne Tune ``SimulatedTimeKeeper`` whose clock moves only by simulated events.

    Syne Tune's own keeper also adds the real time spent in the scheduler
    between two calls of the backend; that makes the simulated clock depend on
    the machine's speed and load. The harness charges no such time to
    strategies that only query the table, and neither does this keeper, so the
    run is a function of its seed.
    """
    from syne_tune.backend.simulator_backend.time_keeper import SimulatedTimeKeeper

    class _Keeper(SimulatedTimeKeeper):
        def real_time_since_last_recent_exit(self) -> float:
            return 0.0

    return _Keeper()


def _event_driven_callback() -> Any:
    """A ``SimulatorCallback`` that, when every worker is busy, moves the clock to the backend's next event.

    Syne Tune's callback moves it by a fixed tuner sleep time (5 s by default)
    instead, so a freed worker waits up to that long for its next trial: a
    large distortion on a table whose epochs take fractions of a second. The
    harness' clock jumps from event to event; so does this one.
    """
    from syne_tune.backend.simulator_backend.simulator_callback import SimulatorCallback

    class _EventDriven(SimulatorCallback):
        def on_tuning_start(self, tuner: Any) -> None:
            super().on_tuning_start(tuner)
            self._backend = tuner.trial_backend

        def on_tuning_sleep(self, sleep_time: float) -> None:
            heap = self._backend._simulator_state.event_heap
            if heap:
                self._time_keeper.advance_to(heap[0][0])
            else:  # nothing pending: fall back to Syne Tune's step
                super().on_tuning_sleep(sleep_time)

    return _EventDriven()


def _simulation_tuner(**kwargs: Any) -> Any:
    """A Syne Tune ``Tuner`` that, when it waits for a busy worker, only moves the simulated clock.

    ``Tuner`` calls ``time.sleep(0)`` on every wait even on a simulated
    backend; on a loaded machine each call gives the CPU away for milliseconds.
    """
    from syne_tune import Tuner

    class _SimulationTuner(Tuner):
        def _sleep(self) -> None:
            for callback in self.callbacks:
                callback.on_tuning_sleep(self.sleep_time)

    return _SimulationTuner(**kwargs)


@contextlib.contextmanager
def _quiet_syne_tune() -> Iterator[None]:
    """Syne Tune's loggers at ERROR and its prints swallowed for the block (it reports per trial otherwise)."""
    with quiet_logger("syne_tune", logging.ERROR), contextlib.redirect_stdout(io.StringIO()):  # Tuner prints a summary
        yield


class _QuietLogger:
    """A Syne Tune ``TunerLogger`` that prints nothing (the library logs through ``logging`` instead)."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


@contextlib.contextmanager
def _scratch_folder() -> Iterator[str]:
    """Syne Tune's experiment folder pointed at a temporary directory (it writes logs and results there)."""
    key = "SYNETUNE_FOLDER"
    old = os.environ.get(key)
    with tempfile.TemporaryDirectory(prefix="nasbench-syne-tune-") as tmp:
        os.environ[key] = tmp
        try:
            yield tmp
        finally:
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _stop_criterion(budget: Budget) -> Any:
    from syne_tune import StoppingCriterion

    if budget.kind == "evals":
        return StoppingCriterion(max_num_evaluations=int(budget.value))
    return StoppingCriterion(max_wallclock_time=float(budget.value))


def run_syne_tune(benchmark: Any, dataset: str, *, budget: Budget, seed: int, scheduler: str = "ASHA",
                  scheduler_params: dict[str, Any] | None = None, workers: int = 4,
                  epoch: int | None = None) -> dict[str, Any]:
    """Run Syne Tune scheduler ``scheduler`` on ``benchmark``'s ``dataset`` with its simulated backend; return the record.

    Parameters
    ----------
    benchmark : Benchmark
        A table or surrogate.
    dataset : str
        One of ``benchmark.datasets``.
    budget : Budget
        Evaluations (results reported, Syne Tune's ``max_num_evaluations``) or
        simulated clock units (``max_wallclock_time`` on the simulated clock);
        evaluations beyond it are dropped from the record, as the harness does.
    seed : int
        Seeds the scheduler (``random_seed``).
    scheduler : str
        A class of ``syne_tune.optimizer.baselines`` (``"ASHA"``, ``"RandomSearch"``, ``"BOHB"``, ``"REA"``, ...).
    scheduler_params : dict, optional
        Extra keyword arguments of the scheduler (JSON values).
    workers : int
        Simulated workers (Syne Tune's ``n_workers``).
    epoch : int, optional
        The target epoch; ``None`` is the dataset's final one.

    Returns
    -------
    dict
        A results record (strategy ``syne-tune/<scheduler in lower case>``); write it
        with :func:`nasbench_suite.harness.results.dumps`, one per line.
    """
    from syne_tune.backend.simulator_backend.simulator_backend import SimulatorConfig
    from syne_tune.blackbox_repository.simulated_tabular_backend import UserBlackboxBackend
    from syne_tune.constants import ST_TUNER_TIME
    from syne_tune.tuner_callback import TunerCallback

    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an int >= 1, got {workers!r}")
    lookup = Lookup(benchmark, dataset, epoch=epoch)
    budget.check_unit(lookup.clock_unit)
    blackbox = NasBenchBlackbox(benchmark, dataset, lookup=lookup)
    evaluations: list[Evaluation] = []
    reached: dict[int, float] = {}  # trial id -> cost of the epochs it has trained

    class _Log(TunerCallback):
        def on_trial_result(self, trial: Any, status: str, result: dict[str, Any], decision: str) -> None:
            arch = blackbox.arch_of(trial.config)
            e = int(result[FIDELITY])
            cum = lookup.get(arch, e).cum_cost
            cost = cum - reached.get(trial.trial_id, 0.0)  # a trial continues its own training
            reached[trial.trial_id] = cum
            evaluations.append(Evaluation(arch, e, time=float(result[ST_TUNER_TIME]), cost=cost))

    error = None
    with _scratch_folder(), _global_numpy_seed(seed), _quiet_syne_tune():
        sched = make_scheduler(scheduler, blackbox, seed=seed, params=scheduler_params)
        no_delays = SimulatorConfig(delay_on_trial_result=0.0, delay_complete_after_final_report=0.0,
                                    delay_complete_after_stop=0.0, delay_start=0.0, delay_stop=0.0)
        backend = UserBlackboxBackend(blackbox=blackbox, elapsed_time_attr=ELAPSED, seed=0, simulator_config=no_delays)
        backend._time_keeper = _simulated_time_keeper()  # no public hook; read by SimulatorCallback at the start
        tuner = _simulation_tuner(trial_backend=backend, scheduler=sched, stop_criterion=_stop_criterion(budget), n_workers=workers,
                      sleep_time=0, callbacks=[_event_driven_callback(), _Log()], save_tuner=False,
                      print_update_interval=1e9, output_logger=_QuietLogger(), tuner_name=f"nasbench-{scheduler.lower()}-{seed}")
        try:
            tuner.run()
        except Exception as exc:  # a scheduler that fails fails its run, keeping what it evaluated
            error = f"Syne Tune raised {type(exc).__name__}: {exc}"
    evaluations.sort(key=lambda ev: ev.time)  # callbacks come in finishing order; keep it stable regardless
    params = {"scheduler": scheduler, "scheduler_params": dict(scheduler_params or {})}
    return record_from_evaluations(benchmark, lookup, evaluations, strategy=f"syne-tune/{scheduler.lower()}",
                                   params=params, seed=seed, budget=budget, workers=workers, error=error,
                                   notes=[f"run by Syne Tune's simulated backend ({scheduler}, {workers} workers)"])
