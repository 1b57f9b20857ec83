"""NASLib zero-cost importer: every reference record imports, reads back exactly, and maps to the right architecture."""

from __future__ import annotations

import ast
import csv
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import spearmanr

import nasbench_suite as nbs
from nasbench_suite.cli import main
from nasbench_suite.errors import ImportFormatError, UnknownNameError
from nasbench_suite.importers.naslib_zc import nb201_from_naslib, read_naslib_zc, transnas_macro_from_naslib
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.store import AGGREGATED_SEED, write_store

PROXIES_NB201 = ("synflow", "grasp", "fisher", "grad_norm", "l2_norm", "plain", "nwot", "epe_nas", "jacov", "snip")


def _records(path: Path) -> dict[str, dict[str, Any]]:
    """``{dataset: {key: record}}`` of a reference file, unwrapping NASLib's space wrapper."""
    obj = json.loads(path.read_text())
    if len(obj) == 1 and next(iter(obj)).startswith(("nasbench", "transbench")):
        obj = next(iter(obj.values()))
    return obj


def _score(value: Any) -> float:
    return value["score"] if isinstance(value, dict) else value


def _store(data: nbs.store.BenchmarkData, tmp_path: Path) -> Any:
    path = tmp_path / "zc.h5"
    write_store(path, data)
    return nbs.open_benchmark(path, verify=True)


def _check_exact(bench: Any, records: dict[str, Any], dataset: str, parse: Any, *, proxies: bool = True) -> None:
    """Every record's accuracy, params, FLOPs and proxy scores read back bit for bit."""
    acc = bench.query_many(None, dataset, metric="valid_acc")
    costs = bench.costs(dataset)
    columns = bench.columns(dataset)
    for key, rec in records.items():
        row = bench.row(parse(key).to_string())
        assert acc[row] == rec["val_accuracy"], key
        assert costs["params"][row] == round(_score(rec["params"]) * 1e6)
        assert costs["flops"][row] == round(_score(rec["flops"]) * 1e6)
        if proxies:
            for name, value in rec.items():
                if name not in ("idx", "arch", "val_accuracy", "flops", "params"):
                    want = _score(value)
                    if np.isinf(want):  # a store holds finite values or NaN; the provenance counts these
                        assert np.isnan(columns[f"zc/{name}"][row]), (key, name)
                        assert f"zc/{name}" in bench.dataset_provenance(dataset)["nonfinite_scores"]
                    else:
                        assert columns[f"zc/{name}"][row] == want, (key, name)
    assert np.count_nonzero(~np.isnan(acc)) == len(records)


# ----------------------------------------------------------------------- NB201
@pytest.fixture(scope="module")
def nb201_files(reference_dir: Path) -> list[Path]:
    return [reference_dir / "nb201_zc" / f"zc_nasbench201.{ds}.json" for ds in ("cifar10", "cifar100")]


def test_nb201_key_mapping_matches_the_documented_example() -> None:
    arch = nb201_from_naslib("(0, 2, 3, 2, 3, 1)")
    assert arch.to_string() == "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|"
    assert arch.index == 4811


def test_nb201_every_record_reads_back(nb201_files: list[Path], tmp_path: Path) -> None:
    data = read_naslib_zc(nb201_files, space="nb201")
    bench = _store(data, tmp_path)
    assert bench.space_name == "nb201" and len(bench.archs) == 725
    assert set(bench.datasets) == {"cifar10-valid", "cifar100"}  # NASLib's cifar10 values are cifar10-valid runs
    for path, ds in zip(nb201_files, ("cifar10-valid", "cifar100")):
        (records,) = _records(path).values()
        assert len(records) == 725
        _check_exact(bench, records, ds, nb201_from_naslib)
        assert bench.epochs(ds) == (200,) and bench.seeds(ds) == (0,)
        assert set(bench.columns(ds)) == {f"zc/{p}" for p in PROXIES_NB201} | {f"zc_time/{p}" for p in PROXIES_NB201}
    indices = [Architecture.from_string(a).index for a in bench.archs]
    assert indices == sorted(indices)  # rows in official index order
    assert "x-valid" in bench.dataset_provenance("cifar10-valid")["valid_acc"]


