"""The ask/tell protocol every search strategy implements.

A strategy proposes architectures (and, for multi-fidelity strategies, the
epoch to train them to) and learns from what the harness observed. It never
sees the benchmark: the harness alone evaluates, charges simulated time and
chooses the incumbent. All randomness comes from the strategy's own
``numpy.random.Generator``.

:class:`Proposal` and :class:`Observation` are named tuples rather than frozen
dataclasses: one of each is built per evaluation, on the harness's hot path.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.spaces.base import SearchSpace


class Proposal(NamedTuple):
    """An architecture to evaluate, and at which fidelity (``None``: the final epoch).

    ``tag`` is the strategy's own bookkeeping (e.g. which bracket a job belongs
    to); the harness hands the same Proposal object back to :meth:`Strategy.tell`.
    """

    arch: Any
    epoch: int | None = None
    tag: Any = None


class Observation(NamedTuple):
    """What the harness tells a strategy about one finished evaluation.

    ``value`` is the objective the strategy maximizes (the run's selection
    metric, a validation metric wherever the benchmark measures one; NaN where
    not measured), at ``epoch``; ``cost`` is the simulated time it took, in the
    run's clock unit. ``arch`` is the architecture as parsed by the space.
    ``objectives`` is, in a multi-objective run, every objective's value at
    ``epoch`` in the order of :attr:`SearchContext.objectives` (validation
    metrics and costs, each in its own direction; NaN where not measured),
    and ``None`` in a single-objective run.
    """

    arch: Any
    epoch: int
    value: float
    cost: float
    objectives: tuple[float, ...] | None = None


@dataclass(frozen=True)
class SearchContext:
    """What a strategy may know about the problem: the space, the fidelities on offer, the dataset's name."""

    space: SearchSpace
    #: epochs the strategy may ask for, ascending; the last is the full budget
    fidelities: tuple[int, ...]
    #: the benchmark dataset searched (``None``: not said). Strategies that compute on real data themselves
    #: (one-shot supernets, zero-cost proxies) refuse a dataset other than the one they train on.
    dataset: str | None = None
    #: the objectives of a multi-objective run (:class:`~nasbench_suite.multiobjective.objectives.Objective`:
    #: metric and direction), in the order of :attr:`Observation.objectives`; empty in a single-objective run
    objectives: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        fids = tuple(int(f) for f in self.fidelities)
        if not fids or any(f <= 0 for f in fids) or list(fids) != sorted(set(fids)):
            raise ValueError(f"fidelities must be distinct positive epochs in ascending order, got {self.fidelities!r}")
        object.__setattr__(self, "fidelities", fids)
        if self.objectives:
            from nasbench_suite.multiobjective.objectives import parse_objectives

            object.__setattr__(self, "objectives", parse_objectives(self.objectives))
        else:
            object.__setattr__(self, "objectives", ())

    @property
    def max_fidelity(self) -> int:
        """The full training budget (the last fidelity)."""
        return self.fidelities[-1]


class SearchExhausted(NasBenchError, RuntimeError):
    """Raised by :meth:`Strategy.ask` when the strategy has nothing left to propose.

    The harness ends the run normally (finishing evaluations in flight) and
    notes it in the results; any other exception from ``ask`` fails the run.
    """


class Strategy(ABC):
    """Base class of search strategies.

    Subclasses take keyword-only hyperparameters in ``__init__`` after
    ``context`` and ``seed`` and store each one unchanged as an attribute of the
    same name; :meth:`params` reports them so results files are self-describing,
    and ``type(s)(context, seed=..., **s.params())`` rebuilds the strategy.

    A strategy that computes on its own (trains a supernet, scores proxies)
    also defines ``take_search_cost() -> float``: the CPU seconds of that
    compute not handed out before (see :class:`OwnCompute`). The harness calls
    it after every ``ask`` and charges the amount to the worker that asked,
    before the evaluation (see :func:`nasbench_suite.harness.simulator.simulate`).
    """

    #: short registry name, e.g. ``"rs"``
    name: ClassVar[str]
    #: whether the strategy proposes lower fidelities than the final epoch
    multi_fidelity: ClassVar[bool] = False
    #: hyperparameters the conformance checks (:mod:`nasbench_suite.testing.strategies`) use, to keep
    #: strategies that compute a lot (train networks, read files) quick to check
    check_params: ClassVar[dict[str, Any]] = {}
    #: whether the strategy's own floating-point compute (a surrogate fit, a supernet, proxy scores) decides
    #: what it proposes, so that its runs can depend on the machine's numerics (the results record then
    #: carries the numerics fingerprint); strategies that only query the table and draw from their
    #: Generator leave it False
    own_numerics: ClassVar[bool] = False
    #: parameters added after runs of the strategy were published, each with the value those runs used (a
    #: record lacking one ran with that value; see :func:`recorded_params`)
    absent_params: ClassVar[dict[str, Any]] = {}

    def __init__(self, context: SearchContext, *, seed: int | np.random.Generator) -> None:
        self.context = context
        self.space = context.space
        self.rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    @abstractmethod
    def ask(self) -> Proposal:
        """The next evaluation to run. May be called again before earlier ones are told."""

    @abstractmethod
    def tell(self, proposal: Proposal, observation: Observation) -> None:
        """Learn from a finished evaluation of an earlier proposal."""

    def params(self) -> dict[str, Any]:
        """The keyword-only hyperparameters of ``__init__`` and their values (JSON-serializable)."""
        out: dict[str, Any] = {}
        for name, p in inspect.signature(type(self).__init__).parameters.items():
            if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "seed":
                out[name] = getattr(self, name)
        return out


