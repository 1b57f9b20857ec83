"""Results files: JSON Lines, one search run per line, self-describing and byte-reproducible.

Each line is one JSON object (keys sorted, no spaces, floats rounded to 12
significant digits, NaN written as ``null``) with:

``format``, ``format_version``, ``suite_version``
    what wrote the line.
``benchmark``
    ``{"name", "checksum", "search_space"}`` -- the table's content checksum,
    so a result can be checked against the exact data it came from; with
    measured-cost files attached (``nb201-digits+latency``) also
    ``cost_files``: each file's name and content checksum.
``dataset``, ``epoch`` (the target, full-budget epoch), ``fidelities``
    the problem.
``strategy``
    ``{"name", "params"}`` -- every hyperparameter, defaults included, in
    their canonical form (:func:`canonical_params`: JSON values, floats at 12
    significant digits). Parameters are compared in that form on both sides,
    so ``1/3`` written as ``0.333333333333`` reads back equal.
``seed``, ``budget`` (``{"kind", "value"}``), ``workers``
    the run's settings.
``selection_metric``, ``test_metric``, ``clock_unit``, ``benchmark_seed``, ``optimum``, ``warnings``
    the rules the harness applied (see :mod:`nasbench_suite.harness.lookup`);
    ``warnings`` says when selection could not use a validation metric.
``status`` (``"ok"`` or ``"failed"``), ``error``, ``notes``
    how the run ended; a failed run keeps the evaluations finished before.
``trajectory``
    columns with one entry per finished evaluation, in finishing order:
    ``eval`` (1-based), ``time`` (simulated finish time), ``arch``, ``epoch``,
    ``valid`` and ``test`` (at that epoch), ``cost`` (clock units charged),
    ``incumbent`` (0-based index of the incumbent evaluation after this one)
    and ``incumbent_test`` (its test metric at the target epoch).
``final``
    the incumbent at the end: ``arch``, ``epoch``, ``value``, ``test`` (at the
    target epoch), ``regret`` (optimum minus test), ``time``, ``evals``.
``objectives`` (only in a multi-objective run)
    ``[{"metric", "direction", "report"}, ...]``: each objective's stored
    metric or cost (the one selection uses: a validation metric or a cost),
    ``"min"`` or ``"max"``, and the metric it is reported as (``test_<x>``
    for ``valid_<x>``, else the same). The trajectory then also holds, per
    objective, ``objective:<metric>`` (its value at the evaluated epoch) and
    ``report:<report>`` (the reported counterpart at the target epoch), and
    ``final`` holds ``front``: the 0-based indices of the evaluations at the
    target epoch whose objective vectors are non-dominated (the earliest of
    equal vectors). Single-objective records carry none of these.
``trajectory_sha256``
    sha256 of the serialized trajectory.
``search_costs`` (only for strategies that compute on their own, e.g. one-shot search)
    per proposal, in ask order, the CPU seconds of the strategy's own compute
    charged to the clock before that evaluation (so ``time`` is the sum of
    these and the ``cost`` column). They are measurements: a re-run replays
    them to reproduce the trajectory.
``decisions`` (only for strategies whose own compute decides what they propose)
    what that compute decided, so a verifier can replay the run exactly on
    any machine (the strategy is fed these instead of computing them) and,
    separately, recompute them and compare within stated tolerances (see
    :mod:`nasbench_suite.strategies._decisions`). One-shot strategies
    (``ws-darts``, ``ws-gdas``, ``ws-rsws``): ``{"kind": "one-shot", "method",
    "search_seed", "derived"`` (the derived cell), ``"supernet_sha256"`` (of
    the trained weights and BatchNorm buffers), ``"alphas"`` (DARTS, GDAS:
    6 x 5 architecture parameters) or ``"scores"`` (RS-WS: ``[index, valid
    accuracy, valid loss]`` of every scored candidate, best first),
    ``"proposals"`` (official NB201 indices proposed from that ranking, in
    ask order) and ``"exhausted"}``. ``zc-re`` computing its proxy:
    ``{"kind": "zero-cost", "proxy", "scores"`` (``[index, score]`` of every
    candidate in draw order), ``"warm_start"}`` (the cells chosen, in order).
``numerics`` (only for strategies whose own floating-point compute decides: the
    one-shot strategies, ``zc-re`` and the model-based ones)
    the machine's numerics fingerprint (:mod:`nasbench_suite.numerics`: torch
    version and CPU capability, numpy SIMD paths, BLAS, threads, determinism
    flags) the run was made under. It is not part of the trajectory hash, and
    runs of strategies that only query the table carry none, so their lines
    are byte-identical on any CPU.

Replay: a run of a strategy that only queries the table re-runs to the same
bytes anywhere; a run with ``search_costs`` and ``decisions`` replays to the
same trajectory anywhere; recomputing ``decisions`` reproduces them bit for
bit only on equal numerics, and within tolerance elsewhere.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nasbench_suite.errors import NasBenchError

FORMAT = "nasbench-suite/results"
FORMAT_VERSION = 1
_DIGITS = 12
log = logging.getLogger(__name__)


class ResultsFormatError(NasBenchError, ValueError):
    """A results file line that is not a nasbench-suite run record."""


def rounded(x: Any, digits: int = _DIGITS) -> Any:
    """``x`` with every float rounded to ``digits`` significant digits (12 by default) and NaN / inf as ``None``.

    Examples
    --------
    >>> rounded({"a": [1 / 3, float("nan")], "b": (2, 0.1 + 0.2)})
    {'a': [0.333333333333, None], 'b': [2, 0.3]}
    """
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return None
        return float(f"{x:.{digits}g}")
    if isinstance(x, dict):
        return {str(k): rounded(v, digits) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rounded(v, digits) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):  # numpy scalar
        return rounded(x.item(), digits)
    return x


def _round_column(values: list[Any]) -> list[Any]:
    out = []
    for v in values:
        if isinstance(v, float):
            out.append(None if v != v or v in (math.inf, -math.inf) else float(f"{v:.{_DIGITS}g}"))
        else:
            out.append(v)
    return out


def canonical_params(params: dict[str, Any]) -> dict[str, Any]:
    """Strategy parameters as a results record stores them: JSON values (tuples as lists), floats rounded.

    Compare parameters in this form: a value read back from a results file
    equals the canonical form of the value that was written.

    Examples
    --------
    >>> canonical_params({"random_fraction": 1 / 3, "hidden": (32, 32)})
    {'hidden': [32, 32], 'random_fraction': 0.333333333333}
    >>> canonical_params({"random_fraction": 0.333333333333}) == canonical_params({"random_fraction": 1 / 3})
    True
    """
    return rounded(json.loads(dumps(params)))


def same_params(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two parameter sets are equal in their canonical form (see :func:`canonical_params`)."""
    return canonical_params(a) == canonical_params(b)


