"""``verify``: an untouched generated table agrees exactly; a tampered copy is caught; foreign numerics use the band."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.store import write_store
from nasbench_suite.training.generate import generate_table
from nasbench_suite.training.trainer import TrainProtocol
from nasbench_suite.numerics import NumericsFingerprint, current_fingerprint, numerics_context
from nasbench_suite.training import trainer
from nasbench_suite.training import verify as verify_module
from nasbench_suite.training.verify import choose_mode, recorded_fingerprint, seed_band, verify_table


def _foreign(**changes: object):
    """A ``current_fingerprint`` standing in for another machine: this one's with ``changes``."""
    real = current_fingerprint

    def fingerprint(**kwargs: object) -> NumericsFingerprint:
        return replace(real(**kwargs), **changes)

    return fingerprint


def _copy(tiny_table: Path, tiny: TrainProtocol, path: Path, *, provenance: dict) -> Path:
    data = generate_table(tiny_table, tiny, seeds=(0, 1), limit=3, show_progress=False, write=False)
    data.provenance = provenance
    write_store(path, data)
    return path


def _shift_retrained(monkeypatch: pytest.MonkeyPatch, metric: str, delta: float) -> None:
    """Make retraining report ``metric`` off by ``delta`` (a real deviation of the retrained numbers)."""
    train = trainer.train_architecture

    def shifted(*args: object, **kwargs: object) -> trainer.RunRecord:
        record = train(*args, **kwargs)
        curves = record.curves.copy()
        curves[:, METRICS.index(metric)] += delta
        return replace(record, curves=curves)

    monkeypatch.setattr(trainer, "train_architecture", shifted)


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


def test_generate_records_the_numerics_fingerprint(tiny_table: Path) -> None:
    recorded, why = recorded_fingerprint(nasbench_suite.open_benchmark(tiny_table))
    assert recorded is not None, why
    with numerics_context(threads=1):
        assert recorded == current_fingerprint(device="cpu")
    assert recorded.threads == 1 and recorded.deterministic_algorithms


def test_untouched_table_agrees_exactly(tiny_table: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=2, seed=1)
    assert report.mode == "exact" and report.exact, report.reason
    assert "numerics fingerprint equals the table's" in report.reason
    assert report.decision.differences == ()
    assert report.ok, [c.mismatches for c in report.checks]
    assert len(report.checks) == 4 and all(c.max_deviation == 0.0 for c in report.checks)


def test_tampered_copy_fails(tampered: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tampered), sample=1, seed=0)
    assert not report.ok
    bad = [m["value"] for c in report.checks for m in c.mismatches]
    assert bad and all(v.startswith("valid_acc") for v in bad)


def test_band_mode_accepts_the_untouched_table(tiny_table: Path) -> None:
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=1, mode="band")
    assert report.mode == "band" and not report.exact and report.ok
    assert report.reason.startswith("band comparison requested; the fingerprints agree")


def test_a_foreign_fingerprint_chooses_the_band(tiny_table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify_module, "current_fingerprint", _foreign(torch_cpu_capability="FOREIGN"))
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=1)
    assert report.mode == "band" and report.ok, report.reason
    assert "torch_cpu_capability: recorded" in report.reason and "here 'FOREIGN'" in report.reason
    assert [d.field for d in report.decision.differences] == ["torch_cpu_capability"]


