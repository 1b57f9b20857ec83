"""The objective-function view of a benchmark: a ConfigSpace configuration in, metrics and cost out.

HPOBench, YAHPO Gym and JAHS-Bench users drive a benchmark as a black box:
``bench.configspace()`` describes the search space as a
``ConfigSpace.ConfigurationSpace`` and ``bench.objective(config, fidelity=...,
seed=...)`` evaluates one configuration (a plain dict of decision name ->
choice). Tables and surrogates both offer it (:class:`ObjectiveMixin`); the
configuration <-> architecture mapping is the space's categorical description
(:meth:`~nasbench_suite.spaces.bundle.SpaceBundle.from_config`), never a space
name.

Costs follow the harness' rules (:class:`~nasbench_suite.harness.lookup.Lookup`):
the time to train from scratch to ``fidelity``, in the clock unit the harness
would count for that dataset (training seconds, or epochs where the dataset
records no training time), as the seed mean.

Examples
--------
>>> import nasbench_suite as nbs  # doctest: +SKIP
>>> bench = nbs.load("nb201-digits")  # doctest: +SKIP
>>> cs = bench.configspace(seed=0)  # doctest: +SKIP
>>> res = bench.objective(dict(cs.sample_configuration()), dataset="digits-hard", fidelity=12)  # doctest: +SKIP
>>> res.valid, res.cost, res.clock_unit  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nasbench_suite.errors import NotMeasuredError

__all__ = ["ObjectiveMixin", "ObjectiveResult", "config_of", "configspace", "objective"]


@dataclass(frozen=True)
class ObjectiveResult:
    """What one evaluation of a configuration returned.

    Attributes
    ----------
    valid : float
        ``valid_acc`` (percent) at ``epoch`` (NaN where the dataset does not measure it).
    test : float
        ``test_acc`` (percent) at ``epoch``.
    cost : float
        Time to train from scratch to ``epoch``, in ``clock_unit``, by the harness' cost rule.
    clock_unit : str
        ``"seconds"`` (training time) or ``"epoch"`` (the dataset records no training time).
    arch : str
        The architecture evaluated, as its canonical string.
    dataset : str
        The benchmark dataset.
    epoch : int
        The fidelity evaluated.
    seed : int or None
        The benchmark seed of ``valid`` and ``test`` (``None``: the seed mean).
    """

    valid: float
    test: float
    cost: float
    clock_unit: str
    arch: str
    dataset: str
    epoch: int
    seed: int | None

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict."""
        return {"valid": self.valid, "test": self.test, "cost": self.cost, "clock_unit": self.clock_unit,
                "arch": self.arch, "dataset": self.dataset, "epoch": self.epoch, "seed": self.seed}


def _bundle(benchmark: Any) -> Any:
    from nasbench_suite.spaces import get_bundle

    return get_bundle(benchmark.search_space.name, who="the objective API")


def configspace(benchmark: Any, *, seed: int | None = None) -> Any:
    """``benchmark``'s search space as a ``ConfigSpace.ConfigurationSpace`` (one categorical per decision).

    On a table that lists only some architectures of its space, a configuration
    may name one the table lacks; :func:`objective` then refuses it.
    """
    return _bundle(benchmark).configspace(seed=seed)


def config_of(benchmark: Any, arch: Any) -> dict[str, str]:
    """The configuration (decision name -> choice) of architecture ``arch`` of ``benchmark``'s space."""
    return _bundle(benchmark).to_config(arch)


def _dataset_of(benchmark: Any, dataset: str | None) -> str:
    from nasbench_suite.errors import UnknownNameError

    if dataset is None:
        if len(benchmark.datasets) == 1:
            return str(benchmark.datasets[0])
        raise ValueError(f"benchmark {benchmark.name!r} holds several datasets {list(benchmark.datasets)}: pass dataset= one of them")
    if dataset not in benchmark.datasets:
        raise UnknownNameError("dataset", dataset, benchmark.datasets)
    return dataset


def _lookup(benchmark: Any, dataset: str) -> Any:
    from nasbench_suite.harness.lookup import Lookup

    cache = benchmark.__dict__.setdefault("_objective_lookups", {})
    lookup = cache.get(dataset)
    if lookup is None:
        lookup = cache[dataset] = Lookup(benchmark, dataset)
    return lookup


def objective(benchmark: Any, config: Mapping[str, Any], *, dataset: str | None = None,
              fidelity: int | None = None, seed: int | None = None) -> ObjectiveResult:
    """Evaluate one configuration of ``benchmark``'s space.

    Parameters
    ----------
    benchmark : Benchmark
        A table or a surrogate.
    config : mapping
        Decision name -> choice, exactly the hyperparameters of :func:`configspace`
        (a plain dict or a ``ConfigSpace.Configuration``).
    dataset : str, optional
        One of ``benchmark.datasets``; may be left out where there is only one.
    fidelity : int, optional
        The epoch, one of ``benchmark.epochs(dataset)``; ``None`` is the final epoch.
    seed : int, optional
        The benchmark seed of the metrics; ``None`` is the seed mean.

    Returns
    -------
    ObjectiveResult

    Raises
    ------
    InvalidArchitectureError
        ``config`` is not a configuration of the space (the message names the bad decision or value).
    NotMeasuredError
        The architecture is not in the table, or the fidelity or seed is not held.
    UnknownNameError
        ``dataset`` is not held.
    ValueError
        ``dataset`` is left out where the benchmark holds several.
    """
    ds = _dataset_of(benchmark, dataset)
    arch = _bundle(benchmark).from_config(config)
    space = benchmark.search_space
    if hasattr(space, "archs") and arch not in space:
        raise NotMeasuredError(
            f"configuration {dict(config)!r} is architecture {arch.to_string()!r}, which table {benchmark.name!r} "
            f"does not hold ({len(space.archs)} architectures)"
        )
    held = tuple(int(e) for e in benchmark.epochs(ds))
    epoch = held[-1] if fidelity is None else fidelity
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch not in held:
        raise NotMeasuredError(f"fidelity {fidelity!r} is not held for dataset {ds!r} of {benchmark.name!r}; held epochs: {list(held)}")
    lookup = _lookup(benchmark, ds)
    row = lookup.get(space.parse(arch), epoch)
    res = benchmark.query(row.arch, ds, epoch=epoch, seed=seed)
    return ObjectiveResult(valid=float(res.valid_acc), test=float(res.test_acc), cost=float(row.cum_cost),
                           clock_unit=lookup.clock_unit, arch=row.arch_str, dataset=ds, epoch=epoch, seed=seed)


class ObjectiveMixin:
    """Adds :meth:`configspace` and :meth:`objective` to a class implementing the Benchmark protocol."""

    def configspace(self, *, seed: int | None = None) -> Any:
        """The search space as a ``ConfigSpace.ConfigurationSpace``; see :func:`nasbench_suite.objective.configspace`."""
        return configspace(self, seed=seed)

    def objective(self, config: Mapping[str, Any], *, dataset: str | None = None,
                  fidelity: int | None = None, seed: int | None = None) -> ObjectiveResult:
        """Evaluate one configuration; see :func:`nasbench_suite.objective.objective`."""
        return objective(self, config, dataset=dataset, fidelity=fidelity, seed=seed)
