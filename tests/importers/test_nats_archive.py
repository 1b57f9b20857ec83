"""NATS-Bench archive importer: exact values, explicit splits, budgets, and the restricted unpickler."""

from __future__ import annotations

import bz2
import collections
import io
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nasbench_suite as nbs
from nasbench_suite.benchmark import METRICS
from nasbench_suite.cli import main
from nasbench_suite.errors import ImportFormatError
from nasbench_suite.importers._safe_pickle import load_pickle_bz2, restricted_load
from nasbench_suite.importers.nats_archive import read_nats_archive
from nasbench_suite.spaces.nb201 import Architecture
from nasbench_suite.store import write_store

TSS = "NATS-tss-v1_0-3ffb9-simple"
SSS = "NATS-sss-v1_0-50262-simple"


class _RawUnpickler(pickle.Unpickler):
    """An independent reader of the sample (exactly the three globals it uses), to check against."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("numpy", "dtype"):
            return np.dtype
        if (module, name) == ("numpy.core.multiarray", "scalar"):
            from numpy._core.multiarray import scalar

            return scalar
        raise AssertionError(f"unexpected global {module}.{name} in the sample")


def _raw(path: Path) -> Any:
    with bz2.open(path) as fh:
        return _RawUnpickler(fh).load()


@pytest.fixture(scope="module")
def sample(reference_dir: Path) -> Path:
    return reference_dir / "nats_archive_sample"


@pytest.fixture(scope="module")
def tss_store(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nats") / "tss.h5"
    write_store(path, read_nats_archive(sample / TSS, progress=False, ori_test=True))
    return path


# ------------------------------------------------------------- topology space
def test_rows_are_the_archived_architectures_in_index_order(tss_store: Path, sample: Path) -> None:
    bench = nbs.open_benchmark(tss_store, verify=True)
    meta = _raw(sample / TSS / "meta.pickle.pbz2")
    assert bench.archs == [meta["meta_archs"][i] for i in (0, 11, 284)]
    assert [Architecture.from_string(a).index for a in bench.archs] == [0, 11, 284]
    np.testing.assert_array_equal(bench.columns("cifar10-valid")["nats_index"], [0, 11, 284])
    assert bench.space_name == "nb201"


def test_datasets_budgets_and_seeds(tss_store: Path) -> None:
    bench = nbs.open_benchmark(tss_store)
    assert set(bench.datasets) == {
        "cifar10-valid", "cifar10", "cifar100", "ImageNet16-120", "cifar100:ori-test", "ImageNet16-120:ori-test",
        "cifar10-valid:12ep", "cifar10:12ep", "cifar100:12ep", "ImageNet16-120:12ep",
        "cifar100:ori-test:12ep", "ImageNet16-120:ori-test:12ep",
    }  # fmt: skip
    assert bench.epochs("cifar10-valid") == tuple(range(1, 201))
    assert bench.epochs("cifar10-valid:12ep") == tuple(range(1, 13))
    assert bench.seeds("cifar100") == (777, 888, 999)
    assert bench.seeds("cifar10-valid:12ep") == (111, 777)
    assert bench.seeds("cifar10:12ep") == (111,)


def test_the_documented_value_reads_back_exactly(tss_store: Path, sample: Path) -> None:
    # arch 0, cifar10-valid, x-valid accuracy after the last of 200 epochs (iepoch 199), seed 777
    raw = _raw(sample / TSS / "000000.pickle.pbz2")["200"]["all_results"][("cifar10-valid", 777)]
    bench = nbs.open_benchmark(tss_store)
    result = bench.query(bench.archs[0], "cifar10-valid", epoch=200, seed=777)
    assert result.valid_acc == raw["eval_acc1es"]["x-valid@199"] == 82.09199998291015
    assert result.test_acc == raw["eval_acc1es"]["ori-test@199"]
    assert result.valid_loss == raw["eval_losses"]["x-valid@199"]
    assert result.train_loss == raw["train_losses"][199]
    assert result.train_time == raw["train_times"][199]


TRAIN_KEYS = (("train_acc1es", "train_acc"), ("train_losses", "train_loss"), ("train_times", "train_time"))
#: (NATS dataset, store suffix) -> (valid split, test split), as NATS-Bench's get_more_info reports them
SPLITS = {
    ("cifar10-valid", ""): ("x-valid", "ori-test"),
    ("cifar10", ""): (None, "ori-test"),
    ("cifar100", ""): ("x-valid", "x-test"),
    ("ImageNet16-120", ""): ("x-valid", "x-test"),
    ("cifar100", ":ori-test"): (None, "ori-test"),
    ("ImageNet16-120", ":ori-test"): (None, "ori-test"),
}


def test_every_value_matches_the_raw_pickles(tss_store: Path, sample: Path) -> None:
    bench = nbs.open_benchmark(tss_store)
    m = {name: i for i, name in enumerate(METRICS)}
    checked = 0
    for row, index in enumerate((0, 11, 284)):
        record = _raw(sample / TSS / f"{index:06d}.pickle.pbz2")
        for budget, entry in record.items():
            for (ds, seed), r in entry["all_results"].items():
                for suffix in ("", ":ori-test"):
                    if (ds, suffix) not in SPLITS:
                        continue
                    name = ds + suffix + ("" if budget == "200" else f":{budget}ep")
                    curves = bench.curves(name)[row, bench.seeds(name).index(seed)]
                    expected = np.full_like(curves, np.nan)
                    for key, metric in TRAIN_KEYS:
                        for e, v in r[key].items():
                            expected[e, m[metric]] = v
                    valid, test = SPLITS[(ds, suffix)]
                    for label, v in r["eval_acc1es"].items():
                        split, e = label.split("@")
                        if split in (valid, test):
                            prefix = "valid" if split == valid else "test"
                            expected[int(e), m[f"{prefix}_acc"]] = v
                            expected[int(e), m[f"{prefix}_loss"]] = r["eval_losses"][label]
                    np.testing.assert_array_equal(curves, expected, err_msg=f"{index} {name} {seed}")
                    costs = bench.costs(name)
                    assert costs["params"][row] == round(r["params"] * 1e6)
                    assert costs["flops"][row] == round(r["flop"] * 1e6)
                    checked += 1
    assert checked == 3 * (5 + 12 + 2 + 2 * 3)


def test_splits_are_never_conflated(tss_store: Path) -> None:
    bench = nbs.open_benchmark(tss_store)
    # cifar10 is trained on all 50k images: it has no validation split
    assert np.isnan(bench.curves("cifar10")[..., METRICS.index("valid_acc")]).all()
    # cifar100 at 200 epochs: x-valid / x-test are recorded only after the last epoch, ori-test every epoch
    assert bench.query(0, "cifar100", epoch=1, seed=777).measured("test_acc") is False
    assert bench.query(0, "cifar100:ori-test", epoch=1, seed=777).measured("test_acc")
    assert np.isnan(bench.curves("cifar100:ori-test")[..., METRICS.index("valid_acc")]).all()
    prov = bench.dataset_provenance("cifar100")
    assert prov["splits"]["test_*"].startswith("x-test") and prov["splits"]["valid_*"].startswith("x-valid")
    assert prov["nats_hp"] == "200" and "ori-test" in prov["ori_test"]
    assert bench.dataset_provenance("cifar10-valid:12ep")["nats_hp"] == "12"


def test_latency_is_the_median_of_the_recorded_times(tss_store: Path, sample: Path) -> None:
    bench = nbs.open_benchmark(tss_store)
    entry = _raw(sample / TSS / "000011.pickle.pbz2")["200"]["all_results"]
    times = [t for seed in (777, 888, 999) for t in entry[("cifar100", seed)]["latency"]]
    assert bench.cost(bench.archs[1], "cifar100", "latency") == float(np.median(times))


def test_filters(sample: Path) -> None:
    data = read_nats_archive(sample / TSS, budgets=["200"], datasets=["cifar100"], progress=False)
    assert list(data.datasets) == ["cifar100"]
    with pytest.raises(ImportFormatError, match="budgets"):
        read_nats_archive(sample / TSS, budgets=["90"], progress=False)


# ------------------------------------------------------------------ size space
def test_size_space_sample(sample: Path) -> None:
    from nasbench_suite.spaces.nats_sss import Architecture as SizeArchitecture

    data = read_nats_archive(sample / SSS, progress=False)
    assert data.search_space == "nats-sss"
    assert [SizeArchitecture.from_string(a).index for a in data.archs] == [0, 11, 284]
    assert {"cifar10-valid", "cifar10-valid:12ep", "cifar10-valid:1ep"} <= set(data.datasets)
    table = data.datasets["cifar10-valid"]
    assert table.curves.shape == (3, 1, 90, len(METRICS))
    raw = _raw(sample / SSS / "000011.pickle.pbz2")["90"]["all_results"][("cifar10-valid", 777)]
    assert table.curves[1, 0, 89, METRICS.index("valid_acc")] == raw["eval_acc1es"]["x-valid@89"]
    assert table.curves[1, 0, 0, METRICS.index("test_acc")] == raw["eval_acc1es"]["ori-test@0"]


def test_cli_writes_a_store(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "sss.h5"
    assert main(["import", "nats-archive", str(sample / SSS), "--budgets", "12", "--out", str(out)]) == 0
    bench = nbs.open_benchmark(out, verify=True)
    assert set(bench.datasets) == {"cifar10-valid:12ep", "cifar10:12ep", "cifar100:12ep", "ImageNet16-120:12ep"}


# ----------------------------------------------------------- refusing archives
def _write(path: Path, obj: Any) -> None:
    path.write_bytes(bz2.compress(pickle.dumps(obj, protocol=4)))


class _Forbidden:
    """Pickles as a call of a global no benchmark archive needs (harmless if it ever ran)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.getcwd, ())


