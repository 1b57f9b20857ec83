"""`nasbench run` and `nasbench plot` end to end."""

from __future__ import annotations

import json

import pytest

from nasbench_suite.cli import main


def run_cli(*argv: str) -> int:
    return main(["run", *argv, "--no-progress"])


def test_run_twice_gives_identical_files_and_plot(synthetic_path, tmp_path, capsys) -> None:
    args = ["--benchmark", str(synthetic_path), "--dataset", "synth", "--strategies", "rs,re,hyperband",
            "--seeds", "0-2", "--budget-seconds", "3000", "--workers", "2"]
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run_cli(*args, "--out", str(a)) == 0
    assert run_cli(*args, "--out", str(b), "--jobs", "2") == 0
    assert a.read_bytes() == b.read_bytes()
    records = [json.loads(line) for line in a.read_text().splitlines()]
    assert len(records) == 9 and {r["budget"]["kind"] for r in records} == {"seconds"}
    assert all(max(r["trajectory"]["time"]) <= 3000 for r in records)
    assert "final test" in capsys.readouterr().out
    png = tmp_path / "fig.png"
    assert main(["plot", str(a), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_params_reach_the_strategy(synthetic_path, tmp_path) -> None:
    out = tmp_path / "r.jsonl"
    assert run_cli("--benchmark", str(synthetic_path), "--dataset", "synth", "--strategies", "re", "--seeds", "0",
                   "--budget-evals", "15", "--param", "re.population_size=5", "--out", str(out)) == 0
    assert json.loads(out.read_text())["strategy"]["params"]["population_size"] == 5


def test_an_unknown_param_stops_before_the_sweep(synthetic_path, tmp_path, capsys) -> None:
    out = tmp_path / "r.jsonl"
    code = run_cli("--benchmark", str(synthetic_path), "--dataset", "synth", "--strategies", "rs,re", "--seeds", "0",
                   "--budget-evals", "5", "--param", "re.populaton_size=5", "--out", str(out))
    assert code == 2 and not out.exists()
    assert "unknown hyperparameter of strategy 're' 'populaton_size'; valid: 'population_size', 'sample_size'" in capsys.readouterr().err


def test_run_help_lists_every_strategy_and_its_parameters(capsys) -> None:
    from nasbench_suite.harness.sweep import hyperparameters
    from nasbench_suite.strategies import STRATEGIES

    with pytest.raises(SystemExit) as exit_:
        main(["run", "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    listed = [line.split()[0] for line in text.split("their parameters")[-1].splitlines()
              if line.startswith("  ") and not line.startswith("   ")]
    assert listed == list(STRATEGIES.names())
    assert "population_size=30, sample_size=10" in text and "replace=true" in text
    for name in STRATEGIES.names():
        for param in hyperparameters(name) or ():
            assert f"{param}=" in text.replace("\n", " "), (name, param)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--budget-evals", "0"], "budget of evaluations must be > 0, got 0"),
        (["--budget-seconds", "-5"], "budget of simulated seconds must be > 0"),
        (["--budget-evals", "5", "--strategies", "nope"], "unknown strategies 'nope'"),
        (["--budget-evals", "5", "--seeds", "9-1"], "seeds must look like"),
        (["--budget-evals", "5", "--param", "oops"], "STRATEGY.NAME=VALUE"),
        (["--budget-evals", "5", "--epoch", "4"], "epoch 4 is not held"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(synthetic_path, tmp_path, capsys, extra, message) -> None:
    code = run_cli("--benchmark", str(synthetic_path), "--dataset", "synth", "--out", str(tmp_path / "x.jsonl"), *extra)
    assert code == 2
    assert message in capsys.readouterr().err


def test_seconds_budget_on_a_table_without_times(reference, nb201_reference_store, tmp_path, capsys) -> None:
    code = run_cli("--benchmark", str(nb201_reference_store), "--dataset", "cifar10", "--budget-seconds", "100",
                   "--out", str(tmp_path / "x.jsonl"))
    assert code == 2 and "--budget-epochs" in capsys.readouterr().err
