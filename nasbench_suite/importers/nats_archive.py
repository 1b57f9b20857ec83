"""NATS-Bench's official per-architecture archive into a store.

Reads a ``NATS-tss-v1_0-3ffb9-simple/`` or ``NATS-sss-v1_0-50262-simple/``
directory (``meta.pickle.pbz2`` plus one ``NNNNNN.pickle.pbz2`` per
architecture) with a restricted unpickler, and keeps every split explicit:

================  ==========================  ==========================
NATS dataset      ``valid_*``                 ``test_*``
================  ==========================  ==========================
cifar10-valid     x-valid (25k train images   ori-test (10k test images)
                  held out from training)
cifar10           (none: trained on all 50k)  ori-test
cifar100          x-valid (half of the test   x-test (the other half)
                  set)
ImageNet16-120    x-valid (half of the val    x-test (the other half)
                  set)
================  ==========================  ==========================

These are the splits NATS-Bench's own ``get_more_info`` reports. ``ori-test``
of cifar100 / ImageNet16-120 (the whole set, i.e. x-valid plus x-test, what
NATS calls "valtest") is left out by default because it contains the
validation half; ``ori_test=True`` adds it as a separate dataset
``<name>:ori-test`` with ``test_*`` = ori-test and no ``valid_*``.

Training budgets are separate runs with their own learning-rate schedule, so
each is its own dataset: the full schedule (200 epochs for the topology space,
90 for the size space) keeps the plain NATS name; a shorter one gets a suffix,
e.g. ``cifar10-valid:12ep`` for NATS ``hp='12'``. Epoch *e* in the store is
NATS's ``iepoch`` *e - 1*.

Reading the 15,625 files of the topology archive is dominated by bz2
decompression; ``workers`` spreads it over processes.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.errors import ImportFormatError, InvalidArchitectureError, NasBenchError
from nasbench_suite.importers._bounded import ENV_MAX_MB, ENV_MAX_RATIO, DecompressionLimits
from nasbench_suite.importers._safe_pickle import load_pickle_bz2
from nasbench_suite.store.model import BenchmarkData, DatasetTable
from nasbench_suite.store.ranges import check_array, check_value

log = logging.getLogger(__name__)

COST_NAMES = ("params", "flops", "latency")
_M = {m: i for i, m in enumerate(METRICS)}
_ARCH_FILE = re.compile(r"^(\d+)\.pickle\.pbz2$")
_SSS_STRING = re.compile(r"^\d+(:\d+)+$")


@dataclass(frozen=True)
class NATSSpace:
    """What distinguishes NATS-Bench's two spaces in the archive."""

    key: str
    #: the store's search-space name
    space: str
    size: int
    budgets: tuple[str, ...]
    #: the budget whose datasets keep the plain NATS names
    full_budget: str


TSS = NATSSpace("tss", "nb201", 15625, ("12", "200"), "200")
SSS = NATSSpace("sss", "nats-sss", 32768, ("01", "12", "90"), "90")

#: what each evaluation name of each NATS dataset is
SPLITS: dict[str, dict[str, str]] = {
    "cifar10-valid": {
        "train": "the 25k CIFAR-10 train images NATS keeps for training",
        "x-valid": "x-valid: the other 25k CIFAR-10 train images, held out from training",
        "ori-test": "ori-test: the 10k CIFAR-10 test images",
    },
    "cifar10": {
        "train": "all 50k CIFAR-10 train images",
        "ori-test": "ori-test: the 10k CIFAR-10 test images",
    },
    "cifar100": {
        "train": "the 50k CIFAR-100 train images",
        "x-valid": "x-valid: 5k of the 10k CIFAR-100 test images",
        "x-test": "x-test: the other 5k CIFAR-100 test images",
        "ori-test": "ori-test: all 10k CIFAR-100 test images (x-valid plus x-test)",
    },
    "ImageNet16-120": {
        "train": "the ImageNet16-120 train images",
        "x-valid": "x-valid: half of the ImageNet16-120 validation images",
        "x-test": "x-test: the other half",
        "ori-test": "ori-test: all ImageNet16-120 validation images (x-valid plus x-test)",
    },
}

ORI_TEST = ":ori-test"


