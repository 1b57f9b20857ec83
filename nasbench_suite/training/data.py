"""In-memory image datasets for training, with fixed, seeded splits.

The generation datasets are built from scikit-learn's bundled digits
(:func:`sklearn.datasets.load_digits`: 1,797 grey 8x8 images, no download),
pixel values 0..16 scaled to [0, 1]:

``digits``
    The clean images.
``digits-hard``
    A fixed corruption that makes the task discriminate between cells: each
    image is shifted by an integer offset drawn uniformly from {-1, 0, 1} in x
    and in y (vacated pixels are 0), then Gaussian noise with sigma 0.25 (on
    the [0, 1] scale) is added. Offsets and noise come from
    ``numpy.random.default_rng(CORRUPTION_SEED)`` (offsets first, as an
    ``(n, 2)`` draw of ``integers(-1, 2)``, then the ``(n, 8, 8)`` noise).

Both use the same split: ``numpy.random.default_rng(SPLIT_SEED).permutation(1797)``;
its first 1,000 indices are the train split, the next 400 the valid split and
the last 397 the test split. Inputs are standardized with the train split's
pixel mean and standard deviation (one scalar each). Everything is kept as
tensors, so a trainer batches by slicing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import torch

from nasbench_suite.registry import Registry

__all__ = ["DATASETS", "ImageData", "CORRUPTION_SEED", "SPLIT_SEED", "SPLIT_SIZES", "load_dataset", "split_and_normalize"]

#: seed of the train/valid/test permutation of the digits
SPLIT_SEED = 201
#: seed of the shifts and noise of ``digits-hard``
CORRUPTION_SEED = 2019
#: (train, valid, test) sizes of the digits split
SPLIT_SIZES = (1000, 400, 397)
#: noise standard deviation of ``digits-hard`` on the [0, 1] pixel scale
NOISE_SIGMA = 0.25


@dataclass(frozen=True)
class ImageData:
    """Normalized NCHW float32 images and int64 labels of the three splits."""

    name: str
    train_x: torch.Tensor
    train_y: torch.Tensor
    valid_x: torch.Tensor
    valid_y: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    num_classes: int

    @property
    def in_channels(self) -> int:
        """Channels of one image."""
        return int(self.train_x.shape[1])

    def to(self, device: str | torch.device) -> ImageData:
        """A copy with every tensor on ``device``."""
        moved = {k: getattr(self, k).to(device) for k in ("train_x", "train_y", "valid_x", "valid_y", "test_x", "test_y")}
        return ImageData(name=self.name, num_classes=self.num_classes, **moved)


def split_and_normalize(
    name: str, images: np.ndarray, labels: np.ndarray, *, sizes: tuple[int, int, int], seed: int, num_classes: int
) -> ImageData:
    """Split ``images`` (N, C, H, W) by a seeded permutation and standardize with train statistics."""
    n_train, n_valid, n_test = sizes
    if n_train + n_valid + n_test != len(images):
        raise ValueError(f"split sizes {sizes} do not add up to the {len(images)} images of {name!r}")
    perm = np.random.default_rng(seed).permutation(len(images))
    parts = np.split(perm, [n_train, n_train + n_valid])
    train = images[parts[0]]
    mean, std = float(train.mean()), float(train.std())
    xs = [torch.from_numpy(((images[p] - mean) / std).astype(np.float32)) for p in parts]
    ys = [torch.from_numpy(labels[p].astype(np.int64)) for p in parts]
    return ImageData(name, xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], num_classes)


def _digits_images() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype(np.float64) / 16.0, bunch.target.astype(np.int64)


def _corrupt(images: np.ndarray, seed: int) -> np.ndarray:
    """Shift each image by offsets in {-1, 0, 1} (zero fill), then add Gaussian noise."""
    rng = np.random.default_rng(seed)
    n, h, w = images.shape
    offsets = rng.integers(-1, 2, size=(n, 2))
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    out = np.empty_like(images)
    for i, (dy, dx) in enumerate(offsets):
        out[i] = padded[i, 1 - dy : 1 - dy + h, 1 - dx : 1 - dx + w]
    return out + rng.normal(0.0, NOISE_SIGMA, size=images.shape)


def load_digits_clean(*, root: str | Path | None = None) -> ImageData:
    """The ``digits`` dataset (``root`` is ignored: the images ship with scikit-learn)."""
    images, labels = _digits_images()
    return split_and_normalize("digits", images[:, None], labels, sizes=SPLIT_SIZES, seed=SPLIT_SEED, num_classes=10)


def load_digits_hard(*, root: str | Path | None = None) -> ImageData:
    """The ``digits-hard`` dataset: shifted, noisy digits (``root`` is ignored)."""
    images, labels = _digits_images()
    images = _corrupt(images, CORRUPTION_SEED)
    return split_and_normalize(
        "digits-hard", images[:, None], labels, sizes=SPLIT_SIZES, seed=SPLIT_SEED, num_classes=10
    )


#: dataset name -> loader ``(*, root=None) -> ImageData``
DATASETS: Registry = Registry("training dataset")
DATASETS.register("digits", "nasbench_suite.training.data:load_digits_clean")
DATASETS.register("digits-hard", "nasbench_suite.training.data:load_digits_hard")


@cache
def _load_cached(name: str, root: str | None) -> ImageData:
    return DATASETS.get(name)(root=root)


def load_dataset(name: str, *, root: str | Path | None = None) -> ImageData:
    """The dataset registered under ``name``, loaded once per process."""
    loader_root = None if root is None else str(root)
    DATASETS.get(name)  # unknown names raise before anything is cached
    return _load_cached(name, loader_root)

# local-file datasets (no download; see nasbench_suite.training.image_files)
DATASETS.register("cifar10", "nasbench_suite.training.image_files:load_cifar10")
DATASETS.register("cifar100", "nasbench_suite.training.image_files:load_cifar100")
DATASETS.register("imagenet16-120", "nasbench_suite.training.image_files:load_imagenet16_120")
