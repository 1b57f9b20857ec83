"""Fixtures of the leaderboard tests: a full synthetic NB201 table, real harness results, a built board."""

from __future__ import annotations

from pathlib import Path

import pytest

from nasbench_suite.store import write_store


@pytest.fixture(scope="session")
def toy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every NB201 architecture with structured synthetic accuracies (dataset ``toy``, epochs 1-3)."""
    from leaderboard_fakes import full_nb201_data

    path = tmp_path_factory.mktemp("toystore") / "toy-full.h5"
    write_store(path, full_nb201_data())
    return path


@pytest.fixture(scope="session")
def toy_results(toy_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``nasbench run`` of rs, re and ls, seeds 0-9, 30 evaluations each, on the toy table."""
    from nasbench_suite.harness import Budget, SweepSpec, run_sweep

    out = tmp_path_factory.mktemp("toyresults") / "toy.jsonl"
    spec = SweepSpec(benchmark=str(toy_store), dataset="toy", strategies=("ls", "re", "rs"), seeds=tuple(range(10)),
                     budget=Budget.evals(30))
    run_sweep(spec, out, progress=False)
    return out


@pytest.fixture(scope="session")
def toy_board(toy_results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The board built from :func:`toy_results`."""
    from nasbench_suite.leaderboard import build

    out = tmp_path_factory.mktemp("toyboard")
    build([toy_results], out)
    return out