def dataset_name(nats_dataset: str, budget: str, space: NATSSpace, *, ori_test: bool = False) -> str:
    """The store dataset holding NATS ``nats_dataset`` trained with ``budget`` (``hp``)."""
    name = nats_dataset + (ORI_TEST if ori_test else "")
    return name if budget == space.full_budget else f"{name}:{int(budget)}ep"


def _eval_names(names: Iterable[str], *, ori_test: bool) -> tuple[str | None, str | None]:
    """(valid split, test split) of a result whose evaluations are ``names``, as NATS's API reports them."""
    names = set(names)
    if ori_test:
        return None, "ori-test"
    valid = "x-valid" if "x-valid" in names else None
    test = "x-test" if "x-test" in names else ("ori-test" if "ori-test" in names else None)
    return valid, test


def detect_space(meta: Any, source: str) -> NATSSpace:
    """Tell the topology from the size space by the architecture strings in ``meta``."""
    if not isinstance(meta, dict) or not isinstance(meta.get("meta_archs"), list) or not meta["meta_archs"]:
        raise ImportFormatError(f"{source} is not a NATS-Bench meta file: expected a dict with a non-empty 'meta_archs' list")
    first = meta["meta_archs"][0]
    if not isinstance(first, str):
        raise ImportFormatError(f"{source}: meta_archs holds {type(first).__name__}, expected architecture strings")
    space = TSS if first.startswith("|") else SSS if _SSS_STRING.match(first) else None
    if space is None:
        raise ImportFormatError(f"{source}: {first!r} is neither a topology ('|op~0|+...') nor a size ('8:16:...') string")
    if len(meta["meta_archs"]) != space.size or meta.get("total_archs", space.size) != space.size:
        raise ImportFormatError(
            f"{source}: {len(meta['meta_archs'])} architectures (total_archs={meta.get('total_archs')!r}); "
            f"the NATS {space.key} space has {space.size}"
        )
    return space


def _canonical(space: NATSSpace, text: str, index: int, source: str) -> str:
    """The store's string for ``text``, checking that the space gives it official index ``index``."""
    if space.key == "tss":
        from nasbench_suite.spaces.nb201 import Architecture

        try:
            arch = Architecture.from_string(text)
        except InvalidArchitectureError as exc:
            raise ImportFormatError(f"{source}: {exc}") from None
        if arch.index != index:
            raise ImportFormatError(f"{source}: index {index} holds {text!r}, whose official NB201 index is {arch.index}")
        return arch.to_string()
    try:
        from nasbench_suite.spaces import get_space

        sss = get_space(space.space)
    except NasBenchError:  # the size space is not available: keep NATS's own string
        return text
    try:
        arch = sss.parse(text)
    except InvalidArchitectureError as exc:
        raise ImportFormatError(f"{source}: {exc}") from None
    if getattr(arch, "index", index) != index:
        raise ImportFormatError(f"{source}: index {index} holds {text!r}, whose official NATS size index is {arch.index}")
    return arch.to_string()


def _arch_files(directory: Path) -> list[tuple[int, Path]]:
    files = []
    for path in directory.iterdir():
        match = _ARCH_FILE.match(path.name)
        if match:
            files.append((int(match.group(1)), path))
    return sorted(files)


@dataclass
class _Run:
    """One training run of one architecture, ready for its dataset's arrays."""

    name: str
    nats_ds: str
    budget: str
    seed: int
    ori_test: bool
    splits: tuple[str | None, str | None]
    #: (epochs, metrics) curve
    curve: np.ndarray
    params: float
    flops: float
    latency: list[float]


@dataclass(frozen=True)
class _Job:
    """What a (possibly separate) process needs to read and check one architecture."""

    index: int
    source: str
    arch_str: str
    space: NATSSpace
    budgets: frozenset[str] | None
    datasets: frozenset[str] | None
    ori_test: bool
    file: Path | None = None
    record: Any = None
    limits: DecompressionLimits | None = None