def test_nb201_mapping_agrees_with_the_nats_test_accuracies(nb201_files: list[Path], reference_dir: Path) -> None:
    """Validation accuracy tracks the 200-epoch test accuracy of the same cell; a wrong edge order would not."""
    with (reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv").open(newline="") as fh:
        test = {row["ArchitectureString"]: row for row in csv.DictReader(fh)}
    data = read_naslib_zc(nb201_files, space="nb201")
    for ds, column in (("cifar10-valid", "CIFAR10TestAccuracy200Epochs"), ("cifar100", "CIFAR100TestAccuracy200Epochs")):
        valid = data.datasets[ds].curves[:, 0, 0, nbs.benchmark.METRICS.index("valid_acc")]
        right = [float(test[a][column]) for a in data.archs]
        swapped = []  # NASLib's tuple read in NB201's own edge order, i.e. without swapping edges 2 and 3
        for a in data.archs:
            o = Architecture.from_string(a).ops
            swapped.append(float(test[Architecture((o[0], o[1], o[3], o[2], o[4], o[5])).to_string()][column]))
        rho = spearmanr(valid, right).statistic
        assert rho > 0.97, (ds, rho)
        assert spearmanr(valid, swapped).statistic < rho - 0.1


def test_nb201_older_files_and_disagreeing_duplicates(nb201_files: list[Path], reference_dir: Path) -> None:
    older = sorted((reference_dir / "nb201_zc" / "older_22280f71").glob("*.json"))
    data = read_naslib_zc(older, space="nb201")
    assert len(data.archs) == 491 and set(data.datasets) == {"cifar10-valid", "cifar100"}
    # both versions hold 112 common architectures whose (stochastic) proxy scores differ
    with pytest.raises(ImportFormatError, match="disagree"):
        read_naslib_zc([nb201_files[0], older[0]], space="nb201")


def test_dataset_filter(nb201_files: list[Path]) -> None:
    assert set(read_naslib_zc(nb201_files, space="nb201", datasets=["cifar10"]).datasets) == {"cifar10-valid"}
    assert set(read_naslib_zc(nb201_files, space="nb201", datasets=["cifar100"]).datasets) == {"cifar100"}


# ----------------------------------------------------------------------- NB101
def test_nb101_every_record_reads_back(reference_dir: Path, tmp_path: Path) -> None:
    from nasbench_suite.spaces.nb101 import Architecture as NB101

    path = reference_dir / "nb101_zc" / "zc_nasbench101.json"
    records = _records(path)["cifar10"]
    bench = _store(read_naslib_zc(path, space="nb101"), tmp_path)
    assert len(bench.archs) == len(records) == 500
    _check_exact(bench, records, "cifar10", NB101.from_naslib)
    assert bench.epochs("cifar10") == (108,)
    assert "ONE of its 3 repeats" in bench.provenance["accuracy_source"]


def test_nb101_keys_with_one_hash_share_at_most_three_accuracies(reference_dir: Path) -> None:
    """NASLib draws one of NB101's 3 repeats per query: keys that are the same network show at most 3 values."""
    from nasbench_suite.spaces.nb101 import Architecture as NB101

    data = read_naslib_zc(reference_dir / "nb101_zc" / "zc_nasbench101.json", space="nb101")
    acc = data.datasets["cifar10"].curves[:, 0, 0, nbs.benchmark.METRICS.index("valid_acc")]
    by_hash: dict[str, set[float]] = defaultdict(set)
    for a, v in zip(data.archs, acc):
        by_hash[NB101.from_string(a).hash].add(float(v))
    assert len(by_hash) < len(data.archs)  # the sample repeats networks
    assert max(len(v) for v in by_hash.values()) == 3


# ----------------------------------------------------------------------- NB301
def test_nb301_every_record_reads_back(reference_dir: Path, tmp_path: Path) -> None:
    from nasbench_suite.spaces.darts import Architecture as Darts

    path = reference_dir / "nb301_zc" / "zc_nasbench301.json"
    records = _records(path)["cifar10"]
    bench = _store(read_naslib_zc(path, space="darts"), tmp_path)
    assert len(bench.archs) == len(records) == 725
    _check_exact(bench, records, "cifar10", Darts.from_naslib)
    assert bench.seeds("cifar10") == (AGGREGATED_SEED,) and bench.epochs("cifar10") == (100,)
    assert bench.provenance["accuracy_source"].startswith("surrogate-predicted (NAS-Bench-301")


def test_nb301_older_file(reference_dir: Path) -> None:
    data = read_naslib_zc(reference_dir / "nb301_zc" / "older_22280f71" / "zc_nasbench301.json", space="darts")
    assert len(data.archs) == 500


# ------------------------------------------------------------ TransNAS-Bench-101
TASKS = ("class_scene", "class_object", "jigsaw", "room_layout", "segmentsemantic", "normal", "autoencoder")
TASK_COUNTS = {
    "micro": dict.fromkeys(TASKS, 711),
    "macro": {**dict.fromkeys(TASKS, 725), "class_scene": 662, "class_object": 662},
}


@pytest.mark.parametrize("kind", ["micro", "macro"])
def test_transnas_every_record_reads_back(kind: str, reference_dir: Path, tmp_path: Path) -> None:
    from nasbench_suite.importers.naslib_zc import SPACES

    path = reference_dir / "transnas101_zc" / f"zc_transbench101_{kind}.json"
    space = f"transnas101-{kind}"
    bench = _store(read_naslib_zc(path, space=space), tmp_path)
    for task, records in _records(path).items():
        assert len(records) == TASK_COUNTS[kind][task]
        _check_exact(bench, records, task, SPACES[space].parse_key)
    # room_layout's "accuracy" is a negated loss; the loss itself is stored as the loss
    np.testing.assert_array_equal(
        bench.query_many(None, "room_layout", metric="valid_loss"), -bench.query_many(None, "room_layout", metric="valid_acc")
    )
    assert bench.epochs("jigsaw") == (10,) and bench.epochs("autoencoder") == (30,)
    assert "SSIM" in bench.dataset_provenance("normal")["valid_acc"].upper()
    assert "-1e8" in bench.dataset_provenance("class_scene")["failed_proxy_marker"]


def test_transnas_macro_skeleton_lengths(reference_dir: Path) -> None:
    records = _records(reference_dir / "transnas101_zc" / "zc_transbench101_macro.json")["autoencoder"]
    lengths = Counter(len(transnas_macro_from_naslib(k).modules) for k in records)
    assert lengths == {4: 147, 5: 269, 6: 309}
    assert transnas_macro_from_naslib("(1, 2, 4, 2, 0, 0)").to_string() == "64-1242-basic"


def test_transnas_zen_lists_cover_the_micro_space(reference_dir: Path, tmp_path: Path) -> None:
    files = sorted((reference_dir / "transnas101_zc" / "zc_benchmarks" / "zen").glob("*.json"))
    assert len(files) == 35
    bench = _store(read_naslib_zc(files, space="transnas101-micro"), tmp_path)
    assert len(bench.archs) == 4096 and bench.row_order == "index"
    for path in files[:5]:
        task = path.name.split("--")[2]
        acc, zen = bench.query_many(None, task, metric="valid_acc"), bench.columns(task)["zc/zen"]
        for rec in json.loads(path.read_text()):
            code = "".join(str(c) for c in ast.literal_eval(rec["arch"]))
            row = int(code, 4)
            assert acc[row] == rec["val_accuracy"] and zen[row] == rec["zen"]["score"]
    for task in TASK_COUNTS["micro"]:
        assert not np.isnan(bench.query_many(None, task, metric="valid_acc")).any()


def test_cli(reference_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "nb301.h5"
    src = reference_dir / "nb301_zc" / "zc_nasbench301.json"
    assert main(["import", "naslib-zc", str(src), "--space", "darts", "--out", str(out)]) == 0
    assert len(nbs.open_benchmark(out).archs) == 725


# -------------------------------------------------------------- malformed input
def _json(tmp_path: Path, obj: Any, name: str = "zc.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return path


def test_malformed_files_are_refused(tmp_path: Path) -> None:
    good = {"val_accuracy": 90.0, "params": 1.5, "flops": {"score": 10.0, "time": 0.1}, "synflow": {"score": 3.0, "time": 0.2}}
    data = read_naslib_zc(_json(tmp_path, {"cifar10": {"(0, 2, 3, 2, 3, 1)": good}}), space="nb201")
    assert data.datasets["cifar10-valid"].columns["zc_time/synflow"][0] == 0.2
    assert data.datasets["cifar10-valid"].costs[0, :2].tolist() == [1_500_000, 10_000_000]
    cases = [
        ({"cifar10": {"(0, 2, 3, 2, 3, 9)": good}}, "nb201", "0..4"),
        ({"cifar10": {"(0, 2, 3)": good}}, "nb201", "6 ints"),
        ({"cifar10": {"(0, 2, 3, 2, 3, 1)": {**good, "synflow": "high"}}}, "nb201", "synflow"),
        ({"cifar10": {"(0, 2, 3, 2, 3, 1)": {**good, "synflow": {"score": None}}}}, "nb201", "synflow"),
        ({"cifar10": {"(0, 2, 3, 2, 3, 1)": {**good, "arch": "(1, 1, 1, 1, 1, 1)"}}}, "nb201", "differs from its key"),
        ({"nasbench101": {"cifar10": {}}}, "nb201", "not --space"),
        ([good], "nb201", "--dataset"),
        ({"cifar10": ["not", "records"]}, "nb201", "record objects"),
    ]
    for obj, space, match in cases:
        with pytest.raises(ImportFormatError, match=match):
            read_naslib_zc(_json(tmp_path, obj), space=space)
    with pytest.raises(ImportFormatError, match="not JSON"):
        (tmp_path / "bad.json").write_text("{")
        read_naslib_zc(tmp_path / "bad.json", space="nb201")
    with pytest.raises(UnknownNameError, match="task"):
        read_naslib_zc(_json(tmp_path, {"cifar10": {"(1, 0, 0, 2, 1, 0)": good}}), space="transnas101-micro")
    with pytest.raises(UnknownNameError, match="nb999"):
        read_naslib_zc(_json(tmp_path, {}), space="nb999")
    with pytest.raises(FileNotFoundError):
        read_naslib_zc(tmp_path / "missing.json", space="nb201")


def test_list_layout_takes_its_dataset_from_the_name_or_the_option(tmp_path: Path) -> None:
    rec = {"idx": "0", "arch": "(2, 3, 2, 3, 2, 3)", "zen": {"score": 1.0, "time": 2.0}, "val_accuracy": 50.0}
    named = _json(tmp_path, [rec], "benchmark--transbench101_micro--jigsaw--0.json")
    assert set(read_naslib_zc(named, space="transnas101-micro").datasets) == {"jigsaw"}
    with pytest.raises(ImportFormatError, match="not --space"):
        read_naslib_zc(named, space="transnas101-macro")
    plain = _json(tmp_path, [rec], "zen.json")
    assert set(read_naslib_zc(plain, space="transnas101-micro", datasets=["normal"]).datasets) == {"normal"}
