"""The conformance matrix: every strategy and estimator on every registered space.

:func:`run_matrix` runs each strategy x space x benchmark kind (``table``: a
listed or full table of the space; ``surrogate``: a surrogate benchmark
fitted on that table) for a short budget, and each estimator (zero-cost
proxies, learning-curve extrapolation, one-shot supernet) x space, and
returns one :class:`Cell` per combination:

``pass``
    It ran (a strategy finished its budget without error; an estimator gave a value).
``refuse``
    It declined at construction with the reason the space's bundle or the
    strategy gives (:class:`~nasbench_suite.spaces.bundle.UnsupportedCapabilityError`):
    a combination that is not defined, listed in the docs.
``fail``
    Anything else: an unexpected error. :func:`unexpected` lists those cells.

The tables: a shipped or given store file of the space where there is one,
otherwise a synthetic sampled table
(:func:`~nasbench_suite.testing.spaces.make_space_data`), so a newly
registered space is covered without new code. A synthetic table is named
after :data:`SYNTHETIC_DATASET`, the images the suite's own compute trains
on, so the strategies that compute on images themselves (one-shot supernets,
zero-cost proxies) run on it too; its numbers are synthetic all the same.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.spaces import get_bundle, space_names
from nasbench_suite.spaces.bundle import UnsupportedCapabilityError

log = logging.getLogger(__name__)

PASS, REFUSE, FAIL = "pass", "refuse", "fail"
KINDS: tuple[str, ...] = ("table", "surrogate")
ESTIMATORS: tuple[str, ...] = ("zero-cost", "learning-curves", "one-shot")
#: evaluations per strategy run: past the random start of every model-based strategy
DEFAULT_EVALS = 24
#: most table rows a conformance surrogate is fitted on
SURROGATE_TRAIN = 1000
#: the dataset a synthetic table is named after: the images supernets and proxies train on
SYNTHETIC_DATASET = "digits-hard"


@dataclass(frozen=True)
class Cell:
    """One combination's outcome."""

    #: ``strategy`` or ``estimator``
    what: str
    name: str
    space: str
    #: ``table`` or ``surrogate`` (strategies); ``-`` (estimators)
    benchmark: str
    status: str
    reason: str = ""
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serializable fields."""
        return asdict(self)


@dataclass
class SpaceBenchmarks:
    """The table (and its path, for strategies that read stored columns) and surrogate of one space."""

    space: str
    table: Any
    table_path: str
    dataset: str
    surrogate: Any | None = None
    surrogate_error: str = ""


# ---------------------------------------------------------------- benchmarks
def shipped_tables() -> dict[str, Path]:
    """Space -> the first store file of that space in the benchmark search path."""
    import h5py

    from nasbench_suite.catalog import search_path

    found: dict[str, Path] = {}
    for folder in search_path():
        if not folder.is_dir():
            continue
        for entry in sorted(folder.glob("*.h5")):
            try:
                with h5py.File(entry, "r") as f:
                    space = str(f.attrs.get("search_space", ""))
            except OSError:
                continue
            found.setdefault(space, entry)
    return found


def build_benchmarks(space: str, workdir: Path, *, table: str | Path | None = None, n_arch: int = 60) -> SpaceBenchmarks:
    """Open (or synthesize into ``workdir``) a table of ``space`` and fit a ridge surrogate benchmark on it."""
    import nasbench_suite as nbs
    from nasbench_suite.store import write_store
    from nasbench_suite.surrogates.training import fit_surrogate
    from nasbench_suite.testing.spaces import make_space_data

    if table is None:
        path = workdir / f"synthetic-{space}-{SYNTHETIC_DATASET}.h5"
        if not path.exists():
            write_store(path, make_space_data(space, n_arch=n_arch, dataset=SYNTHETIC_DATASET))
    else:
        path = Path(table)
    bench = nbs.open_benchmark(path)
    if bench.space_name != space:
        raise ValueError(f"table {str(path)!r} holds search space {bench.space_name!r}, expected {space!r}")
    dataset = bench.datasets[0]
    out = SpaceBenchmarks(space=space, table=bench, table_path=str(path), dataset=dataset)
    metrics = [m for m in ("valid_acc", "test_acc", "train_time") if m in bench.metrics]
    held = tuple(bench.epochs(dataset))
    epochs = sorted({*held[:: max(1, len(held) // 3)], held[-1]})  # a few fidelities, always the last
    train_size = None if len(bench.archs) <= SURROGATE_TRAIN else SURROGATE_TRAIN
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            surrogate, _ = fit_surrogate(bench, model="ridge", datasets=[dataset], metric=metrics,
                                         epochs=epochs, train_size=train_size, seed=0)
        surrogate.optimum_sample = 2_000  # regret is not scored here: a cheap optimum estimate is enough
        out.surrogate = surrogate
    except Exception as exc:  # noqa: BLE001 - reported in the matrix
        out.surrogate_error = f"fitting a surrogate raised {type(exc).__name__}: {exc}"
    return out


# ---------------------------------------------------------------- strategies
def strategy_params(name: str, bench: Any, benches: SpaceBenchmarks, kind: str) -> dict[str, Any]:
    """Cheap hyperparameters for one cell: the strategy's ``check_params``, and stored proxy scores where a table has them."""
    from nasbench_suite.strategies import get_strategy

    cls = get_strategy(name)
    params = dict(cls.check_params)
    if "scores" in _init_params(cls) and kind == "table":
        from nasbench_suite.estimation.zero_cost import PROXIES

        columns = bench.columns(benches.dataset)
        proxy = params.get("proxy", _default(cls, "proxy"))
        if f"zc/{proxy}" not in columns:  # another proxy the table scored, if any
            proxy = next((p for p in PROXIES.names() if f"zc/{p}" in columns), proxy)
        if f"zc/{proxy}" in columns:
            params.update(proxy=proxy, scores=benches.table_path)
    return params


