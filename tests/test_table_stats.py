"""Seed agreement, spread against noise and range of a table, over distinct networks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.errors import NotMeasuredError
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite import open_benchmark
from nasbench_suite.store import write_store
from nasbench_suite.store.model import BenchmarkData, DatasetTable
from nasbench_suite.table_stats import distinct_rows, kendall_ceiling, table_stats

VALID = METRICS.index("valid_acc")
TEST = METRICS.index("test_acc")


def _generated_table(path: Path, *, n: int, seeds: tuple[int, ...], arch_sd: float, seed_sd: float) -> Path:
    """A table made like a generated one: one draw per isomorphism class, copied to every member.

    valid_acc = 50 + network effect (sd ``arch_sd``) + seed noise (sd ``seed_sd``), at every epoch;
    test_acc is one point lower.
    """
    rng = np.random.default_rng(0)
    archs = [Architecture.from_index(i) for i in range(n)]
    keys = [a.canonical_key() for a in archs]
    classes = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    effect = rng.normal(0, arch_sd, len(classes))
    noise = rng.normal(0, seed_sd, (len(classes), len(seeds)))
    cls = np.array([classes[k] for k in keys])
    curves = np.full((n, len(seeds), 2, len(METRICS)), 50.0)
    curves[:, :, :, VALID] = (50 + effect[cls, None] + noise[cls])[:, :, None]
    curves[:, :, :, TEST] = curves[:, :, :, VALID] - 1
    table = DatasetTable(
        epochs=np.array([1, 2]), seeds=np.array(seeds), metrics=METRICS, curves=curves,
        costs=np.ones((n, 3)), cost_names=("params", "flops", "latency"),
    )
    write_store(path, BenchmarkData(name="gen", search_space="nb201", archs=[a.to_string() for a in archs],
                                    datasets={"d": table}))
    return path


def test_numbers_are_computed_over_one_row_per_class(tmp_path: Path) -> None:
    bench = open_benchmark(_generated_table(tmp_path / "t.h5", n=400, seeds=(0, 1, 2), arch_sd=3.0, seed_sd=1.0))
    rows = distinct_rows(bench)
    keys = [Architecture.from_string(a).canonical_key() for a in bench.archs]
    assert len(rows) == len(set(keys)) < len(keys)  # the first 400 cells hold isomorphic copies
    assert [keys[r] for r in rows] == list(dict.fromkeys(keys))  # the first member of each class

    s = table_stats(bench, "d", metric="valid_acc")
    v = np.stack([bench.query_many(None, "d", metric="valid_acc", seed=k) for k in (0, 1, 2)], axis=1)[rows]
    pairs = [(0, 1), (0, 2), (1, 2)]
    assert s.networks == len(rows) and s.rows == 400 and s.epoch == 2 and s.seeds == (0, 1, 2)
    assert s.spearman == pytest.approx(np.mean([spearmanr(v[:, i], v[:, j]).statistic for i, j in pairs]))
    assert s.kendall == pytest.approx(np.mean([kendalltau(v[:, i], v[:, j]).statistic for i, j in pairs]))
    assert s.noise == pytest.approx(math.sqrt(np.mean(np.var(v, axis=1, ddof=1))))
    assert s.spread == pytest.approx(np.std(v.mean(axis=1), ddof=1))
    assert s.spread_to_noise == pytest.approx(s.spread / s.noise)
    assert (s.minimum, s.median, s.maximum) == pytest.approx(
        (v.mean(1).min(), np.median(v.mean(1)), v.mean(1).max()))
    assert s.best == s.maximum and bench.query(s.best_arch, "d").valid_acc == pytest.approx(s.best)
    # copies of a class agree with themselves, so counting every row inflates the agreement
    assert s.spearman_all_rows > s.spearman


def test_large_table_recovers_the_planted_noise_and_spread(tmp_path: Path) -> None:
    bench = open_benchmark(_generated_table(tmp_path / "t.h5", n=15625, seeds=(0, 1), arch_sd=2.0, seed_sd=1.0))
    s = table_stats(bench, "d")
    assert s.networks == 6466
    assert s.noise == pytest.approx(1.0, rel=0.05)
    assert s.spread == pytest.approx(math.sqrt(4.0 + 1.0 / 2), rel=0.05)  # the seed mean keeps half the noise variance
    rho = 4.0 / (4.0 + 1.0)  # correlation of two seeds; Spearman of a normal pair is 6/pi asin(rho/2)
    assert s.spearman == pytest.approx(6 / math.pi * math.asin(rho / 2), abs=0.02)


def test_one_seed_or_means_only_has_no_noise_and_rows_with_one_seed_count_in_the_range_only(tmp_path: Path) -> None:
    path = _generated_table(tmp_path / "t.h5", n=50, seeds=(-1,), arch_sd=3.0, seed_sd=0.0)
    s = table_stats(open_benchmark(path), "d")
    assert s.seeds == (-1,) and s.noise is None and s.spearman is None and s.spread_to_noise is None
    assert s.spread > 0

    data = BenchmarkData(name="gaps", search_space="nb201",
                         archs=[Architecture.from_index(i).to_string() for i in range(6)], datasets={})
    curves = np.full((6, 2, 1, len(METRICS)), np.nan)
    curves[:, :, 0, VALID] = [[1, 2], [3, 5], [np.nan, 4], [6, 6], [7, 9], [8, 7]]
    data.datasets["d"] = DatasetTable(epochs=np.array([5]), seeds=np.array([0, 1]), metrics=METRICS, curves=curves,
                                      costs=np.ones((6, 3)), cost_names=("params", "flops", "latency"))
    write_store(tmp_path / "gaps.h5", data)
    bench = open_benchmark(tmp_path / "gaps.h5")
    s = table_stats(bench, "d", rows=np.arange(6))
    assert s.rows == 6 and s.networks == 6 and s.minimum == 1.5 and s.maximum == 8.0 and s.median == 5.0
    assert s.networks_by_seed == {"0": 5, "1": 6} and s.paired_networks == 5
    paired = np.array([[1, 2], [3, 5], [6, 6], [7, 9], [8, 7]], dtype=float)
    assert s.noise == pytest.approx(math.sqrt(np.mean(np.var(paired, axis=1, ddof=1))))
    assert s.spearman == pytest.approx(spearmanr(paired[:, 0], paired[:, 1]).statistic)
    with pytest.raises(NotMeasuredError, match=r"epoch 3 of dataset 'd': the table holds epochs \[5\]"):
        table_stats(bench, "d", epoch=3)
    with pytest.raises(NotMeasuredError, match="test_acc at epoch 5"):
        table_stats(bench, "d", metric="test_acc")


def test_cli_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _generated_table(tmp_path / "t.h5", n=200, seeds=(0, 1), arch_sd=3.0, seed_sd=1.0)
    assert main(["info", str(path), "--stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)["stats"]
    assert [(r["metric"], r["epoch"]) for r in stats] == [("valid_acc", 2), ("test_acc", 2)]
    assert stats[0] == table_stats(open_benchmark(path), "d").to_dict()
    assert main(["info", str(path), "--epoch", "1"]) == 0
    out = capsys.readouterr().out
    assert "Spearman, seeds" in out and f"{stats[0]['spearman']:.3f}" in out and "best d valid_acc" in out
    assert main(["info", str(path), "--stats", "--epoch", "7"]) == 2
    assert "epoch 7: the datasets hold epochs {'d': [1, 2]}" in capsys.readouterr().err


def test_plot_over_epochs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _generated_table(tmp_path / "t.h5", n=200, seeds=(0, 1), arch_sd=3.0, seed_sd=1.0)
    assert main(["info", str(path), "--plot", str(tmp_path / "agreement.png"), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["plot"] == str(tmp_path / "agreement.png") and (tmp_path / "agreement.png").stat().st_size > 20_000
    means = _generated_table(tmp_path / "m.h5", n=50, seeds=(-1,), arch_sd=3.0, seed_sd=0.0)
    assert main(["info", str(means), "--plot", str(tmp_path / "none.png")]) == 2
    assert "no entry has two or more seeds" in capsys.readouterr().err and not (tmp_path / "none.png").exists()


def test_kendall_ceiling_matches_a_simulated_noiseless_predictor() -> None:
    rng = np.random.default_rng(0)
    # skewed truths (many good networks, a tail of bad ones), as accuracy tables are
    truth = 90 - rng.gamma(1.5, 6.0, 20_000)
    runs = truth[:, None] + rng.normal(0, 3.0, (truth.size, 3))
    between_seeds = kendalltau(runs[:, 0], runs[:, 1]).statistic
    for k in (1, 2, 3):
        measured = runs[:, :k].mean(axis=1)
        assert kendall_ceiling(between_seeds, k) == pytest.approx(kendalltau(truth, measured).statistic, abs=0.02)
    assert kendall_ceiling(between_seeds, 1) < kendall_ceiling(between_seeds, 2) < 1.0


@pytest.mark.parametrize("bad", [{"seed_kendall": 1.5}, {"seed_kendall": float("nan")}, {"seed_kendall": 0.5, "seeds": 0},
                                 {"seed_kendall": 0.5, "seeds": 1.5}])
def test_kendall_ceiling_refuses_what_is_not_a_tau_or_a_seed_count(bad: dict) -> None:
    with pytest.raises(ValueError, match="seed_kendall|seeds"):
        kendall_ceiling(**bad)
