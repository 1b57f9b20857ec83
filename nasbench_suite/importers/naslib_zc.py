"""NAS-Bench-Suite-Zero (NASLib) zero-cost tables into a store.

NASLib publishes, per search space, JSON files holding for a sample of
architectures the benchmark's validation accuracy, params, FLOPs and the
scores of a dozen zero-cost proxies. Three layouts occur:

* ``{"<dataset>": {"<key>": record}}`` (newer files; values are ``{"score", "time"}`` objects),
* ``{"nasbench201": {"<dataset>": {...}}}`` and similar wrappers (older files; plain floats),
* a JSON list of records with an ``"arch"`` key (the ``benchmark--<space>--<task>--<offset>.json``
  files), whose dataset comes from the file name or ``--dataset``.

Keys are NASLib's own architecture encodings, converted here to the suite's
architectures (see :data:`SPACES`). The accuracy lands in ``valid_acc`` at the
benchmark's final epoch, params and FLOPs (millions in the files) become counts,
and each proxy becomes the column ``zc/<proxy>`` (its compute seconds
``zc_time/<proxy>`` where recorded). Where two files hold the same
architecture and field, the values must agree.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite.benchmark import METRICS
from nasbench_suite.errors import ImportFormatError, InvalidArchitectureError, UnknownNameError
from nasbench_suite.importers._json import load_json
from nasbench_suite.store.model import AGGREGATED_SEED, BenchmarkData, DatasetTable
from nasbench_suite.store.ranges import RANGES_KEY, check_value

#: NASLib's NB201 op indices (``OP_NAMES`` of ``nasbench201/conversions.py``), as NB201 op names
NASLIB_NB201_OPS: tuple[str, ...] = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
#: fields that are neither proxies nor costs
_ID_FIELDS = ("idx", "arch")
#: NASLib's names of the search spaces (file wrappers, file names) -> the suite's
NASLIB_NAMES = {
    "nasbench201": "nb201",
    "nasbench101": "nb101",
    "nasbench301": "darts",
    "transbench101_micro": "transnas101-micro",
    "transbench101_macro": "transnas101-macro",
}
_LIST_FILE = re.compile(r"^benchmark--(?P<space>[a-z0-9_]+)--(?P<task>.+)--\d+\.json$")
COST_NAMES = ("params", "flops", "latency")


def _literal(key: str) -> Any:
    try:
        return ast.literal_eval(key)
    except (ValueError, SyntaxError):
        raise InvalidArchitectureError(f"not a Python literal key: {key!r}") from None


def _int_tuple(key: str, length: int, high: int) -> tuple[int, ...]:
    value = _literal(key)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != length
        or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= high for v in value)
    ):
        raise InvalidArchitectureError(f"expected a tuple of {length} ints in 0..{high}, got {key!r}")
    return tuple(value)


def nb201_from_naslib(key: str) -> Any:
    """NASLib's NB201 key ``"(i0, ..., i5)"`` as an NB201 Architecture.

    NASLib orders the edges 1->2, 1->3, 1->4, 2->3, 2->4, 3->4 in its node
    numbering (node 1 = NB201's input node 0), i.e. NB201 edges (0,1), (0,2),
    (0,3), (1,2), (1,3), (2,3); the suite's edge order swaps positions 2 and 3.
    Op indices follow :data:`NASLIB_NB201_OPS`, not NB201's own op order.
    """
    from nasbench_suite.spaces.nb201 import Architecture

    o = [NASLIB_NB201_OPS[i] for i in _int_tuple(key, 6, len(NASLIB_NB201_OPS) - 1)]
    return Architecture((o[0], o[1], o[3], o[2], o[4], o[5]))


def transnas_micro_from_naslib(key: str) -> Any:
    """NASLib's micro key ``"(a, b, c, d, e, f)"``: TransNAS op codes in edge order (``64-41414-a_bc_def``)."""
    from nasbench_suite.spaces.transnas101 import MicroArchitecture

    return MicroArchitecture.from_codes(_int_tuple(key, 6, 3))


def transnas_macro_from_naslib(key: str) -> Any:
    """NASLib's macro key: 6 module codes, zero-padded; its non-zero entries give ``64-{codes}-basic``."""
    from nasbench_suite.spaces.transnas101 import MacroArchitecture

    return MacroArchitecture(tuple(c for c in _int_tuple(key, 6, 4) if c))


def _nb101(key: str) -> Any:
    from nasbench_suite.spaces.nb101 import Architecture

    return Architecture.from_naslib(key)


def _darts(key: str) -> Any:
    from nasbench_suite.spaces.darts import Architecture

    return Architecture.from_naslib(key)


#: TransNAS-Bench-101 training epochs per task (``num_epochs`` of its training configs)
TRANSNAS_EPOCHS = {
    "class_scene": 25,
    "class_object": 25,
    "jigsaw": 10,
    "room_layout": 25,
    "segmentsemantic": 30,
    "normal": 30,
    "autoencoder": 30,
}
_TRANSNAS_VALID = {
    "class_scene": "valid_top1: top-1 accuracy (%) on the validation split",
    "class_object": "valid_top1: top-1 accuracy (%) on the validation split",
    "jigsaw": "valid_top1: top-1 accuracy (%) of the jigsaw permutation class on the validation split",
    "room_layout": "valid_neg_loss: the NEGATIVE L2 loss on the validation split (higher is better); valid_loss holds the loss",
    "segmentsemantic": "valid_acc: pixel accuracy (%) on the validation split",
    "normal": "valid_ssim: structural similarity (0..1, not a percentage) on the validation split",
    "autoencoder": "valid_ssim: structural similarity (0..1, not a percentage) on the validation split",
}
_NB201_VALID = {
    "cifar10-valid": "x-valid: the 25k CIFAR-10 train images held out from training (NATS-Bench 'cifar10-valid')",
    "cifar100": "x-valid: 5k of the 10k CIFAR-100 test images",
    "ImageNet16-120": "x-valid: half of the ImageNet16-120 validation images",
}


@dataclass(frozen=True)
class ZCSpace:
    """How one search space's NASLib files map into the store."""

    name: str
    parse_key: Callable[[str], Any]
    key_format: str
    accuracy_source: str
    #: seed label of the accuracies: 0 = one training run (seed not recorded), -1 = an expectation
    seed: int
    epoch: Callable[[str], int]
    valid_meaning: Callable[[str], str]
    #: NASLib dataset name -> store dataset name
    rename: dict[str, str] = field(default_factory=dict)
    license: str = "NASLib files: Apache-2.0"
    #: datasets whose "accuracy" is a negated loss; valid_loss then holds the loss itself
    negated_loss: frozenset[str] = frozenset()


def _unknown_task(task: str) -> int:
    if task not in TRANSNAS_EPOCHS:
        raise UnknownNameError("TransNAS-Bench-101 task", task, TRANSNAS_EPOCHS)
    return TRANSNAS_EPOCHS[task]


_TRANSNAS_SOURCE = (
    "trained: TransNAS-Bench-101, one run per architecture and task; the value is the BEST over the training "
    "epochs (TransNAS API get_single_metric mode='best', as NASLib queries it), stored at the final epoch"
)

SPACES: dict[str, ZCSpace] = {
    "nb201": ZCSpace(
        name="nb201",
        parse_key=nb201_from_naslib,
        key_format="NASLib op-index tuple (NASLib edge order, ops skip_connect/none/nor_conv_3x3/nor_conv_1x1/avg_pool_3x3)",
        accuracy_source="trained: NAS-Bench-201, one 200-epoch run per architecture (NASLib eval_acc1es[-1])",
        seed=0,
        epoch=lambda ds: 200,
        valid_meaning=lambda ds: _NB201_VALID.get(ds, "x-valid split of " + ds),
        rename={"cifar10": "cifar10-valid"},
        license="NASLib files: Apache-2.0; accuracies from NAS-Bench-201 (MIT)",
    ),
    "nb101": ZCSpace(
        name="nb101",
        parse_key=_nb101,
        key_format="NASLib 56-int tuple: 7x7 adjacency matrix row-major, then 7 op indices",
        accuracy_source="trained: NAS-Bench-101 108-epoch validation accuracy of ONE of its 3 repeats, drawn at random by NASLib",
        seed=0,
        epoch=lambda ds: 108,
        valid_meaning=lambda ds: "validation accuracy (%) on NAS-Bench-101's 10k held-out CIFAR-10 train images",
        license="NASLib files: Apache-2.0; accuracies from NAS-Bench-101 (Apache-2.0)",
    ),
    "darts": ZCSpace(
        name="darts",
        parse_key=_darts,
        key_format="NASLib compact NB301 encoding [normal, reduce], 8 (input, op index) pairs each",
        accuracy_source="surrogate-predicted (NAS-Bench-301 v1.0 XGBoost surrogate, noise-free), not training runs",
        seed=AGGREGATED_SEED,
        epoch=lambda ds: 100,
        valid_meaning=lambda ds: "predicted validation accuracy (%) after NAS-Bench-301's 100-epoch training",
        license="NASLib files: Apache-2.0; predictions of the NAS-Bench-301 surrogate (Apache-2.0)",
    ),
    "transnas101-micro": ZCSpace(
        name="transnas101-micro",
        parse_key=transnas_micro_from_naslib,
        key_format="NASLib 6-tuple of TransNAS op codes (0 none, 1 skip_connect, 2 conv1x1, 3 conv3x3) in edge order",
        accuracy_source=_TRANSNAS_SOURCE,
        seed=0,
        epoch=_unknown_task,
        valid_meaning=lambda ds: _TRANSNAS_VALID.get(ds, ds),
        license="NASLib files: Apache-2.0; metrics from TransNAS-Bench-101",
        negated_loss=frozenset({"room_layout"}),
    ),
    "transnas101-macro": ZCSpace(
        name="transnas101-macro",
        parse_key=transnas_macro_from_naslib,
        key_format="NASLib 6-tuple of macro module codes, zero-padded (non-zero entries give 64-{codes}-basic)",
        accuracy_source=_TRANSNAS_SOURCE,
        seed=0,
        epoch=_unknown_task,
        valid_meaning=lambda ds: _TRANSNAS_VALID.get(ds, ds),
        license="NASLib files: Apache-2.0; metrics from TransNAS-Bench-101",
        negated_loss=frozenset({"room_layout"}),
    ),
}


def _value(where: str, name: str, raw: Any) -> tuple[float, float | None]:
    """(score, seconds or None) of one record field: a number or ``{"score": x, "time": t}``."""
    if isinstance(raw, dict):
        if "score" not in raw:
            raise ImportFormatError(f"{where}: field {name!r} is an object without 'score': {raw!r}")
        score, seconds = raw["score"], raw.get("time")
    else:
        score, seconds = raw, None
    for v in (score, seconds):
        if (v is not None or v is score) and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ImportFormatError(f"{where}: field {name!r} holds {v!r}, expected a number")
    return float(score), None if seconds is None else float(seconds)


def _check_space(path: Path, naslib_name: str, space: str) -> None:
    named = NASLIB_NAMES.get(naslib_name)
    if named is not None and named != space:
        raise ImportFormatError(f"{str(path)!r} holds NASLib's {naslib_name!r} ({named!r}), not --space {space!r}")


def _datasets_of(obj: Any, path: Path, space: str, default: str | None) -> dict[str, dict[str, dict[str, Any]]]:
    """``{dataset: {key: record}}`` from any of the three layouts."""
    if isinstance(obj, list):
        match = _LIST_FILE.match(path.name)
        if match:
            _check_space(path, match.group("space"), space)
        dataset = match.group("task") if match else default
        if dataset is None:
            raise ImportFormatError(
                f"{str(path)!r} is a list of records; name its dataset with --dataset (or keep the "
                "'benchmark--<space>--<task>--<offset>.json' file name)"
            )
        out: dict[str, dict[str, Any]] = {}
        for i, rec in enumerate(obj):
            if not isinstance(rec, dict) or not isinstance(rec.get("arch"), str):
                raise ImportFormatError(f"{str(path)!r} record {i}: expected an object with an 'arch' string")
            out[rec["arch"]] = rec
        return {dataset: out}
    if not isinstance(obj, dict):
        raise ImportFormatError(f"{str(path)!r}: expected a JSON object or list, got {type(obj).__name__}")
    while len(obj) == 1 and next(iter(obj)) in NASLIB_NAMES and isinstance(next(iter(obj.values())), dict):
        _check_space(path, next(iter(obj)), space)
        obj = next(iter(obj.values()))
    for ds, recs in obj.items():
        if not isinstance(recs, dict) or not all(isinstance(r, dict) for r in recs.values()):
            raise ImportFormatError(f"{str(path)!r}: dataset {ds!r} must map architecture keys to record objects")
    return obj


@dataclass
class _Row:
    """Everything one architecture has in one dataset, with the file each value came from."""

    values: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: float, source: str) -> None:
        old = self.values.get(name)
        if old is not None and not (old == value or (math.isnan(old) and math.isnan(value))):
            raise ImportFormatError(
                f"{source} and {self.sources[name]} are the same architecture but disagree on {name!r} "
                f"({value!r} vs {old!r}); import such files into separate stores"
            )
        self.values[name] = value
        self.sources[name] = source


