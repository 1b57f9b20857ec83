"""Running the protocol: one record per (target, predictor, size, seed) cell, in a resumable JSON Lines file.

Each cell fits a fresh predictor on its training set, predicts the held-out
cells (with a predictive std where the predictor has one) and scores them; fit
and query time are measured and recorded. A predictor that raises, or returns
non-finite or misshapen predictions, gives a record with ``status: "failed"``
and the error, never a missing line or a zero score.
"""

from __future__ import annotations

import inspect
import json
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError
from nasbench_suite.predictors.protocol import SEEDS, SIZES, TEST_SIZE, ProtocolError, Target, protocol_split
from nasbench_suite.predictors.scores import PredictionError, check_predictions, score

log = logging.getLogger(__name__)

#: ``kind`` and format version of a predictor results record
RECORD_KIND = "predictor-cell"
RECORD_VERSION = 1
#: torch threads a cell's fit runs with (the recorded numerics)
THREADS = 1


class ResultsMismatchError(NasBenchError, ValueError):
    """An existing results file was written for another benchmark, dataset or test-set size."""


@dataclass(frozen=True)
class RunSpec:
    """What a protocol run covers: one benchmark dataset, its targets, predictors, sizes and seeds."""

    benchmark: str
    dataset: str
    targets: tuple[Target, ...]
    predictors: tuple[str, ...]
    sizes: tuple[int, ...] = SIZES
    seeds: tuple[int, ...] = SEEDS
    test_size: int | None = TEST_SIZE
    #: the training size the test set is held out from (``None``: the largest of ``sizes``); a run of only the
    #: small sizes with the protocol's ``split_size`` scores on the same test cells as the full run
    split_size: int | None = None

    @property
    def split(self) -> int:
        """The training size the test set is held out from."""
        return max(self.sizes) if self.split_size is None else int(self.split_size)


@dataclass(frozen=True, order=True)
class Cell:
    """One fit-and-score job of the protocol."""

    target: Target
    predictor: str
    size: int
    seed: int


def record_key(record: dict[str, Any]) -> tuple[str, int, str, int, int]:
    """The sort and resume key of a record: (metric, epoch, predictor, size, seed)."""
    t = record["target"]
    return (t["metric"], int(t["epoch"]), record["predictor"], int(record["size"]), int(record["seed"]))


def _cell_key(cell: Cell) -> tuple[str, int, str, int, int]:
    return (cell.target.metric, cell.target.epoch, cell.predictor, cell.size, cell.seed)


class _Table:
    """A benchmark with its isomorphism classes and targets, loaded once per process."""

    _cache: dict[str, _Table] = {}

    def __init__(self, ref: str) -> None:
        from nasbench_suite.catalog import resolve
        from nasbench_suite.surrogates.training import canonical_groups

        self.bench = resolve(ref)
        self.archs = np.asarray(self.bench.archs, dtype=object)
        self.groups = canonical_groups(self.bench.search_space, list(self.archs))
        self._y: dict[tuple[str, Target], np.ndarray] = {}

    @classmethod
    def get(cls, ref: str) -> _Table:
        if ref not in cls._cache:
            cls._cache[ref] = cls(ref)
        return cls._cache[ref]

    def target(self, dataset: str, target: Target) -> np.ndarray:
        key = (dataset, target)
        if key not in self._y:
            y = np.asarray(self.bench.query_many(None, dataset, metric=target.metric, epoch=target.epoch), dtype=np.float64)
            if np.sum(np.isfinite(y)) < 2:
                raise ProtocolError(f"{dataset!r} measures {target} for {int(np.sum(np.isfinite(y)))} architectures; need >= 2")
            self._y[key] = y
        return self._y[key]


def _has_std(estimator: Any) -> bool:
    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (TypeError, ValueError):
        return False