def _run_job(job: _Job) -> tuple[str, list[_Run]]:
    """(store string, runs) of one architecture."""
    record = load_pickle_bz2(job.file, limits=job.limits) if job.file is not None else job.record
    if not isinstance(record, dict) or not record:
        raise ImportFormatError(f"{job.source}: expected a dict keyed by training budget, got {type(record).__name__}")
    runs: list[_Run] = []
    for budget, entry in record.items():
        where = f"{job.source}, budget {budget!r}"
        if budget not in job.space.budgets:
            raise ImportFormatError(f"{where}: unknown budget; the NATS {job.space.key} space has {list(job.space.budgets)}")
        try:
            if entry["arch_index"] != job.index or entry["arch_str"] != job.arch_str:
                raise ImportFormatError(
                    f"{where}: holds architecture {entry['arch_index']} {entry['arch_str']!r}, but the file and meta "
                    f"say {job.index} {job.arch_str!r}"
                )
            if job.budgets is not None and budget not in job.budgets:
                continue
            for (nats_ds, seed), result in entry["all_results"].items():
                if job.datasets is not None and nats_ds not in job.datasets:
                    continue
                names = result["eval_names"]
                variants = [False] + ([True] if job.ori_test and "x-test" in names and "ori-test" in names else [])
                runs += [_parse_run(nats_ds, budget, int(seed), result, job.space, ori, where) for ori in variants]
        except ImportFormatError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ImportFormatError(f"{where}: malformed record ({type(exc).__name__}: {exc})") from None
    return _canonical(job.space, job.arch_str, job.index, job.source), runs


def _parse_run(
    nats_ds: str, budget: str, seed: int, result: dict[str, Any], space: NATSSpace, ori_test: bool, where: str = "archive"
) -> _Run:
    epochs = int(budget)
    if int(result.get("epochs", epochs)) != epochs:
        raise ValueError(f"result trained for {result.get('epochs')!r} epochs under budget {budget!r}")
    curve = np.full((epochs, len(METRICS)), np.nan)
    for key, metric in (("train_acc1es", "train_acc"), ("train_losses", "train_loss"), ("train_times", "train_time")):
        for e, v in (result.get(key) or {}).items():
            curve[_epoch(e, epochs), _M[metric]] = float(v)
    splits = _eval_names(result["eval_names"], ori_test=ori_test)
    prefixes = {split: prefix for split, prefix in zip(splits, ("valid", "test")) if split}
    for key, kind in (("eval_acc1es", "acc"), ("eval_losses", "loss")):
        for label, v in (result.get(key) or {}).items():
            split, _, e = str(label).rpartition("@")
            if split in prefixes:
                curve[_epoch(e, epochs), _M[f"{prefixes[split]}_{kind}"]] = float(v)
    at = f"{where}, dataset {nats_ds!r}, seed {seed}"
    check_array(curve, METRICS, where=lambda pos: f"{at}, epoch index {pos[0]} (NATS iepoch)")
    params = check_value(float(result["params"]), "params", where=f"{at}, field 'params' (millions)")
    flops = check_value(float(result["flop"]), "flops", where=f"{at}, field 'flop' (millions)")
    # NATS writes 0 or -1 where no time was recorded: those are dropped, but a time must be finite
    latency = [check_value(float(x), "latency (raw)", where=f"{at}, field 'latency'") for x in (result.get("latency") or [])]
    return _Run(
        name=dataset_name(nats_ds, budget, space, ori_test=ori_test),
        nats_ds=nats_ds,
        budget=budget,
        seed=seed,
        ori_test=ori_test,
        splits=splits,
        curve=curve,
        params=round(params * 1e6),
        flops=round(flops * 1e6),
        latency=[x for x in latency if x > 0],
    )


def _epoch(label: Any, epochs: int) -> int:
    e = int(label)
    if not 0 <= e < epochs:
        raise ValueError(f"epoch index {e} outside 0..{epochs - 1}")
    return e


