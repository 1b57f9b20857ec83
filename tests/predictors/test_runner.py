"""Protocol runs: records, resuming, and predictors that raise or return NaN reported as failed cells."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nasbench_suite.predictors import PREDICTORS
from nasbench_suite.predictors.board import compute_board, load_records
from nasbench_suite.predictors.protocol import Target
from nasbench_suite.predictors.runner import ResultsMismatchError, RunSpec, read_records, run_protocol

TARGETS = (Target("valid_acc", 4),)


class _Raises:
    def fit(self, archs: Any, y: Any) -> _Raises:
        raise RuntimeError("this predictor cannot fit")

    def predict(self, archs: Any) -> np.ndarray:
        raise AssertionError("never reached")


class _NaN:
    def fit(self, archs: Any, y: Any) -> _NaN:
        return self

    def predict(self, archs: Any) -> np.ndarray:
        out = np.arange(len(archs), dtype=float)
        out[0] = np.nan
        return out


class _Constant:
    def fit(self, archs: Any, y: Any) -> _Constant:
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, archs: Any) -> np.ndarray:
        return np.full(len(archs), self.mean_)


#: the thread counts of every BLAS/OpenMP pool a ``test-threads`` fit saw
POOLS: list[int] = []


class _Threads(_Constant):
    def fit(self, archs: Any, y: Any) -> _Threads:
        from threadpoolctl import threadpool_info

        POOLS.extend(int(pool["num_threads"]) for pool in threadpool_info())
        return super().fit(archs, y)


_TEST_PREDICTORS = (("test-raises", _Raises), ("test-nan", _NaN), ("test-constant", _Constant), ("test-threads", _Threads))


@pytest.fixture(autouse=True, scope="module")
def bad_predictors() -> Any:
    for name, cls in _TEST_PREDICTORS:
        PREDICTORS.register(name, lambda space, *, random_state=0, _cls=cls: _cls(), replace=True)
    yield
    for name, _ in _TEST_PREDICTORS:
        PREDICTORS._targets.pop(name, None)


def test_a_cell_fits_with_one_thread_in_every_pool(pred_store: Path, tmp_path: Path) -> None:
    # with --jobs N, N processes each starting a BLAS pool per core would oversubscribe the machine and charge
    # the contention to the predictor's fit time
    from threadpoolctl import threadpool_info

    import sklearn.neural_network  # noqa: F401  (loads the BLAS the sklearn models use)

    POOLS.clear()
    spec = RunSpec(str(pred_store), "toy", TARGETS, ("test-threads",), sizes=(10,), seeds=(0,), test_size=100)
    run_protocol(spec, tmp_path / "t.jsonl", progress=False)
    assert POOLS and set(POOLS) == {1}
    assert threadpool_info()  # the pools exist outside a cell too, with their own sizes restored


def test_cells_are_recorded_and_a_rerun_resumes(pred_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    spec = RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10, 50), seeds=(0, 1), test_size=100)
    first = run_protocol(spec, out, progress=False)
    assert (first.total, first.ran, first.failed) == (4, 4, [])
    recs = read_records(out)
    assert [(r["size"], r["seed"]) for r in recs] == [(10, 0), (10, 1), (50, 0), (50, 1)]
    r = recs[0]
    assert r["status"] == "ok" and r["n_train"] == 10 and r["n_test"] == 100 and r["split_size"] == 50
    assert r["fit_seconds"] >= 0 and r["query_seconds"] >= 0 and -1 <= r["scores"]["kendall_tau"] <= 1
    before = out.read_bytes()
    again = run_protocol(spec, out, progress=False)
    assert (again.kept, again.ran) == (4, 0) and out.read_bytes() == before
    more = run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10, 50), seeds=(0, 1, 2), test_size=100),
                        out, progress=False)
    assert (more.kept, more.ran, more.total) == (4, 2, 6)
    with pytest.raises(ResultsMismatchError, match="largest training size"):
        run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10, 100), seeds=(0,), test_size=100), out,
                     progress=False)


def test_a_run_of_small_sizes_with_the_split_size_joins_the_full_run(pred_store: Path, tmp_path: Path) -> None:
    full, small = tmp_path / "full.jsonl", tmp_path / "small.jsonl"
    run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10, 50), seeds=(0,), test_size=100), full,
                 progress=False)
    run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10,), seeds=(0,), test_size=100, split_size=50),
                 small, progress=False)
    (got,) = read_records(small)
    want = read_records(full)[0]
    assert got["split_size"] == 50 and got["size"] == 10
    for key in ("scores", "n_test", "n_train", "isomorphs_excluded"):
        assert got[key] == want[key], key
    # the same split, so the small run extends the full run's file
    more = run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge", "xgb"), sizes=(10,), seeds=(0,), test_size=100,
                                split_size=50), full, progress=False)
    assert (more.kept, more.ran) == (2, 1)
    with pytest.raises(ValueError, match="split_size 5 is below the largest training size 10"):
        run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10,), seeds=(0,), split_size=5), small,
                     progress=False)


def test_raising_nan_and_constant_predictors_are_failed_cells_not_dropped(pred_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad.jsonl"
    names = ("ridge", "test-constant", "test-nan", "test-raises")
    spec = RunSpec(str(pred_store), "toy", TARGETS, names, sizes=(10, 50), seeds=(0, 1), test_size=100)
    summary = run_protocol(spec, out, progress=False)
    assert summary.total == 16
    recs = {(r["predictor"], r["size"], r["seed"]): r for r in read_records(out)}
    assert len(recs) == 16
    for (name, size, seed), r in recs.items():
        if name == "ridge":
            assert r["status"] == "ok"
            continue
        assert r["status"] == "failed" and r["scores"] is None, r
    assert recs["test-raises", 10, 0]["error"] == "fit: RuntimeError: this predictor cannot fit"
    assert "are not finite" in recs["test-nan", 10, 0]["error"]
    assert "constant predictions" in recs["test-constant", 10, 0]["error"]
    board = compute_board(load_records([out]))
    size10 = board["targets"][0]["sizes"][0]
    entries = {e["predictor"]: e for e in size10["entries"]}
    assert set(entries) == set(names)  # failed predictors stay on the board
    for name in names[1:]:
        assert entries[name]["failed"] == 2 and entries[name]["scores"]["kendall_tau"]["mean"] is None
        assert entries[name]["avg_rank"] is None
    assert entries["ridge"]["failed"] == 0 and entries["ridge"]["scores"]["kendall_tau"]["n"] == 2
    assert len(board["failures"]) == 12 and board["cost"]["failed"] == 12
    assert {f["predictor"] for f in board["failures"]} == set(names[1:])


def test_records_are_canonical_json(pred_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    run_protocol(RunSpec(str(pred_store), "toy", TARGETS, ("ridge",), sizes=(10,), seeds=(0,), test_size=50), out, progress=False)
    line = out.read_text().splitlines()[0]
    assert line == json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"))


def test_all_leaves_out_predictors_whose_table_inputs_are_missing(pred_store: Path) -> None:
    from nasbench_suite.predictors.runner import applicable

    names = ("ridge", "zc-synflow", "zc-fisher")  # the small table stores zc/synflow only
    keep, skipped = applicable(str(pred_store), "toy", names, TARGETS[0])
    assert keep == ("ridge", "zc-synflow")
    assert list(skipped) == ["zc-fisher"] and "fisher" in skipped["zc-fisher"]


def test_registry_serves_surrogate_presets_informed_predictors_and_its_own() -> None:
    from nasbench_suite.errors import UnknownNameError
    from nasbench_suite.predictors import make_predictor
    from nasbench_suite.surrogates import INFORMED, SURROGATES

    names = PREDICTORS.names()
    assert set(SURROGATES.names()) <= set(names) and set(INFORMED.names()) <= set(names)
    assert "test-nan" in names
    with pytest.raises(UnknownNameError, match="no-such-predictor"):
        PREDICTORS.get("no-such-predictor")
    with pytest.raises(ValueError, match="reads the table"):
        make_predictor("omni", space="nb201")
