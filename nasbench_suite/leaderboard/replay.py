"""Verification of runs whose strategy's own compute decides: replay the record, recompute the decisions.

A run of a strategy with own compute (one-shot ``ws-*``, ``zc-re``) records
what that compute decided (``decisions``, see
:mod:`nasbench_suite.strategies._decisions`). Verification checks such a run
twice, and reports both separately:

*replay* (exact or mismatch)
    the run is re-run with its recorded decisions and search costs fed back,
    so no float compute of the strategy's own takes part: the trajectory must
    come out bit for bit, on any machine.
*recompute* (agree or differ, within stated tolerances)
    the decisions are computed afresh from the run's seed and parameters and
    compared with the record: the derived cell the same network or within
    :data:`~nasbench_suite.strategies._decisions.DERIVED_TOLERANCE` points of
    test accuracy, scores ranked alike (Spearman at least
    :data:`~nasbench_suite.strategies._decisions.MIN_RANK_AGREEMENT`). A
    machine with other numerics may round differently; a recorded decision
    that no honest recompute comes near is rejected -- where this machine's
    numerics fingerprint equals the record's (there an honest recompute is
    bit-identical) or the record holds none. On other numerics a seeded
    supernet training can take another path altogether (GDAS's hard Gumbel
    sampling amplifies a last-bit difference into another cell), so there a
    difference is reported, not rejected: the replay, which is exact
    anywhere, decides, and a recompute on the recorded numerics (e.g. with
    ``ATEN_CPU_CAPABILITY`` and ``NPY_DISABLE_CPU_FEATURES`` set to match)
    checks the decisions themselves.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from nasbench_suite.strategies._decisions import DecisionCheck

__all__ = ["RecomputeResult", "recompute_decisions", "records_decisions"]


@dataclass(frozen=True)
class RecomputeResult:
    """A run's decisions recomputed: the comparison with the record and the CPU seconds it took."""

    check: DecisionCheck
    cpu_seconds: float
    #: whether this machine's numerics fingerprint equals the one the record carries (None: not recorded)
    same_numerics: bool | None


def records_decisions(rec: dict[str, Any]) -> bool:
    """Whether a record carries decisions to replay."""
    return isinstance(rec.get("decisions"), dict)


def recompute_decisions(rec: dict[str, Any], lookup: Any) -> RecomputeResult:
    """Compute a recorded run's decisions afresh here and compare them with its record."""
    from threadpoolctl import threadpool_limits

    from nasbench_suite.harness.runner import numerics_record
    from nasbench_suite.strategies import SearchContext, get_strategy
    from nasbench_suite.strategies.base import recorded_params

    cls = get_strategy(rec["strategy"]["name"])
    context = SearchContext(lookup.space, lookup.fidelities, dataset=lookup.dataset)
    instance = cls(context, seed=int(rec["seed"]), **recorded_params(cls, dict(rec["strategy"]["params"])))
    cpu = time.process_time()
    with threadpool_limits(limits=1):  # as the harness runs it
        fresh = instance.recompute_decisions()
        here = numerics_record()
    seconds = time.process_time() - cpu
    epoch = rec["epoch"]

    def test_of(arch: str) -> float:
        return float(lookup.get(arch, epoch).final_test)

    check = cls.compare_decisions(rec["decisions"], fresh, test_of=test_of)
    return RecomputeResult(check, seconds, _same_numerics(rec.get("numerics"), here))


def _same_numerics(recorded: Any, here: dict[str, Any]) -> bool | None:
    from nasbench_suite.numerics import NumericsFingerprint, NumericsFormatError, diff_fingerprints

    if not isinstance(recorded, dict):
        return None
    try:
        return not diff_fingerprints(NumericsFingerprint.from_dict(recorded), NumericsFingerprint.from_dict(here))
    except NumericsFormatError:
        return None
