"""``nasbench surrogate fit|eval``: card, plot, catalog loading and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import nasbench_suite as nbs
from nasbench_suite.cli import main
from nasbench_suite.store import write_store
from nasbench_suite.testing.tables import make_small_data


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "small.h5"
    write_store(path, make_small_data(n_arch=50, seeds=(0, 1), epochs=3, dataset="toy"))
    return path


def test_fit_writes_card_plot_and_a_loadable_benchmark(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sur"
    code = main(["surrogate", "fit", "--benchmark", str(store), "--dataset", "toy", "--model", "ridge",
                 "--train-size", "30", "--seed", "2", "--epoch", "1", "--epoch", "3", "--out", str(out)])  # fmt: skip
    assert code == 0
    assert "wrote" in capsys.readouterr().out
    card = json.loads((out / "card.json").read_text())
    assert card["preset"] == "ridge" and card["random_state"] == 2
    splits = [m["split"] for m in card["models"]]
    assert [(m["epoch"], m["split"]["train_size"]) for m in card["models"]] == [(1, 30), (3, 30)]
    assert all(s["test_size"] + s["isomorphs_excluded"] == 20 and s["method"] == "group-held-out by canonical key" for s in splits)
    assert "group-held-out by canonical key" in (out / "card.md").read_text()
    assert {"kendall_tau", "spearman", "r2", "rmse", "precision_top1", "precision_top5", "sparse_kendall_tau"} <= set(card["models"][0]["quality"])
    assert {"nasbench-suite", "scikit-learn", "xgboost", "torch"} <= set(card["versions"])
    png = out / card["models"][0]["plot"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| kendall_tau |" in (out / "card.md").read_text()
    # the catalog opens it by path, and by name from the search path
    bench = nbs.open_benchmark(out)
    assert bench.epochs("toy") == (1, 3)
    monkey = pytest.MonkeyPatch()
    monkey.setenv("NASBENCH_SUITE_PATH", str(tmp_path))
    try:
        assert nbs.load("sur").checksum == bench.checksum
    finally:
        monkey.undo()

    assert main(["surrogate", "eval", str(out), "--benchmark", str(store), "--json", "--plot", str(tmp_path / "plots")]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [r["n"] for r in results] == [s["test_size"] for s in splits]
    assert results[0]["on"] == "architectures held out at fit time (group-held-out by canonical key)"
    assert results[1]["quality"]["kendall_tau"] == pytest.approx(card["models"][1]["quality"]["kendall_tau"], abs=1e-6)
    assert (tmp_path / "plots" / "eval_toy_test_acc_3.png").is_file()
    assert main(["surrogate", "eval", str(out), "--benchmark", str(store), "--all-archs", "--json"]) == 0
    assert [r["n"] for r in json.loads(capsys.readouterr().out)] == [50, 50]


def test_fit_errors(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["surrogate", "fit", "--benchmark", str(store), "--model", "ridge", "--out", str(tmp_path / "x")]
    assert main([*base, "--dataset", "nope"]) == 2
    assert "unknown dataset 'nope'" in capsys.readouterr().err
    assert main([*base, "--dataset", "toy", "--epoch", "9"]) == 2
    assert "epoch 9 is not held" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, "--dataset", "toy", "--model", "nope"])
    with pytest.raises(SystemExit):
        main([*base, "--dataset", "toy", "--train-size", "1"])
    assert main([*base, "--dataset", "toy", "--train-size", "500"]) == 2
    assert "train_size=500 needs 2..50" in capsys.readouterr().err
    assert main(["surrogate", "eval", str(tmp_path), "--benchmark", str(store)]) != 0
