"""Adapters that let other optimization libraries drive a benchmark under the harness' rules.

Each adapter is an optional extra importing its library on use:

* :mod:`nasbench_suite.adapters.optuna` -- any Optuna sampler as a search
  strategy (registered as ``"optuna"``), so its runs are simulated, recorded
  and put on boards exactly like the suite's own strategies.

Libraries that only need a black box use the objective API instead
(:mod:`nasbench_suite.objective`: ``bench.configspace()`` and ``bench.objective(config, ...)``).
"""

from __future__ import annotations

__all__: list[str] = []
