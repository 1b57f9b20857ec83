"""Growing a sampled table that travelled without its journal (``generate --extend``)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.training.generate import generate_table, journal_path, sampled_architectures
from nasbench_suite.training.journal import Proposal, ProtocolMismatchError
from nasbench_suite.training.trainer import TrainProtocol
from nasbench_suite.training.verify import verify_table

MICRO = TrainProtocol(dataset="digits", skeleton="light", channels=2, cells=1, epochs=1, batch_size=256)
SPACE = "transnas101-micro"


def _table(path: Path) -> dict:
    with nasbench_suite.open_benchmark(path) as b:
        return {"archs": list(b.archs), "curves": b.curves("digits"), "costs": b.costs("digits"),
                "seeds": b.seeds("digits"), "protocol": b.protocol, "provenance": b.provenance}


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(reference, extended): one table grown with its journal, the same grown in place from a journal-less copy."""
    tmp = tmp_path_factory.mktemp("extend")
    ref, copy = tmp / "ref.h5", tmp / "shipped.h5"
    proposal = Proposal(sampled_architectures(SPACE, 60, 5)[50], "re", "surrogate s (checksum abc)")
    generate_table(ref, MICRO, space=SPACE, sample=3, sample_seed=5, seeds=(0, 1), proposals=[proposal],
                   show_progress=False)
    shutil.copy(ref, copy)  # the table alone, as a shipped file travels
    generate_table(ref, MICRO, space=SPACE, sample=5, sample_seed=5, seeds=(0,), show_progress=False)
    assert main(["generate", "--space", SPACE, "--dataset", "digits", "--skeleton", "light", "--channels", "2",
                 "--cells", "1", "--epochs", "1", "--batch-size", "256", "--sample", "5", "--sample-seed", "5",
                 "--seeds", "0", "--extend", str(copy), "--out", str(copy), "--no-progress"]) == 0
    return ref, copy


def test_extended_table_equals_the_one_grown_with_its_journal(grown: tuple[Path, Path]) -> None:
    ref, ext = (_table(p) for p in grown)
    assert ext["archs"] == ref["archs"] and len(ext["archs"]) == 6  # five draws and the proposal
    assert ext["seeds"] == ref["seeds"] == (0, 1)
    # imported rows (the first three draws and the proposal, the last row) are the source's numbers bit for bit,
    # timings included; the two new draws were trained twice, so only their timings may differ
    imported = [0, 1, 2, 5]
    np.testing.assert_array_equal(ext["curves"][imported], ref["curves"][imported])  # NaN: no seed-1 job
    untimed = [i for i, m in enumerate(METRICS) if m != "train_time"]
    np.testing.assert_array_equal(ext["curves"][..., untimed], ref["curves"][..., untimed])
    for name in ref["costs"]:
        rows = imported if name == "latency" else slice(None)
        np.testing.assert_array_equal(ext["costs"][name][rows], ref["costs"][name][rows])
    assert ext["protocol"] == ref["protocol"]
    assert ext["protocol"]["proposed"]["by"][0]["strategy"] == "re"
    assert ext["protocol"]["seed_coverage"] == {"0": 6, "1": 4}


def test_only_new_draws_are_trained_and_the_source_is_recorded(grown: tuple[Path, Path]) -> None:
    _, ext = grown
    with sqlite3.connect(journal_path(ext)) as db:
        workers = [w for (w,) in db.execute("SELECT worker FROM jobs")]
    assert workers.count("imported") == 8 and len(workers) == 10  # 4 classes x 2 seeds imported, 2 trained
    provenance = _table(ext)["provenance"]
    (source,) = provenance["extended_from"]
    assert source["table"] == "shipped.h5" and source["jobs"] == 8 and source["checksum"].startswith("sha256:")
    assert provenance["job_seconds_total"] > source["job_seconds_total"] > 0
    report = verify_table(nasbench_suite.open_benchmark(ext), sample=2, seed=0)
    assert report.exact and report.ok, [c.mismatches for c in report.checks]
    # the same command again: the grown table's jobs are all journaled already, so nothing is counted twice
    again = generate_table(ext, MICRO, space=SPACE, sample=5, sample_seed=5, seeds=(0,), extend=ext, show_progress=False)
    assert again.provenance["extended_from"] == provenance["extended_from"]
    assert again.provenance["job_seconds_total"] == pytest.approx(provenance["job_seconds_total"])


def test_extending_needs_the_same_draw_space_and_protocol(grown: tuple[Path, Path], tmp_path: Path,
                                                          tiny_table: Path) -> None:
    _, ext = grown
    out = tmp_path / "t.h5"
    with pytest.raises(ProtocolMismatchError, match="sample seed 5, not 6"):
        generate_table(out, MICRO, space=SPACE, sample=6, sample_seed=6, extend=ext, show_progress=False)
    with pytest.raises(ProtocolMismatchError, match="differing: epochs"):
        generate_table(out, TrainProtocol(**{**MICRO.to_dict(), "epochs": 2}), space=SPACE, sample=6, sample_seed=5,
                       extend=ext, show_progress=False)
    with pytest.raises(ProtocolMismatchError, match="of space 'transnas101-micro', not 'nb101'"):
        generate_table(out, MICRO, space="nb101", sample=6, sample_seed=5, extend=ext, show_progress=False)
    with pytest.raises(ProtocolMismatchError, match="not a sampled table"):
        generate_table(out, MICRO, space="nb201", sample=6, extend=tiny_table, show_progress=False)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        generate_table(out, MICRO, space=SPACE, sample=6, sample_seed=5, extend=tmp_path / "nope.h5",
                       show_progress=False)
    with pytest.raises(ValueError, match="--sample N"):
        generate_table(out, MICRO, space=SPACE, extend=ext, show_progress=False)
    assert not out.exists() and not journal_path(out).exists()


def test_an_inconsistent_proposal_record_is_refused(grown: tuple[Path, Path], tmp_path: Path) -> None:
    """A table whose protocol points proposed rows at strategies it does not list is a clear error, not a crash."""
    import json

    import h5py

    from nasbench_suite.store.format import content_checksum

    _, ext = grown
    bad = tmp_path / "bad.h5"
    shutil.copy(ext, bad)
    with h5py.File(bad, "r+") as f:
        protocol = json.loads(f.attrs["protocol"])
        protocol["proposed"]["row_by"] = [7]
        f.attrs["protocol"] = json.dumps(protocol)
        f.attrs["checksum"] = content_checksum(f)  # a well-formed file, consistent checksum, wrong record
    with pytest.raises(ProtocolMismatchError, match="inconsistent"):
        generate_table(tmp_path / "t.h5", MICRO, space=SPACE, sample=6, sample_seed=5, extend=bad, show_progress=False)
