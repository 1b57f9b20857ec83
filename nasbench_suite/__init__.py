"""nasbench-suite: tabular and surrogate NAS benchmarks, search strategies and leaderboards.

>>> import nasbench_suite as nbs
>>> nbs.list_benchmarks()  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from nasbench_suite.benchmark import Benchmark, Cost, EvalResult, Metric  # noqa: E402
from nasbench_suite.catalog import list_benchmarks, load, open_benchmark, register_benchmark  # noqa: E402

__all__ = [
    "Benchmark",
    "Cost",
    "EvalResult",
    "Metric",
    "__version__",
    "list_benchmarks",
    "load",
    "open_benchmark",
    "register_benchmark",
]
