"""Seeded byte-flip and truncation fuzzing of a small store: every case is a clear error or unchanged values.

Cases run in a child process (``tests/fuzz_cases.py``) so that a crash of a
native library fails the test instead of killing pytest. The counts are
printed (``pytest -s``) and attached to the test report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nasbench_suite.store import write_store
from nasbench_suite.testing.tables import make_small_data

from fuzz_cases import check_contract, run_fuzz  # tests/fuzz_cases.py, beside conftest.py

@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz") / "small.h5"
    write_store(path, make_small_data(n_arch=8, epochs=3))
    return path


def test_store_byte_flips_and_truncations(fuzz_store: Path, tmp_path: Path, record_property) -> None:
    summary = run_fuzz("store", 160, 40, 20261202, [fuzz_store], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary)
    assert summary["error"] > 0 and summary["unchanged"] > 0  # both outcomes occur: the cases reach the data


@pytest.mark.slow
def test_store_fuzz_long(fuzz_store: Path, tmp_path: Path, record_property) -> None:
    summary = run_fuzz("store", 1500, 300, 7, [fuzz_store], tmp_path)
    record_property("fuzz", summary)
    check_contract(summary)
