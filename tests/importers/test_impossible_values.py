"""Every importer refuses impossible values and duplicate keys, naming file, row, column and the allowed range."""

from __future__ import annotations

import bz2
import functools
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.errors import ImportFormatError, ImpossibleValueError
from nasbench_suite.importers._json import load_json
from nasbench_suite.importers.naslib_zc import read_naslib_zc
from nasbench_suite.importers.nats_archive import read_nats_archive
from nasbench_suite.importers.nb101_tfrecord import read_nb101_tfrecord
from nasbench_suite.importers.nb201_reference import read_nb201_reference
from nasbench_suite.spaces.nb201 import SIZE, Architecture
from nasbench_suite.store import write_store
from nasbench_suite.store.ranges import ACCURACY, FINITE, LOSS, SECONDS, value_range
from nasbench_suite.testing.tables import make_small_data
from test_nb101_tfrecord import _runs, write_file  # the synthetic TFRecord writer beside this file


def test_ranges_by_name() -> None:
    assert value_range("test_acc") is ACCURACY and value_range("acc") is ACCURACY
    assert value_range("train_loss") is LOSS and value_range("zc_time/synflow") is SECONDS
    assert value_range("zc/synflow") is FINITE and value_range("valid_acc", {"valid_acc": [None, 0]}).high == 0
    assert value_range("params").allows(0.0) and not value_range("params").allows(-1.0)
    assert not FINITE.allows(math.inf) and FINITE.allows(math.nan)
    with pytest.raises(ValueError, match="low > high"):
        value_range("x", {"x": [1, 0]})


# ------------------------------------------------------------------ JSON keys
def test_duplicate_json_keys_are_an_error() -> None:
    with pytest.raises(ImportFormatError, match=r"f\.json .*key 'val_accuracy' appears twice"):
        load_json('{"a": {"val_accuracy": 1, "val_accuracy": 2}}', source="f.json")
    assert load_json('[{"a": 1}, {"a": 2}]', source="f.json") == [{"a": 1}, {"a": 2}]


# --------------------------------------------------------------- naslib-zc
GOOD = {"val_accuracy": 90.0, "params": 1.5, "flops": 10.0, "synflow": {"score": 3.0, "time": 0.2}}
KEY = "(0, 2, 3, 2, 3, 1)"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (json.dumps({"cifar10": {KEY: {**GOOD, "val_accuracy": 150.0}}}), r"field 'val_accuracy': valid_acc = 150.0 is impossible; allowed: \[0, 100\]"),
        (json.dumps({"cifar10": {KEY: {**GOOD, "val_accuracy": math.inf}}}), r"valid_acc = inf is impossible"),
        (json.dumps({"cifar10": {KEY: {**GOOD, "params": -2.0}}}), r"field 'params': params = -2.0 is impossible; allowed: finite, >= 0"),
        (json.dumps({"cifar10": {KEY: {**GOOD, "synflow": {"score": 1.0, "time": -3.0}}}}), r"zc_time/synflow = -3.0"),
        ('{"cifar10": {"%s": {"val_accuracy": 90.0, "val_accuracy": 10.0}}}' % KEY, "key 'val_accuracy' appears twice"),
        ('{"cifar10": {"%s": {"val_accuracy": 90.0}, "%s": {"val_accuracy": 10.0}}}' % (KEY, KEY), "appears twice"),
    ],
)
def test_naslib_zc_refuses(text: str, fragment: str, tmp_path: Path) -> None:
    path = tmp_path / "zc.json"
    path.write_text(text)
    with pytest.raises(ImportFormatError, match=fragment) as info:
        read_naslib_zc(path, space="nb201")
    assert str(path) in str(info.value)
    if "impossible" in fragment:
        assert isinstance(info.value, ImpossibleValueError) and KEY in str(info.value)  # the row: the record's key


def test_naslib_zc_infinite_proxy_becomes_nan_and_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "zc.json"
    path.write_text(json.dumps({"cifar10": {KEY: {**GOOD, "synflow": -math.inf}}}))
    table = read_naslib_zc(path, space="nb201").datasets["cifar10-valid"]
    assert np.isnan(table.columns["zc/synflow"][0]) and "zc/synflow" in table.provenance["nonfinite_scores"]


