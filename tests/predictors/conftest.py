"""A small synthetic NB201 table for the predictor protocol (300 official cells, 4 epochs)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="package")
def pred_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nasbench_suite.store import write_store
    from nasbench_suite.testing.tables import make_small_data

    path = tmp_path_factory.mktemp("predstore") / "small.h5"
    write_store(path, make_small_data(n_arch=300, epochs=4))
    return path
