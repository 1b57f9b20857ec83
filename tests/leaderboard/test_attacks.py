"""A hostile submitter cannot get onto a board: each attack below must be rejected by verify and by submit.

The toy track is rs, re and ls with seeds 0-9 and 30 evaluations on a
synthetic table (``toy_results``); these strategies only query the table, so
every one of their runs is re-run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import h5py
import pytest

from nasbench_suite.harness import Budget, SweepSpec, run_sweep
from nasbench_suite.harness.results import dumps, trajectory_hash
from nasbench_suite.leaderboard.submit import SubmissionRejectedError, submit
from nasbench_suite.leaderboard.tracks import STANDARD_TRACKS, Track
from nasbench_suite.leaderboard.verify import verify_results

TOY_SEEDS = range(10)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(records: list[dict], path: Path) -> Path:
    path.write_text("".join(dumps(r) + "\n" for r in records))
    return path


def _rehash(rec: dict) -> dict:
    """What a careful forger does after editing a trajectory: recompute its hash and the final summary."""
    traj = rec["trajectory"]
    rec["trajectory_sha256"] = trajectory_hash(traj)
    j = traj["incumbent"][-1]
    rec["final"].update(arch=traj["arch"][j], epoch=traj["epoch"][j], test=traj["incumbent_test"][-1], evals=len(traj["eval"]),
                        value=traj["valid"][j], time=traj["time"][-1])
    if rec.get("optimum"):
        rec["final"]["regret"] = rec["optimum"]["value"] - traj["incumbent_test"][-1]
    return rec


def _toy_track(results: Path) -> Track:
    return Track.for_record(_records(results)[0], TOY_SEEDS, name="toy")


def _rejected(path: Path, store: Path, track: Track, *, match: str, **kw) -> None:
    report = verify_results(path, benchmark=str(store), track=track, jobs=1, **kw)
    assert not report.ok, f"attack accepted: {report.lines()}"
    text = "\n".join(report.lines())
    assert match in text, text


def test_genuine_file_passes_on_its_track(toy_results: Path, toy_store: Path) -> None:
    report = verify_results(toy_results, benchmark=str(toy_store), track=_toy_track(toy_results), jobs=1)
    assert report.ok, report.lines()
    assert report.track == "toy" and len(report.rerun) == 30


def test_seed_shopping_is_rejected(toy_store: Path, toy_results: Path, tmp_path: Path) -> None:
    """rs run with 40 seeds; the 10 best kept: as seeds 0-9 (relabelled), or under their own seeds."""
    many = tmp_path / "many.jsonl"
    run_sweep(SweepSpec(benchmark=str(toy_store), dataset="toy", strategies=("rs",), seeds=tuple(range(40)),
                        budget=Budget.evals(30)), many, progress=False)
    best = sorted(_records(many), key=lambda r: r["final"]["regret"])[:10]
    others = [r for r in _records(toy_results) if r["strategy"]["name"] != "rs"]
    track = _toy_track(toy_results)
    assert sum(r["final"]["regret"] for r in best) < sum(r["final"]["regret"] for r in _records(toy_results)
                                                          if r["strategy"]["name"] == "rs")
    relabelled = [dict(r, seed=i) for i, r in enumerate(sorted(best, key=lambda r: r["seed"]))]
    _rejected(_write(others + relabelled, tmp_path / "relabelled.jsonl"), toy_store, track, match="re-run differs")
    _rejected(_write(others + best, tmp_path / "own-seeds.jsonl"), toy_store, track, match="are not on the track")
    _rejected(_write(others + _records(many), tmp_path / "all-seeds.jsonl"), toy_store, track, match="are not on the track")


def test_deleted_run_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    records = [r for r in _records(toy_results) if not (r["strategy"]["name"] == "re" and r["seed"] == 3)]
    _rejected(_write(records, tmp_path / "deleted.jsonl"), toy_store, _toy_track(toy_results), match="seeds 3 are missing")


def test_relabelled_seed_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    records = _records(toy_results)
    ls = [r for r in records if r["strategy"]["name"] == "ls"]
    worst = max(ls, key=lambda r: r["final"]["regret"])
    best = min(ls, key=lambda r: r["final"]["regret"])
    best_copy = dict(best, seed=worst["seed"])  # the best run twice, under the worst run's seed
    records = [best_copy if r is worst else r for r in records]
    _rejected(_write(records, tmp_path / "seed.jsonl"), toy_store, _toy_track(toy_results), match="re-run differs")


def test_relabelled_strategy_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    records = _records(toy_results)
    rs_params = next(r for r in records if r["strategy"]["name"] == "rs")["strategy"]["params"]
    re5 = next(r for r in records if r["strategy"]["name"] == "re" and r["seed"] == 5)
    records = [r for r in records if not (r["strategy"]["name"] == "rs" and r["seed"] == 5)]
    records.append(dict(re5, strategy={"name": "rs", "params": rs_params}))  # an re run passed off as random search
    _rejected(_write(records, tmp_path / "strategy.jsonl"), toy_store, _toy_track(toy_results), match="re-run differs")


def test_truncated_run_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    records = _records(toy_results)
    rec = records[4]
    rec["trajectory"] = {k: v[:20] for k, v in rec["trajectory"].items()}
    _rehash(rec)
    _rejected(_write(records, tmp_path / "short.jsonl"), toy_store, _toy_track(toy_results), match="truncated")


def test_truncated_clock_run_is_rejected(toy_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "clock.jsonl"
    run_sweep(SweepSpec(benchmark=str(toy_store), dataset="toy", strategies=("rs",), seeds=(0, 1), budget=Budget.seconds(60.0)),
              out, progress=False)
    track = Track.for_record(_records(out)[0], (0, 1))
    assert verify_results(out, benchmark=str(toy_store), track=track, jobs=1).ok
    records = _records(out)
    records[1]["trajectory"] = {k: v[:-8] for k, v in records[1]["trajectory"].items()}
    _rehash(records[1])
    _rejected(_write(records, tmp_path / "cut.jsonl"), toy_store, track, match="truncated")


def test_incumbent_picked_by_test_accuracy_is_rejected(toy_results: Path, toy_store: Path, tmp_path: Path) -> None:
    records = _records(toy_results)
    # a run whose final validation incumbent is not its best evaluation on test
    k, rec = next((k, r) for k, r in enumerate(records)
                  if max(range(30), key=lambda i: r["trajectory"]["test"][i]) != r["trajectory"]["incumbent"][-1])
    traj = rec["trajectory"]
    best = max(range(30), key=lambda i: traj["test"][i])
    for i in range(best, 30):
        traj["incumbent"][i], traj["incumbent_test"][i] = best, traj["test"][best]
    _rehash(rec)
    records[k] = rec
    _rejected(_write(records, tmp_path / "inc.jsonl"), toy_store, _toy_track(toy_results), match="the rule")


def test_five_seeds_on_a_hundred_seed_track_are_rejected(tmp_path: Path) -> None:
    """Runs with a standard track's settings are held to its 100 seeds whatever the file claims."""
    from nasbench_suite.harness.results import read_results

    board = Path(__file__).resolve().parents[2] / "leaderboards" / "nb201-digits" / "digits-hard-evals200"
    (source,) = sorted((board / "results").glob("*.jsonl.gz"))
    five = [r for r in read_results(source) if r["strategy"]["name"] == "rs" and r["seed"] < 5]
    path = _write(five, tmp_path / "five.jsonl")
    report = verify_results(path, jobs=1)
    assert not report.ok and report.track == "nb201-digits/digits-hard-evals200"
    assert any("seeds 5-99 are missing" in p for p in report.file_problems), report.lines()
    assert STANDARD_TRACKS[report.track].seeds == tuple(range(100))
    copy = tmp_path / "board"
    shutil.copytree(board, copy)
    before = {p.relative_to(copy): p.read_bytes() for p in sorted(copy.rglob("*")) if p.is_file()}
    with pytest.raises(SubmissionRejectedError, match="seeds 5-99 are missing"):
        submit(path, copy, jobs=1)
    assert {p.relative_to(copy): p.read_bytes() for p in sorted(copy.rglob("*")) if p.is_file()} == before