# ---------------------------------------------------------- nb201-reference
@pytest.fixture(scope="module")
def nb201_csvs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("nb201csv")
    nats, mini = folder / "nats.csv", folder / "mini.csv"
    archs = [Architecture.from_index(i).to_string() for i in range(SIZE)]
    nats.write_text(
        "arch_index,ArchitectureString,UniqueString,CIFAR10TestAccuracy200Epochs,CIFAR100TestAccuracy200Epochs\n"
        + "".join(f"{i},{a},u,90.5,70.25\n" for i, a in enumerate(archs))
    )
    mini.write_text(
        "arch,cellstr,cifar10-val,cifar10-test,cifar100-val,cifar100-test\n"
        + "".join(f"{i},{a},80,81,50,51\n" for i, a in enumerate(archs))
    )
    return nats, mini


@pytest.mark.parametrize(
    ("value", "fragment"), [("150", "test_acc = 150.0 is impossible; allowed: \\[0, 100\\]"), ("inf", "test_acc = inf"), ("-0.5", "-0.5")]
)
def test_nb201_reference_refuses(nb201_csvs: tuple[Path, Path], value: str, fragment: str, tmp_path: Path) -> None:
    nats, mini = nb201_csvs
    lines = nats.read_text().splitlines()
    fields = lines[7].split(",")
    fields[3] = value
    bad = tmp_path / "nats.csv"
    bad.write_text("\n".join([*lines[:7], ",".join(fields), *lines[8:]]) + "\n")
    with pytest.raises(ImpossibleValueError, match=fragment) as info:
        read_nb201_reference(bad, mini)
    assert f"{str(bad)!r} line 8, column 'CIFAR10TestAccuracy200Epochs'" in str(info.value)


def test_nb201_reference_refuses_a_column_named_twice(nb201_csvs: tuple[Path, Path], tmp_path: Path) -> None:
    nats, mini = nb201_csvs
    text = nats.read_text().replace("UniqueString", "CIFAR10TestAccuracy200Epochs", 1)
    bad = tmp_path / "nats.csv"
    bad.write_text(text)
    with pytest.raises(ImportFormatError, match=r"columns \['CIFAR10TestAccuracy200Epochs'\] appear more than once"):
        read_nb201_reference(bad, mini)


# ----------------------------------------------------------- nb101-tfrecord
@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [("valid", 1.5, r"'validation_accuracy' \(x100\): valid_acc = 150.0"), ("test", math.inf, "test_acc = inf"),
     ("time", -1.0, "train_time = -1.0"), ("params", -5, "params = -5.0")],
)  # fmt: skip
def test_nb101_tfrecord_refuses(field: str, value: float, fragment: str, tmp_path: Path) -> None:
    runs = _runs(0)
    key = next(iter(runs))
    cell, params, evaluations = runs[key]
    if field == "params":
        params = int(value) & (2**64 - 1)  # a negative int32 on the wire: 64-bit two's complement varint
    else:
        evaluations = [dict(ev) for ev in evaluations]
        evaluations[2][field] = value
    runs[key] = (cell, params, evaluations)
    path = tmp_path / "nb101.tfrecord"
    write_file(path, runs)
    with pytest.raises(ImpossibleValueError, match=fragment) as info:
        read_nb101_tfrecord(path, progress=False)
    assert "record at byte offset 0" in str(info.value) and str(path) in str(info.value)


# ------------------------------------------------------------- nats-archive
@functools.cache
def _tss_meta() -> tuple[list[str], bytes]:
    archs = [Architecture.from_index(i).to_string() for i in range(SIZE)]
    meta = {"meta_archs": archs, "total_archs": SIZE, "arch2infos": None, "evaluated_indexes": set()}
    return archs, bz2.compress(pickle.dumps(meta, protocol=4), 1)


