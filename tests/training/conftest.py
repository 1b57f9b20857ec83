"""Fixtures shared by the training tests: tiny generation settings and a generated table."""

from __future__ import annotations

from pathlib import Path

import pytest

from nasbench_suite.training.trainer import TrainProtocol

#: a protocol that trains in well under a second per job
TINY = TrainProtocol(dataset="digits", skeleton="light", channels=4, cells=1, epochs=1, batch_size=256)

#: ``nasbench generate`` arguments matching :data:`TINY`
TINY_ARGS = [
    "generate", "--dataset", "digits", "--skeleton", "light", "--channels", "4", "--cells", "1",
    "--epochs", "1", "--batch-size", "256", "--no-progress",
]


@pytest.fixture(scope="session")
def tiny() -> TrainProtocol:
    """The tiny training protocol."""
    return TINY


@pytest.fixture(scope="session")
def tiny_args() -> list[str]:
    """``nasbench generate`` arguments of the tiny protocol (no output, seeds or limit)."""
    return list(TINY_ARGS)


@pytest.fixture(scope="session")
def tiny_table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A table of the first 3 isomorphism classes, seeds 0 and 1, generated once per session."""
    from nasbench_suite.cli import main

    out = tmp_path_factory.mktemp("gen") / "tiny.h5"
    assert main([*TINY_ARGS, "--limit", "3", "--seeds", "0", "1", "--workers", "2", "--out", str(out)]) == 0
    return out
