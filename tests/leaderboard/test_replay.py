"""Runs whose own compute decides: decisions are recorded, replayed exactly, and recomputed within tolerance."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nasbench_suite.harness.results import dumps, trajectory_hash
from nasbench_suite.leaderboard.replay import recompute_decisions
from nasbench_suite.leaderboard.verify import verify_results

REPO = Path(__file__).resolve().parents[2]
PARAMS = {"ws-gdas": {"epochs": 1, "steps_per_epoch": 2}, "ws-rsws": {"epochs": 1, "steps_per_epoch": 2, "candidates": 12},
          "zc-re": {"candidates": 8}}


@pytest.fixture(scope="module")
def own_compute(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(store, results) of ws-gdas, ws-rsws and zc-re on a synthetic digits-hard table, one seed each, cut down."""
    from leaderboard_fakes import full_nb201_data

    from nasbench_suite.harness import Budget, SweepSpec, run_sweep
    from nasbench_suite.store import write_store

    tmp = tmp_path_factory.mktemp("owncompute")
    store = tmp / "digits-toy.h5"
    write_store(store, full_nb201_data(dataset="digits-hard"))
    out = tmp / "own.jsonl"
    spec = SweepSpec(benchmark=str(store), dataset="digits-hard", strategies=tuple(PARAMS), seeds=(1,),
                     budget=Budget.evals(15), params=PARAMS)
    run_sweep(spec, out, progress=False)
    return store, out


def _records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_decisions_and_numerics_are_recorded_outside_the_trajectory_hash(own_compute: tuple[Path, Path]) -> None:
    _, out = own_compute
    by = {r["strategy"]["name"]: r for r in _records(out)}
    gdas, rsws, zc = by["ws-gdas"]["decisions"], by["ws-rsws"]["decisions"], by["zc-re"]["decisions"]
    assert gdas["kind"] == "one-shot" and len(gdas["alphas"]) == 6 and len(gdas["supernet_sha256"]) == 64
    assert gdas["proposals"] == [_index(a) for a in by["ws-gdas"]["trajectory"]["arch"]]
    assert _index(by["ws-gdas"]["trajectory"]["arch"][0]) == _index(gdas["derived"])
    assert len(rsws["scores"]) == 12 and rsws["exhausted"] and len(rsws["proposals"]) == 12
    assert len(zc["scores"]) == 8 and zc["warm_start"] == [_index(a) for a in by["zc-re"]["trajectory"]["arch"][:8]]
    for rec in by.values():
        assert rec["numerics"]["torch"] and "numpy_simd" in rec["numerics"]
        assert trajectory_hash(rec["trajectory"]) == rec["trajectory_sha256"]


def _index(arch: str) -> int:
    from nasbench_suite.spaces.nb201 import Architecture

    return Architecture.from_string(arch).index


def test_verify_replays_exactly_and_recomputes_in_agreement(own_compute: tuple[Path, Path]) -> None:
    store, out = own_compute
    report = verify_results(out, benchmark=str(store), sample=3)
    assert report.ok, report.lines()
    assert report.replayed == {("ws-gdas", 1): "exact", ("ws-rsws", 1): "exact", ("zc-re", 1): "exact"}
    assert all(r.check.agree and r.same_numerics for r in report.recomputed.values())
    text = "\n".join(report.lines())
    assert "replay of recorded decisions exact; recompute agree" in text and "Spearman 1.0000" in text


def test_forged_decisions_replay_but_fail_the_recompute(own_compute: tuple[Path, Path], tmp_path: Path) -> None:
    """A record whose decisions claim another ranking than its seed's supernet gives: replay exact, recompute differs."""
    store, out = own_compute
    recs = _records(out)
    for rec in recs:
        if rec["strategy"]["name"] == "zc-re":
            scores = rec["decisions"]["scores"]
            values = [v for _, v in scores][::-1]  # the proxy ranking turned upside down
            rec["decisions"]["scores"] = [[i, v] for (i, _), v in zip(scores, values)]
    bad = tmp_path / "forged.jsonl"
    bad.write_text("".join(dumps(r) + "\n" for r in recs))
    report = verify_results(bad, benchmark=str(store), sample=3)
    assert not report.ok
    assert report.replayed[("zc-re", 1)] == "exact" and not report.recomputed[("zc-re", 1)].check.agree
    assert len(report.problems) == 1, report.lines()
    (problem,) = report.problems
    assert problem.strategy == "zc-re" and "recomputed decisions differ" in problem.problem and "Spearman" in problem.problem


def test_a_spiked_re_measurement_is_measured_again_before_it_rejects(own_compute: tuple[Path, Path],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """One inflated CPU-time measurement of a recompute (a busy machine) does not reject an honest record."""
    import dataclasses

    import nasbench_suite.leaderboard.verify as verify

    store, out = own_compute
    calls: list[float] = []

    def spiking(rec: dict, lookup: object) -> object:
        result = recompute_decisions(rec, lookup)
        calls.append(result.cpu_seconds)
        return dataclasses.replace(result, cpu_seconds=100.0) if len(calls) == 1 else result

    monkeypatch.setattr(verify, "recompute_decisions", spiking)
    report = verify_results(out, benchmark=str(store), sample=3)
    assert report.ok, report.lines()
    assert len(calls) == 4  # three recomputes, the spiked one measured twice
    assert all(seconds < 100.0 for *_, seconds in report.remeasured)


def test_edited_proposals_fail_the_replay(own_compute: tuple[Path, Path], tmp_path: Path) -> None:
    store, out = own_compute
    recs = _records(out)
    for rec in recs:
        if rec["strategy"]["name"] == "ws-gdas":
            p = rec["decisions"]["proposals"]
            p[0], p[1] = p[1], p[0]
    bad = tmp_path / "swapped.jsonl"
    bad.write_text("".join(dumps(r) + "\n" for r in recs))
    report = verify_results(bad, benchmark=str(store), sample=3)
    assert report.replayed[("ws-gdas", 1)] == "mismatch"
    assert any(p.strategy == "ws-gdas" and "replay of the recorded decisions differs" in p.problem for p in report.problems)


_REPLAY = """
import json, sys
from nasbench_suite.catalog import resolve
from nasbench_suite.harness import Budget
from nasbench_suite.harness.runner import run_search
rec = json.loads(open(sys.argv[2]).readline())
b = rec["budget"]
out = run_search(resolve(sys.argv[1]), rec["dataset"], rec["strategy"]["name"], seed=rec["seed"],
                 budget=Budget(b["kind"], b["value"]), params=rec["strategy"]["params"],
                 search_costs=rec["search_costs"], decisions=rec["decisions"])
print(out["trajectory_sha256"])
"""


@pytest.mark.slow
def test_replay_is_exact_under_other_simd_paths(own_compute: tuple[Path, Path], tmp_path: Path) -> None:
    """ATEN_CPU_CAPABILITY=avx2 and NPY_DISABLE_CPU_FEATURES=<AVX-512>: the replay still gives the recorded hash."""
    from test_cpu_independence import _numpy_avx512_features

    store, out = own_compute
    rec = next(r for r in _records(out) if r["strategy"]["name"] == "ws-gdas")
    one = tmp_path / "one.jsonl"
    one.write_text(dumps(rec) + "\n")
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "avx2", "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    feats = _numpy_avx512_features()
    if feats:
        env["NPY_DISABLE_CPU_FEATURES"] = feats
    got = subprocess.run([sys.executable, "-c", _REPLAY, str(store), str(one)], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert got == rec["trajectory_sha256"]
