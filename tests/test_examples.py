"""Every script in examples/ runs to completion in a fresh process and a scratch directory."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
#: a line each example must print (what it is there to show)
EXPECTED = {
    "query_table.py": "objective(",
    "compare_strategies.py": "leaderboard written to board/ (3 entries)",
    "custom_strategy.py": "hill-climbing: mean final regret",
    "fit_predictor.py": "Kendall tau",
    "optuna_study.py": "TPESampler via the harness",
    "predictor_plugin.py": "board written to predictor-board/ (2 predictors)",
    "syne_tune_asha.py": "board written to syne-tune-board/ (3 entries)",
    "smac_study.py": "board written to smac-board/ (3 entries)",
    "neps_study.py": "board written to neps-board/ (3 entries)",
}
#: the optional extra (its import name) an example needs; it is skipped without it
REQUIRES = {"syne_tune_asha.py": "syne_tune", "smac_study.py": "smac", "neps_study.py": "neps"}


def test_every_example_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES) == sorted(EXPECTED)


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, tmp_path: Path) -> None:
    extra = REQUIRES.get(script.name)
    if extra is not None and importlib.util.find_spec(extra) is None:
        pytest.skip(f"{script.name} needs the {extra!r} extra, which is not installed")
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert EXPECTED[script.name] in proc.stdout, proc.stdout
    assert "Traceback" not in proc.stderr
    if script.name == "compare_strategies.py":
        assert (tmp_path / "results.jsonl").is_file() and (tmp_path / "board" / "leaderboard.json").is_file()
