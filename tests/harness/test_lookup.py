"""Lookup: selection metric, clock unit, costs and fidelities per benchmark dataset."""

from __future__ import annotations

import numpy as np
import pytest

from nasbench_suite.errors import NotMeasuredError, UnknownNameError
from nasbench_suite.harness import Lookup
from nasbench_suite.spaces.nb201 import Architecture


def test_synthetic_table_selects_on_valid_and_counts_seconds(synthetic) -> None:
    lk = Lookup(synthetic, "synth")
    assert lk.selection_metric == "valid_acc" and lk.clock_unit == "seconds" and lk.warnings == []
    assert lk.fidelities == (1, 3, 9, 27) and lk.target_epoch == 27
    a = Architecture.from_index(42)
    row = lk.get(a, 9)
    q = synthetic.query(a, "synth", epoch=9)
    assert (row.value, row.valid, row.test) == (q.valid_acc, q.valid_acc, q.test_acc)
    assert row.final_test == synthetic.query(a, "synth", epoch=27).test_acc
    assert row.arch_str == a.to_string() and row.epoch == 9
    assert lk.optimum == synthetic.optimum("synth", metric="test_acc")[1]


def test_costs_sum_the_epochs_trained(synthetic) -> None:
    lk = Lookup(synthetic, "synth")
    a = Architecture.from_index(7)
    t = {e: synthetic.query(a, "synth", epoch=e).train_time for e in (1, 3, 9, 27)}
    # held epochs 1, 3, 9, 27: each held epoch's time stands for the epochs since the previous one
    assert lk.get(a, 1).cum_cost == pytest.approx(t[1])
    assert lk.get(a, 3).cum_cost == pytest.approx(t[1] + 2 * t[3])
    assert lk.get(a, 27).cum_cost == pytest.approx(t[1] + 2 * t[3] + 6 * t[9] + 18 * t[27])


def test_contiguous_epochs_sum_exactly(make_table, tmp_path) -> None:
    from nasbench_suite import open_benchmark
    from nasbench_suite.store import write_store

    data = make_table(epochs=(1, 2, 3, 4), n_arch=30)
    data.datasets["synth"].curves[:, :, :, 6] = np.arange(1, 5)  # epoch k trains for k seconds
    write_store(tmp_path / "c.h5", data)
    lk = Lookup(open_benchmark(tmp_path / "c.h5"), "synth", epoch=3)
    assert lk.fidelities == (1, 2, 3)
    assert [lk.get(Architecture.from_index(0), e).cum_cost for e in (1, 2, 3)] == [1.0, 3.0, 6.0]


def test_reference_at_200_selects_on_test_and_says_so(reference) -> None:
    lk = Lookup(reference, "cifar10")
    assert lk.target_epoch == 200 and lk.fidelities == (12, 200)
    assert lk.selection_metric == "test_acc"
    assert any("valid_acc is not measured" in w and "[200]" in w for w in lk.warnings)
    assert lk.clock_unit == "epoch"
    assert lk.describe()["optimum"]["value"] == pytest.approx(94.37333, abs=1e-4)
    row = lk.get(Architecture.from_index(6111), None)
    assert row.value == row.test == pytest.approx(94.37333, abs=1e-4) and row.cum_cost == 200.0


def test_reference_at_12_selects_on_valid(reference) -> None:
    lk = Lookup(reference, "cifar100", epoch=12)
    assert lk.selection_metric == "valid_acc" and lk.fidelities == (12,)
    assert not any("valid_acc" in w for w in lk.warnings)
    assert lk.get(Architecture.from_index(0), 12).cum_cost == 12.0


def test_bad_settings(synthetic) -> None:
    with pytest.raises(UnknownNameError, match="synth"):
        Lookup(synthetic, "cifar10")
    with pytest.raises(NotMeasuredError, match="held: \\[1, 3, 9, 27\\]"):
        Lookup(synthetic, "synth", epoch=5)
    lk = Lookup(synthetic, "synth", epoch=9)
    with pytest.raises(NotMeasuredError, match="valid: \\[1, 3, 9\\]"):
        lk.get(Architecture.from_index(0), 27)


def test_rows_are_cached_by_arch_and_epoch(synthetic) -> None:
    lk = Lookup(synthetic, "synth")
    a = Architecture.from_index(3)
    assert lk.get(a, None) is lk.get(a, None) is lk.get(a.to_string(), 27)


class QueryOnly:
    """A benchmark with only the protocol's scalar methods (like a surrogate): no table rows."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.name, self.search_space, self.datasets = inner.name, inner.search_space, inner.datasets
        self.metrics, self.checksum = inner.metrics, inner.checksum

    def epochs(self, dataset):
        return self._inner.epochs(dataset)

    def query(self, arch, dataset, *, epoch=None, seed=None):
        return self._inner.query(arch, dataset, epoch=epoch, seed=seed)

    def optimum(self, dataset, *, metric="test_acc", epoch=None):
        return self._inner.optimum(dataset, metric=metric, epoch=epoch)


def test_benchmarks_without_rows_give_the_same_answers(synthetic, reference) -> None:
    for bench, ds, epoch in ((synthetic, "synth", None), (reference, "cifar10", None), (reference, "cifar100", 12)):
        table, generic = Lookup(bench, ds, epoch=epoch), Lookup(QueryOnly(bench), ds, epoch=epoch)
        assert table.describe() == generic.describe()
        for i in (0, 99, 15624):
            a = Architecture.from_index(i)
            for e in table.fidelities:
                x, y = table.get(a, e), generic.get(a, e)
                assert (x.arch, x.arch_str, x.epoch) == (y.arch, y.arch_str, y.epoch)
                numbers = ("value", "valid", "test", "cum_cost", "final_test")
                assert [getattr(x, f) for f in numbers] == pytest.approx([getattr(y, f) for f in numbers], nan_ok=True)
