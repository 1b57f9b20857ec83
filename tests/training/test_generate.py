"""Generation: isomorphism classes, a tiny table end to end, the journal, and bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.benchmark import COSTS, METRICS
from nasbench_suite.errors import UnknownNameError
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.training.generate import generate_table, isomorphism_classes, journal_path
from nasbench_suite.training.journal import ProtocolMismatchError

from nasbench_suite.training.trainer import TrainProtocol


def test_isomorphism_classes_cover_the_space() -> None:
    classes = isomorphism_classes("nb201")
    assert len(classes) == 6466
    assert sum(len(c.members) for c in classes) == 15625
    reps = [c.representative for c in classes]
    assert reps == sorted(reps)
    for c in classes[:50]:
        assert c.representative == min(c.members)
        keys = {Architecture.from_index(m).canonical_key() for m in c.members}
        assert len(keys) == 1


def test_tiny_table_holds_every_member_of_the_trained_classes(tiny_table: Path) -> None:
    bench = nasbench_suite.open_benchmark(tiny_table)
    classes = isomorphism_classes("nb201")[:3]
    members = sorted(m for c in classes for m in c.members)
    assert [Architecture.from_string(a).index for a in bench.archs] == members
    assert bench.datasets == ("digits",)
    assert bench.seeds("digits") == (0, 1) and bench.epochs("digits") == (1,)
    curves = bench.curves("digits")
    assert curves.shape == (len(members), 2, 1, len(METRICS)) and np.isfinite(curves).all()
    # every member carries its class's numbers
    for c in classes:
        rows = [bench.row(Architecture.from_index(m)) for m in c.members]
        assert all(np.array_equal(curves[r], curves[rows[0]]) for r in rows)
    costs = bench.costs("digits")
    assert set(costs) == set(COSTS) and all(np.isfinite(v).all() for v in costs.values())
    assert bench.protocol["epochs"] == 1 and bench.protocol["seeds"] == [0, 1]
    assert bench.protocol["classes_trained"] == 3


def test_journal_has_one_row_per_job(tiny_table: Path) -> None:
    with sqlite3.connect(journal_path(tiny_table)) as db:
        rows = db.execute("SELECT cls, seed FROM jobs ORDER BY cls, seed").fetchall()
    assert rows == [(c, s) for c in range(3) for s in (0, 1)]


def test_rerun_of_a_finished_generation_trains_nothing(tiny_table: Path, tiny: TrainProtocol) -> None:
    def rows() -> list[tuple]:
        with sqlite3.connect(journal_path(tiny_table)) as db:
            return db.execute("SELECT cls, seed, finished FROM jobs ORDER BY cls, seed").fetchall()

    before = rows()
    data = generate_table(tiny_table, tiny, seeds=(0,), limit=3, show_progress=False, write=False)
    assert data.datasets["digits"].seeds.tolist() == [0, 1]  # the journal's other seed is kept
    only = generate_table(tiny_table, tiny, seeds=(0,), limit=3, show_progress=False, write=False, journaled_seeds=False)
    assert only.datasets["digits"].seeds.tolist() == [0]  # a subset of the journaled seeds assembles at once
    assert rows() == before


def test_different_protocol_is_refused(tiny_table: Path, tiny: TrainProtocol) -> None:
    other = TrainProtocol(**{**tiny.to_dict(), "lr": 0.05})
    with pytest.raises(ProtocolMismatchError, match="lr"):
        generate_table(tiny_table, other, limit=3, show_progress=False)


def test_existing_output_without_journal_is_refused(tmp_path: Path, tiny: TrainProtocol) -> None:
    out = tmp_path / "t.h5"
    out.write_bytes(b"not ours")
    with pytest.raises(ProtocolMismatchError, match="no generation journal"):
        generate_table(out, tiny, limit=1, show_progress=False)


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({"space": "nb999"}, "nb201"),
        ({"engine": "slurm"}, "local"),
    ],
)
def test_unknown_space_or_engine(tmp_path: Path, tiny: TrainProtocol, change: dict, valid: str) -> None:
    with pytest.raises(UnknownNameError, match=valid):
        generate_table(tmp_path / "t.h5", tiny, limit=1, show_progress=False, **change)


@pytest.mark.parametrize(("field", "value", "valid"), [("dataset", "mnist", "digits-hard"), ("skeleton", "vgg", "light")])
def test_unknown_dataset_or_skeleton(tmp_path: Path, tiny: TrainProtocol, field: str, value: str, valid: str) -> None:
    protocol = TrainProtocol(**{**tiny.to_dict(), field: value})
    with pytest.raises(UnknownNameError, match=valid):
        generate_table(tmp_path / "t.h5", protocol, limit=1, show_progress=False)
    assert not (tmp_path / "t.h5.journal.sqlite").exists()


def test_cli_reports_unknown_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nasbench_suite.cli import main

    assert main(["generate", "--dataset", "mnist", "--out", str(tmp_path / "t.h5")]) == 2
    assert "digits-hard" in capsys.readouterr().err