def _tss_archive(tmp_path: Path, result_patch: dict) -> Path:
    archive = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    archive.mkdir()
    archs, meta = _tss_meta()
    (archive / "meta.pickle.pbz2").write_bytes(meta)
    result = {
        "train_acc1es": {199: 90.0}, "train_losses": {199: 0.5}, "train_times": {199: 7.0}, "params": 0.5, "flop": 1.25,
        "seed": "0777", "epochs": 200, "latency": [0.01], "eval_names": ["x-valid", "ori-test"],
        "eval_acc1es": {"x-valid@199": 89.0, "ori-test@199": 88.0}, "eval_losses": {"x-valid@199": 0.6, "ori-test@199": 0.7},
    }  # fmt: skip
    result.update(result_patch)
    record = {"200": {"arch_index": 0, "arch_str": archs[0], "all_results": {("cifar10-valid", 777): result}}}
    (archive / "000000.pickle.pbz2").write_bytes(bz2.compress(pickle.dumps(record, protocol=4)))
    return archive


@pytest.mark.parametrize(
    ("patch", "fragment"),
    [
        ({"train_acc1es": {199: 150.0}}, r"epoch index 199 \(NATS iepoch\): train_acc = 150.0 is impossible; allowed: \[0, 100\]"),
        ({"eval_losses": {"x-valid@199": math.inf, "ori-test@199": 0.7}}, "valid_loss = inf"),
        ({"train_times": {199: -7.0}}, "train_time = -7.0"),
        ({"params": -0.5}, "field 'params' \\(millions\\): params = -0.5"),
        ({"flop": math.inf}, "flops = inf"),
        ({"latency": [math.inf]}, "field 'latency'"),
    ],
)
def test_nats_archive_refuses(patch: dict, fragment: str, tmp_path: Path) -> None:
    archive = _tss_archive(tmp_path, patch)
    with pytest.raises(ImpossibleValueError, match=fragment) as info:
        read_nats_archive(archive, progress=False)
    assert "000000.pickle.pbz2', budget '200', dataset 'cifar10-valid', seed 777" in str(info.value)


def test_nats_archive_accepts_the_good_record(tmp_path: Path) -> None:
    data = read_nats_archive(_tss_archive(tmp_path, {}), progress=False)
    assert data.datasets["cifar10-valid"].curves[0, 0, 199, 1] == 90.0


# ------------------------------------------------------------------ the writer
@pytest.mark.parametrize(
    ("metric", "value", "fragment"),
    [("test_acc", 209.55, r"test_acc = 209.55 is impossible; allowed: \[0, 100\]"), ("train_loss", -0.1, "train_loss = -0.1"),
     ("valid_loss", math.inf, "valid_loss = inf"), ("train_time", -1.0, "train_time")],
)  # fmt: skip
def test_writer_refuses_impossible_values(metric: str, value: float, fragment: str, tmp_path: Path) -> None:
    from nasbench_suite.benchmark import METRICS

    data = make_small_data()
    data.datasets["toy"].curves[3, 1, 2, METRICS.index(metric)] = value
    with pytest.raises(ImpossibleValueError, match=fragment) as info:
        write_store(tmp_path / "x.h5", data)
    assert f"architecture {data.archs[3]!r} (row 3), seed 1, epoch 3" in str(info.value)
    assert not (tmp_path / "x.h5").exists()


def test_writer_refuses_impossible_costs_and_columns(tmp_path: Path) -> None:
    data = make_small_data()
    data.datasets["toy"].costs[4, 0] = -1.0
    with pytest.raises(ImpossibleValueError, match="params = -1.0"):
        write_store(tmp_path / "x.h5", data)
    data = make_small_data()
    data.datasets["toy"].columns["zc/synflow"][2] = math.inf
    with pytest.raises(ImpossibleValueError, match="column 'zc/synflow'.*zc/synflow = inf"):
        write_store(tmp_path / "x.h5", data)
    data = make_small_data()
    data.datasets["toy"].curves[..., 1] = -data.datasets["toy"].curves[..., 1]  # a negated loss under train_acc
    data.datasets["toy"].provenance["value_ranges"] = {"train_acc": [None, 0]}
    write_store(tmp_path / "x.h5", data)  # declared: accepted