class _Collector:
    """Grows the per-dataset, per-seed arrays while runs stream in."""

    def __init__(self, n_arch: int) -> None:
        self.n_arch = n_arch
        self.curves: dict[str, dict[int, np.ndarray]] = {}
        self.costs: dict[str, np.ndarray] = {}
        self.latencies: dict[str, dict[int, list[float]]] = {}
        self.first: dict[str, _Run] = {}

    def put(self, row: int, run: _Run) -> None:
        """Copy ``run`` into its dataset's arrays at ``row``."""
        name = run.name
        if name not in self.first:
            self.first[name] = run
            self.curves[name] = {}
            self.costs[name] = np.full((self.n_arch, len(COST_NAMES)), np.nan)
            self.latencies[name] = {}
        seeds = self.curves[name]
        if run.seed not in seeds:
            seeds[run.seed] = np.full((self.n_arch, *run.curve.shape), np.nan)
        seeds[run.seed][row] = run.curve
        costs = self.costs[name][row]
        if np.isnan(costs[0]):
            costs[:2] = (run.params, run.flops)
        elif tuple(costs[:2]) != (run.params, run.flops):
            log.warning("%s seed %d: params/flops %s differ from another seed's %s; keeping the first",
                        name, run.seed, (run.params, run.flops), tuple(costs[:2]))  # fmt: skip
        self.latencies[name].setdefault(row, []).extend(run.latency)

    def table(self, name: str, columns: dict[str, np.ndarray], source: str) -> DatasetTable:
        """The finished :class:`DatasetTable` of ``name``; latency is the median of every recorded time."""
        first = self.first[name]
        seeds = sorted(self.curves[name])
        curves = np.stack([self.curves[name].pop(s) for s in seeds], axis=1)
        costs = self.costs[name]
        for row, times in self.latencies[name].items():
            if times:
                costs[row, COST_NAMES.index("latency")] = float(np.median(times))
        epochs = np.arange(1, int(first.budget) + 1)
        return DatasetTable(
            epochs=epochs,
            seeds=np.array(seeds, dtype=np.int64),
            metrics=METRICS,
            curves=curves,
            costs=costs,
            cost_names=COST_NAMES,
            columns=columns,
            provenance=_provenance(
                first.nats_ds, first.budget, *first.splits, source, _measured(curves, epochs), ori_test=first.ori_test
            ),
        )


def _measured(curves: np.ndarray, epochs: np.ndarray) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m, i in _M.items():
        held = epochs[~np.all(np.isnan(curves[..., i]), axis=(0, 1))]
        if held.size == 0:
            continue
        out[m] = f"{held[0]}..{held[-1]}" if held.size == epochs.size else [int(e) for e in held]
    return out


def _provenance(
    nats_ds: str, budget: str, valid: str | None, test: str | None, source: str, measured: dict[str, Any], *, ori_test: bool
) -> dict[str, Any]:
    splits = SPLITS.get(nats_ds, {})
    prov: dict[str, Any] = {
        "source": f"NATS-Bench archive {source}",
        "nats_dataset": nats_ds,
        "nats_hp": budget,
        "training_schedule": f"{int(budget)} epochs (NATS hp={budget!r}); learning rate annealed to zero over those epochs",
        "splits": {
            "train_*": splits.get("train", f"the {nats_ds} training set"),
            "valid_*": splits.get(valid, valid) if valid else "not measured",
            "test_*": splits.get(test, test) if test else "not measured",
        },
        "measured_epochs": measured,
        "seeds": "one training run per seed; NaN where the archive holds no run",
        "costs": "params and flops converted from millions to counts; latency: median of the recorded "
        "forward-pass seconds, pooled over seeds",
        "train_time": "NATS train_times: seconds of training per epoch",
    }
    if valid == "x-valid" and test == "x-test" and not ori_test:
        prov["ori_test"] = (
            f"not stored here: it contains the validation half; import with --ori-test for '{nats_ds}{ORI_TEST}'"
        )
    if ori_test:
        prov["ori_test"] = "test_* is ori-test, the whole set; valid_* is left out because ori-test contains x-valid"
    return prov


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(f"{p.name}:{hashlib.sha256(p.read_bytes()).hexdigest()}\n".encode())
    return h.hexdigest()