@pytest.fixture()
def own_compute_results(tmp_path: Path) -> tuple[Path, Path]:
    """ws-rsws (a one-shot strategy, charged for its supernet training) on a small table, one seed."""
    from leaderboard_fakes import full_nb201_data

    from nasbench_suite.store import write_store

    store = tmp_path / "digits-toy.h5"
    write_store(store, full_nb201_data(dataset="digits-hard"))
    out = tmp_path / "ws.jsonl"
    run_sweep(SweepSpec(benchmark=str(store), dataset="digits-hard", strategies=("ws-rsws",), seeds=(0,), budget=Budget.evals(3),
                        params={"ws-rsws": {"epochs": 1, "steps_per_epoch": 2}}), out, progress=False)
    return out, store


def test_zeroed_search_costs_are_rejected(own_compute_results: tuple[Path, Path], tmp_path: Path) -> None:
    out, store = own_compute_results
    track = Track.for_record(_records(out)[0], (0,))
    good = verify_results(out, benchmark=str(store), track=track, jobs=1)
    assert good.ok and len(good.remeasured) == 1, good.lines()  # the one run of an expensive strategy is always re-run
    records = _records(out)
    for rec in records:  # the clock made consistent with the lie: times are the running sum of the training costs
        rec["search_costs"] = [0.0] * len(rec["search_costs"])
        traj = rec["trajectory"]
        total = 0.0
        for i, cost in enumerate(traj["cost"]):
            total += cost
            traj["time"][i] = float(f"{total:.12g}")
        _rehash(rec)
    _rejected(_write(records, tmp_path / "free.jsonl"), store, track, match="under-reported")
    missing = _records(out)
    del missing[0]["search_costs"]
    _rejected(_write(missing, tmp_path / "missing.jsonl"), store, track, match="search_costs are missing")


