"""A sampled table that grows past its second seed's subset, and architectures proposed by search joining it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite
from nasbench_suite.cli import main
from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space
from nasbench_suite.spaces.base import isomorphism_rows
from nasbench_suite.surrogates.noise import NoiseModel
from nasbench_suite.table_stats import table_stats
from nasbench_suite.training.generate import generate_table, sampled_architectures, sampled_classes
from nasbench_suite.training.journal import Proposal
from nasbench_suite.training.proposals import read_proposals
from nasbench_suite.training.trainer import TrainProtocol
from nasbench_suite.training.verify import verify_table

PILOT, FULL = 3, 5


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory, tiny: TrainProtocol) -> Path:
    """A pilot of 3 sampled NB201 cells at seeds 0 and 1, grown to 5 cells at seed 0 on the same journal."""
    out = tmp_path_factory.mktemp("grow") / "grown.h5"
    generate_table(out, tiny, space="nb201", sample=PILOT, seeds=(0, 1), show_progress=False)
    generate_table(out, tiny, space="nb201", sample=FULL, seeds=(0,), show_progress=False)
    return out


def test_grown_table_keeps_the_pilot_seed_on_its_rows_and_nan_elsewhere(grown: Path, tiny: TrainProtocol) -> None:
    bench = nasbench_suite.open_benchmark(grown)
    assert bench.archs == list(sampled_architectures("nb201", FULL, 0))
    assert bench.seeds(tiny.dataset) == (0, 1)
    curves = bench.curves(tiny.dataset)
    pilot_classes = len(sampled_classes("nb201", PILOT, 0))
    _, cls_of = isomorphism_rows(get_space("nb201"), bench.archs)
    in_pilot = cls_of < pilot_classes
    assert np.isfinite(curves[:, 0]).all()
    assert np.isfinite(curves[in_pilot, 1]).all() and np.isnan(curves[~in_pilot, 1]).all()
    assert bench.protocol["seeds"] == [0, 1]
    assert bench.protocol["seed_coverage"] == {"0": len(sampled_classes("nb201", FULL, 0)), "1": pilot_classes}
    # the seed mean of a row trained once is that seed's number
    solo = int(np.flatnonzero(~in_pilot)[0])
    valid = bench.metric_names(tiny.dataset).index("valid_acc")
    assert bench.query(bench.archs[solo], tiny.dataset).valid_acc == pytest.approx(curves[solo, 0, -1, valid])
    only = generate_table(grown, tiny, space="nb201", sample=FULL, seeds=(0,), show_progress=False, write=False,
                          journaled_seeds=False)
    assert only.datasets[tiny.dataset].seeds.tolist() == [0]


def test_stats_noise_and_verify_handle_a_seed_on_a_subset(grown: Path, tiny: TrainProtocol) -> None:
    bench = nasbench_suite.open_benchmark(grown)
    s = table_stats(bench, tiny.dataset)
    pilot_classes = len(sampled_classes("nb201", PILOT, 0))
    assert s.rows == FULL and s.networks == len(sampled_classes("nb201", FULL, 0))
    assert s.networks_by_seed == {"0": s.networks, "1": pilot_classes} and s.paired_networks == pilot_classes
    assert s.noise is not None and s.noise >= 0 and s.spearman is not None
    per_seed = np.stack([bench.query_many(None, tiny.dataset, metric="valid_acc", seed=k) for k in (0, 1)], axis=1)
    model = NoiseModel.calibrate(per_seed, n_bins=2)
    assert model is not None and all(np.isfinite(model.sigmas))


def _new_archs(k: int, avoid: list[str]) -> list[str]:
    sp = get_space("nb201")
    keys = {sp.parse(a).canonical_key() for a in avoid}
    rng = np.random.default_rng(123)
    out: list[str] = []
    while len(out) < k:
        a = sp.sample(rng)
        if a.canonical_key() not in keys:
            keys.add(a.canonical_key())
            out.append(a.to_string())
    return out


def test_proposed_architectures_join_the_table_and_are_counted(grown: Path, tiny: TrainProtocol, tiny_args: list[str],
                                                               tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sampled = list(sampled_architectures("nb201", FULL, 0))
    new = _new_archs(2, sampled)
    listed = tmp_path / "proposed.txt"
    listed.write_text(f"# two cells bananas found\n{new[0]}\n{sampled[0]}\n{new[1]}\n{new[0]}\n", encoding="utf-8")
    args = [*tiny_args, "--space", "nb201", "--sample", str(FULL), "--seeds", "0", "--out", str(grown),
            "--arch-file", str(listed), "--proposed-by", "bananas", "--proposal-source", "benchmark early (checksum 0123)"]
    assert main(args) == 0
    bench = nasbench_suite.open_benchmark(grown)
    assert bench.archs == [*sampled, *new]  # the sampled duplicate is not trained again
    proposed = bench.protocol["proposed"]
    assert proposed["count"] == 2 and proposed["rows"] == [FULL, FULL + 2]
    assert proposed["by"] == [{"strategy": "bananas", "source": "benchmark early (checksum 0123)", "count": 2}]
    curves = bench.curves(tiny.dataset)
    assert np.isfinite(curves[FULL:, 0]).all() and np.isnan(curves[FULL:, 1]).all()
    assert np.isfinite(bench.costs(tiny.dataset)["params"][FULL:]).all()
    # a later call without the file keeps the proposals: they are part of the journal
    again = generate_table(grown, tiny, space="nb201", sample=FULL, seeds=(0,), show_progress=False, write=False)
    assert again.archs == bench.archs
    capsys.readouterr()
    assert main(["info", str(grown), "--stats"]) == 0
    text = capsys.readouterr().out
    assert "proposed by search: 2 classes" in text and "2 by bananas on benchmark early" in text
    assert main(["info", str(grown), "--stats", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["protocol"]["proposed"]["count"] == 2


@pytest.mark.slow
def test_verify_retrains_each_row_at_the_seeds_it_holds(grown: Path) -> None:
    bench = nasbench_suite.open_benchmark(grown)
    report = verify_table(bench, sample=len(bench.archs), seed=0)
    assert report.ok and report.exact, [c.mismatches for c in report.checks]
    checked = sorted((c.arch, c.seed) for c in report.checks)
    pilot = set(bench.archs[:PILOT])
    assert checked == sorted([(a, 0) for a in bench.archs] + [(a, 1) for a in pilot])


def test_results_file_proposals_carry_strategy_and_benchmark(tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    assert main(["run", "--benchmark", "nb201-digits", "--dataset", "digits-hard", "--strategies", "re", "--seeds", "0",
                 "--budget-evals", "4", "--out", str(results), "--no-progress"]) == 0
    found = read_proposals(results, space="nb201")
    record = json.loads(results.read_text().splitlines()[0])
    assert [p.arch for p in found] == list(dict.fromkeys(record["trajectory"]["arch"]))
    assert {p.strategy for p in found} == {"re"}
    assert {p.source for p in found} == {f"benchmark nb201-digits (checksum {record['benchmark']['checksum'][:16]})"}
    with pytest.raises(ValueError, match="search on space 'nb201'; the table is of space 'darts'"):
        read_proposals(results, space="darts")


def test_bad_proposals_are_refused_before_anything_is_written(tmp_path: Path, tiny: TrainProtocol) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("|nor_conv_3x3~0|\n", encoding="utf-8")
    with pytest.raises(ValueError, match="--proposed-by and --proposal-source"):
        read_proposals(listed, space="nb201")
    bad = [Proposal("|nor_conv_3x3~0|", "re", "x")]
    with pytest.raises(InvalidArchitectureError, match=r"proposed architecture 1 \('\|nor_conv_3x3~0\|'\).*'nb201'"):
        generate_table(tmp_path / "t.h5", tiny, space="nb201", sample=2, seeds=(0,), proposals=bad, show_progress=False)
    with pytest.raises(ValueError, match="join a sampled table"):
        generate_table(tmp_path / "t.h5", tiny, space="nb201", limit=1, seeds=(0,), proposals=bad, show_progress=False)
    assert not list(tmp_path.glob("t.h5*"))
    (tmp_path / "empty.txt").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ValueError, match="lists no architecture"):
        read_proposals(tmp_path / "empty.txt", space="nb201", strategy="re", source="x")