def read_nats_archive(
    path: str | Path,
    *,
    budgets: Iterable[str] | None = None,
    datasets: Iterable[str] | None = None,
    ori_test: bool = False,
    workers: int = 1,
    progress: bool = True,
    limits: DecompressionLimits | None = None,
) -> BenchmarkData:
    """Read a NATS-Bench archive directory (or single archive file) into a :class:`BenchmarkData`.

    Parameters
    ----------
    path
        A ``NATS-{tss,sss}-*-simple`` directory, or a non-fast-mode archive file whose meta holds ``arch2infos``.
    budgets, datasets
        NATS ``hp`` values (``'12'``, ``'200'``; ``'01'``, ``'12'``, ``'90'``) and NATS dataset names to keep;
        ``None`` keeps all.
    ori_test
        Also store cifar100 / ImageNet16-120 ori-test curves as ``<name>:ori-test`` datasets.
    workers
        Processes reading the per-architecture files (1: read them in this process).
    progress
        Show a progress bar while reading.
    limits
        How far each compressed file may expand (default: :meth:`DecompressionLimits.from_env`); a file
        expanding further raises :class:`~nasbench_suite.errors.DecompressionLimitError`.
    """
    path = Path(path)
    limits = limits or DecompressionLimits.from_env()
    if not path.exists():
        raise FileNotFoundError(f"no NATS-Bench archive at {str(path)!r}")
    meta_path = path / "meta.pickle.pbz2" if path.is_dir() else path
    if not meta_path.is_file():
        raise ImportFormatError(f"{str(path)!r} has no meta.pickle.pbz2; is it a NATS-Bench '-simple' directory?")
    meta = load_pickle_bz2(meta_path, limits=limits)
    space = detect_space(meta, repr(str(meta_path)))
    keep_budgets = None if budgets is None else frozenset(str(b) for b in budgets)
    if keep_budgets is not None and not keep_budgets <= set(space.budgets):
        raise ImportFormatError(f"NATS {space.key} budgets are {list(space.budgets)}, got {sorted(keep_budgets)}")
    keep_ds = None if datasets is None else frozenset(datasets)

    jobs = _jobs(path, meta, space, keep_budgets, keep_ds, ori_test, limits)
    collector = _Collector(len(jobs))
    rows: dict[int, str] = {}
    for row, (job, (text, runs)) in enumerate(zip(jobs, _results(jobs, workers, progress, path.name))):
        rows[job.index] = text
        for run in runs:
            collector.put(row, run)
    if not collector.curves:
        raise ImportFormatError(f"{str(path)!r}: no results left for budgets {keep_budgets} and datasets {keep_ds}")
    archs = [rows[i] for i in sorted(rows)]
    indices = np.array(sorted(rows), dtype=np.float64)
    tables = {name: collector.table(name, {"nats_index": indices.copy()}, path.name) for name in list(collector.curves)}
    files = [meta_path, *(p for _, p in _arch_files(path))] if path.is_dir() else [meta_path]
    provenance = {
        "source": path.name,
        "format": "NATS-Bench per-architecture archive (bz2 pickles of plain containers, read with a restricted unpickler)",
        "nats_space": space.key,
        "archive_sha256": _digest(files),
        "architectures": f"{len(archs)} of the {space.size} held in the archive's meta, in official index order "
        "(column 'nats_index')",
        "budgets": {
            b: ("datasets with the plain NATS name" if b == space.full_budget else f"datasets ending ':{int(b)}ep'")
            for b in space.budgets
            if keep_budgets is None or b in keep_budgets
        },
        "license": "NATS-Bench data: MIT",
        "importer": "nats-archive",
    }
    if space.key == "sss" and not _space_available(space.space):
        provenance["architecture_strings"] = "NATS size-space channel strings, stored as the archive writes them"
    name = path.name.removesuffix("-simple").removesuffix(".pickle.pbz2")
    return BenchmarkData(name=name, search_space=space.space, archs=archs, datasets=tables, provenance=provenance)


def _space_available(name: str) -> bool:
    from nasbench_suite.spaces import SPACES

    return name in SPACES


