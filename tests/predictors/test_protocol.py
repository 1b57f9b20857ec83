"""The protocol's splits: nested training sets, a test set free of isomorphs of any training cell, default targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.predictors.protocol import ProtocolError, Target, default_targets, protocol_split
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.surrogates.training import canonical_groups


@pytest.fixture(scope="module")
def groups() -> np.ndarray:
    return _groups([Architecture.from_index(i) for i in range(3000)])


def _groups(archs: list[Architecture]) -> np.ndarray:
    from nasbench_suite.spaces import get_space

    return canonical_groups(get_space("nb201"), archs)


def test_training_sets_are_nested_and_the_test_set_has_no_isomorph_in_any(groups: np.ndarray) -> None:
    measured = np.arange(len(groups))
    for seed in (0, 1, 7):
        split = protocol_split(groups, measured, (10, 50, 200, 1000), seed, test_size=None)
        sizes = sorted(split.train)
        for a, b in zip(sizes, sizes[1:]):
            assert set(split.train[a]) <= set(split.train[b])
        for n, rows in split.train.items():
            assert rows.size == n
            assert not set(groups[split.test]) & set(groups[rows])
        assert split.isomorphs_excluded > 0  # NB201's first 3000 cells have isomorphs
        assert split.test.size + split.isomorphs_excluded + 1000 == len(groups)


def test_test_set_is_capped_and_differs_by_seed(groups: np.ndarray) -> None:
    a = protocol_split(groups, np.arange(len(groups)), (10, 100), 0, test_size=500)
    b = protocol_split(groups, np.arange(len(groups)), (10, 100), 1, test_size=500)
    assert a.test.size == b.test.size == 500
    assert not np.array_equal(a.test, b.test)
    again = protocol_split(groups, np.arange(len(groups)), (10, 100), 0, test_size=500)
    assert np.array_equal(a.test, again.test) and np.array_equal(a.train[10], again.train[10])


def test_a_training_size_the_table_cannot_serve_is_refused(groups: np.ndarray) -> None:
    with pytest.raises(ProtocolError, match="1000"):
        protocol_split(groups[:500], np.arange(500), (10, 1000), 0)


def test_target_parsing() -> None:
    assert Target.parse("valid_acc@12") == Target("valid_acc", 12)
    assert str(Target("test_acc", 200)) == "test_acc@200"
    for bad in ("valid_acc", "valid_acc@", "@12", "valid_acc@x", "valid_acc@0"):
        with pytest.raises(ValueError, match="metric@epoch"):
            Target.parse(bad)


def test_default_targets_are_the_final_and_an_early_epoch(pred_store: Path) -> None:
    from nasbench_suite.catalog import open_benchmark

    bench = open_benchmark(pred_store)
    assert default_targets(bench, "toy") == (Target("valid_acc", 4), Target("valid_acc", 1))


def test_default_targets_fall_back_to_test_accuracy(nb201_reference_store: Path) -> None:
    from nasbench_suite.catalog import open_benchmark

    bench = open_benchmark(nb201_reference_store)
    assert default_targets(bench, "cifar10") == (Target("test_acc", 200), Target("valid_acc", 12))