def _predict(estimator: Any, archs: list[Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """Predictions and, where the predictor has one, the predictive std."""
    if _has_std(estimator):
        try:
            mean, std = estimator.predict(archs, return_std=True)
            return np.asarray(mean), np.asarray(std)
        except TypeError as err:
            if "std" not in str(err):
                raise
    return np.asarray(estimator.predict(archs)), None


def fit_and_score(bench_ref: str, dataset: str, cell: Cell, *, sizes: Sequence[int], test_size: int | None) -> dict[str, Any]:
    """Run one cell and return its record (``status`` ``ok`` or ``failed`` with the error)."""
    from nasbench_suite import __version__
    from nasbench_suite.numerics import current_fingerprint, numerics_context
    from nasbench_suite.predictors.registry import make_predictor

    table = _Table.get(bench_ref)
    y = table.target(dataset, cell.target)
    split = protocol_split(table.groups, np.flatnonzero(np.isfinite(y)), sizes, cell.seed, test_size)
    train, test = split.train[cell.size], split.test
    record: dict[str, Any] = {
        "kind": RECORD_KIND,
        "version": RECORD_VERSION,
        "benchmark": {"name": table.bench.name, "checksum": str(table.bench.checksum)},
        "suite_version": __version__,
        "dataset": dataset,
        "target": {"metric": cell.target.metric, "epoch": cell.target.epoch},
        "predictor": cell.predictor,
        "size": cell.size,
        "seed": cell.seed,
        "split_size": int(max(sizes)),
        "test_size": test_size,
        "n_train": int(train.size),
        "n_test": int(test.size),
        "isomorphs_excluded": split.isomorphs_excluded,
        "status": "ok",
        "error": None,
        "uncertainty": None,
        "scores": None,
        "fit_seconds": None,
        "query_seconds": None,
        "numerics": current_fingerprint(device="cpu", threads=THREADS).digest(),
    }
    stage = "building"
    try:
        from threadpoolctl import threadpool_limits

        # BLAS and OpenMP pools at one thread too: with --jobs, processes that each start a pool per core
        # oversubscribe the machine, and the charged fit time then measures the contention
        with numerics_context(threads=THREADS), threadpool_limits(limits=THREADS):
            estimator = make_predictor(cell.predictor, space=table.bench.search_space.name, random_state=cell.seed,
                                       benchmark=bench_ref, dataset=dataset, metric=cell.target.metric,
                                       target_epoch=cell.target.epoch)
            stage = "fit"
            t0 = time.perf_counter()
            estimator.fit(list(table.archs[train]), y[train])
            record["fit_seconds"] = round(time.perf_counter() - t0, 4)
            stage = "predict"
            t0 = time.perf_counter()
            pred, std = _predict(estimator, list(table.archs[test]))
            record["query_seconds"] = round(time.perf_counter() - t0, 4)
        stage = "score"
        check_predictions(pred, test.size)
        record["uncertainty"] = std is not None
        record["scores"] = score(y[test], pred, std)
    except Exception as err:  # a predictor's failure is a result of its cell, never a crash of the run
        record["status"] = "failed"
        kind = "" if isinstance(err, PredictionError) else f"{type(err).__name__}: "
        record["error"] = f"{stage}: {kind}{err}"[:500]
        log.warning("%s %s size %d seed %d failed: %s", cell.predictor, cell.target, cell.size, cell.seed, record["error"])
    return record


def applicable(bench_ref: str, dataset: str, names: Sequence[str], target: Target) -> tuple[tuple[str, ...], dict[str, str]]:
    """The predictors of ``names`` that can serve this table, and why the others cannot.

    Only predictors that read the table are probed (fitted on 10 cells); one
    whose inputs the table does not hold (``NotMeasuredError`` or ``UnknownNameError``,
    e.g. a zero-cost predictor of a proxy the table has no column for) is left out.
    What ``--predictors all`` runs; named predictors are never left out.
    """
    from nasbench_suite.errors import NotMeasuredError, UnknownNameError
    from nasbench_suite.predictors.registry import PREDICTORS, make_predictor, reads_table

    table = _Table.get(bench_ref)
    y = table.target(dataset, target)
    rows = np.flatnonzero(np.isfinite(y))[:10]
    keep, skipped = [], {}
    for name in names:
        if reads_table(PREDICTORS.get(name)):
            try:
                est = make_predictor(name, space=table.bench.search_space.name, benchmark=bench_ref, dataset=dataset,
                                     metric=target.metric, target_epoch=target.epoch)
                est.fit(list(table.archs[rows]), y[rows])
            except (NotMeasuredError, UnknownNameError) as err:
                skipped[name] = str(err)
                continue
            except Exception:  # any other failure is the predictor's, recorded per cell
                pass
        keep.append(name)
    return tuple(keep), skipped


def dumps(record: dict[str, Any]) -> str:
    """One canonical JSON line (sorted keys, no spaces)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False)


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a results file (``.jsonl`` or ``.jsonl.gz``); a half-written last line is dropped."""
    from nasbench_suite.harness.results import read_text

    text = read_text(path)
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            if i == len(lines):
                log.warning("%s: dropping a truncated last line (an interrupted write)", path)
                continue
            raise ResultsMismatchError(f"{path}:{i}: not a JSON record") from None
        if not isinstance(rec, dict) or rec.get("kind") != RECORD_KIND:
            raise ResultsMismatchError(f"{path}:{i}: not a predictor results record (kind {RECORD_KIND!r} expected)")
        out.append(rec)
    return out


def _check_existing(records: list[dict[str, Any]], spec: RunSpec, checksum: str, path: Path) -> None:
    """Refuse to extend a file whose cells were split or scored differently."""
    for rec in records:
        for what, got, want in (
            ("benchmark checksum", rec["benchmark"]["checksum"], checksum),
            ("dataset", rec["dataset"], spec.dataset),
            ("test_size", rec["test_size"], spec.test_size),
            # the test set is what the largest training set leaves out
            ("largest training size", rec["split_size"], spec.split),
        ):
            if got != want:
                raise ResultsMismatchError(f"{path} holds records with {what} {got!r}, this run has {want!r}; use another --out")


@dataclass
class RunSummary:
    """What :func:`run_protocol` did."""

    out: Path
    total: int
    kept: int
    ran: int
    failed: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    seconds: float = 0.0


def _worker(args: tuple[str, str, Cell, tuple[int, ...], int | None]) -> dict[str, Any]:
    bench_ref, dataset, cell, sizes, test_size = args
    return fit_and_score(bench_ref, dataset, cell, sizes=sizes, test_size=test_size)


def _execute(tasks: list[tuple[Any, ...]], jobs: int) -> Iterator[dict[str, Any]]:
    if jobs == 1 or len(tasks) <= 1:
        yield from (_worker(t) for t in tasks)
        return
    from nasbench_suite._workers import die_with_parent, watch_args

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                             initializer=die_with_parent, initargs=watch_args()) as pool:
        pending = {pool.submit(_worker, t) for t in tasks}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()


def run_protocol(spec: RunSpec, out: str | Path, *, jobs: int = 1, progress: bool = True,
                 on_record: Callable[[dict[str, Any]], None] | None = None) -> RunSummary:
    """Run every cell of ``spec`` not yet in ``out``; write ``out`` sorted by cell when done.

    Records are appended as cells finish, so an interrupted run resumes where it stopped.
    """
    from nasbench_suite.harness.identity import checked_digest
    from nasbench_suite.harness.results import write_lines_atomic

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")
    if not spec.sizes or min(spec.sizes) < 2:
        raise ValueError(f"training sizes must be >= 2, got {spec.sizes!r}")
    if spec.split < max(spec.sizes):
        raise ValueError(f"split_size {spec.split_size!r} is below the largest training size {max(spec.sizes)}: "
                         "the test set is held out from a training set at least as large as every other")
    split_sizes = tuple(sorted({*map(int, spec.sizes), spec.split}))
    t_start = time.perf_counter()
    out = Path(out)
    table = _Table.get(spec.benchmark)
    checksum = checked_digest(table.bench)
    if spec.dataset not in table.bench.datasets:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("dataset", spec.dataset, table.bench.datasets)
    for t in spec.targets:
        table.target(spec.dataset, t)
        y = table.target(spec.dataset, t)
        protocol_split(table.groups, np.flatnonzero(np.isfinite(y)), split_sizes, 0, spec.test_size)  # refuses impossible sizes now
    existing = read_records(out) if out.exists() else []
    _check_existing(existing, spec, checksum, out)
    done = {record_key(r): dumps(r) for r in existing}
    cells = [Cell(t, p, int(n), int(s)) for t in spec.targets for p in spec.predictors for n in spec.sizes for s in spec.seeds]
    todo = [c for c in cells if _cell_key(c) not in done]
    kept = len(done)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_lines_atomic(out, [done[k] for k in sorted(done)])
    # the largest sizes first: the longest fits start early and the pool stays busy at the end
    todo.sort(key=lambda c: (-c.size, c.predictor, c.target, c.seed))
    tasks = [(spec.benchmark, spec.dataset, c, split_sizes, spec.test_size) for c in todo]
    from nasbench_suite.harness.engines import _progress

    with open(out, "a", encoding="utf-8") as fh, _progress(len(tasks), progress, f"predictors x{jobs}") as advance:
        for rec in _execute(tasks, jobs):
            line = dumps(rec)
            fh.write(line + "\n")
            fh.flush()
            done[record_key(rec)] = line
            advance((f"{rec['predictor']} n={rec['size']}", rec["seed"]))
            if on_record is not None:
                on_record(rec)
    write_lines_atomic(out, [done[k] for k in sorted(done)])
    failed = []
    for k in sorted(done):
        rec = json.loads(done[k])
        if rec["status"] != "ok":
            failed.append((rec["predictor"], f"{rec['target']['metric']}@{rec['target']['epoch']}", rec["size"], rec["seed"], rec["error"]))
    return RunSummary(out, len(done), kept, len(tasks), failed, time.perf_counter() - t_start)


__all__ = ["applicable", "Cell", "ResultsMismatchError", "RunSpec", "RunSummary", "fit_and_score", "read_records", "record_key", "run_protocol"]
