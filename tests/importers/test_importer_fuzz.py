"""Seeded byte-flip and truncation fuzzing of every importer's input files.

The contract per case: a clear nasbench-suite error, or the values of an
undamaged read. Checksummed formats (TFRecord's CRCs, bz2's block CRCs, the
pickles inside them) admit nothing else. CSV and JSON carry no integrity data:
a flipped digit is another well-formed file, so there a third outcome is
allowed and counted, ``changed_valid``: every imported value is possible and the
store written from it reads back exactly. Cases run in a child process
(``tests/fuzz_cases.py``), so a crash fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.spaces.nb201 import SIZE, Architecture

from fuzz_cases import check_contract, run_fuzz  # tests/fuzz_cases.py, beside conftest.py
from test_nb101_tfrecord import _runs, write_file  # the synthetic TFRecord writer beside this file

SSS = "NATS-sss-v1_0-50262-simple"


def test_nb101_tfrecord(tmp_path: Path, record_property) -> None:
    path = tmp_path / "nasbench_full.tfrecord"
    write_file(path, _runs(0))
    summary = run_fuzz("nb101-tfrecord", 120, 30, 1, [path], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary)


def test_naslib_zc_json(tmp_path: Path, record_property) -> None:
    rng = np.random.default_rng(0)
    records = {}
    while len(records) < 12:
        key = str(tuple(rng.integers(0, 5, size=6).tolist()))  # NASLib's NB201 key: 6 op indices
        records[key] = {
            "val_accuracy": float(rng.uniform(10, 90)), "params": float(rng.uniform(0.1, 1.5)),
            "flops": {"score": float(rng.uniform(10, 200)), "time": 0.01},
            "synflow": {"score": float(rng.normal()), "time": 0.2}, "nwot": float(rng.normal(700, 10)),
        }  # fmt: skip
    path = tmp_path / "zc_nasbench201.json"
    path.write_text(json.dumps({"cifar10": records}))
    summary = run_fuzz("naslib-zc", 120, 30, 2, [path], tmp_path, "--nb201")
    record_property("fuzz", summary)
    check_contract(summary, text_format=True)


def test_nb201_reference_csvs(tmp_path: Path, record_property) -> None:
    nats, mini = tmp_path / "nats_bench.cifar.csv", tmp_path / "mini-bench-arch-cell-accs.cifar.csv"
    archs = [Architecture.from_index(i).to_string() for i in range(SIZE)]
    acc = np.random.default_rng(0).uniform(10, 95, size=(SIZE, 6)).round(2)
    nats.write_text(
        "arch_index,ArchitectureString,UniqueString,CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs\n"
        + "".join(f"{i},{a},u,{acc[i, 0]},{acc[i, 1]}\n" for i, a in enumerate(archs))
    )
    mini.write_text(
        "arch,cellstr,cifar10-val,cifar10-test,cifar100-val,cifar100-test\n"
        + "".join(f"{i},{a},{acc[i, 2]},{acc[i, 3]},{acc[i, 4]},{acc[i, 5]}\n" for i, a in enumerate(archs))
    )
    summary = run_fuzz("nb201-reference", 6, 2, 3, [nats, mini], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary, text_format=True)


def test_nats_archive_sample(reference_dir: Path, tmp_path: Path, record_property) -> None:
    folder = reference_dir / "nats_archive_sample" / SSS
    summary = run_fuzz("nats-archive", 10, 4, 4, [folder / "meta.pickle.pbz2", folder / "000011.pickle.pbz2"], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary)


def test_image_dataset_pickle(tmp_path: Path, record_property) -> None:
    rng = np.random.default_rng(0)
    entry = {b"data": rng.integers(0, 256, size=(6, 3072), dtype=np.uint8), b"labels": [0, 1, 2, 3, 4, 5], b"batch_label": b"x"}
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(entry, protocol=2))
    summary = run_fuzz("image-pickle", 120, 30, 5, [path], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary, text_format=True)  # raw pickles carry no checksum: a flipped pixel is another valid image


@pytest.mark.slow
@pytest.mark.parametrize("budget", [600])
def test_nb101_tfrecord_long(tmp_path: Path, budget: int) -> None:
    path = tmp_path / "nasbench_full.tfrecord"
    write_file(path, _runs(1))
    check_contract(run_fuzz("nb101-tfrecord", budget, budget // 5, 11, [path], tmp_path))
