"""``verify``: an untouched generated table agrees exactly; a tampered copy is caught."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.store import write_store
from nasbench_suite.training.generate import generate_table
from nasbench_suite.training.trainer import TrainProtocol
from nasbench_suite.training.verify import seed_band, verify_table


@pytest.fixture(scope="module")
def tampered(tiny_table: Path, tiny: TrainProtocol, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny table with every valid accuracy of the first class's seed 0 raised by 7 points."""
    data = generate_table(tiny_table, tiny, seeds=(0, 1), limit=3, show_progress=False, write=False)
    curves = data.datasets["digits"].curves
    bench = nasbench_suite.open_benchmark(tiny_table)
    curves[:, 0, :, METRICS.index("valid_acc")] += 7.0
    path = tmp_path_factory.mktemp("tampered") / "tampered.h5"
    data.provenance = bench.provenance  # keep the recorded machine so the comparison is exact
    write_store(path, data)
    return path


def test_untouched_table_agrees_exactly(tiny_table: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=2, seed=1)
    assert report.exact, report.reason
    assert report.ok, [c.mismatches for c in report.checks]
    assert len(report.checks) == 4 and all(c.max_deviation == 0.0 for c in report.checks)


def test_tampered_copy_fails(tampered: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tampered), sample=1, seed=0)
    assert not report.ok
    bad = [m["value"] for c in report.checks for m in c.mismatches]
    assert bad and all(v.startswith("valid_acc") for v in bad)


def test_band_mode_accepts_the_untouched_table(tiny_table: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=1, exact=False)
    assert not report.exact and report.ok


def test_seed_band_is_the_spread_between_seeds() -> None:
    curves = np.zeros((4, 2, 1, 2))
    curves[:, 1, 0, 0] = [0.0, 1.0, 2.0, 3.0]
    band = seed_band(curves, quantile=1.0)
    assert band[0, 0] == 3.0 and band[0, 1] == 0.0
    assert np.isnan(seed_band(curves[:, :1])).all()


def test_cli_exit_status(tiny_table: Path, tampered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tiny_table), "--sample", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert main(["verify", str(tampered), "--sample", "1"]) == 1
    assert "disagreements found" in capsys.readouterr().out