class OwnCompute:
    """A strategy that computes on its own: accounting of that compute, and a record of what it decided.

    Add CPU seconds to ``search_cpu_seconds``; the harness takes them
    (:meth:`take_search_cost`). Strategies whose compute decides what they
    propose also implement :meth:`decisions` (what it decided, recorded in the
    results file), :meth:`replay_decisions` (use recorded decisions instead of
    computing them) and :meth:`recompute_decisions` / :meth:`compare_decisions`
    (compute afresh and judge the agreement); see
    :mod:`nasbench_suite.strategies._decisions`.
    """

    search_cpu_seconds: float = 0.0
    _charged: float = 0.0
    #: whether the strategy's own floating-point compute decides what it proposes
    own_numerics: ClassVar[bool] = True

    def take_search_cost(self) -> float:
        """CPU seconds of the strategy's own compute not handed out before (then 0 until it computes again)."""
        pending = self.search_cpu_seconds - self._charged
        self._charged = self.search_cpu_seconds
        return pending

    def decisions(self) -> dict[str, Any] | None:
        """What the own compute decided in this run, JSON-serializable (``None``: nothing recorded)."""
        return None

    def replay_decisions(self, decisions: dict[str, Any]) -> None:
        """Use ``decisions`` (a record's) instead of computing them; call before the first ``ask``."""
        from nasbench_suite.strategies._decisions import ReplayError

        raise ReplayError(f"{type(self).__name__} records no decisions to replay")

    def recompute_decisions(self) -> dict[str, Any]:
        """Run the own compute afresh (as a new run with this seed would) and return its decisions."""
        from nasbench_suite.strategies._decisions import ReplayError

        raise ReplayError(f"{type(self).__name__} records no decisions to recompute")

    @classmethod
    def compare_decisions(cls, recorded: dict[str, Any], recomputed: dict[str, Any], *,
                          test_of: Any = None) -> Any:
        """A :class:`~nasbench_suite.strategies._decisions.DecisionCheck` of recomputed against recorded decisions.

        ``test_of(arch_string)`` gives an architecture's test metric at the
        run's target epoch (to judge a different derived cell), or is ``None``.
        """
        from nasbench_suite.strategies._decisions import ReplayError

        raise ReplayError(f"{cls.__name__} records no decisions to compare")


def recorded_params(strategy_cls: type[Strategy], params: dict[str, Any]) -> dict[str, Any]:
    """The parameters a results record's run used: its recorded ``params`` plus the strategy's
    :attr:`~Strategy.absent_params` it lacks (parameters added after it was written)."""
    return {**strategy_cls.absent_params, **params}


def require_training_data(context: SearchContext, trains_on: str, who: str) -> None:
    """Refuse to search ``context.dataset`` with networks computed on another dataset (``trains_on``).

    Raises :class:`~nasbench_suite.spaces.bundle.UnsupportedCapabilityError` (a ValueError).
    """
    if not (context.dataset is None or context.dataset == trains_on):
        from nasbench_suite.spaces.bundle import UnsupportedCapabilityError

        raise UnsupportedCapabilityError(
            f"{who} computes on {trains_on!r} images, but the benchmark dataset is {context.dataset!r}: "
            f"its choice would not be a search on that dataset (give it dataset={context.dataset!r} if the suite "
            f"can load those images, or precomputed scores)"
        )


def require(condition: bool, message: str) -> None:
    """Raise ValueError with ``message`` unless ``condition``: hyperparameter checks in ``__init__``."""
    if not condition:
        raise ValueError(message)