def _tamper_store(src: Path, dst: Path, *, recompute: bool) -> Path:
    """Copy a store and change one stored value (a test accuracy), recomputing its checksum attribute or not."""
    from nasbench_suite.store.format import content_checksum

    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        curves = f["datasets/toy/curves"]
        curves[0, 0, -1, 1] = curves[0, 0, -1, 1] + 1.0
        if recompute:
            f.attrs["checksum"] = content_checksum(f)
    return dst


@pytest.mark.parametrize("recompute", [False, True], ids=["stale-attribute", "recomputed-attribute"])
def test_results_and_stores_that_differ_in_content_are_refused(recompute: bool, toy_store: Path, toy_results: Path,
                                                                tmp_path: Path) -> None:
    from nasbench_suite.errors import ChecksumMismatchError
    from nasbench_suite.harness.sweep import SweepMismatchError

    tampered = _tamper_store(toy_store, tmp_path / "tampered.h5", recompute=recompute)
    track = _toy_track(toy_results)
    # results made on the genuine store, checked against the tampered one
    _rejected(toy_results, tampered, track, match="content digest mismatch")
    # resuming them on the tampered store
    resumed = tmp_path / "resume.jsonl"
    shutil.copyfile(toy_results, resumed)
    spec = SweepSpec(benchmark=str(tampered), dataset="toy", strategies=("ls", "re", "rs"), seeds=tuple(TOY_SEEDS),
                     budget=Budget.evals(30))
    with pytest.raises(ChecksumMismatchError if not recompute else SweepMismatchError, match="digest"):
        run_sweep(spec, resumed, progress=False)
    assert resumed.read_bytes() == toy_results.read_bytes()
    with pytest.raises(SubmissionRejectedError, match="content digest mismatch"):
        submit(toy_results, tmp_path / "board", benchmark=str(tampered), seeds=TOY_SEEDS, jobs=1)
    assert not (tmp_path / "board").exists()
    if recompute:  # results made on the tampered store, checked against the genuine one
        made = tmp_path / "made.jsonl"
        run_sweep(SweepSpec(benchmark=str(tampered), dataset="toy", strategies=("rs",), seeds=(0,), budget=Budget.evals(5)),
                  made, progress=False)
        report = verify_results(made, benchmark=str(toy_store), jobs=1)
        assert not report.ok and "content digest mismatch" in report.file_problems[0]


def test_table_verify_refuses_a_store_changed_after_it_was_written(toy_store: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from nasbench_suite.cli import main

    tampered = _tamper_store(toy_store, tmp_path / "tampered.h5", recompute=False)
    assert main(["verify", str(tampered), "--sample", "1"]) == 2
    err = capsys.readouterr().err
    assert "content checksum" in err and "does not match" in err and str(tampered) in err
