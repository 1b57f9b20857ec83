"""Finding benchmarks by name and path."""

from __future__ import annotations

from pathlib import Path

import pytest

import nasbench_suite as nbs
from nasbench_suite import catalog
from nasbench_suite.errors import UnknownNameError


def test_names_from_search_path(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(small_store.parent))
    assert "small" in nbs.list_benchmarks()
    assert nbs.load("small").name == "small"
    assert catalog.resolve(str(small_store)).name == "small"


def test_register_benchmark(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "_registered", {})
    nbs.register_benchmark("mine", small_store)
    assert "mine" in nbs.list_benchmarks()
    assert nbs.load("mine").path == small_store


def test_unknown_name_lists_valid_ones(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASBENCH_SUITE_PATH", str(small_store.parent))
    with pytest.raises(UnknownNameError, match="unknown benchmark 'nope'; valid: .*'small'"):
        nbs.load("nope")