def read_naslib_zc(
    paths: str | Path | Sequence[str | Path], *, space: str, datasets: Iterable[str] | None = None
) -> BenchmarkData:
    """Read NASLib zero-cost JSON files of one search space into a :class:`BenchmarkData`.

    Parameters
    ----------
    paths
        One or more JSON files of the same search space.
    space
        One of :data:`SPACES`: ``nb201``, ``nb101``, ``darts``, ``transnas101-micro``, ``transnas101-macro``.
    datasets
        Datasets to keep, by NASLib name (``cifar10``) or store name (``cifar10-valid``); ``None`` keeps all.
        For list-layout files whose name does not tell the dataset, a single name here sets it.
    """
    if space not in SPACES:
        raise UnknownNameError("NASLib zero-cost space", space, SPACES)
    spec = SPACES[space]
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    wanted = None if datasets is None else set(datasets)
    default = next(iter(wanted)) if wanted is not None and len(wanted) == 1 else None
    tables: dict[str, dict[str, _Row]] = {}
    nonfinite: dict[str, dict[str, int]] = {}
    arch_of: dict[str, Any] = {}
    sources = []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"no NASLib zero-cost file at {str(path)!r}")
        raw = path.read_bytes()
        sources.append({"file": path.name, "sha256": hashlib.sha256(raw).hexdigest()})
        obj = load_json(raw, source=repr(str(path)))
        for naslib_ds, records in _datasets_of(obj, path, space, default).items():
            ds = spec.rename.get(naslib_ds, naslib_ds)
            if wanted is not None and not wanted & {naslib_ds, ds}:
                continue
            spec.epoch(ds)  # an unknown task fails here, before any work
            table = tables.setdefault(ds, {})
            for key, rec in records.items():
                where = f"{str(path)!r} [{naslib_ds!r}][{key!r}]"
                try:
                    arch = spec.parse_key(key)
                except InvalidArchitectureError as exc:
                    raise ImportFormatError(f"{where}: {exc}") from None
                if rec.get("arch", key) != key:
                    raise ImportFormatError(f"{where}: record 'arch' {rec['arch']!r} differs from its key")
                text = arch.to_string()
                arch_of[text] = arch
                row = table.setdefault(text, _Row())
                for name, value in rec.items():
                    if name in _ID_FIELDS:
                        continue
                    score, seconds = _value(where, name, value)
                    score = _checked(spec, ds, where, name, score, nonfinite.setdefault(ds, {}))
                    row.put(name, score, where)
                    if seconds is not None and name not in ("val_accuracy", "flops", "params"):
                        row.put(f"time:{name}", check_value(seconds, _column(f"time:{name}"), where=f"{where}, field {name!r} 'time'"), where)
    if not tables:
        raise ImportFormatError(f"no datasets left in {[str(p) for p in paths]} for --dataset {sorted(wanted or [])}")
    archs = sorted(arch_of, key=lambda s: (getattr(arch_of[s], "index", 0), s))
    return BenchmarkData(
        name=f"naslib-zc-{space}",
        search_space=space,
        archs=archs,
        datasets={ds: _table(spec, ds, rows, archs, nonfinite.get(ds, {})) for ds, rows in sorted(tables.items())},
        provenance={
            "source": "NAS-Bench-Suite-Zero zero-cost tables (NASLib)",
            "files": sources,
            "accuracy_source": spec.accuracy_source,
            "key_format": spec.key_format,
            "license": spec.license,
            "importer": "naslib-zc",
        },
    )


