"""The ``nasbench`` command: info, query and import, human and JSON output, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nasbench_suite.cli import main


def test_info_json(small_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(small_store), "--json", "--verify"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["name"] == "small" and info["checksum_verified"] is True
    toy = info["datasets"]["toy"]
    assert toy["epochs"] == [1, 2, 3, 4] and toy["seeds"] == [0, 1]
    assert toy["optimum"]["metric"] == "test_acc" and toy["columns"] == ["zc/synflow"]


def test_info_table(small_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(small_store)]) == 0
    out = capsys.readouterr().out
    assert "small" in out and "toy" in out and "sha256:" in out


def test_query_json_and_errors(small_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(small_store), "3", "--dataset", "toy", "--epoch", "2", "--seed", "1", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["epoch"] == 2 and r["seed"] == 1 and set(r["costs"]) == {"params", "flops", "latency"}
    assert main(["query", str(small_store), "3", "--dataset", "nope"]) == 2
    assert "unknown dataset 'nope'; valid: 'toy'" in capsys.readouterr().err
    assert main(["query", str(small_store), "3", "--dataset", "toy", "--epoch", "40"]) == 2
    assert "epoch 40 is not held" in capsys.readouterr().err


def test_import_reference(reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ref.h5"
    code = main([
        "import", "nb201-reference",
        "--nats", str(reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv"),
        "--mini", str(reference_dir / "nb201_mini12" / "mini-bench-arch-cell-accs.cifar.csv"),
        "--out", str(out),
    ])
    assert code == 0 and out.is_file()
    capsys.readouterr()
    assert main(["query", str(out), "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|",
                 "--dataset", "cifar10", "--json"]) == 0
    assert round(json.loads(capsys.readouterr().out)["test_acc"], 2) == 94.37


def test_closed_pipe_stops_quietly(small_store: Path) -> None:
    """``nasbench info --json | head -c 1``: no traceback when the reader has gone away."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: every write fails with EPIPE
    script = "import sys; from nasbench_suite.cli import main; sys.exit(main(sys.argv[1:]))"
    try:
        proc = subprocess.run([sys.executable, "-c", script, "info", str(small_store), "--json"],
                              stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert proc.returncode == 141, err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_piped_output_is_not_wrapped_at_80_columns(small_store: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    long_title = f"a title of more than eighty columns, to show that a pipe gets the whole line: {arch}"
    assert main(["info", str(small_store)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) > 80  # e.g. the optimum's line, unbroken
    from nasbench_suite.cli._common import make_console

    make_console().print(long_title)
    assert capsys.readouterr().out == long_title + "\n"
    monkeypatch.setenv("COLUMNS", "60")
    make_console().print(long_title)
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 60  # COLUMNS still rules


def test_query_takes_the_only_dataset_and_names_the_units(small_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(small_store), "3", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["dataset"] == "toy" and r["units"]["latency"] == "s (median, batch 1)" and r["units"]["test_acc"] == "%"
    assert main(["query", str(small_store), "3"]) == 0
    rows = {line.split("│")[1].strip(): line for line in capsys.readouterr().out.splitlines() if line.count("│") == 4}
    latency_ms = f"{r['costs']['latency'] * 1e3:.4f}"
    assert latency_ms in rows["latency"] and "ms (median, batch 1)" in rows["latency"]
    assert "s (training in that epoch)" in rows["train_time"] and "%" in rows["valid_acc"]


def test_query_without_dataset_on_a_table_of_several_names_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import replace

    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    data = make_small_data()
    path = tmp_path / "two.h5"
    write_store(path, replace(data, datasets={"toy": data.datasets["toy"], "other": data.datasets["toy"]}))
    assert main(["query", str(path), "3"]) == 2
    assert "holds 2 datasets ('other', 'toy'): choose one with --dataset" in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["nope.h5", "sub/nope", "./nope"])
def test_info_on_a_missing_file_says_it_does_not_exist(missing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = missing if missing.startswith(".") else str(tmp_path / missing)
    assert main(["info", path]) == 2
    err = capsys.readouterr().err
    assert f"{path}: no such file or folder" in err and "unknown benchmark" not in err
    assert main(["info", "no-such-name"]) == 2
    assert "unknown benchmark (name or path) 'no-such-name'; valid:" in capsys.readouterr().err
