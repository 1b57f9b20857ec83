"""Sampled tables of every space: the draw, resuming and growing, and generate -> verify -> zc end to end."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import nasbench_suite
from nasbench_suite.cli import main
from nasbench_suite.spaces import SPACES, get_space
from nasbench_suite.training.generate import generate_table, journal_path, sampled_architectures, sampled_classes
from nasbench_suite.training.trainer import TrainProtocol
from nasbench_suite.training.verify import verify_table

#: a sampled-table protocol that trains each job in about a second (TransNAS micro at 2 base channels)
MICRO = TrainProtocol(dataset="digits", skeleton="light", channels=2, cells=1, epochs=1, batch_size=256)


@pytest.mark.parametrize("space", SPACES.names())
def test_sample_is_distinct_seeded_and_extends(space: str) -> None:
    a = sampled_architectures(space, 12, 3)
    assert len(set(a)) == 12
    assert sampled_architectures(space, 20, 3)[:12] == a  # a larger sample with the same seed extends it
    assert sampled_architectures(space, 12, 4) != a
    sp = get_space(space)
    assert all(sp.parse(x).to_string() == x for x in a)
    classes = sampled_classes(space, 12, 3)
    assert sorted(m for c in classes for m in c.members) == list(range(12))
    assert [c.representative for c in classes] == sorted(c.representative for c in classes)


def test_sample_bigger_than_the_space_is_refused() -> None:
    with pytest.raises(ValueError, match="exceeds the 3,256 architectures"):
        sampled_architectures("transnas101-macro", 5000, 0)


@pytest.mark.parametrize("space", ["darts", "nb101"])
def test_spaces_without_an_index_need_a_sample(tmp_path: Path, space: str) -> None:
    protocol = TrainProtocol(dataset="digits", skeleton="light", channels=2, cells=1, epochs=1)
    with pytest.raises(ValueError, match="--sample N"):
        generate_table(tmp_path / "t.h5", protocol, space=space, show_progress=False)


def test_unknown_skeleton_of_a_space_lists_its_skeletons(tmp_path: Path) -> None:
    protocol = TrainProtocol(dataset="digits", skeleton="nb201", epochs=1)
    with pytest.raises(nasbench_suite.errors.UnknownNameError, match="'light', 'official', 'search'"):
        generate_table(tmp_path / "t.h5", protocol, space="darts", sample=2, show_progress=False)


def test_sampled_table_resumes_grows_verifies_and_records_its_draw(tmp_path: Path) -> None:
    out = tmp_path / "micro.h5"
    small = generate_table(out, MICRO, space="transnas101-micro", sample=3, sample_seed=5, seeds=(0,),
                           show_progress=False)
    assert small.archs == list(sampled_architectures("transnas101-micro", 3, 5))
    assert small.protocol["sample"] == {"size": 3, "seed": 5}
    assert small.protocol["space"] == "transnas101-micro" and small.protocol["skeleton"] == "light"
    with sqlite3.connect(journal_path(out)) as db:
        first = db.execute("SELECT cls, seed, finished FROM jobs ORDER BY cls").fetchall()
    grown = generate_table(out, MICRO, space="transnas101-micro", sample=5, sample_seed=5, seeds=(0,),
                           show_progress=False)
    with sqlite3.connect(journal_path(out)) as db:
        after = db.execute("SELECT cls, seed, finished FROM jobs ORDER BY cls").fetchall()
    assert after[: len(first)] == first  # the first three were not retrained
    assert len(grown.archs) == 5 and grown.archs[:3] == small.archs
    with pytest.raises(nasbench_suite.training.journal.ProtocolMismatchError, match="sample_seed"):
        generate_table(out, MICRO, space="transnas101-micro", sample=5, sample_seed=6, seeds=(0,), show_progress=False)

    bench = nasbench_suite.open_benchmark(out)
    assert bench.row_order == "listed" and bench.space_name == "transnas101-micro"
    assert bench.protocol["sample"] == {"size": 5, "seed": 5} and bench.protocol["space"] == "transnas101-micro"
    report = verify_table(bench, sample=2, seed=0)
    assert report.exact and report.ok, [c.mismatches for c in report.checks]


def test_cli_generate_verify_zc_on_a_sampled_space(tmp_path: Path) -> None:
    out, scored = tmp_path / "sss.h5", tmp_path / "sss-zc.h5"
    args = ["generate", "--space", "nats-sss", "--sample", "3", "--epochs", "1", "--dataset", "digits",
            "--seeds", "0", "--no-progress", "--out", str(out)]
    assert main(args) == 0
    bench = nasbench_suite.open_benchmark(out)
    assert bench.protocol["channels"] == 4  # the nats-sss light skeleton's own default, not NB201's 8
    assert main(["verify", str(out), "--sample", "2"]) == 0
    assert main(["zc", "--benchmark", str(out), "--out", str(scored), "--workers", "1", "--no-progress",
                 "--proxies", "synflow,nwot,params"]) == 0
    zc = nasbench_suite.open_benchmark(scored)
    prov = zc.dataset_provenance("digits")["zero_cost"]
    assert prov["space"] == "nats-sss"
    assert all(abs(v) > 0 for v in zc.columns("digits")["zc/params"])


@pytest.mark.slow
@pytest.mark.parametrize("space", SPACES.names())
def test_every_space_generates_a_table_that_verifies(tmp_path: Path, space: str) -> None:
    """What ``nasbench generate --space S --sample N --epochs 1`` then ``nasbench verify`` do, per space."""
    out = tmp_path / f"{space}.h5"
    args = ["generate", "--space", space, "--sample", "4", "--epochs", "1", "--seeds", "0", "1",
            "--workers", "2", "--no-progress", "--out", str(out)]
    assert main(args) == 0
    assert main(["verify", str(out), "--sample", "2"]) == 0
