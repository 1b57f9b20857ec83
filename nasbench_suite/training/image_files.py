"""Loaders for CIFAR-10, CIFAR-100 and ImageNet16-120 from local pickle files.

Nothing is downloaded: ``root`` is the folder that holds the files (or its
parent, holding the dataset's usual folder name). Pickles are read with a
restricted unpickler that rebuilds only numpy arrays and plain containers, so
a crafted file cannot run code.

Splits follow NAS-Bench-201's convention: the official training images are
the train split; the official test (CIFAR) or validation (ImageNet16) images
are cut in two halves by ``numpy.random.default_rng(EVAL_SPLIT_SEED)``, the
first half being the valid split and the second the test split. Inputs are
standardized per channel with the train split's statistics.

Formats:

``cifar10`` (``cifar-10-batches-py``)
    ``data_batch_1`` .. ``data_batch_5`` and ``test_batch``, each a dict with
    ``data`` (N x 3072 uint8, channel-major 3x32x32) and ``labels`` (N ints, 0..9).
``cifar100`` (``cifar-100-python``)
    ``train`` and ``test`` with ``data`` and ``fine_labels`` (0..99).
``imagenet16-120`` (``ImageNet16``)
    ``train_data_batch_1`` .. ``train_data_batch_10`` and ``val_data`` with
    ``data`` (N x 768 uint8, 3x16x16) and ``labels`` 1..1000; only classes
    1..120 are kept (labels become 0..119).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from nasbench_suite.errors import ImportFormatError, NasBenchError
from nasbench_suite.importers._safe_pickle import restricted_load
from nasbench_suite.training.data import ImageData

__all__ = ["DatasetFileError", "EVAL_SPLIT_SEED", "load_cifar10", "load_cifar100", "load_imagenet16_120", "safe_load_pickle"]

#: seed of the permutation that halves the official evaluation images into valid and test
EVAL_SPLIT_SEED = 201


class DatasetFileError(NasBenchError, ValueError):
    """A local dataset file that is missing or does not have the expected format."""


def safe_load_pickle(path: Path) -> dict[str, Any]:
    """A pickled dict of arrays and lists, keys as ``str`` (Python 2 byte keys are decoded).

    Read with :func:`nasbench_suite.importers._safe_pickle.restricted_load`: only
    plain containers and numeric numpy arrays are rebuilt, array sizes are
    checked against their headers, and anything else is a :class:`DatasetFileError`.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetFileError(f"dataset file {path} is missing") from None
    try:
        obj = restricted_load(raw, source=str(path), encoding="bytes")
    except ImportFormatError as exc:
        raise DatasetFileError(f"{exc} (expected a dataset pickle of plain containers and numeric arrays)") from None
    if not isinstance(obj, dict):
        raise DatasetFileError(f"{path} should hold a dict with 'data' and labels, got {type(obj).__name__}")
    return {k.decode("latin1") if isinstance(k, bytes) else str(k): v for k, v in obj.items()}


def _read(path: Path, label_key: str, pixels: int) -> tuple[np.ndarray, np.ndarray]:
    entry = safe_load_pickle(path)
    for key in ("data", label_key):
        if key not in entry:
            raise DatasetFileError(f"{path} has no {key!r} entry (found: {', '.join(sorted(entry))})")
    data = entry["data"]
    try:
        labels = np.asarray(entry[label_key], dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DatasetFileError(f"{path}: {label_key!r} must be a list of integer class labels ({exc})") from None
    if not isinstance(data, np.ndarray) or data.dtype.kind not in "ui":
        raise DatasetFileError(f"{path}: 'data' must be a uint8 pixel array, got {type(data).__name__}")
    if data.ndim != 2 or data.shape[1] != pixels or len(labels) != len(data):
        raise DatasetFileError(
            f"{path}: expected 'data' of shape (N, {pixels}) and {label_key!r} of length N, "
            f"got {data.shape} and {labels.shape}"
        )
    return data.astype(np.uint8), labels


def _folder(root: str | Path | None, name: str, folder: str) -> Path:
    if root is None:
        raise DatasetFileError(f"dataset {name!r} is read from local files: pass its folder (--data-root)")
    root = Path(root)
    return root / folder if (root / folder).is_dir() else root


def _build(
    name: str, train: Sequence[tuple[np.ndarray, np.ndarray]], evaluation: tuple[np.ndarray, np.ndarray],
    *, side: int, num_classes: int,
) -> ImageData:
    tx = np.concatenate([d for d, _ in train]).reshape(-1, 3, side, side).astype(np.float32) / 255.0
    ty = np.concatenate([lab for _, lab in train])
    ex = evaluation[0].reshape(-1, 3, side, side).astype(np.float32) / 255.0
    ey = evaluation[1]
    mean = tx.mean(axis=(0, 2, 3), keepdims=True)
    std = tx.std(axis=(0, 2, 3), keepdims=True)
    perm = np.random.default_rng(EVAL_SPLIT_SEED).permutation(len(ex))
    valid, test = np.array_split(perm, 2)

    def tensors(x: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.from_numpy(((x - mean) / std).astype(np.float32)), torch.from_numpy(y.astype(np.int64))

    return ImageData(name, *tensors(tx, ty), *tensors(ex[valid], ey[valid]), *tensors(ex[test], ey[test]), num_classes)


def load_cifar10(*, root: str | Path | None = None) -> ImageData:
    """CIFAR-10 from ``cifar-10-batches-py``."""
    folder = _folder(root, "cifar10", "cifar-10-batches-py")
    train = [_read(folder / f"data_batch_{i}", "labels", 3072) for i in range(1, 6)]
    return _build("cifar10", train, _read(folder / "test_batch", "labels", 3072), side=32, num_classes=10)


def load_cifar100(*, root: str | Path | None = None) -> ImageData:
    """CIFAR-100 (fine labels) from ``cifar-100-python``."""
    folder = _folder(root, "cifar100", "cifar-100-python")
    train = [_read(folder / "train", "fine_labels", 3072)]
    return _build("cifar100", train, _read(folder / "test", "fine_labels", 3072), side=32, num_classes=100)


def _first_120(part: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    data, labels = part
    keep = (labels >= 1) & (labels <= 120)
    return data[keep], labels[keep] - 1


def load_imagenet16_120(*, root: str | Path | None = None) -> ImageData:
    """ImageNet16-120: the 16x16 downsampled ImageNet, classes 1..120."""
    folder = _folder(root, "imagenet16-120", "ImageNet16")
    train = [_first_120(_read(folder / f"train_data_batch_{i}", "labels", 768)) for i in range(1, 11)]
    return _build(
        "imagenet16-120", train, _first_120(_read(folder / "val_data", "labels", 768)), side=16, num_classes=120
    )
