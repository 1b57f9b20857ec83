"""``to_frame``: every architecture at one epoch as a DataFrame, and a clear message without pandas."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite import open_benchmark


def test_to_frame_matches_query_many(small_store: Path) -> None:
    pytest.importorskip("pandas", reason="to_frame needs the pandas extra")
    bench = open_benchmark(small_store)
    frame = bench.to_frame("toy", epoch=2)
    assert frame.index.name == "arch" and len(frame) == 20
    np.testing.assert_allclose(frame["test_acc"].to_numpy(), bench.query_many(None, "toy", metric="test_acc", epoch=2))


def test_to_frame_without_pandas_says_how_to_install_it(small_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'nasbench-suite\[pandas\]'"):
        open_benchmark(small_store).to_frame("toy")