def dumps(record: dict[str, Any]) -> str:
    """The canonical one-line JSON text of ``record`` (no trailing newline)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


def trajectory_hash(trajectory: dict[str, list[Any]]) -> str:
    """sha256 (hex) of the canonical JSON of a rounded trajectory."""
    return hashlib.sha256(dumps(trajectory).encode()).hexdigest()


def make_record(
    *,
    benchmark: Any,
    lookup: Any,
    strategy: str,
    params: dict[str, Any],
    seed: int,
    budget: Any,
    workers: int,
    outcome: Any,
    decisions: dict[str, Any] | None = None,
    numerics: dict[str, Any] | None = None,
    objectives: Any = None,
) -> dict[str, Any]:
    """The results record of one finished (or failed) run, rounded and hashed.

    ``decisions`` (what the strategy's own compute decided) and ``numerics``
    (the machine's numerics fingerprint) are recorded when given; neither is
    part of the trajectory hash. ``objectives`` (an
    :class:`~nasbench_suite.harness.objective_lookup.ObjectiveLookup`) makes
    it a multi-objective record: ``objectives`` and ``final.front`` are added.
    """
    from nasbench_suite import __version__

    rules = lookup.describe()
    trajectory = {k: _round_column(v) for k, v in outcome.columns().items()}
    final: dict[str, Any] | None = None
    if outcome.records and outcome.records[-1][3] >= 0:
        i = outcome.records[-1][3]
        row = outcome.records[i][1]
        final = {
            "arch": row.arch_str,
            "epoch": row.epoch,
            "value": row.value,
            "test": row.final_test,
            "regret": None if lookup.optimum is None else lookup.optimum - row.final_test,
            "time": outcome.records[-1][0],
            "evals": len(outcome.records),
        }
        if objectives is not None:
            from nasbench_suite.multiobjective.front import run_front

            final["front"] = run_front([v[0] for v in outcome.objective_values], [r[1].epoch for r in outcome.records],
                                       lookup.target_epoch, objectives.objectives)
    record = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "suite_version": __version__,
        "benchmark": {
            "name": benchmark.name,
            "checksum": benchmark.checksum,
            "search_space": getattr(lookup.space, "name", None),
            # a table with measured-cost files attached names each file by its content checksum
            **({"cost_files": dict(files)} if (files := getattr(benchmark, "cost_files", None)) else {}),
        },
        "dataset": lookup.dataset,
        "epoch": rules.pop("target_epoch"),
        "strategy": {"name": strategy, "params": params},
        "seed": seed,
        "budget": budget.to_dict(),
        "workers": workers,
        **rules,
        **({"objectives": objectives.describe()} if objectives is not None else {}),
        "status": outcome.status,
        "error": outcome.error,
        "notes": list(outcome.notes),
        "final": final,
    }
    if outcome.search_costs is not None:
        record["search_costs"] = list(outcome.search_costs)
    if decisions is not None:
        record["decisions"] = decisions
    if numerics is not None:
        record["numerics"] = numerics
    record = rounded(record)
    record["trajectory"] = trajectory
    record["trajectory_sha256"] = trajectory_hash(record["trajectory"])
    return record


#: record keys that must agree between runs of one results file (see :func:`settings_of`)
SETTINGS_KEYS: tuple[str, ...] = ("format_version", "suite_version", "benchmark", "dataset", "epoch", "budget", "workers",
                                  "objectives")


def settings_of(record: dict[str, Any]) -> dict[str, Any]:
    """The sweep-wide settings of a record: what every run of one file shares."""
    return {k: record.get(k) for k in SETTINGS_KEYS}


def run_key(record: dict[str, Any]) -> tuple[str, int]:
    """The (strategy name, seed) identifying a run within a file."""
    return (record["strategy"]["name"], int(record["seed"]))


def parse_line(line: str, *, where: str = "") -> dict[str, Any]:
    """One record from one line; raises ResultsFormatError for anything else."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ResultsFormatError(f"{where}: not a JSON line ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ResultsFormatError(f"{where}: not a {FORMAT} record (format={record.get('format') if isinstance(record, dict) else None!r})")
    if int(record.get("format_version", 0)) > FORMAT_VERSION:
        raise ResultsFormatError(f"{where}: results format version {record['format_version']} is newer than this release reads ({FORMAT_VERSION})")
    return record


def read_text(path: str | os.PathLike[str]) -> str:
    """A results file's text; a ``.gz`` file (how boards store their results) is decompressed."""
    path = Path(path)
    if path.suffix == ".gz":
        import gzip

        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return fh.read()
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ResultsFormatError(f"{path}: not a results file (not UTF-8 text at byte {exc.start})") from None


def write_gzip(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` gzip-compressed with no timestamp or name in the header, so equal text gives equal bytes."""
    import gzip

    from nasbench_suite._atomic import atomic_open

    with atomic_open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as fh:
        fh.write(text.encode("utf-8"))


def read_lines(path: str | os.PathLike[str], *, tolerate_truncation: bool = True) -> list[str]:
    """The complete record lines of a results file (an interrupted, half-written last line is dropped)."""
    text = read_text(path)
    lines = text.split("\n")
    complete, last = lines[:-1], lines[-1]
    out = [ln for ln in complete if ln.strip()]
    if last.strip():
        try:
            parse_line(last, where=f"{path}:{len(lines)}")
            out.append(last)
        except ResultsFormatError:
            if not tolerate_truncation:
                raise
            log.warning("%s: dropping a truncated last line (an interrupted write)", path)
    for i, line in enumerate(out, start=1):
        parse_line(line, where=f"{path}:{i}")
    return out


def read_results(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[dict[str, Any]]:
    """Every run record of one or more results files, in file order."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    records = []
    for path in paths:
        records.extend(json.loads(line) for line in read_lines(path))
    return records


def write_lines_atomic(path: str | os.PathLike[str], lines: Iterable[str]) -> None:
    """Replace ``path`` with ``lines`` (each followed by a newline) in one atomic rename."""
    from nasbench_suite._atomic import atomic_open

    with atomic_open(path, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line)
            fh.write("\n")
