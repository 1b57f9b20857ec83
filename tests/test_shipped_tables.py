"""The tables shipped in ``datasets/``: intact, self-describing, trustworthy by their own seed pairs, reproducible."""

from __future__ import annotations

from pathlib import Path

import pytest

import nasbench_suite
from nasbench_suite.table_stats import accuracy_stats
from nasbench_suite.training.verify import verify_table

REPO = Path(__file__).resolve().parents[1]
TABLES = sorted((REPO / "datasets").glob("*.h5"))
#: the least seed-to-seed Spearman of final validation accuracy a shipped table may have
MIN_SEED_SPEARMAN = 0.8


def test_the_suite_ships_tables() -> None:
    assert {"nb201-digits", "nb101-digits"} <= {p.stem for p in TABLES}


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_shipped_table_is_intact_and_records_how_it_was_trained(path: Path) -> None:
    with nasbench_suite.open_benchmark(path, verify=True) as bench:
        assert bench.name == path.stem
        protocol = bench.protocol
        assert protocol.get("space", bench.space_name) == bench.space_name
        assert protocol["dataset"] in bench.datasets and protocol["epochs"] >= 1 and protocol["seeds"]
        assert protocol["skeleton"] and protocol["optimizer"] and protocol["lr_schedule"]
        assert bench.provenance["machine"]["torch"], "a shipped table records the machine it was trained on"


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_shipped_table_ranks_networks_alike_across_seeds(path: Path) -> None:
    with nasbench_suite.open_benchmark(path) as bench:
        stats = [s for s in accuracy_stats(bench) if s.metric == "valid_acc"]
    assert stats
    for s in stats:
        assert s.paired_networks is None or s.paired_networks >= 100, (s.dataset, s.paired_networks)
        assert s.spearman is not None and s.spearman >= MIN_SEED_SPEARMAN, (s.dataset, s.spearman)
        assert s.spread_to_noise is not None and s.spread_to_noise > 2, (s.dataset, s.spread_to_noise)


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.stem)
def test_a_shipped_entry_retrains_to_its_numbers(path: Path) -> None:
    with nasbench_suite.open_benchmark(path) as bench:
        report = verify_table(bench, sample=1, seed=3)
    assert report.ok, [c.mismatches for c in report.checks]
