"""Saved surrogate folders are confined and checked: paths stay inside, every loaded file is checksummed, shapes match.

The fuzz test flips single bytes and truncates files of small saved bundles
(seeded, so every run makes the same cases) and requires each case to be
either a clear error or predictions identical to the undamaged bundle's. It
runs in a child process so that a crash in native code fails the test instead
of ending the session.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.errors import ChecksumMismatchError, NasBenchError, StoreFormatError
from nasbench_suite.surrogates.card import DIGEST_KEY, card_digest
from nasbench_suite.surrogates.io import file_digests, open_surrogate

REPO = Path(__file__).resolve().parents[2]
#: surrogate presets of the fuzzed bundles: a library format (XGBoost JSON) and the array formats
FUZZ_MODELS = ("xgb", "rf", "ridge")


def _save(store: Path, folder: Path, model: str) -> Path:
    from nasbench_suite.catalog import resolve
    from nasbench_suite.surrogates.training import fit_surrogate

    bench, _ = fit_surrogate(resolve(str(store)), model=model, datasets=["toy"], metric=["test_acc"], train_size=12, seed=0)
    bench.save(folder)
    return folder


def _predict(folder: Path) -> np.ndarray:
    bench = open_surrogate(folder)
    archs = list(range(20))
    values = [bench.query_many(archs, e["dataset"], metric=e["metric"], epoch=int(e["epoch"])) for e in bench.card["models"]]
    for ds in bench.datasets:
        values.append(np.array([bench.cost(a, ds, name) for a in archs for name in ("params", "flops", "latency")]))
    return np.concatenate(values)


def _reseal(folder: Path) -> None:
    """Recompute the card's file checksums and digest, as someone crafting a bundle would."""
    card = json.loads((folder / "card.json").read_text())
    card["files"] = file_digests(folder)
    card[DIGEST_KEY] = card_digest(card)
    (folder / "card.json").write_text(json.dumps(card, indent=1, sort_keys=True))


@pytest.fixture(scope="module")
def ridge_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    root = tmp_path_factory.mktemp("bundle")
    write_store(root / "small.h5", make_small_data())
    return _save(root / "small.h5", root / "ridge", "ridge")


@pytest.fixture()
def bundle(ridge_bundle: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(ridge_bundle, copy)
    return copy


def _model_entry(folder: Path) -> tuple[dict, Path]:
    card = json.loads((folder / "card.json").read_text())
    return card, folder / card["models"][0]["path"]


@pytest.mark.parametrize("path", ["../outside", "/tmp/outside", "models/../../outside", "", 3])
def test_card_paths_must_stay_inside(bundle: Path, tmp_path: Path, path: object) -> None:
    card, model = _model_entry(bundle)
    outside = tmp_path / "outside"
    shutil.copytree(model, outside)
    card["models"][0]["path"] = path
    card[DIGEST_KEY] = card_digest(card)
    (bundle / "card.json").write_text(json.dumps(card))
    with pytest.raises(StoreFormatError, match="path|lacks"):
        open_surrogate(bundle)


def test_symlink_out_of_the_folder_is_refused(bundle: Path, tmp_path: Path) -> None:
    card, model = _model_entry(bundle)
    outside = tmp_path / "elsewhere"
    shutil.move(str(model), outside)
    os.symlink(outside, model)
    with pytest.raises(StoreFormatError, match="symbolic link"):
        open_surrogate(bundle)


def test_damaged_card_is_detected(bundle: Path) -> None:
    card = json.loads((bundle / "card.json").read_text())
    ds = next(iter(card["costs"]))
    name = next(iter(card["costs"][ds]))
    card["costs"][ds][name]["intercept"] = 12345.0  # a value nothing else covers
    (bundle / "card.json").write_text(json.dumps(card))
    with pytest.raises(ChecksumMismatchError, match=DIGEST_KEY):
        open_surrogate(bundle)


def test_array_shapes_are_checked_against_the_records(bundle: Path) -> None:
    _, model = _model_entry(bundle)
    state = model / "model" / "state.npz"
    with np.load(state) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["coef"] = arrays["coef"][:-1]
    np.savez(state, **arrays)
    _reseal(bundle)  # even with the checksums recomputed
    with pytest.raises(StoreFormatError, match="'coef' has shape"):
        open_surrogate(bundle)


def _fuzz(store: str, root: str, per_model: int) -> dict[str, int]:
    """Run every seeded case; return counts by outcome (raises AssertionError on a silent change)."""
    counts = {"cases": 0, "error": 0, "unchanged": 0}
    errors: dict[str, int] = {}
    for k, model in enumerate(FUZZ_MODELS):
        base = _save(Path(store), Path(root) / model, model)
        expected = _predict(base)
        files = sorted(p for p in base.rglob("*") if p.is_file())
        rng = np.random.default_rng(1000 + k)
        for case in range(per_model):
            work = Path(root) / f"case-{model}-{case}"
            shutil.copytree(base, work)
            target = work / files[int(rng.integers(len(files)))].relative_to(base)
            data = bytearray(target.read_bytes())
            if case % 4 == 3:  # truncation
                data = data[: int(rng.integers(len(data)))]
                how = f"truncated {target.relative_to(work)} to {len(data)}"
            else:
                pos = int(rng.integers(len(data)))
                data[pos] ^= 1 << int(rng.integers(8))
                how = f"flipped a bit of byte {pos} of {target.relative_to(work)}"
            target.write_bytes(bytes(data))
            print(f"{model} case {case}: {how}", flush=True)  # the last line names the case if the process dies
            counts["cases"] += 1
            try:
                got = _predict(work)
            except (NasBenchError, ValueError, OSError) as exc:
                counts["error"] += 1
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            else:
                assert got.shape == expected.shape and np.array_equal(got, expected), f"{how}: predictions changed silently"
                counts["unchanged"] += 1
            shutil.rmtree(work)
    return {**counts, **{f"error:{k}": v for k, v in sorted(errors.items())}}


@pytest.mark.parametrize("per_model", [
    12, pytest.param(100, marks=pytest.mark.slow, id="long"),
])
def test_byte_flip_and_truncation_fuzz(tmp_path: Path, per_model: int) -> None:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    store = tmp_path / "small.h5"
    write_store(store, make_small_data())
    code = ("import json, sys; from tests.surrogates.test_bundle import _fuzz; "
            "print('RESULT ' + json.dumps(_fuzz(sys.argv[1], sys.argv[2], int(sys.argv[3]))))")
    done = subprocess.run([sys.executable, "-c", code, str(store), str(tmp_path), str(per_model)], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=600)
    assert done.returncode == 0, f"exit {done.returncode}; last case: {done.stdout.strip().splitlines()[-1:]}\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout.strip().splitlines()[-1].removeprefix("RESULT "))
    print(result)
    assert result["cases"] == len(FUZZ_MODELS) * per_model
    assert result["error"] + result["unchanged"] == result["cases"]
    assert result["error"] > 0 and result["unchanged"] > 0  # both outcomes occur: the cases reach loaded bytes