def _init_params(cls: type) -> dict[str, Any]:
    import inspect

    return dict(inspect.signature(cls.__init__).parameters)


def _default(cls: type, name: str) -> Any:
    return _init_params(cls)[name].default


def strategy_cell(name: str, benches: SpaceBenchmarks, kind: str, *, evals: int = DEFAULT_EVALS, seed: int = 0) -> Cell:
    """Run strategy ``name`` for ``evals`` evaluations on ``benches``' table or surrogate."""
    from nasbench_suite.harness.budget import Budget
    from nasbench_suite.harness.runner import run_search
    from nasbench_suite.strategies import SearchContext, get_strategy

    start = time.perf_counter()

    def cell(status: str, reason: str = "") -> Cell:
        return Cell("strategy", name, benches.space, kind, status, reason, round(time.perf_counter() - start, 2))

    bench = benches.table if kind == "table" else benches.surrogate
    if bench is None:
        return cell(FAIL, benches.surrogate_error)
    try:
        lookup = _lookup(bench, benches.dataset)
        params = strategy_params(name, bench, benches, kind)
        context = SearchContext(lookup.space, lookup.fidelities, dataset=lookup.dataset)
        get_strategy(name)(context, seed=seed, **params)
    except UnsupportedCapabilityError as exc:
        return cell(REFUSE, str(exc))
    except Exception as exc:  # noqa: BLE001 - reported in the matrix
        return cell(FAIL, f"construction raised {type(exc).__name__}: {exc}")
    try:
        record = run_search(bench, benches.dataset, name, seed=seed, budget=Budget.evals(evals), params=params, lookup=lookup)
    except Exception as exc:  # noqa: BLE001
        return cell(FAIL, f"the run raised {type(exc).__name__}: {exc}")
    if record["status"] != "ok":
        return cell(FAIL, str(record.get("error")))
    n = int(record["final"]["evals"]) if record.get("final") else 0
    if n < 1:
        return cell(FAIL, "the run made no evaluation")
    return cell(PASS, f"{n} evaluations" + ("" if n >= evals else f" (stopped early: {'; '.join(record['notes']) or 'search exhausted'})"))


_LOOKUPS: dict[int, Any] = {}


