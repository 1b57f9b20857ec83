"""``surrogate build``: the surrogate benchmark of a sampled table of a large space, shipped and loaded by name."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.errors import InvalidArchitectureError, NotMeasuredError
from nasbench_suite.spaces import get_space
from nasbench_suite.store import write_store
from nasbench_suite.store.model import BenchmarkData, DatasetTable
from nasbench_suite.surrogates.benchmark import SurrogateBenchmark
from nasbench_suite.surrogates.build import build_benchmark
from nasbench_suite.table_stats import kendall_ceiling

N, PAIRED = 80, 24
VALID, TEST, TIME = (METRICS.index(m) for m in ("valid_acc", "test_acc", "train_time"))


def _sampled_table(path: Path, space: str = "darts") -> Path:
    """A table shaped like a sampled generation: seed 0 on every cell, seed 1 on the first ``PAIRED`` only.

    Accuracy grows with the number of convolutions in the cell, plus seed noise;
    the training time per epoch grows with it too.
    """
    sp = get_space(space)
    rng = np.random.default_rng(0)
    archs: dict[str, None] = {}
    while len(archs) < N:
        archs[sp.sample(rng).to_string()] = None
    texts = list(archs)
    convs = np.array([t.count("conv") for t in texts], dtype=float)
    curves = np.full((N, 2, 2, len(METRICS)), np.nan)
    for s in range(2):
        rows = slice(None) if s == 0 else slice(0, PAIRED)
        k = N if s == 0 else PAIRED
        for e in range(2):
            curves[rows, s, e, VALID] = 20 + 4 * convs[rows] + 5 * e + rng.normal(0, 0.5, k)
            curves[rows, s, e, TEST] = curves[rows, s, e, VALID] - 1
            curves[rows, s, e, TIME] = 2.0 + 0.5 * convs[rows] + rng.normal(0, 0.05, k)
    table = DatasetTable(
        epochs=np.array([1, 2]), seeds=np.array([0, 1]), metrics=METRICS, curves=curves,
        costs=np.column_stack([1e4 * (1 + convs), 1e6 * (1 + convs), np.full(N, 1e-3)]),
        cost_names=("params", "flops", "latency"),
        provenance={"train_time": "seconds of training in the epoch"},
    )
    protocol = {"dataset": "digits", "epochs": 2, "seeds": [0, 1], "seed_coverage": {"0": N, "1": PAIRED},
                "sample": {"size": N, "seed": 0}}
    write_store(path, BenchmarkData(name=path.stem, search_space=space, archs=texts, datasets={"digits": table},
                                    protocol=protocol))
    return path


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``surrogate build`` of the synthetic DARTS table, written to a surrogates folder on the search path."""
    root = tmp_path_factory.mktemp("build")
    table = _sampled_table(root / "darts-sample.h5")
    out = root / "surrogates" / "darts-sample-sur"
    assert main(["surrogate", "build", "--benchmark", str(table), "--name", "darts-sample-sur", "--model", "rf",
                 "--runtime-model", "ridge", "--train-size", "60", "--epoch", "2", "--optimum-sample", "500",
                 "--out", str(out)]) == 0
    return out


def test_card_holds_group_held_out_scores_noise_from_seed_pairs_and_a_runtime_model(shipped: Path) -> None:
    card = json.loads((shipped / "card.json").read_text())
    assert card["name"] == "darts-sample-sur" and card["search_space"] == "darts" and card["card_digest"]
    assert card["runtime_model"]["metric"] == "train_time" and card["runtime_model"]["preset"] == "ridge"
    assert card["table"]["rows"] == N and card["table"]["classes_per_seed"] == {"0": N, "1": PAIRED}
    assert card["metric_presets"] == {"train_time": "ridge"}
    assert card["optimum_sample"] == 500 and set(card["optima"]) == {"digits/valid_acc@2", "digits/test_acc@2"}
    assert card["optima"]["digits/test_acc@2"]["method"] == "best of 500 architectures sampled with seed 0"
    models = {(m["metric"], m["epoch"]): m for m in card["models"]}
    assert set(models) == {(m, 2) for m in ("valid_acc", "test_acc", "train_time")}
    for (metric, _), m in models.items():
        assert m["preset"] == ("ridge" if metric == "train_time" else "rf")
        assert m["split"]["method"] == "group-held-out by canonical key" and m["split"]["train_size"] == 60
        assert m["noise_model"] == {"source": "table seeds", "paired_networks": PAIRED}
        assert m["noise"]["source"] == "table seeds"
    for metric in ("valid_acc", "test_acc"):
        agreement = models[metric, 2]["seed_agreement"]
        assert agreement["paired_networks"] == PAIRED and 0 < agreement["kendall"] < 1
        ceiling = agreement["ceiling_kendall"]
        assert set(ceiling) == {"1", "2"} and agreement["kendall"] < ceiling["1"] < ceiling["2"] < 1
        assert ceiling["1"] == pytest.approx(kendall_ceiling(agreement["kendall"], 1))
    assert "seed_agreement" not in models["train_time", 2]
    assert "noise ceiling" in (shipped / "card.md").read_text()
    # the planted signal ranks held-out cells better than chance
    assert models["valid_acc", 2]["quality"]["kendall_tau"] > 0.1
    assert models["train_time", 2]["quality"]["kendall_tau"] > 0.1


