"""Does a search on a surrogate behave like the search on the real table? A fidelity report.

For each training-set size ``N``, :func:`run_fidelity` fits a surrogate
benchmark (every epoch, ``valid_acc``, ``test_acc`` and ``train_time``) on
``N`` cells of a full table (group-held-out by canonical key), then runs the
same strategies with the same seeds through the harness on

* the table (the truth),
* the surrogate's mean predictions (``mean``), and
* sampled worlds (``residual``): the surrogate plus its own out-of-fold error
  as per-architecture noise, heteroscedastic by predicted value, with
  validation and test errors correlated as their out-of-fold residuals are,
  one world per run seed (:class:`~nasbench_suite.surrogates.world.SampledWorld`),

and reports, per strategy and mode, the final regret on the surrogate's own
terms (its *belief*: its optimum minus its value of the incumbent) and on
the table's true values of the incumbent it chose, the anytime curves, and
the Kendall tau between the strategy ranking (mean final regret) on the
surrogate and on the table. Optimism is table regret minus belief.

The table's own ranking is measured with finitely many seeds, so the report
also gives its *ceiling*: the Kendall tau between the strategy rankings of
two disjoint halves of the seeds on the table (:func:`half_split_tau`). A
surrogate cannot be expected to agree with the table's ranking better than
the table agrees with itself.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

#: the strategies a fidelity report runs by default
DEFAULT_STRATEGIES = ("rs", "re", "ls", "bananas", "gp-bo", "tpe", "smac", "reinforce", "hyperband", "bohb")
#: surrogate modes: the mean predictor, and worlds sampled with the surrogate's own error
MODES = ("mean", "residual")
_METRICS = ("valid_acc", "test_acc", "train_time")


@dataclass(frozen=True)
class FidelitySpec:
    """What a fidelity report measures."""

    benchmark: str
    dataset: str
    train_sizes: tuple[int, ...]
    strategies: tuple[str, ...] = DEFAULT_STRATEGIES
    seeds: tuple[int, ...] = tuple(range(20))
    evals: int = 200
    model: str = "xgb"
    modes: tuple[str, ...] = MODES
    fit_seed: int = 0

    def __post_init__(self) -> None:
        if not self.train_sizes or any(isinstance(n, bool) or int(n) < 2 for n in self.train_sizes):
            raise ValueError(f"train_sizes must be counts >= 2, got {self.train_sizes!r}")
        bad = [m for m in self.modes if m not in MODES]
        if bad or not self.modes:
            raise ValueError(f"modes must be a non-empty subset of {list(MODES)}, got {list(self.modes)!r}")
        if self.evals < 1:
            raise ValueError(f"evals must be >= 1, got {self.evals!r}")
        if not self.seeds or not self.strategies:
            raise ValueError("a fidelity report needs at least one seed and one strategy")


@dataclass
class FidelityReport:
    """Results of :func:`run_fidelity` (JSON-able via :meth:`to_dict`)."""

    spec: FidelitySpec
    table: dict[str, Any]
    surrogates: list[dict[str, Any]] = field(default_factory=list)
    #: per strategy: final true regret per seed and mean anytime curve on the table
    truth: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: per (N, mode): per strategy finals and curves, and the ranking Kendall taus
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form."""
        spec = asdict(self.spec)
        return {"spec": spec, "table": self.table, "surrogates": self.surrogates, "truth": self.truth,
                "rows": self.rows, "seconds": round(self.seconds, 1)}  # fmt: skip


# ------------------------------------------------------------------ fitting
def fit_world_family(
    table: Any, spec: FidelitySpec, n: int
) -> tuple[Any, dict[tuple[str, str, int], Any], dict[tuple[str, int], float], dict[str, Any]]:
    """Fit the surrogate benchmark on ``n`` cells and its out-of-fold noise.

    Returns (benchmark, noise per (dataset, metric, epoch), valid-test
    residual correlation per (dataset, epoch), summary).
    """
    from nasbench_suite.surrogates.noise import NoiseModel
    from nasbench_suite.surrogates.training import canonical_groups, fit_surrogate, group_split_indices
    from nasbench_suite.surrogates.world import NOISY_METRICS, out_of_fold_predictions, residual_correlation

    start = time.perf_counter()
    epochs = table.epochs(spec.dataset)
    bench, held = fit_surrogate(
        table, model=spec.model, datasets=[spec.dataset], metric=list(_METRICS), epochs=epochs,
        train_size=n, seed=spec.fit_seed, name=f"{table.name}-{spec.model}-n{n}",
    )  # fmt: skip
    fit_s = time.perf_counter() - start
    archs = np.asarray(table.archs, dtype=object)
    groups = canonical_groups(table.search_space, list(archs))
    noise: dict[tuple[str, str, int], Any] = {}
    correlation: dict[tuple[str, int], float] = {}
    if "residual" in spec.modes:
        for e in epochs:
            ys = {m: np.asarray(table.query_many(None, spec.dataset, metric=m, epoch=e), dtype=np.float64) for m in NOISY_METRICS}
            ok = np.flatnonzero(np.all([np.isfinite(y) for y in ys.values()], axis=0))
            train, _ = group_split_indices(groups[ok], n, spec.fit_seed)  # the very cells the surrogate saw
            train = ok[train]
            preds = {}
            for metric, y in ys.items():
                preds[metric] = out_of_fold_predictions(
                    archs[train], y[train], space=table.search_space.name, model=spec.model, seed=spec.fit_seed
                )
                noise[(spec.dataset, metric, int(e))] = NoiseModel.from_residuals(preds[metric], y[train])
            (ma, mb) = NOISY_METRICS
            correlation[(spec.dataset, int(e))] = residual_correlation(preds[ma], ys[ma][train], preds[mb], ys[mb][train])
    target = max(epochs)
    quality = next((h.quality for h in held if h.metric == "test_acc" and h.epoch == target), {})
    final_noise = noise.get((spec.dataset, "test_acc", target))
    summary = {
        "train_size": n,
        "fit_seconds": round(fit_s, 1),
        "noise_seconds": round(time.perf_counter() - start - fit_s, 1),
        "heldout_test_acc": {k: round(float(v), 4) for k, v in quality.items()},
        "heldout_split": "group-held-out by canonical key",
        "residual_sigma_test_acc": None if final_noise is None else [round(s, 4) for s in final_noise.sigmas],
        "residual_valid_test_correlation": {str(e): round(r, 4) for (_, e), r in sorted(correlation.items())} or None,
    }
    return bench, noise, correlation, summary