def _tss_meta() -> dict[str, Any]:
    from nasbench_suite.spaces.nb201 import NB201Space

    archs = [a.to_string() for a in NB201Space().all()]
    return {"meta_archs": archs, "total_archs": len(archs), "arch2infos": None, "evaluated_indexes": set()}


def test_an_archive_holding_a_forbidden_global_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    archive.mkdir()
    meta = _tss_meta()
    _write(archive / "meta.pickle.pbz2", meta)
    record = {"200": {"arch_index": 0, "arch_str": meta["meta_archs"][0], "all_results": {}, "payload": _Forbidden()}}
    _write(archive / "000000.pickle.pbz2", record)
    with pytest.raises(ImportFormatError, match=r"global \S*\.getcwd") as info:
        read_nats_archive(archive, progress=False)
    assert "000000.pickle.pbz2" in str(info.value)


def test_a_forbidden_global_in_meta_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    _write(archive / "meta.pickle.pbz2", {"meta_archs": [_Forbidden()]})
    with pytest.raises(ImportFormatError, match="getcwd"):
        read_nats_archive(archive, progress=False)


class _ObjectScalar:
    """numpy's scalar reconstructor fed an object dtype and raw bytes (memory-unsafe if obeyed)."""

    def __reduce__(self) -> tuple[Any, ...]:
        from numpy._core.multiarray import scalar

        return (scalar, (np.dtype("O"), b"\0" * 8))