def _jobs(
    path: Path, meta: dict[str, Any], space: NATSSpace, budgets: frozenset[str] | None,
    datasets: frozenset[str] | None, ori_test: bool, limits: DecompressionLimits,
) -> list[_Job]:  # fmt: skip
    """One job per architecture held, in index order: its file, or its record in ``arch2infos``."""
    common = {"space": space, "budgets": budgets, "datasets": datasets, "ori_test": ori_test, "limits": limits}
    files = _arch_files(path) if path.is_dir() else []
    infos = meta.get("arch2infos")
    if files:
        jobs = [_Job(i, repr(str(f)), _arch_str(meta, i, repr(str(f))), file=f, **common) for i, f in files]
    elif isinstance(infos, dict) and infos:
        where = {i: f"{str(path)!r} arch2infos[{i!r}]" for i in infos}
        jobs = [_Job(int(i), where[i], _arch_str(meta, i, where[i]), record=infos[i], **common) for i in sorted(infos)]
    else:
        raise ImportFormatError(f"{str(path)!r} holds no architecture records (no NNNNNN.pickle.pbz2 files, no arch2infos)")
    indices = [job.index for job in jobs]
    if len(set(indices)) != len(indices):
        raise ImportFormatError(f"{str(path)!r} holds some architecture index twice (e.g. 5.pickle.pbz2 and 000005.pickle.pbz2)")
    return jobs


def _arch_str(meta: dict[str, Any], index: Any, source: str) -> str:
    archs = meta["meta_archs"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(archs):
        raise ImportFormatError(f"{source}: architecture index {index!r} outside 0..{len(archs) - 1}")
    return archs[index]


def _results(jobs: list[_Job], workers: int, progress: bool, label: str) -> Iterator[tuple[str, list[_Run]]]:
    from rich.progress import track

    show = {"total": len(jobs), "description": f"reading {label}", "disable": not progress, "transient": True}
    if workers <= 1 or len(jobs) < 2:
        yield from track(map(_run_job, jobs), **show)
        return
    from nasbench_suite._workers import die_with_parent, watch_args

    pool = ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=watch_args())  # no orphans
    try:
        yield from track(pool.map(_run_job, jobs, chunksize=max(1, min(64, len(jobs) // (4 * workers)))), **show)
    finally:  # on an error, do not wait for the rest of the archive
        pool.shutdown(wait=True, cancel_futures=True)


class NATSArchiveImporter:
    """``nasbench import nats-archive DIR --out FILE.h5``."""

    name = "nats-archive"
    help = (
        "NATS-Bench's official per-architecture archive (a NATS-tss/sss-*-simple directory); the full training "
        "schedule keeps NATS's dataset names, shorter ones become '<dataset>:<N>ep'"
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("path", type=Path, metavar="DIR", help="NATS-tss-v1_0-3ffb9-simple/ or NATS-sss-v1_0-50262-simple/")
        parser.add_argument("--budgets", nargs="+", metavar="HP", help="NATS training budgets to keep (default: all), e.g. 200")
        parser.add_argument(
            "--datasets", nargs="+", metavar="NAME", help="NATS datasets to keep (default: all), e.g. cifar10-valid cifar100"
        )
        parser.add_argument(
            "--ori-test",
            action="store_true",
            help="also store cifar100/ImageNet16-120 ori-test (x-valid + x-test) as '<name>:ori-test' datasets",
        )
        parser.add_argument(
            "--workers", type=int, default=1, metavar="N", help="processes reading the archive files (default: 1)"
        )
        default = DecompressionLimits()
        parser.add_argument(
            "--max-decompressed-mb",
            type=float,
            metavar="MB",
            help=f"most MiB one archive file may expand to (default: ${ENV_MAX_MB} or {default.max_bytes >> 20})",
        )
        parser.add_argument(
            "--max-decompression-ratio",
            type=float,
            metavar="X",
            help=f"most expansion ratio of one archive file (default: ${ENV_MAX_RATIO} or {default.max_ratio:g})",
        )

    def read(self, args: argparse.Namespace) -> BenchmarkData:
        limits = DecompressionLimits.from_env(
            max_mb=getattr(args, "max_decompressed_mb", None), max_ratio=getattr(args, "max_decompression_ratio", None)
        )
        return read_nats_archive(
            args.path, budgets=args.budgets, datasets=args.datasets, ori_test=args.ori_test, workers=args.workers,
            limits=limits,
        )  # fmt: skip


__all__ = ["SSS", "TSS", "NATSArchiveImporter", "NATSSpace", "dataset_name", "detect_space", "read_nats_archive"]