# ------------------------------------------------------------------ running
_WORLDS: dict[str, Any] = {}


def _bench_for(key: str, seed: int) -> Any:
    from nasbench_suite.surrogates.world import SampledWorld

    entry = _WORLDS[key]
    if isinstance(entry, tuple):  # (surrogate, noise, correlation): one sampled world per run seed
        base, noise, correlation = entry
        return SampledWorld(base, noise, seed=seed, correlation=correlation)
    return entry


def _run_one(job: tuple[str, str, int, str, int]) -> tuple[tuple[str, str, int], dict[str, Any]]:
    from nasbench_suite.harness import Budget, run_search

    key, strategy, seed, dataset, evals = job
    bench = _bench_for(key, seed)
    rec = run_search(bench, dataset, strategy, seed=seed, budget=Budget.evals(evals))
    traj = rec["trajectory"]
    return (key, strategy, seed), {
        "status": rec["status"],
        "error": rec["error"],
        "final_arch": rec["final"]["arch"],
        "belief_regret": rec["final"]["regret"],
        "eval": list(traj["eval"]),
        "incumbent_arch": [traj["arch"][i] for i in traj["incumbent"]],
        "incumbent_test": list(traj["incumbent_test"]),
        "optimum": rec["optimum"]["value"] if rec.get("optimum") else None,
    }


def _curve(evals: Sequence[int], values: Sequence[float], budget: int) -> np.ndarray:
    """A step function of eval count 1..budget: the last value recorded at or before each count (NaN before any)."""
    out = np.full(budget, np.nan)
    ev = np.asarray(evals, dtype=np.int64)
    vals = np.asarray(values, dtype=np.float64)
    idx = np.searchsorted(ev, np.arange(1, budget + 1), side="right") - 1
    ok = idx >= 0
    out[ok] = vals[idx[ok]]
    return out


def _kendall(a: Sequence[float], b: Sequence[float]) -> float:
    from scipy.stats import kendalltau

    if len(a) < 2:
        return float("nan")
    return float(kendalltau(a, b).statistic)


