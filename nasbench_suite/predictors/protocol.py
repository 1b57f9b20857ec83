"""The predictor protocol: training-set sizes, seeds, targets and the group-held-out test set.

For one seed, the training set of size ``n`` is the first ``n`` rows of one
random permutation of the measured rows (:func:`~nasbench_suite.surrogates.training.group_split_indices`
with that seed), so the sets of one seed are nested; the test set is drawn
from the rows left out of the *largest* training set minus every row whose
isomorphism class (the space's ``canonical_key``) has a member in it, so no
test cell has an isomorph in any training set of its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: the protocol's training-set sizes
SIZES: tuple[int, ...] = (10, 20, 50, 100, 200, 500, 1000)
#: the protocol's seeds
SEEDS: tuple[int, ...] = tuple(range(20))
#: held-out cells scored per (target, seed); fewer where the table has fewer
TEST_SIZE = 2000


class ProtocolError(ValueError):
    """A protocol that the benchmark cannot serve (unknown target, too few measured cells)."""


@dataclass(frozen=True, order=True)
class Target:
    """What a predictor predicts: ``metric`` at ``epoch`` (the mean over the table's seeds)."""

    metric: str
    epoch: int

    def __str__(self) -> str:
        return f"{self.metric}@{self.epoch}"

    @classmethod
    def parse(cls, text: str) -> Target:
        """``"valid_acc@12"`` as a target."""
        metric, sep, epoch = text.partition("@")
        if not sep or not metric or not epoch.isdigit() or int(epoch) < 1:
            raise ValueError(f"a target looks like valid_acc@12 (metric@epoch), got {text!r}")
        return cls(metric, int(epoch))


def _measured(bench: Any, dataset: str, metric: str, epoch: int) -> int:
    try:
        y = bench.query_many(None, dataset, metric=metric, epoch=epoch)
    except (LookupError, ValueError):
        return 0
    return int(np.isfinite(np.asarray(y, dtype=np.float64)).sum())


def default_targets(bench: Any, dataset: str) -> tuple[Target, ...]:
    """The final epoch and an early one (the last epoch at most a quarter of the final, else the first).

    The metric is ``valid_acc`` where the table measures it at that epoch, else ``test_acc``.
    """
    epochs = sorted(int(e) for e in bench.epochs(dataset))
    final = epochs[-1]
    early_choices = [e for e in epochs if e <= final / 4]
    early = early_choices[-1] if early_choices else epochs[0]
    out: list[Target] = []
    for epoch in dict.fromkeys((final, early)):
        for metric in ("valid_acc", "test_acc"):
            if _measured(bench, dataset, metric, epoch) >= 2:
                out.append(Target(metric, epoch))
                break
    if not out:
        raise ProtocolError(f"dataset {dataset!r} measures neither valid_acc nor test_acc at epochs {final} and {early}")
    return tuple(out)


@dataclass(frozen=True)
class Split:
    """Training rows per size and the held-out test rows of one (target, seed)."""

    train: dict[int, np.ndarray]
    test: np.ndarray
    #: rows left out of the largest training set but dropped as isomorphs of a training cell
    isomorphs_excluded: int


def protocol_split(groups: np.ndarray, measured: np.ndarray, sizes: Sequence[int], seed: int,
                   test_size: int | None = TEST_SIZE) -> Split:
    """Nested training sets of every size and the group-held-out test set of ``seed`` (indices into the table).

    ``groups`` holds the isomorphism class of every table row, ``measured`` the
    rows whose target is finite.
    """
    from nasbench_suite.surrogates.training import group_split_indices

    measured = np.asarray(measured)
    largest = max(sizes)
    if largest + 2 > measured.size:
        raise ProtocolError(f"training size {largest} leaves fewer than 2 test cells: {measured.size} cells are measured")
    g = np.asarray(groups)[measured]
    train = {int(n): measured[group_split_indices(g, int(n), seed)[0]] for n in sizes}
    big_train, held = group_split_indices(g, largest, seed)
    excluded = measured.size - big_train.size - held.size
    held = measured[held]
    if held.size < 2:
        raise ProtocolError(f"no held-out cells remain: every cell left out of the {largest} training cells has an isomorph among them")
    if test_size is not None and held.size > test_size:
        held = np.sort(np.random.default_rng([seed, 1]).choice(held, size=test_size, replace=False))
    return Split(train, held, int(excluded))


__all__ = ["SEEDS", "SIZES", "TEST_SIZE", "ProtocolError", "Split", "Target", "default_targets", "protocol_split"]
