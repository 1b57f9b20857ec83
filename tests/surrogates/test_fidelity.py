"""``nasbench surrogate fidelity``: strategies on surrogates vs the table, sampled worlds, residual noise."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.cli import main
from nasbench_suite.harness import Budget, run_search
from nasbench_suite.surrogates.fidelity import FidelitySpec, half_split_tau
from nasbench_suite.surrogates.noise import NoiseModel
from nasbench_suite.surrogates.world import SampledWorld, residual_correlation, residual_noise

TINY = ["--benchmark", "nb201-digits", "--train-sizes", "60", "--strategies", "rs,re,hyperband", "--seeds", "0-1",
        "--evals", "12", "--model", "ridge"]  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("fidelity")
    assert main(["surrogate", "fidelity", *TINY, "--out", str(out)]) == 0
    return json.loads((out / "fidelity.json").read_text()), out


def test_report_files_and_figures(report: tuple[dict, Path]) -> None:
    data, out = report
    assert (out / "fidelity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "fidelity.md").read_text()
    assert "ranking tau" in md and "group-held-out by canonical key" in md and "![anytime regret" in md
    assert [(r["train_size"], r["mode"]) for r in data["rows"]] == [(60, "mean"), (60, "residual")]
    for row in data["rows"]:
        assert -1.0 <= row["ranking_kendall_tau"] <= 1.0
        assert set(row["strategies"]) == {"rs", "re", "hyperband"}
        for s in row["strategies"].values():
            assert len(s["true_final"]) == len(s["belief_final"]) == 2 and not s["failed"]
            assert min(s["true_final"]) >= 0 and len(s["true_curve"]) == len(s["belief_curve"]) == 12
            # curves are running incumbents: the last point is the mean final regret
            assert s["true_curve"][-1] == pytest.approx(s["true_mean"], abs=1e-3)
    assert data["surrogates"][0]["heldout_split"] == "group-held-out by canonical key"
    assert data["surrogates"][0]["residual_sigma_test_acc"]
    rho = data["surrogates"][0]["residual_valid_test_correlation"]
    assert set(rho) == {str(e) for e in range(1, 13)} and all(0.0 <= r <= 1.0 for r in rho.values())
    ceiling = data["table"]["ceiling_half_split_tau"]
    assert ceiling["seeds_per_half"] == 1 and -1.0 <= ceiling["first_second"] <= 1.0
    assert "ceiling" in (out / "fidelity.md").read_text()


def test_truth_is_what_the_harness_reports_on_the_table(report: tuple[dict, Path]) -> None:
    data, _ = report
    table = nbs.load("nb201-digits")
    for seed in (0, 1):
        rec = run_search(table, "digits-hard", "re", seed=seed, budget=Budget.evals(12))
        assert data["truth"]["re"]["true_final"][seed] == pytest.approx(rec["final"]["regret"], abs=1e-6)


def test_render_only_reproduces_the_report(report: tuple[dict, Path], tmp_path: Path) -> None:
    data, out = report
    (tmp_path / "fidelity.json").write_text(json.dumps(data))
    assert main(["surrogate", "fidelity", "--benchmark", "nb201-digits", "--render-only", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "fidelity.md").read_text() == (out / "fidelity.md").read_text()


def _sizes(args: list[str], sizes: str) -> list[str]:
    out = list(args)
    out[out.index("--train-sizes") + 1] = sizes
    return out


def test_reports_run_one_size_at_a_time_merge_into_the_report_of_one_run(report: tuple[dict, Path], tmp_path: Path) -> None:
    data, first = report
    second, both, merged = tmp_path / "n70", tmp_path / "both", tmp_path / "merged"
    assert main(["surrogate", "fidelity", *_sizes(TINY, "70"), "--out", str(second)]) == 0
    assert main(["surrogate", "fidelity", *_sizes(TINY, "60,70"), "--out", str(both)]) == 0
    # merged in either order: the sizes come out sorted
    assert main(["surrogate", "fidelity", "--benchmark", "nb201-digits", "--merge", str(second), str(first), "--out", str(merged)]) == 0
    got, want = (json.loads((d / "fidelity.json").read_text()) for d in (merged, both))
    assert got["spec"] == want["spec"] and got["table"] == want["table"] and got["truth"] == want["truth"]
    assert got["rows"] == want["rows"]
    strip = ("fit_seconds", "noise_seconds")
    assert [{k: v for k, v in s.items() if k not in strip} for s in got["surrogates"]] == \
        [{k: v for k, v in s.items() if k not in strip} for s in want["surrogates"]]  # fmt: skip
    parts = got["parts"]
    assert [p["train_sizes"] for p in parts] == [[60], [70]] and parts[0]["seconds"] == data["seconds"]
    assert got["seconds"] == pytest.approx(sum(p["seconds"] for p in parts), abs=0.2)
    md = (merged / "fidelity.md").read_text()
    assert "2 runs merged" in md and "| 70 | residual |" in md
    assert (merged / "fidelity.png").is_file()


def test_merge_refuses_reports_of_different_experiments(report: tuple[dict, Path]) -> None:
    from nasbench_suite.surrogates.fidelity_report import merge_reports

    data, _ = report
    other = json.loads(json.dumps(data))
    with pytest.raises(ValueError, match=r"train sizes \[60\] appear in more than one"):
        merge_reports([data, other])
    other["spec"]["train_sizes"] = [70]
    other["spec"]["evals"] = 13
    with pytest.raises(ValueError, match=r"differs from report 0 in \['evals'\]"):
        merge_reports([data, other])
    other["spec"]["evals"] = data["spec"]["evals"]
    other["truth"]["re"]["true_final"][0] += 1.0
    with pytest.raises(ValueError, match=r"table runs differ .*\['re'\]"):
        merge_reports([data, other])
    other["table"]["optimum_test_acc"] += 1.0
    with pytest.raises(ValueError, match="another table"):
        merge_reports([data, other])
    with pytest.raises(ValueError, match="at least one"):
        merge_reports([])


def test_merge_of_a_folder_without_a_report_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    argv = ["surrogate", "fidelity", "--benchmark", "nb201-digits", "--merge", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]
    assert main(argv) == 2 and "no fidelity report" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--train-sizes", "1"], "counts >= 2"),
        (["--train-sizes", "500,x"], "counts >= 2"),
        (["--strategies", "nope"], "nope"),
        (["--modes", "mean,loud"], "loud"),
        (["--seeds", "3-1"], "seeds"),
    ],
)
def test_bad_arguments_are_refused(args: list[str], needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["surrogate", "fidelity", "--benchmark", "nb201-digits", *args, "--out", str(tmp_path / "o")])
    assert exc.value.code == 2 and needle in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_train_size_as_large_as_the_table_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["surrogate", "fidelity", "--benchmark", "nb201-digits", "--train-sizes", "15625", "--out", str(tmp_path)]) != 0
    assert "15625" in capsys.readouterr().err


def test_spec_checks() -> None:
    with pytest.raises(ValueError, match="modes"):
        FidelitySpec("nb201-digits", "digits-hard", (100,), modes=("loud",))
    with pytest.raises(ValueError, match="train_sizes"):
        FidelitySpec("nb201-digits", "digits-hard", ())


def test_sampled_world_is_reproducible_and_carries_the_calibrated_error() -> None:
    sur = nbs.load("nb201-digits-xgb")
    noise = {("digits-hard", m, 12): NoiseModel.constant(2.0) for m in ("valid_acc", "test_acc")}
    a, b, c = (SampledWorld(sur, noise, seed=s) for s in (0, 0, 1))
    mean = sur.query_many(None, "digits-hard", metric="test_acc", epoch=12)
    wa = a.query_many(None, "digits-hard", metric="test_acc", epoch=12)
    np.testing.assert_array_equal(wa, b.query_many(None, "digits-hard", metric="test_acc", epoch=12))
    assert not np.array_equal(wa, c.query_many(None, "digits-hard", metric="test_acc", epoch=12))
    z = (wa - mean) / 2.0
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1.0) < 0.05
    # the same error at every metric: validation-based selection sees what the test numbers carry
    zv = (a.query_many(None, "digits-hard", metric="valid_acc", epoch=12) - sur.query_many(None, "digits-hard", metric="valid_acc", epoch=12)) / 2.0
    np.testing.assert_allclose(zv, z, atol=1e-9)
    arch = sur.search_space.parse(7)
    assert a.query(arch, "digits-hard", epoch=12).test_acc == pytest.approx(wa[7])
    best, value = a.optimum("digits-hard", metric="test_acc", epoch=12)
    assert value == wa.max()
    # epochs without a noise model are answered as the surrogate predicts
    np.testing.assert_array_equal(a.query_many(None, "digits-hard", metric="test_acc", epoch=3),
                                  sur.query_many(None, "digits-hard", metric="test_acc", epoch=3))  # fmt: skip


def test_correlated_world_shares_only_the_measured_part_of_the_error() -> None:
    sur = nbs.load("nb201-digits-xgb")
    noise = {("digits-hard", m, 12): NoiseModel.constant(2.0) for m in ("valid_acc", "test_acc")}
    z = {}
    for rho in (0.0, 0.36, 1.0):
        w = SampledWorld(sur, noise, seed=3, correlation={("digits-hard", 12): rho})
        z[rho] = [(w.query_many(None, "digits-hard", metric=m, epoch=12) - sur.query_many(None, "digits-hard", metric=m, epoch=12)) / 2.0
                  for m in ("valid_acc", "test_acc")]  # fmt: skip
        for zm in z[rho]:
            assert abs(zm.mean()) < 0.05 and abs(zm.std() - 1.0) < 0.05  # each metric keeps its calibrated sigma
        assert np.corrcoef(*z[rho])[0, 1] == pytest.approx(rho, abs=0.04)
    np.testing.assert_allclose(z[1.0][0], z[1.0][1], atol=1e-9)
    # the shared draw is the one a world without a measured correlation uses; rho mixes in each metric's own
    plain = SampledWorld(sur, noise, seed=3)
    np.testing.assert_allclose((plain.query_many(None, "digits-hard", metric="test_acc", epoch=12)
                                - sur.query_many(None, "digits-hard", metric="test_acc", epoch=12)) / 2.0, z[1.0][1], atol=1e-9)  # fmt: skip
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SampledWorld(sur, noise, seed=0, correlation={("digits-hard", 12): 1.5})


def test_residual_correlation() -> None:
    rng = np.random.default_rng(0)
    shared, a, b = rng.standard_normal((3, 4000))
    pred = rng.uniform(0, 10, 4000)
    r = residual_correlation(pred, pred + 0.6 * shared + 0.8 * a, pred * 2, pred * 2 + 0.6 * shared + 0.8 * b)
    assert r == pytest.approx(0.36, abs=0.05)
    assert residual_correlation(pred, pred + a, pred, pred - a) == 0.0  # anti-correlated errors clip to independent
    assert residual_correlation(pred[:2], pred[:2] + a[:2], pred[:2], pred[:2] + b[:2]) == 1.0
    with pytest.raises(ValueError, match="one shape"):
        residual_correlation(pred, pred, pred[:3], pred[:3])


def test_half_split_tau_is_the_table_ranking_ceiling() -> None:
    rng = np.random.default_rng(1)
    settled = {f"s{k}": list(k + 0.01 * rng.standard_normal(20)) for k in range(6)}
    out = half_split_tau(settled)
    assert out["first_second"] == out["mean"] == 1.0 and out["sd"] == 0.0 and out["seeds_per_half"] == 10
    tied = {f"s{k}": list(rng.standard_normal(20)) for k in range(6)}
    noisy = half_split_tau(tied, splits=300)
    assert abs(noisy["mean"]) < 0.15 and noisy["sd"] > 0.1
    assert half_split_tau(tied, splits=300) == noisy  # reproducible
    assert half_split_tau({"a": [1.0, 2.0]})["mean"] is None


def test_residual_noise_is_the_out_of_fold_error() -> None:
    table = nbs.load("nb201-digits")
    rng = np.random.default_rng(0)
    rows = rng.choice(len(table.archs), 120, replace=False)
    y = table.query_many(None, "digits-hard", metric="test_acc")[rows]
    archs = [table.archs[i] for i in rows]
    model = residual_noise(archs, y, space="nb201", model="ridge", seed=0, n_bins=4)
    assert model.source == "out-of-fold residuals" and len(model.sigmas) == 4
    assert all(s > 0 for s in model.sigmas) and max(model.sigmas) < np.std(y) * 1.5
    same = residual_noise(archs, y, space="nb201", model="ridge", seed=0, n_bins=4)
    assert same == model
    with pytest.raises(ValueError, match="at least 6"):
        residual_noise(archs[:5], y[:5], space="nb201", model="ridge", seed=0)


def test_noise_from_residuals() -> None:
    pred = np.linspace(0, 1, 100)
    true = pred + np.where(pred < 0.5, 0.1, 0.3) * np.resize([1.0, -1.0], 100)
    model = NoiseModel.from_residuals(pred, true, n_bins=2)
    assert model.sigmas == pytest.approx((0.1, 0.3))
    with pytest.raises(ValueError, match="same shape"):
        NoiseModel.from_residuals(pred, true[:5])


def test_uncertainty_through_the_benchmark(tmp_path: Path) -> None:
    from nasbench_suite.errors import NotMeasuredError
    from nasbench_suite.surrogates.training import fit_surrogate

    table = nbs.load("nb201-digits")
    archs = [table.archs[i] for i in (0, 5, 99)]
    forest, _ = fit_surrogate(table, model="rf", metric="test_acc", train_size=80, seed=0)
    mean, std = forest.predict(archs, "digits-hard", return_std=True)
    np.testing.assert_allclose(mean, forest.predict(archs, "digits-hard"), rtol=1e-9)
    assert mean.shape == std.shape == (3,) and (std > 0).all()
    ridge, _ = fit_surrogate(table, model="ridge", metric="test_acc", train_size=80, seed=0)
    with pytest.raises(NotMeasuredError, match="no predictive uncertainty"):
        ridge.predict(archs, "digits-hard", return_std=True)
    with pytest.raises(NotMeasuredError, match="valid_acc has no predictor"):
        ridge.predict(archs, "digits-hard", metric="valid_acc")


def test_runtime_model_lets_a_time_budget_run_on_a_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sur"
    assert main(["surrogate", "fit", "--benchmark", "nb201-digits", "--dataset", "digits-hard", "--model", "ridge",
                 "--train-size", "80", "--epoch", "4", "--epoch", "12", "--metric", "valid_acc", "--metric", "test_acc",
                 "--metric", "train_time", "--out", str(out)]) == 0  # fmt: skip
    results = tmp_path / "r.jsonl"
    assert main(["run", "--benchmark", str(out), "--dataset", "digits-hard", "--strategies", "re,hyperband", "--seeds", "0",
                 "--budget-seconds", "120", "--out", str(results)]) == 0  # fmt: skip
    from nasbench_suite.harness import read_results

    records = read_results(results)
    assert {r["strategy"]["name"] for r in records} == {"re", "hyperband"}
    for r in records:
        assert r["clock_unit"] == "seconds" and r["budget"] == {"kind": "seconds", "value": 120.0}
        assert 0 < r["final"]["time"] <= 120.0 and r["final"]["evals"] >= 2