def half_split_tau(finals: dict[str, Sequence[float]], *, splits: int = 200, seed: int = 0) -> dict[str, float | None]:
    """The table's ranking ceiling: Kendall tau of strategy rankings on two disjoint halves of the run seeds.

    ``finals`` maps each strategy to its final regrets, one per seed in the
    same seed order. Returns ``first_second`` (the first half of the seeds
    against the second), ``mean`` and ``sd`` over ``splits`` random halvings
    (a Generator of ``seed``), and ``seeds_per_half``; ``None`` values when
    there are fewer than 2 strategies or 2 seeds.
    """
    names = list(finals)
    values = np.asarray([list(finals[s]) for s in names], dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("half_split_tau needs the same number of finals for every strategy")
    n_seeds = values.shape[1]
    half = n_seeds // 2
    if len(names) < 2 or half < 1:
        return {"first_second": None, "mean": None, "sd": None, "seeds_per_half": half}

    def tau(a: np.ndarray, b: np.ndarray) -> float:
        return _kendall(values[:, a].mean(axis=1), values[:, b].mean(axis=1))

    idx = np.arange(n_seeds)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(splits):
        p = rng.permutation(n_seeds)
        draws.append(tau(p[:half], p[half : 2 * half]))
    draws_arr = np.asarray(draws, dtype=np.float64)
    return {
        "first_second": round(tau(idx[:half], idx[half : 2 * half]), 4),
        "mean": round(float(np.nanmean(draws_arr)), 4),
        "sd": round(float(np.nanstd(draws_arr)), 4),
        "seeds_per_half": half,
    }


def run_fidelity(
    spec: FidelitySpec,
    *,
    jobs: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> FidelityReport:
    """Run the fidelity experiment of ``spec``; ``progress(description, total)`` then ``progress("", 1)`` per run."""
    from nasbench_suite.catalog import resolve

    start = time.perf_counter()
    table = resolve(spec.benchmark)
    if spec.dataset not in table.datasets:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("dataset", spec.dataset, table.datasets)
    n_rows = len(table.archs)
    too_big = [n for n in spec.train_sizes if n >= n_rows]
    if too_big:
        raise ValueError(f"train sizes {too_big} leave no held-out cell: table {table.name!r} has {n_rows} architectures")
    from nasbench_suite.strategies import STRATEGIES

    unknown = [s for s in spec.strategies if s not in STRATEGIES.names()]
    if unknown:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("strategy", unknown[0], STRATEGIES.names())
    target = max(table.epochs(spec.dataset))
    truth_test = np.asarray(table.query_many(None, spec.dataset, metric="test_acc", epoch=target), dtype=np.float64)
    _, table_opt = table.optimum(spec.dataset, metric="test_acc", epoch=target)

    report = FidelityReport(spec, {"name": table.name, "checksum": getattr(table, "checksum", ""), "dataset": spec.dataset,
                                   "target_epoch": int(target), "optimum_test_acc": float(table_opt)})  # fmt: skip
    _WORLDS.clear()
    _WORLDS["table"] = table
    for n in spec.train_sizes:
        if progress:
            progress(f"fitting the surrogate on {n} cells", 0)
        bench, noise, correlation, summary = fit_world_family(table, spec, n)
        for ds_metric_epoch in bench._models:  # every prediction computed once here, shared by the worker processes
            bench._all(*ds_metric_epoch)
        report.surrogates.append(summary)
        if "mean" in spec.modes:
            _WORLDS[f"n{n}/mean"] = bench
        if "residual" in spec.modes:
            _WORLDS[f"n{n}/residual"] = (bench, noise, correlation)

    work = [(key, s, seed, spec.dataset, spec.evals) for key in _WORLDS for s in spec.strategies for seed in spec.seeds]
    if progress:
        progress(f"{len(work)} search runs", len(work))
    results: dict[tuple[str, str, int], dict[str, Any]] = {}
    if jobs > 1:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            for k, r in pool.map(_run_one, work, chunksize=1):
                results[k] = r
                if progress:
                    progress("", 1)
    else:
        for job in work:
            k, r = _run_one(job)
            results[k] = r
            if progress:
                progress("", 1)

    def true_regret(arch_str: str) -> float:
        return float(table_opt - truth_test[table.row(table.search_space.parse(arch_str))])

    def summarize(key: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for s in spec.strategies:
            runs = [results[(key, s, seed)] for seed in spec.seeds]
            failed = [r["error"] for r in runs if r["status"] != "ok"]
            true_final = [true_regret(r["final_arch"]) for r in runs]
            belief_final = [float(r["belief_regret"]) for r in runs]
            true_curves = np.stack([_curve(r["eval"], [true_regret(a) for a in r["incumbent_arch"]], spec.evals) for r in runs])
            belief_curves = np.stack([_curve(r["eval"], [r["optimum"] - t for t in r["incumbent_test"]], spec.evals) for r in runs])
            out[s] = {
                "true_final": [round(v, 6) for v in true_final],
                "belief_final": [round(v, 6) for v in belief_final],
                "true_mean": round(float(np.mean(true_final)), 4),
                "belief_mean": round(float(np.mean(belief_final)), 4),
                "true_curve": [round(float(v), 4) for v in np.nanmean(true_curves, axis=0)],
                "belief_curve": [round(float(v), 4) for v in np.nanmean(belief_curves, axis=0)],
                "failed": failed,
            }
        return out

    report.truth = {s: {k: v for k, v in d.items() if not k.startswith("belief")} for s, d in summarize("table").items()}
    table_rank = [report.truth[s]["true_mean"] for s in spec.strategies]
    report.table["ceiling_half_split_tau"] = half_split_tau({s: report.truth[s]["true_final"] for s in spec.strategies})
    for n in spec.train_sizes:
        for mode in spec.modes:
            per = summarize(f"n{n}/{mode}")
            belief = [per[s]["belief_mean"] for s in spec.strategies]
            chosen = [per[s]["true_mean"] for s in spec.strategies]
            report.rows.append({
                "train_size": n,
                "mode": mode,
                "ranking_kendall_tau": round(_kendall(belief, table_rank), 4),
                "ranking_kendall_tau_true_incumbents": round(_kendall(chosen, table_rank), 4),
                "mean_optimism": round(float(np.mean([t - b for t, b in zip(table_rank, belief)])), 4),
                "strategies": per,
            })  # fmt: skip
    _WORLDS.clear()
    report.seconds = time.perf_counter() - start
    return report


def default_jobs() -> int:
    """One worker per available core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


__all__ = ["DEFAULT_STRATEGIES", "MODES", "FidelityReport", "FidelitySpec", "half_split_tau", "run_fidelity"]
