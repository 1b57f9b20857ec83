"""A surrogate benchmark: fitted predictors answering the Benchmark protocol like a table.

One model per (dataset, metric, epoch): each fidelity a table held gets its
own predictor, so ``query(..., epoch=12)`` and ``epoch=200`` are answered by
models trained on those epochs' numbers (no epoch input feature). Any
architecture of the search space can be queried, not only the table's rows.

Answers are the predicted seed mean. With ``noise=True`` a query for a
particular seed adds seed-like noise (see :mod:`~nasbench_suite.surrogates.noise`),
reproducible per (architecture, seed). Costs come from an exact formula or a
linear model fitted on the table's costs (see :mod:`~nasbench_suite.surrogates.costs`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import COSTS, METRICS, EvalResult, Metric
from nasbench_suite.errors import NotMeasuredError, StoreFormatError, UnknownNameError
from nasbench_suite.store.model import AGGREGATED_SEED
from nasbench_suite.surrogates.models.base import SurrogateDataError
from nasbench_suite.surrogates.noise import NoiseModel, standard_normal
from nasbench_suite.objective import ObjectiveMixin

#: spaces up to this size are enumerated: predictions of every architecture are computed once and cached
ENUMERATE_LIMIT = 200_000
#: architectures sampled to estimate the optimum of a space too large to enumerate
OPTIMUM_SAMPLE = 100_000
#: decimals a surrogate's answers are rounded to. Predictions differ in the last bits between CPUs and
#: SIMD code paths (a GP's kernel goes through numpy's vectorized exp, every model through BLAS; about
#: 1e-11 apart); a grid of 1e-4, far finer than any seed noise, hides that, so a run on a surrogate
#: re-verifies byte for byte on another CPU unless an answer falls within 1e-11 of a grid boundary
ANSWER_DECIMALS = 4
CARD_FORMAT = "nasbench-suite-surrogate"
CARD_FORMAT_VERSION = 1


@dataclass
class FittedModel:
    """One fitted predictor: what it predicts, the estimator, and its noise model."""

    dataset: str
    metric: str
    epoch: int
    estimator: Any
    noise: NoiseModel | None = None


@dataclass
class CostModel:
    """How one cost is computed: ``"formula"`` (the space's exact formula) or ``"linear"`` (on the one-hot encoding)."""

    kind: str
    coef: np.ndarray | None = None
    intercept: float = 0.0
    r2: float | None = None


class SurrogateBenchmark(ObjectiveMixin):
    """The Benchmark protocol over fitted predictors.

    Parameters
    ----------
    name
        Benchmark name.
    space
        Search-space name.
    models
        Fitted predictors, at most one per (dataset, metric, epoch).
    seeds
        Per dataset, the seeds a noisy benchmark answers for (the table's
        seeds, or virtual seeds ``0..k-1`` where the table held one mean).
    costs
        Per dataset, cost name -> :class:`CostModel`.
    noise
        Add seed-like noise to per-seed queries; needs a noise model for
        every predictor.
    checksum
        Identity of the saved model files and card (set by :meth:`load`).
    card
        The model card (JSON-able dict), when known.
    """

    def __init__(
        self,
        *,
        name: str,
        space: str,
        models: Sequence[FittedModel],
        seeds: dict[str, tuple[int, ...]] | None = None,
        costs: dict[str, dict[str, CostModel]] | None = None,
        noise: bool = False,
        checksum: str = "",
        card: dict[str, Any] | None = None,
    ) -> None:
        from nasbench_suite.spaces import get_space
        from nasbench_suite.surrogates.encoders import get_encoder

        if not models:
            raise ValueError("a SurrogateBenchmark needs at least one fitted model")
        self.name = name
        self.search_space = get_space(space)
        self.space_name = space
        self._encoder = get_encoder(space)
        for m in models:
            other = sorted(_estimator_spaces(m.estimator) - {space})
            if other:
                raise SurrogateDataError(
                    f"the {m.dataset}/{m.metric}@{m.epoch} predictor of {name!r} was fitted on search space "
                    f"{', '.join(map(repr, other))}, but the benchmark serves {space!r}"
                )
        self._models = {(m.dataset, m.metric, int(m.epoch)): m for m in models}
        self.datasets: tuple[str, ...] = tuple(sorted({m.dataset for m in models}))
        self.metrics: tuple[str, ...] = tuple(m for m in METRICS if any(k[1] == m for k in self._models))
        self._seeds = dict(seeds or {})
        self._costs = dict(costs or {})
        self.noise = bool(noise)
        if self.noise:
            missing = [f"{k[0]}/{k[1]}@{k[2]}" for k, m in self._models.items() if m.noise is None]
            if missing:
                raise SurrogateDataError(
                    f"noise=True needs a calibrated noise model, but {', '.join(missing)} has none: the table held "
                    "only a seed mean, so refit with an explicit noise standard deviation (--noise-std)"
                )
        self.checksum = checksum
        self.card = card or {}
        #: architectures sampled (seed 0) to estimate the optimum of a space too large to enumerate
        self.optimum_sample = int(self.card.get("optimum_sample", OPTIMUM_SAMPLE))
        self._cache: dict[tuple[str, str, int], np.ndarray] = {}
        self._optimum: dict[tuple[str, str, int], tuple[Any, float]] = {}

    def __repr__(self) -> str:
        return f"SurrogateBenchmark({self.name!r}, space={self.space_name!r}, datasets={self.datasets}, metrics={self.metrics})"

    # ------------------------------------------------------------- fidelities
    def _check_dataset(self, dataset: str) -> None:
        if dataset not in self.datasets:
            raise UnknownNameError("dataset", dataset, self.datasets)

    def epochs(self, dataset: str) -> tuple[int, ...]:
        """Epochs a predictor exists for, ascending."""
        self._check_dataset(dataset)
        return tuple(sorted({k[2] for k in self._models if k[0] == dataset}))

    def seeds(self, dataset: str) -> tuple[int, ...]:
        """Seeds answered per seed: the calibrated seeds with ``noise=True``, else ``(-1,)`` (the mean only)."""
        self._check_dataset(dataset)
        if not self.noise:
            return (AGGREGATED_SEED,)
        return tuple(self._seeds.get(dataset, (0, 1, 2)))

    def _epoch(self, dataset: str, epoch: int | None) -> int:
        held = self.epochs(dataset)
        if epoch is None:
            return held[-1]
        if int(epoch) not in held:
            raise NotMeasuredError(f"no predictor for epoch {epoch!r} of dataset {dataset!r} in {self.name!r}; fitted epochs: {list(held)}")
        return int(epoch)

    def _seed_ok(self, dataset: str, seed: int | None) -> None:
        if seed is None or seed == AGGREGATED_SEED:
            return
        if not self.noise:
            raise NotMeasuredError(
                f"seed {seed!r}: surrogate {self.name!r} answers seed means only (seed=None); open it with noise=True "
                "for per-seed answers"
            )
        if seed not in self.seeds(dataset):
            raise NotMeasuredError(f"seed {seed!r} is not among the seeds of {dataset!r} in {self.name!r}: {list(self.seeds(dataset))}")

    # ---------------------------------------------------------- predictions
    @property
    def enumerable(self) -> bool:
        """Whether the space is small enough that every architecture's prediction is computed and cached."""
        size = getattr(self.search_space, "size", None)
        return size is not None and size <= ENUMERATE_LIMIT and hasattr(self.search_space, "all")

    def _archs_key(self, archs: list[Any]) -> list[str]:
        return [a.to_string() for a in archs]

    def _parse(self, archs: Sequence[Any] | np.ndarray) -> list[Any]:
        from nasbench_suite.surrogates.encoders.base import parse_all

        return parse_all(self.search_space, archs)

    def _all(self, dataset: str, metric: str, epoch: int) -> np.ndarray:
        key = (dataset, metric, epoch)
        if key not in self._cache:
            model = self._models[key].estimator
            self._cache[key] = _answer(model.predict(self._all_archs))
        return self._cache[key]

    @property
    def _all_archs(self) -> list[Any]:
        if "_every" not in self.__dict__:
            self.__dict__["_every"] = self.search_space.all()
            # architectures are frozen dataclasses: hashing them is much cheaper than building their strings
            self.__dict__["_row"] = {a: i for i, a in enumerate(self.__dict__["_every"])}
        return self.__dict__["_every"]

    def _mean(self, archs: list[Any] | None, dataset: str, metric: str, epoch: int) -> np.ndarray:
        """Predicted means of ``archs`` (``None``: every architecture of an enumerable space)."""
        key = (dataset, metric, epoch)
        if archs is None:
            archs = self._all_archs
            if key in self._models:
                return self._all(dataset, metric, epoch).copy()
        if key not in self._models:
            return np.full(len(archs), np.nan)
        if self.enumerable:
            values = self._all(dataset, metric, epoch)
            rows = self.__dict__["_row"]
            return values[np.fromiter((rows[a] for a in archs), dtype=np.intp, count=len(archs))]
        if not archs:
            return np.zeros(0)
        return _answer(self._models[key].estimator.predict(archs))

    def _values(self, archs: list[Any] | None, dataset: str, metric: str, epoch: int, seed: int | None) -> np.ndarray:
        mean = self._mean(archs, dataset, metric, epoch)
        if seed is None or seed == AGGREGATED_SEED or not self.noise or (dataset, metric, epoch) not in self._models:
            return mean
        if archs is None:
            archs = self._all_archs
        noise = self._models[(dataset, metric, epoch)].noise
        assert noise is not None  # guaranteed by __init__
        z = standard_normal(self._archs_key(archs), seed=seed, salt=f"{dataset}/{metric}")
        return _answer(mean + noise.sigma(mean) * z)

    def query(self, arch: Any, dataset: str, *, epoch: int | None = None, seed: int | None = None) -> EvalResult:
        """Predicted metrics of one architecture (NaN for metrics without a predictor at that epoch)."""
        self._check_dataset(dataset)
        e = self._epoch(dataset, epoch)
        self._seed_ok(dataset, seed)
        parsed = self._parse([arch])
        values = [float(self._values(parsed, dataset, m, e, seed)[0]) for m in METRICS]
        return EvalResult(parsed[0].to_string(), dataset, e, seed, *values)

    def query_many(
        self,
        archs: Sequence[Any] | np.ndarray | None,
        dataset: str,
        *,
        metric: str | Metric,
        epoch: int | None = None,
        seed: int | None = None,
    ) -> np.ndarray:
        """One predicted metric of many architectures (``None``: every architecture of an enumerable space, in its order)."""
        self._check_dataset(dataset)
        metric = str(metric)
        if metric not in METRICS:
            raise UnknownNameError("metric", metric, self.metrics)
        e = self._epoch(dataset, epoch)
        self._seed_ok(dataset, seed)
        if archs is None:
            if not self.enumerable:
                raise ValueError(f"search space {self.space_name!r} is too large to query every architecture; pass archs")
            return self._values(None, dataset, metric, e, seed)
        return self._values(self._parse(archs), dataset, metric, e, seed)

    def predict(
        self,
        archs: Sequence[Any] | np.ndarray,
        dataset: str,
        *,
        metric: str | Metric = Metric.TEST_ACC,
        epoch: int | None = None,
        return_std: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Predicted seed means of ``archs``; with ``return_std`` also the predictor's own uncertainty.

        The standard deviation is the ensemble's spread over members, a GP's
        posterior or a forest's spread over trees; a predictor without one
        (e.g. a single XGBoost or GIN) raises :class:`NotMeasuredError`.
        """
        self._check_dataset(dataset)
        metric = str(metric)
        e = self._epoch(dataset, epoch)
        key = (dataset, metric, e)
        if key not in self._models:
            raise NotMeasuredError(f"{metric} has no predictor for dataset {dataset!r} at epoch {e} in {self.name!r}")
        parsed = self._parse(archs)
        if not return_std:
            return self._mean(parsed, dataset, metric, e)
        try:
            mean, std = self._models[key].estimator.predict(parsed, return_std=True)
        except TypeError as exc:
            raise NotMeasuredError(f"surrogate {self.name!r} has no predictive uncertainty for {metric}@{e}: {exc}") from None
        return _answer(mean), np.asarray(std, dtype=np.float64)

    # ----------------------------------------------------------------- costs
    def cost(self, arch: Any, dataset: str, cost: str | Any) -> float:
        """One cost of one architecture (NaN where neither a formula nor the table's costs are available)."""
        return float(self.costs_many([arch], dataset, cost)[0])

    def costs_many(self, archs: Sequence[Any] | np.ndarray, dataset: str, cost: str | Any) -> np.ndarray:
        """One cost of many architectures."""
        from nasbench_suite.spaces import get_bundle

        self._check_dataset(dataset)
        name = str(cost)
        known = tuple(dict.fromkeys([*COSTS, *self._costs.get(dataset, {})]))
        if name not in known:
            raise UnknownNameError("cost", name, known)
        parsed = self._parse(archs)
        model = self._costs.get(dataset, {}).get(name)
        if model is None:
            return np.full(len(parsed), np.nan)
        if model.kind == "formula":
            return get_bundle(self.space_name).costs(parsed, dataset)[name]
        X = self._encoder.encode(parsed, "onehot").astype(np.float64)
        return _answer(X @ model.coef + model.intercept)

    # --------------------------------------------------------------- optimum
    @property
    def optimum_method(self) -> str:
        """How :meth:`optimum` searches: over every architecture, or over a fixed seeded sample."""
        return "enumerated" if self.enumerable else f"best of {self.optimum_sample:,} architectures sampled with seed 0"

    def optimum(self, dataset: str, *, metric: str | Metric = Metric.TEST_ACC, epoch: int | None = None) -> tuple[Any, float]:
        """The architecture with the best predicted mean ``metric`` (see :attr:`optimum_method`) and that value."""
        self._check_dataset(dataset)
        metric = str(metric)
        e = self._epoch(dataset, epoch)
        if (dataset, metric, e) not in self._models:
            raise NotMeasuredError(f"{metric} has no predictor for dataset {dataset!r} at epoch {e} in {self.name!r}")
        key = (dataset, metric, e)
        stored = (self.card.get("optima") or {}).get(f"{dataset}/{metric}@{e}")
        if key not in self._optimum and stored and stored.get("method") == self.optimum_method:
            self._optimum[key] = (self.search_space.parse(stored["arch"]), round(float(stored["value"]), ANSWER_DECIMALS))
        if key not in self._optimum:
            if self.enumerable:
                archs, values = self._all_archs, self._all(dataset, metric, e)
            else:
                rng = np.random.default_rng(0)
                archs = [self.search_space.sample(rng) for _ in range(self.optimum_sample)]
                values = self._mean(archs, dataset, metric, e)
            lower = metric.endswith(("_loss", "_time"))
            i = int(np.nanargmin(values) if lower else np.nanargmax(values))
            self._optimum[key] = (archs[i], float(values[i]))
        return self._optimum[key]

    def record_optima(self, metrics: Sequence[str] = ("valid_acc", "test_acc")) -> dict[str, Any]:
        """Compute :meth:`optimum` of ``metrics`` at every fitted epoch and keep them in the card (saved with it).

        For a space too large to enumerate the optimum is the best of a seeded
        sample, which takes minutes to predict; recorded once, opening the
        saved benchmark does not repeat it.
        """
        optima = {}
        for ds, metric, e in sorted(self._models):
            if metric in metrics:
                arch, value = self.optimum(ds, metric=metric, epoch=e)
                optima[f"{ds}/{metric}@{e}"] = {"arch": arch.to_string(), "value": value, "method": self.optimum_method}
        self.card["optimum_sample"] = self.optimum_sample
        self.card["optima"] = optima
        return optima

    # ----------------------------------------------------------- persistence
    def save(self, directory: str | os.PathLike[str], *, card: dict[str, Any] | None = None) -> str:
        """Write models and ``card.json`` into ``directory``; returns the checksum. ``card`` adds fields to the card."""
        from nasbench_suite.surrogates.card import write_card
        from nasbench_suite.surrogates.io import file_digests, library_versions, save_estimator

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        entries = []
        for (ds, metric, epoch), m in sorted(self._models.items()):
            rel = f"models/{ds}/{metric}@{epoch}"
            save_estimator(m.estimator, directory / rel)
            entries.append({"dataset": ds, "metric": metric, "epoch": epoch, "path": rel, "noise": m.noise.to_json() if m.noise else None})
        previous = {(e["dataset"], e["metric"], e["epoch"]): e for e in (card or self.card).get("models", [])}
        for entry in entries:
            extra = previous.get((entry["dataset"], entry["metric"], entry["epoch"]), {})
            entry.update({k: v for k, v in extra.items() if k not in entry})
        body = {**self.card, **(card or {})}
        body.update(
            {
                "format": CARD_FORMAT,
                "format_version": CARD_FORMAT_VERSION,
                "name": self.name,
                "search_space": self.space_name,
                "models": entries,
                "seeds": {ds: list(s) for ds, s in self._seeds.items()},
                "costs": {
                    ds: {name: _cost_json(c) for name, c in costs.items()} for ds, costs in self._costs.items()
                },
                "versions": library_versions(),
                "files": file_digests(directory),
            }
        )
        from nasbench_suite.surrogates.card import DIGEST_KEY, card_digest

        body.pop(DIGEST_KEY, None)
        body[DIGEST_KEY] = card_digest(body)
        self.card = body
        self.checksum = card_checksum(body)
        write_card(directory, body)
        return self.checksum

    @classmethod
    def load(cls, directory: str | os.PathLike[str], *, noise: bool = False) -> SurrogateBenchmark:
        """Open a folder written by :meth:`save` (checks the format version and every file's checksum)."""
        from nasbench_suite.surrogates.card import read_card
        from nasbench_suite.surrogates._bundle import bundle_path
        from nasbench_suite.surrogates.io import check_digests, load_estimator

        directory = Path(directory)
        card = read_card(directory)
        check_digests(directory, card.get("files", {}))
        models = []
        for entry in card["models"]:
            noise_model = NoiseModel.from_json(entry["noise"]) if entry.get("noise") else None
            est = load_estimator(bundle_path(directory, entry.get("path")))
            models.append(FittedModel(entry["dataset"], entry["metric"], int(entry["epoch"]), est, noise_model))
        costs = {
            ds: {name: _cost_from_json(c) for name, c in by_name.items()} for ds, by_name in card.get("costs", {}).items()
        }
        seeds = {ds: tuple(int(s) for s in v) for ds, v in card.get("seeds", {}).items()}
        return cls(
            name=card["name"],
            space=card["search_space"],
            models=models,
            seeds=seeds,
            costs=costs,
            noise=noise,
            checksum=card_checksum(card),
            card=card,
        )


def _answer(values: Any) -> np.ndarray:
    """Predictions as the benchmark answers them: float64, rounded to :data:`ANSWER_DECIMALS`."""
    return np.round(np.asarray(values, dtype=np.float64), ANSWER_DECIMALS)


def _estimator_spaces(estimator: Any) -> set[str]:
    """Search spaces an estimator (or an ensemble's members) declares, via a ``space`` parameter."""
    found: set[str] = set()
    space = getattr(estimator, "space", None)
    if isinstance(space, str):
        found.add(space)
    for member in list(getattr(estimator, "estimators_", None) or getattr(estimator, "estimators", None) or []):
        found |= _estimator_spaces(member)
    return found


def card_checksum(card: dict[str, Any]) -> str:
    """SHA-256 of the card's canonical JSON; the card lists every model file's own SHA-256."""
    return hashlib.sha256(json.dumps(card, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _cost_json(c: CostModel) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": c.kind}
    if c.kind == "linear":
        out.update({"coef": [float(v) for v in np.asarray(c.coef)], "intercept": float(c.intercept), "r2": c.r2})
    return out


def _cost_from_json(data: dict[str, Any]) -> CostModel:
    kind = data.get("kind")
    if kind == "formula":
        return CostModel("formula")
    if kind == "linear":
        return CostModel("linear", np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]), data.get("r2"))
    raise StoreFormatError(f"unknown cost model kind {kind!r} in a surrogate card; expected 'formula' or 'linear'")


__all__ = ["CostModel", "FittedModel", "SurrogateBenchmark", "card_checksum"]
