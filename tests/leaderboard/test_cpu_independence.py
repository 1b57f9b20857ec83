"""Boards come out byte-identical whatever SIMD paths numpy and torch pick on the CPU at hand."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasbench_suite.leaderboard import aggregate as agg
from nasbench_suite.leaderboard import compute_board, load_results
from nasbench_suite.leaderboard.board import BOARD_DIGITS, dumps

REPO = Path(__file__).resolve().parents[2]


def _numpy_avx512_features() -> str:
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return " ".join(k for k in __cpu_dispatch__ if __cpu_features__.get(k) and (k.startswith("AVX512") or k == "X86_V4"))


def test_time_grid_is_geometric_strictly_increasing_with_exact_ends() -> None:
    grid = agg._geometric(0.0421, 61.5, 120)
    assert grid[0] == 0.0421 and grid[-1] == 61.5 and len(grid) == 120
    assert all(b > a for a, b in zip(grid, grid[1:]))
    np.testing.assert_allclose(grid, np.geomspace(0.0421, 61.5, 120), rtol=1e-5)
    assert all(float(f"{v:.{agg.GRID_DIGITS}g}") == v for v in grid[1:-1])
    assert agg._geometric(5.0, 5.0 * (1 + 1e-9), 120) == [5.0, 5.0 * (1 + 1e-9)]  # no duplicate points


def test_eval_grid_thins_like_geomspace() -> None:
    grid = agg.eval_grid(1000, 200)
    assert grid[0] == 1 and grid[-1] == 1000 and np.all(np.diff(grid) > 0)
    assert set(grid.tolist()) == set(np.unique(np.round(np.geomspace(1, 1000, 200)).astype(int)).tolist())
    assert agg.eval_grid(50).tolist() == list(range(1, 51))


def test_every_board_float_is_rounded(toy_results: Path) -> None:
    board = compute_board(load_results([toy_results]), base=toy_results.parent)

    def floats(x: object) -> list[float]:
        if isinstance(x, float):
            return [x]
        if isinstance(x, dict):
            return [f for v in x.values() for f in floats(v)]
        if isinstance(x, list):
            return [f for v in x for f in floats(v)]
        return []

    values = floats(board)
    assert len(values) > 1000
    assert all(float(f"{v:.{BOARD_DIGITS}g}") == v and math.isfinite(v) for v in values)


_BUILD = """
import sys
from pathlib import Path
from nasbench_suite.leaderboard import compute_board, load_results
from nasbench_suite.leaderboard.board import dumps
path = Path(sys.argv[1])
sys.stdout.write(dumps(compute_board(load_results([path]), base=path.parent)))
"""


def test_board_bytes_do_not_depend_on_simd_paths(toy_results: Path) -> None:
    """The same board under ATEN_CPU_CAPABILITY=avx2 and NPY_DISABLE_CPU_FEATURES=<the AVX-512 features>."""
    feats = _numpy_avx512_features()
    if not feats:
        pytest.skip("this CPU has no AVX-512 paths for numpy to turn off")
    here = dumps(compute_board(load_results([toy_results]), base=toy_results.parent))
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": feats, "ATEN_CPU_CAPABILITY": "avx2",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    there = subprocess.run([sys.executable, "-c", _BUILD, str(toy_results)], env=env, capture_output=True, text=True,
                           check=True).stdout
    assert json.loads(there)["curves"]["time"]["x"] == json.loads(here)["curves"]["time"]["x"]
    assert there == here
