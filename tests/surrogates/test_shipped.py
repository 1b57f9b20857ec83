"""The surrogate benchmarks shipped under ``surrogates/`` open by name, match their cards and refuse bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces import get_space

REPO = Path(__file__).resolve().parents[2]


def test_the_nb101_surrogate_benchmark_is_the_card_of_the_shipped_table() -> None:
    bench = nbs.load("nb101-digits-surrogate")
    card = json.loads((REPO / "surrogates" / "nb101-digits-surrogate" / "card.json").read_text())
    table = nbs.load("nb101-digits")
    assert bench.space_name == "nb101" and card["source"]["checksum"] == table.checksum
    assert card["table"]["networks"] == len(table.archs) and card["table"]["proposed"] > 0
    models = {m["metric"]: m for m in card["models"]}
    for metric in ("valid_acc", "test_acc"):
        m = models[metric]
        assert m["preset"] == "ensemble" and m["split"]["method"] == "group-held-out by canonical key"
        # held-out quality is read against the noise ceiling of the table's seed pairs
        assert 0.5 < m["quality"]["kendall_tau"] < m["seed_agreement"]["ceiling_kendall"]["2"]
    # the table's own cells: predictions rank them like their measured values, with an uncertainty
    rows = np.random.default_rng(0).choice(len(table.archs), 200, replace=False)
    archs = [table.archs[i] for i in rows]
    pred, std = bench.predict(archs, "digits-hard", metric="valid_acc", return_std=True)
    truth = table.query_many(archs, "digits-hard", metric="valid_acc")
    assert np.corrcoef(pred, truth)[0, 1] > 0.8 and np.all(std > 0)
    assert np.isfinite(bench.query(archs[0], "digits-hard").train_time)


def test_the_nb101_surrogate_refuses_another_spaces_cell() -> None:
    bench = nbs.load("nb101-digits-surrogate")
    nb201 = get_space("nb201").sample(np.random.default_rng(0))
    with pytest.raises(InvalidArchitectureError):
        bench.query(nb201.to_string(), "digits-hard")
    with pytest.raises(InvalidArchitectureError):
        bench.query("not an architecture", "digits-hard")


def test_a_board_on_the_surrogate_says_its_regret_is_against_a_predicted_optimum(tmp_path: Path) -> None:
    """Runs on a surrogate record how its optimum was found; the board says so instead of calling it the table's."""
    from nasbench_suite.cli import main
    from nasbench_suite.leaderboard.board import build

    out = tmp_path / "runs.jsonl"
    assert main(["run", "--benchmark", "nb101-digits-surrogate", "--dataset", "digits-hard", "--strategies", "rs,re",
                 "--seeds", "0-1", "--budget-evals", "5", "--out", str(out), "--no-progress"]) == 0
    record = json.loads(out.read_text().splitlines()[0])
    card = json.loads((REPO / "surrogates" / "nb101-digits-surrogate" / "card.json").read_text())
    stored = card["optima"]["digits-hard/test_acc@12"]
    assert record["optimum"] == {"metric": "test_acc", "epoch": 12, "value": round(stored["value"], 4),
                                 "predicted": "best of 100,000 architectures sampled with seed 0"}
    build([out], tmp_path / "board")
    md = (tmp_path / "board" / "leaderboard.md").read_text()
    assert f"regret against the surrogate's predicted optimum {round(stored['value'], 3):.3f} (best of 100,000" in md
    assert "table optimum" not in md and "predicted optimum" in (tmp_path / "board" / "index.html").read_text()
