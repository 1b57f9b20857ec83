"""The digits datasets: split sizes, determinism, normalization and the corruption."""

from __future__ import annotations

import pytest
import torch

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.training.data import SPLIT_SIZES, load_dataset, load_digits_clean, load_digits_hard


@pytest.mark.parametrize("loader", [load_digits_clean, load_digits_hard])
def test_split_sizes_and_shapes(loader) -> None:
    data = loader()
    assert (len(data.train_y), len(data.valid_y), len(data.test_y)) == SPLIT_SIZES == (1000, 400, 397)
    assert data.train_x.shape == (1000, 1, 8, 8) and data.train_x.dtype == torch.float32
    assert data.num_classes == 10 and data.in_channels == 1
    assert float(data.train_x.mean()) == pytest.approx(0.0, abs=1e-5)
    assert float(data.train_x.std()) == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("loader", [load_digits_clean, load_digits_hard])
def test_loading_is_deterministic(loader) -> None:
    a, b = loader(), loader()
    for name in ("train_x", "train_y", "valid_x", "valid_y", "test_x", "test_y"):
        assert torch.equal(getattr(a, name), getattr(b, name))


def test_variants_share_the_split_but_not_the_pixels() -> None:
    clean, hard = load_digits_clean(), load_digits_hard()
    assert torch.equal(clean.train_y, hard.train_y) and torch.equal(clean.test_y, hard.test_y)
    assert not torch.allclose(clean.train_x, hard.train_x)


def test_unknown_dataset_lists_valid_names() -> None:
    with pytest.raises(UnknownNameError, match="digits-hard"):
        load_dataset("mnist")
