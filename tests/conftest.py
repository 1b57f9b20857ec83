"""Shared fixtures: the public reference data beside the checkout, and small stores."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from nasbench_suite.store import write_store
from nasbench_suite.testing.tables import make_small_data

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference`` (real public benchmark data); skips where it is absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"public reference data not found at {REFERENCE} (it sits beside the checkout in CI)")
    return REFERENCE


@pytest.fixture(scope="session")
def nb201_reference_store(reference_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The NB201 reference CSVs imported into a store file (once per test session)."""
    from nasbench_suite.importers.nb201_reference import read_nb201_reference

    path = tmp_path_factory.mktemp("nb201ref") / "nb201-reference.h5"
    data = read_nb201_reference(
        reference_dir / "nb201_nats_test200" / "nats_bench.cifar.csv",
        reference_dir / "nb201_mini12" / "mini-bench-arch-cell-accs.cifar.csv",
    )
    write_store(path, data)
    return path


@pytest.fixture()
def small_store(tmp_path: Path) -> Path:
    """A small synthetic store file."""
    path = tmp_path / "small.h5"
    write_store(path, make_small_data())
    return path


@pytest.fixture(scope="session")
def benchmark_script() -> Callable[[str], ModuleType]:
    """Import a script of ``benchmarks/`` as a module by its name (e.g. ``"mo_hypervolume"``), to call its functions."""

    def load(name: str) -> ModuleType:
        path = REPO / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module

    return load