def _lookup(bench: Any, dataset: str) -> Any:
    """One Lookup per benchmark object (its optimum and memo are shared by the cells)."""
    from nasbench_suite.harness.lookup import Lookup

    key = id(bench)
    if key not in _LOOKUPS or _LOOKUPS[key][0] is not bench:
        _LOOKUPS[key] = (bench, Lookup(bench, dataset))
    return _LOOKUPS[key][1]


# ---------------------------------------------------------------- estimators
def _zero_cost(benches: SpaceBenchmarks) -> tuple[str, str]:
    from nasbench_suite.strategies.zc_warmstart import proxy_refusal

    reason = proxy_refusal(benches.space)
    if reason is not None:
        return REFUSE, f"zero-cost proxies need networks of space {benches.space!r}: {reason}"
    from nasbench_suite.estimation.zc_setup import ProxySetup, compute_proxies

    arch = get_bundle(benches.space).make_space().sample(np.random.default_rng(0))
    value = compute_proxies(arch, ["synflow"], setup=ProxySetup(), space=benches.space)["synflow"]
    if math.isnan(value.value) and not value.reason:
        return FAIL, "synflow is NaN without a reason"
    return PASS, f"synflow = {value.value:.4g}" if not math.isnan(value.value) else f"synflow undefined: {value.reason}"


def _learning_curves(benches: SpaceBenchmarks) -> tuple[str, str]:
    from nasbench_suite.estimation.learning_curves import ParametricExtrapolator

    bench, ds = benches.table, benches.dataset
    epochs = tuple(bench.epochs(ds))
    if len(epochs) < 3:
        return REFUSE, f"the table holds {len(epochs)} epoch(s) of {ds!r}: no curve prefix to extrapolate from"
    metric = "valid_acc" if "valid_acc" in bench.metrics else "test_acc"
    prefix = np.stack([bench.query_many(None, ds, metric=metric, epoch=e) for e in epochs[:-1]], axis=1)
    ok = np.isfinite(prefix).all(axis=1)
    if not ok.any():
        return REFUSE, f"no architecture of the table has a complete {metric} curve"
    pred = ParametricExtrapolator(target_epoch=epochs[-1], epochs=epochs[:-1]).predict(prefix[ok][:3])
    if not np.isfinite(pred).all():
        return FAIL, "non-finite extrapolations"
    return PASS, f"extrapolated {len(pred)} {metric} curves from epochs {list(epochs[:-1])} to {epochs[-1]}"


def _one_shot(benches: SpaceBenchmarks) -> tuple[str, str]:
    reason = get_bundle(benches.space).refusal("supernet")
    if reason is not None:
        return REFUSE, reason
    from nasbench_suite.estimation.weight_sharing import WSConfig, search

    result = search("rsws", seed=0, config=WSConfig(epochs=1, steps_per_epoch=2, candidates=4), space=benches.space)
    arch = get_bundle(benches.space).make_space().parse(result.arch)
    return PASS, f"rsws derived {arch.to_string()}"


ESTIMATOR_CHECKS: dict[str, Callable[[SpaceBenchmarks], tuple[str, str]]] = {
    "zero-cost": _zero_cost,
    "learning-curves": _learning_curves,
    "one-shot": _one_shot,
}


def estimator_cell(name: str, benches: SpaceBenchmarks) -> Cell:
    """Run estimator ``name`` (one of :data:`ESTIMATORS`) once on ``benches``' space."""
    start = time.perf_counter()
    try:
        status, reason = ESTIMATOR_CHECKS[name](benches)
    except UnsupportedCapabilityError as exc:
        status, reason = REFUSE, str(exc)
    except Exception as exc:  # noqa: BLE001
        status, reason = FAIL, f"{type(exc).__name__}: {exc}"
    return Cell("estimator", name, benches.space, "-", status, reason, round(time.perf_counter() - start, 2))


