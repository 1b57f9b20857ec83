"""CIFAR-10, CIFAR-100 and ImageNet16-120 loaders on small files of the real formats."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.training.data import DATASETS
from nasbench_suite.training.image_files import (
    DatasetFileError,
    load_cifar10,
    load_cifar100,
    load_imagenet16_120,
    safe_load_pickle,
)


def _dump(path: Path, entry: dict, *, byte_keys: bool = False) -> None:
    if byte_keys:  # CIFAR's Python 2 pickles have bytes keys
        entry = {k.encode(): v for k, v in entry.items()}
    path.write_bytes(pickle.dumps(entry, protocol=2))


def _images(rng: np.random.Generator, n: int, pixels: int) -> np.ndarray:
    return rng.integers(0, 256, size=(n, pixels), dtype=np.uint8)


def test_cifar10(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(1, 6):
        _dump(folder / f"data_batch_{i}", {"data": _images(rng, 4, 3072), "labels": [0, 1, 2, 9]}, byte_keys=True)
    _dump(folder / "test_batch", {"data": _images(rng, 6, 3072), "labels": [3] * 6}, byte_keys=True)
    data = load_cifar10(root=tmp_path)
    assert data.train_x.shape == (20, 3, 32, 32) and data.num_classes == 10
    assert len(data.valid_y) + len(data.test_y) == 6 and len(data.valid_y) == 3
    assert np.allclose(data.train_x.mean(dim=(0, 2, 3)).numpy(), 0.0, atol=1e-5)
    assert DATASETS.get("cifar10") is load_cifar10


def test_cifar100_uses_fine_labels(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    _dump(tmp_path / "train", {"data": _images(rng, 5, 3072), "fine_labels": [0, 50, 99, 1, 2], "coarse_labels": [0] * 5}, byte_keys=True)
    _dump(tmp_path / "test", {"data": _images(rng, 4, 3072), "fine_labels": [7, 8, 9, 10]}, byte_keys=True)
    data = load_cifar100(root=tmp_path)
    assert data.num_classes == 100 and sorted(data.train_y.tolist()) == [0, 1, 2, 50, 99]


def test_imagenet16_keeps_classes_1_to_120(tmp_path: Path) -> None:
    folder = tmp_path / "ImageNet16"
    folder.mkdir()
    rng = np.random.default_rng(2)
    for i in range(1, 11):
        _dump(folder / f"train_data_batch_{i}", {"data": _images(rng, 3, 768), "labels": [1, 120, 121]})
    _dump(folder / "val_data", {"data": _images(rng, 4, 768), "labels": [1, 2, 500, 120]})
    data = load_imagenet16_120(root=tmp_path)
    assert data.train_x.shape == (20, 3, 16, 16) and data.num_classes == 120
    assert set(data.train_y.tolist()) == {0, 119}
    assert len(data.valid_y) + len(data.test_y) == 3


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatasetFileError, match="data_batch_1"):
        load_cifar10(root=tmp_path)


def test_missing_root_asks_for_one() -> None:
    with pytest.raises(DatasetFileError, match="--data-root"):
        load_cifar100(root=None)


def test_wrong_shape_is_explained(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    _dump(tmp_path / "train", {"data": _images(rng, 5, 100), "fine_labels": [0] * 5})
    with pytest.raises(DatasetFileError, match=r"\(N, 3072\)"):
        load_cifar100(root=tmp_path)


def test_missing_key_is_explained(tmp_path: Path) -> None:
    _dump(tmp_path / "train", {"data": np.zeros((2, 3072), np.uint8), "labels": [0, 1]})
    with pytest.raises(DatasetFileError, match="fine_labels"):
        load_cifar100(root=tmp_path)


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_refuses_code(tmp_path: Path) -> None:
    path = tmp_path / "evil"
    path.write_bytes(pickle.dumps({"data": _Evil()}))
    with pytest.raises(DatasetFileError, match="refusing"):
        safe_load_pickle(path)


def test_garbage_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "train"
    path.write_bytes(b"\x00not a pickle")
    with pytest.raises(DatasetFileError, match="train"):
        safe_load_pickle(path)
