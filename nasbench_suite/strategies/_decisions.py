"""Recording, replaying and re-checking what a strategy's own compute decided.

A strategy whose own floating-point compute decides what it proposes (a
one-shot supernet's derived cell and ranking, zero-cost proxy scores) records
those decisions in its results record (``decisions``, see
:mod:`nasbench_suite.harness.results`). Two checks use them:

*replay*
    the strategy is fed its recorded decisions instead of computing them
    (:meth:`~nasbench_suite.strategies.base.OwnCompute.replay_decisions`), so
    the rest of the run -- everything the harness derives from the proposals
    -- is reproduced exactly on any machine; a replay either matches the
    record bit for bit or it does not.
*recompute*
    the decisions are computed afresh and compared with the recorded ones
    within the tolerances below, because the same seeded float compute may
    round differently on another CPU (another SIMD path, another BLAS):

    * a derived cell agrees when it is the same network (same isomorphism
      class) or its test metric at the run's target epoch differs from the
      recorded cell's by at most :data:`DERIVED_TOLERANCE` percentage points;
    * a ranking or set of scores agrees when the Spearman rank correlation of
      the recorded and recomputed scores of the same architectures is at
      least :data:`MIN_RANK_AGREEMENT`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nasbench_suite.errors import NasBenchError

__all__ = ["DERIVED_TOLERANCE", "MIN_RANK_AGREEMENT", "DecisionCheck", "ReplayError", "derived_check", "rank_agreement"]

#: percentage points by which a recomputed derived cell's test metric may differ from the recorded cell's
DERIVED_TOLERANCE = 1.0
#: least Spearman correlation between recorded and recomputed scores
MIN_RANK_AGREEMENT = 0.99


class ReplayError(NasBenchError, RuntimeError):
    """Recorded decisions that do not fit the run being replayed (another seed, more proposals than recorded)."""


@dataclass(frozen=True)
class DecisionCheck:
    """The outcome of recomputing a run's decisions: whether they agree with the record, and the measured figures."""

    agree: bool
    #: one line per compared decision, e.g. ``"derived cell: same network"``
    details: tuple[str, ...]

    def __str__(self) -> str:
        return ("agree" if self.agree else "differ") + ": " + "; ".join(self.details)


def rank_agreement(recorded: Sequence[float], recomputed: Sequence[float]) -> float:
    """Spearman correlation of two score lists over the entries where both are finite (1.0 when all are equal)."""
    from scipy.stats import spearmanr

    a = np.asarray([math.nan if v is None else v for v in recorded], dtype=float)
    b = np.asarray([math.nan if v is None else v for v in recomputed], dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 2 or (np.all(a[ok] == a[ok][0]) and np.all(b[ok] == b[ok][0])):
        return 1.0 if np.array_equal(a[ok], b[ok]) else math.nan
    rho = float(spearmanr(a[ok], b[ok]).statistic)
    return rho


def derived_check(recorded: str, recomputed: str, *, same_network: Callable[[str, str], bool],
                  test_of: Callable[[str], float] | None) -> tuple[bool, str]:
    """Whether a recomputed derived cell agrees with the recorded one (see the module docstring)."""
    if same_network(recorded, recomputed):
        return True, "derived cell: same network"
    if test_of is None:
        return False, f"derived cell: {recomputed} instead of {recorded} (no table to compare their accuracy)"
    a, b = test_of(recorded), test_of(recomputed)
    gap = abs(a - b)
    ok = gap <= DERIVED_TOLERANCE
    return ok, (f"derived cell: {recomputed} instead of {recorded}, test {b:.2f} vs {a:.2f} "
                f"({gap:.2f} points; tolerance {DERIVED_TOLERANCE:g})")