# ---------------------------------------------------------------- the matrix
def run_matrix(
    workdir: str | Path,
    *,
    spaces: Sequence[str] | None = None,
    strategies: Sequence[str] | None = None,
    kinds: Sequence[str] = KINDS,
    estimators: Sequence[str] = ESTIMATORS,
    tables: Mapping[str, str | Path] | None = None,
    evals: int = DEFAULT_EVALS,
    progress: Callable[[Cell], None] | None = None,
) -> list[Cell]:
    """Every requested cell, by space, then strategies (by kind), then estimators.

    ``tables`` maps a space to a store file to use instead of the shipped or synthetic one.
    """
    from nasbench_suite.strategies import STRATEGIES

    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tables = {**shipped_tables(), **dict(tables or {})}
    names = list(strategies) if strategies is not None else STRATEGIES.names()
    cells: list[Cell] = []
    for space in spaces or space_names():
        benches = build_benchmarks(space, workdir, table=tables.get(space))
        for kind in kinds:
            for name in names:
                cells.append(strategy_cell(name, benches, kind, evals=evals))
                if progress:
                    progress(cells[-1])
        for est in estimators:
            cells.append(estimator_cell(est, benches))
            if progress:
                progress(cells[-1])
    _LOOKUPS.clear()
    return cells


#: combinations documented as undefined: (what, name prefix, words one of which the refusal names)
DOCUMENTED_REFUSALS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("strategy", "ws-", ("supernet", "images")),
    ("strategy", "zc-re", ("proxies", "images")),
    ("estimator", "one-shot", ("supernet",)),
    ("estimator", "zero-cost", ("proxies",)),
    ("estimator", "learning-curves", ("curve",)),
)


def documented(cell: Cell) -> bool:
    """Whether a cell passed or refused as :data:`DOCUMENTED_REFUSALS` allow (a fail never is)."""
    if cell.status != REFUSE:
        return cell.status == PASS
    text = cell.reason.lower()
    return any(cell.what == what and cell.name.startswith(prefix) and any(w in text for w in words)
               for what, prefix, words in DOCUMENTED_REFUSALS)


def unexpected(cells: Sequence[Cell]) -> list[Cell]:
    """Cells that failed or refused for a reason the docs do not list."""
    return [c for c in cells if not documented(c)]


# ---------------------------------------------------------------- reports
_MARK = {PASS: "pass", REFUSE: "refuse", FAIL: "**FAIL**"}


def render_markdown(cells: Sequence[Cell]) -> str:
    """The matrix as Markdown tables (strategies per benchmark kind, then estimators) and the refusals' reasons.

    Only statuses and refusal reasons appear (no timings or measured values), so the
    text is the same on every machine for the same code.
    """
    spaces = list(dict.fromkeys(c.space for c in cells))
    lines: list[str] = []

    def table(title: str, rows: list[str], pick: Callable[[str, str], Cell | None]) -> None:
        lines.extend([f"**{title}**", "", "| | " + " | ".join(f"`{s}`" for s in spaces) + " |",
                      "|---|" + "---|" * len(spaces)])
        for r in rows:
            marks = []
            for s in spaces:
                c = pick(r, s)
                marks.append("" if c is None else _MARK[c.status])
            lines.append(f"| `{r}` | " + " | ".join(marks) + " |")
        lines.append("")

    by_key = {(c.what, c.name, c.space, c.benchmark): c for c in cells}
    for kind in KINDS:
        names = list(dict.fromkeys(c.name for c in cells if c.what == "strategy" and c.benchmark == kind))
        if names:
            table(f"Strategies on a {kind} benchmark of each space", names,
                  lambda r, s, kind=kind: by_key.get(("strategy", r, s, kind)))
    ests = list(dict.fromkeys(c.name for c in cells if c.what == "estimator"))
    if ests:
        table("Estimators on each space", ests, lambda r, s: by_key.get(("estimator", r, s, "-")))
    reasons: dict[tuple[str, str], list[str]] = {}
    for c in cells:
        if c.status != PASS:
            where = c.space if c.benchmark == "-" else f"{c.space} ({c.benchmark})"
            reasons.setdefault((c.name, c.reason), []).append(where)
    if reasons:
        lines.extend(["**Why a cell refuses (or fails)**", ""])
        for (name, reason), where in sorted(reasons.items()):
            lines.append(f"- `{name}` on {', '.join(where)}: {reason}")
        lines.append("")
    return "\n".join(lines)