def test_numpy_reconstructors_accept_only_plain_dtypes() -> None:
    with pytest.raises(ImportFormatError, match="plain numeric"):
        restricted_load(io.BytesIO(pickle.dumps([_ObjectScalar()])))
    with pytest.raises(ImportFormatError, match="plain numeric"):
        restricted_load(io.BytesIO(pickle.dumps(np.array([None, 1], dtype=object), protocol=2)))


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_plain_containers_load_at_every_protocol(protocol: int) -> None:
    obj = {
        "od": collections.OrderedDict(a=[1, 2.5, "x"]),
        "set": {1, 2},
        "f": np.float64(0.1),
        "i": np.int64(-3),
        "arr": np.arange(6.0).reshape(2, 3),
        "bytes": b"\x00\xff",
    }
    back = restricted_load(io.BytesIO(pickle.dumps(obj, protocol=protocol)))
    assert back["od"] == obj["od"] and back["set"] == obj["set"] and back["bytes"] == obj["bytes"]
    assert back["f"] == obj["f"] and type(back["f"]) is np.float64 and back["i"] == -3
    np.testing.assert_array_equal(back["arr"], obj["arr"])


def test_malformed_archives_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "meta.pickle.pbz2").write_bytes(b"not bz2")
    with pytest.raises(ImportFormatError, match="bz2"):
        read_nats_archive(archive, progress=False)
    meta = _tss_meta()
    _write(archive / "meta.pickle.pbz2", meta)
    _write(archive / "000005.pickle.pbz2", {"200": {"arch_index": 6, "arch_str": meta["meta_archs"][6], "all_results": {}}})
    with pytest.raises(ImportFormatError, match="000005"):
        read_nats_archive(archive, progress=False)
    _write(archive / "000005.pickle.pbz2", {"200": {"arch_index": 5, "arch_str": meta["meta_archs"][5]}})
    with pytest.raises(ImportFormatError, match="malformed"):
        read_nats_archive(archive, progress=False)
    _write(archive / "meta.pickle.pbz2", {"meta_archs": ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"] * 3})
    with pytest.raises(ImportFormatError, match="15625"):
        read_nats_archive(archive, progress=False)


def _run(seed: int, latency: list[float], acc: float) -> dict[str, Any]:
    return {
        "train_acc1es": {199: acc},
        "train_losses": {199: 0.5},
        "train_times": {199: 7.0},
        "params": 0.5,
        "flop": 1.25,
        "seed": f"{seed:04d}",
        "epochs": 200,
        "latency": latency,
        "eval_names": ["x-valid", "ori-test"],
        "eval_acc1es": {"x-valid@199": acc - 1, "ori-test@199": acc - 2},
        "eval_losses": {"x-valid@199": 0.6, "ori-test@199": 0.7},
    }


def test_seeds_are_the_union_and_latency_pools_every_run(tmp_path: Path) -> None:
    archive = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    archive.mkdir()
    meta = _tss_meta()
    _write(archive / "meta.pickle.pbz2", meta)
    for index, runs in ((0, {777: [0.1, 0.3], 888: [0.2, -1.0]}), (7, {888: [0.4]})):
        results = {("cifar10-valid", s): _run(s, lat, 80.0 + s / 1000) for s, lat in runs.items()}
        entry = {"arch_index": index, "arch_str": meta["meta_archs"][index], "all_results": results}
        _write(archive / f"{index:06d}.pickle.pbz2", {"200": entry})
    data = read_nats_archive(archive, progress=False)
    table = data.datasets["cifar10-valid"]
    assert table.seeds.tolist() == [777, 888]
    valid = table.curves[:, :, 199, METRICS.index("valid_acc")]
    np.testing.assert_array_equal(valid, [[79.777, 79.888], [np.nan, 79.888]])
    assert table.costs[0].tolist() == [500_000, 1_250_000, 0.2]  # median of 0.1, 0.3, 0.2 (non-positive times dropped)
    assert table.costs[1, 2] == 0.4
    assert data.archs == [meta["meta_archs"][0], meta["meta_archs"][7]]
    assert table.provenance["measured_epochs"]["valid_acc"] == [200]


def test_single_file_archive_with_arch2infos(tmp_path: Path) -> None:
    meta = _tss_meta()
    results = {("cifar10-valid", 777): _run(777, [0.1], 90.0)}
    meta["arch2infos"] = {3: {"200": {"arch_index": 3, "arch_str": meta["meta_archs"][3], "all_results": results}}}
    path = tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2"
    _write(path, meta)
    data = read_nats_archive(path, progress=False)
    assert data.name == "NATS-tss-v1_0-3ffb9" and data.archs == [meta["meta_archs"][3]]
    assert data.datasets["cifar10-valid"].curves[0, 0, 199, METRICS.index("test_acc")] == 88.0


def test_an_index_held_twice_is_refused(tmp_path: Path) -> None:
    meta = _tss_meta()
    _write(tmp_path / "meta.pickle.pbz2", meta)
    record = {"200": {"arch_index": 5, "arch_str": meta["meta_archs"][5], "all_results": {}}}
    _write(tmp_path / "000005.pickle.pbz2", record)
    _write(tmp_path / "5.pickle.pbz2", record)
    with pytest.raises(ImportFormatError, match="twice"):
        read_nats_archive(tmp_path, progress=False)


def test_worker_processes_give_the_same_tables(sample: Path) -> None:
    one = read_nats_archive(sample / TSS, budgets=["12"], progress=False)
    two = read_nats_archive(sample / TSS, budgets=["12"], workers=2, progress=False)
    assert one.archs == two.archs and one.datasets.keys() == two.datasets.keys()
    for name, table in one.datasets.items():
        np.testing.assert_array_equal(table.curves, two.datasets[name].curves)
        np.testing.assert_array_equal(table.costs, two.datasets[name].costs)


def test_missing_archive() -> None:
    with pytest.raises(FileNotFoundError):
        read_nats_archive("/nonexistent/NATS-tss-v1_0-3ffb9-simple", progress=False)
    with pytest.raises(FileNotFoundError):
        load_pickle_bz2("/nonexistent/meta.pickle.pbz2")