def test_a_deviation_beyond_the_band_still_fails(tiny_table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = nasbench_suite.open_benchmark(tiny_table)
    band = float(seed_band(bench.curves("digits"))[0, METRICS.index("valid_acc")])
    assert band > 0
    monkeypatch.setattr(verify_module, "current_fingerprint", _foreign(numpy_simd=("SOMEWHERE", "ELSE")))
    _shift_retrained(monkeypatch, "valid_acc", 1.5 * band)
    report = verify_table(bench, sample=1)
    assert report.mode == "band" and not report.ok
    bad = {m["value"] for c in report.checks for m in c.mismatches}
    assert bad == {"valid_acc@1"}
    assert all(m["tolerance"] == band for c in report.checks for m in c.mismatches)


def test_a_deviation_within_the_band_passes_only_in_band_mode(tiny_table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bench = nasbench_suite.open_benchmark(tiny_table)
    band = float(seed_band(bench.curves("digits"))[0, METRICS.index("valid_acc")])
    monkeypatch.setattr(verify_module, "current_fingerprint", _foreign(threads=3))
    _shift_retrained(monkeypatch, "valid_acc", 0.5 * band)
    assert verify_table(bench, sample=1).ok
    forced = verify_table(bench, sample=1, mode="exact")
    assert forced.mode == "exact" and not forced.ok
    assert forced.reason.startswith("exact comparison requested; the numerics differ from the table's (threads:")


def test_params_and_flops_are_exact_in_band_mode(tiny_table: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    train = trainer.train_architecture

    def one_more_param(*args: object, **kwargs: object) -> trainer.RunRecord:
        record = train(*args, **kwargs)
        return replace(record, params=record.params + 1)

    monkeypatch.setattr(trainer, "train_architecture", one_more_param)
    report = verify_table(nasbench_suite.open_benchmark(tiny_table), sample=1, mode="band")
    assert {m["value"] for c in report.checks for m in c.mismatches} == {"params"}


def test_a_table_without_a_fingerprint_uses_the_band(
    tiny_table: Path, tiny: TrainProtocol, tmp_path: Path
) -> None:
    provenance = {k: v for k, v in nasbench_suite.open_benchmark(tiny_table).provenance.items() if k != "numerics"}
    bench = nasbench_suite.open_benchmark(_copy(tiny_table, tiny, tmp_path / "old.h5", provenance=provenance))
    report = verify_table(bench, sample=1)
    assert report.mode == "band" and report.ok
    assert report.reason == "the table records no numerics fingerprint: compared within the table's seed-to-seed band"
    assert report.to_dict()["numerics"]["recorded"] is None
    assert report.to_dict()["numerics"]["recorded_machine"]["cpu"]  # the old record, as information


def test_a_gpu_on_either_side_uses_the_band(tiny_table: Path) -> None:
    recorded, _ = recorded_fingerprint(nasbench_suite.open_benchmark(tiny_table))
    assert recorded is not None
    gpu = replace(recorded, device="cuda", device_name="Some GPU", cuda="12.8", cudnn=91000)
    for table_side, here_side in ((gpu, recorded), (recorded, gpu), (gpu, gpu)):
        decision = choose_mode(table_side, here_side)
        assert decision.mode == "band" and "GPU kernels are not bit-stable" in decision.reason
    assert choose_mode(gpu, gpu, requested="exact").mode == "exact"
    with pytest.raises(ValueError, match="verify mode must be one of auto, exact, band, got 'bitwise'"):
        choose_mode(recorded, recorded, requested="bitwise")


def test_an_unreadable_fingerprint_uses_the_band() -> None:
    class Table:
        provenance = {"numerics": {"torch": "2.0"}}

    recorded, why = recorded_fingerprint(Table())
    assert recorded is None and why.startswith("the table's numerics fingerprint cannot be read (")
    here = current_fingerprint()
    assert choose_mode(None, here, missing=why).reason.startswith(why)


def test_seed_band_is_the_spread_between_seeds() -> None:
    curves = np.zeros((4, 2, 1, 2))
    curves[:, 1, 0, 0] = [0.0, 1.0, 2.0, 3.0]
    band = seed_band(curves, quantile=1.0)
    assert band[0, 0] == 3.0 and band[0, 1] == 0.0
    assert np.isnan(seed_band(curves[:, :1])).all()


def test_cli_exit_status(tiny_table: Path, tampered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tiny_table), "--sample", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["mode"] == "exact"
    assert report["numerics"]["recorded"]["digest"] == report["numerics"]["here"]["digest"]
    assert report["numerics"]["differences"] == []
    assert main(["verify", str(tampered), "--sample", "1"]) == 1
    assert "disagreements found" in capsys.readouterr().out


def test_cli_json_reports_both_fingerprints_and_their_differences(
    tiny_table: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify_module, "current_fingerprint", _foreign(torch_cpu_capability="FOREIGN"))
    assert main(["verify", str(tiny_table), "--sample", "1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "band" and report["numerics"]["requested"] == "auto"
    assert report["numerics"]["here"]["torch_cpu_capability"] == "FOREIGN"
    assert report["numerics"]["recorded"]["digest"] != report["numerics"]["here"]["digest"]
    assert [d["field"] for d in report["numerics"]["differences"]] == ["torch_cpu_capability"]
    assert main(["verify", str(tiny_table), "--sample", "1", "--mode", "exact"]) == 0  # bits agree here
    out = capsys.readouterr().out
    assert "exact mode: exact comparison requested; the numerics differ" in " ".join(out.split())