def test_eval_rescores_the_card_on_the_same_group_held_out_cells(shipped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = json.loads((shipped / "card.json").read_text())
    capsys.readouterr()
    assert main(["surrogate", "eval", str(shipped), "--benchmark", str(shipped.parent.parent / "darts-sample.h5"),
                 "--json"]) == 0
    scores = {(r["metric"], r["epoch"]): r for r in json.loads(capsys.readouterr().out)}
    for m in card["models"]:
        got = scores[m["metric"], m["epoch"]]
        assert got["n"] == m["split"]["test_size"] and "held out at fit time" in got["on"]
        assert got["quality"]["kendall_tau"] == pytest.approx(m["quality"]["kendall_tau"], abs=1e-6)


def test_load_by_name_uncertainty_noise_and_bad_input(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(shipped.parent))
    bench = nbs.load("darts-sample-sur")
    assert isinstance(bench, SurrogateBenchmark) and bench.space_name == "darts"
    best, value = bench.optimum("digits", metric="test_acc")
    recorded = bench.card["optima"]["digits/test_acc@2"]
    assert (best.to_string(), value) == (recorded["arch"], recorded["value"])
    assert value == pytest.approx(float(bench.query_many([best], "digits", metric="test_acc")[0]))
    archs = [get_space("darts").sample(np.random.default_rng(7)).to_string() for _ in range(3)]
    mean, std = bench.predict(archs, "digits", metric="valid_acc", return_std=True)
    assert mean.shape == std.shape == (3,) and (std > 0).all()
    assert (bench.query_many(archs, "digits", metric="train_time") > 0).all()
    noisy = nbs.load("darts-sample-sur", noise=True)
    a, b = (noisy.query_many(archs, "digits", metric="valid_acc", seed=s) for s in (0, 1))
    assert not np.allclose(a, b) and np.allclose(noisy.query_many(archs, "digits", metric="valid_acc", seed=0), a)
    nb201 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    for bad in (nb201, "Genotype(normal=[('sep_conv_3x3', 0)])", 3.5):
        with pytest.raises(InvalidArchitectureError):
            bench.query(bad, "digits")
        with pytest.raises(InvalidArchitectureError):
            bench.predict([bad], "digits", return_std=True)
    with pytest.raises(ValueError, match="is a table, whose seeds are measured"):
        nbs.open_benchmark(shipped.parent.parent / "darts-sample.h5", noise=True)


def test_a_time_budget_runs_on_the_built_benchmark(shipped: Path, tmp_path: Path) -> None:
    results = tmp_path / "r.jsonl"
    assert main(["run", "--benchmark", str(shipped), "--dataset", "digits", "--strategies", "re", "--seeds", "0",
                 "--budget-seconds", "40", "--out", str(results), "--no-progress"]) == 0
    (record,) = [json.loads(line) for line in results.read_text().splitlines()]
    assert record["budget"] == {"kind": "seconds", "value": 40.0} and record["clock_unit"] == "seconds"
    times = record["trajectory"]["time"]
    assert 0 < record["final"]["time"] <= 40.0 and len(times) >= 2 and times == sorted(times)


def test_tables_without_training_times_or_trained_rows_are_refused(tmp_path: Path, shipped: Path) -> None:
    from nasbench_suite.testing.tables import make_small_data

    data = make_small_data()
    data.datasets["toy"].curves[..., TIME] = np.nan
    write_store(tmp_path / "t.h5", data)
    with pytest.raises(NotMeasuredError, match="no train_time for dataset 'toy'"):
        build_benchmark(nbs.open_benchmark(tmp_path / "t.h5"), name="x")
    with pytest.raises(NotMeasuredError, match="built from a table of trained architectures"):
        build_benchmark(nbs.open_benchmark(shipped), name="x")


def test_info_describes_a_surrogate_of_a_space_too_large_to_enumerate(shipped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = json.loads((shipped / "card.json").read_text())
    capsys.readouterr()
    assert main(["info", str(shipped), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["datasets"]["digits"]["predicted_metrics"] == ["valid_acc", "test_acc", "train_time"]
    models = {m["metric"]: m for m in info["surrogate"]["models"]}
    for entry in card["models"]:
        got = models[entry["metric"]]
        assert got["kendall_tau"] == entry["quality"]["kendall_tau"] and got["held_out"] == entry["split"]["test_size"]
        if entry["metric"] != "train_time":
            assert got["ceiling_kendall_one_seed"] == entry["seed_agreement"]["ceiling_kendall"]["1"]
    assert models["train_time"]["ceiling_kendall_one_seed"] is None
    assert main(["info", str(shipped)]) == 0
    out = capsys.readouterr().out
    assert "held-out quality" in out and "darts-sample" in out and "runtime model: ridge on train_time" in out



def test_info_stats_of_a_surrogate_are_those_of_its_training_table(shipped: Path, capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # the table the card names is not on the search path: the error says which table is missing
    monkeypatch.delenv("NASBENCH_SUITE_PATH", raising=False)
    capsys.readouterr()
    assert main(["info", str(shipped), "--stats"]) == 2
    assert "'darts-sample', which is not available here" in capsys.readouterr().err
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(shipped.parent.parent))
    assert main(["info", str(shipped), "--stats", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    table = nbs.load("darts-sample")
    assert info["training_table"]["name"] == "darts-sample" and info["training_table"]["checksum"] == table.checksum
    (stats,) = [s for s in info["stats"] if s["metric"] == "valid_acc"]
    assert stats["networks"] == N and stats["paired_networks"] == PAIRED
    assert main(["info", str(shipped), "--stats"]) == 0
    out = capsys.readouterr().out
    assert "training set darts-sample" in out and f"seed 1: {PAIRED}" in out
    # a table of that name with other content is not the training set: refused
    other = shipped.parent.parent / "other"
    other.mkdir()
    from nasbench_suite.testing.tables import make_small_data

    write_store(other / "darts-sample.h5", make_small_data())
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(other))
    assert main(["info", str(shipped), "--stats"]) == 2
    assert "its statistics would not be those of the surrogate's training set" in capsys.readouterr().err
