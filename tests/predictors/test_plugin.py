"""A predictor from examples/, installed through the ``nasbench_suite.predictors`` entry point, runs and appears on a board."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from nasbench_suite.cli import main
from nasbench_suite.predictors import PREDICTORS
assert "bayes-ridge" in PREDICTORS.names(), PREDICTORS.names()
store = sys.argv[1]
assert main(["predictors", "run", "--benchmark", store, "--dataset", "toy", "--predictors", "bayes-ridge,ridge",
             "--sizes", "10,50", "--seeds", "0-2", "--test-size", "100", "--out", "r.jsonl", "--no-progress"]) == 0
assert main(["predictors", "build", "r.jsonl", "--out", "board"]) == 0
"""


def test_entry_point_plugin_is_on_the_board(pred_store: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    dist = site / "example_predictor-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: example-predictor\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[nasbench_suite.predictors]\nbayes-ridge = predictor_plugin:BayesianRidgePredictor\n")
    path = os.pathsep.join([str(site), str(REPO / "examples"), str(REPO), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(pred_store)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    board = json.loads((tmp_path / "board" / "board.json").read_text())
    assert board["predictors"] == ["bayes-ridge", "ridge"]
    for size in board["targets"][0]["sizes"]:
        entry = next(e for e in size["entries"] if e["predictor"] == "bayes-ridge")
        assert entry["failed"] == 0 and entry["scores"]["kendall_tau"]["n"] == 3
        assert entry["uncertainty"] and entry["scores"]["coverage90"]["mean"] is not None  # its predictive std is scored
    html = (tmp_path / "board" / "index.html").read_text()
    assert "bayes-ridge" in html and "data:image/png;base64," in html