#: what each record field is in the store, for its range check
_FIELD_METRIC = {"val_accuracy": "valid_acc", "params": "params", "flops": "flops"}


def _declared(spec: ZCSpace, ds: str) -> dict[str, Any]:
    # a negated loss kept under valid_acc (higher is better) is <= 0, not an accuracy in [0, 100]
    return {"valid_acc": [None, 0]} if ds in spec.negated_loss else {}


def _checked(spec: ZCSpace, ds: str, where: str, name: str, score: float, nonfinite: dict[str, int]) -> float:
    """``score`` if possible for field ``name``; a proxy's +-inf becomes NaN (counted for the provenance)."""
    metric = _FIELD_METRIC.get(name)
    if metric is not None:
        return check_value(score, metric, where=f"{where}, field {name!r}", declared=_declared(spec, ds))
    if math.isinf(score):
        nonfinite[_column(name)] = nonfinite.get(_column(name), 0) + 1
        return math.nan
    return score


def _table(spec: ZCSpace, ds: str, rows: dict[str, _Row], archs: list[str], nonfinite: dict[str, int]) -> DatasetTable:
    n = len(archs)
    epoch = spec.epoch(ds)
    curves = np.full((n, 1, 1, len(METRICS)), np.nan)
    costs = np.full((n, len(COST_NAMES)), np.nan)
    names = sorted({k for r in rows.values() for k in r.values} - {"val_accuracy", "flops", "params"})
    columns = {_column(k): np.full(n, np.nan) for k in names}
    valid, loss = METRICS.index("valid_acc"), METRICS.index("valid_loss")
    negated = ds in spec.negated_loss
    for i, text in enumerate(archs):
        row = rows.get(text)
        if row is None:
            continue
        v = row.values
        if "val_accuracy" in v:
            curves[i, 0, 0, valid] = v["val_accuracy"]
            if negated:
                curves[i, 0, 0, loss] = -v["val_accuracy"]
        for j, cost in enumerate(("params", "flops")):
            if cost in v:
                costs[i, j] = round(v[cost] * 1e6)
        for k in names:
            if k in v:
                columns[_column(k)][i] = v[k]
    sentinel = sorted(k for k in names if not k.startswith("time:") and np.any(columns[_column(k)] == -1e8))
    provenance: dict[str, Any] = {
        "valid_acc": spec.valid_meaning(ds),
        "epoch": f"{epoch}: the benchmark's final training epoch",
        "seeds": "-1: an expectation (noise-free surrogate prediction)" if spec.seed == AGGREGATED_SEED
        else "0: one training run whose seed the source does not record",
        "costs": "params and flops from the files, converted from millions to counts; latency not recorded",
        "columns": "zc/<proxy>: zero-cost proxy scores as published; zc_time/<proxy>: seconds to compute them",
        "architectures": f"{len(rows)} of the {n} rows hold values for this dataset",
    }
    if sentinel:
        provenance["failed_proxy_marker"] = f"-1e8 in {', '.join(f'zc/{k}' for k in sentinel)} marks a proxy that failed"
    if nonfinite:
        provenance["nonfinite_scores"] = {
            col: f"{count} record(s) hold an infinite score in the source file, stored as NaN" for col, count in sorted(nonfinite.items())
        }
    if _declared(spec, ds):
        provenance[RANGES_KEY] = _declared(spec, ds)
    return DatasetTable(
        epochs=np.array([epoch]),
        seeds=np.array([spec.seed]),
        metrics=METRICS,
        curves=curves,
        costs=costs,
        cost_names=COST_NAMES,
        columns=columns,
        provenance=provenance,
    )


def _column(name: str) -> str:
    return f"zc_time/{name[5:]}" if name.startswith("time:") else f"zc/{name}"


class NASLibZCImporter:
    """``nasbench import naslib-zc FILE... --space SPACE [--dataset NAME] --out FILE.h5``."""

    name = "naslib-zc"
    help = "NAS-Bench-Suite-Zero (NASLib) zero-cost proxy tables: accuracy, params, FLOPs and proxy scores"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", type=Path, nargs="+", metavar="FILE", help="NASLib zc_*.json files of one search space")
        parser.add_argument("--space", required=True, choices=sorted(SPACES), help="the files' search space")
        parser.add_argument(
            "--dataset",
            action="append",
            metavar="NAME",
            help="keep only this dataset (repeatable); names the dataset of list-layout files",
        )

    def read(self, args: argparse.Namespace) -> BenchmarkData:
        return read_naslib_zc(args.paths, space=args.space, datasets=args.dataset)


__all__ = [
    "NASLIB_NAMES",
    "NASLIB_NB201_OPS",
    "SPACES",
    "TRANSNAS_EPOCHS",
    "NASLibZCImporter",
    "ZCSpace",
    "nb201_from_naslib",
    "read_naslib_zc",
    "transnas_macro_from_naslib",
    "transnas_micro_from_naslib",
]
