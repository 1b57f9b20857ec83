"""Adapters that let other optimization libraries drive a benchmark under the harness' rules.

Each adapter is an optional extra importing its library on use:

* :mod:`nasbench_suite.adapters.optuna` -- any Optuna sampler as a search
  strategy (registered as ``"optuna"``), so its runs are simulated, recorded
  and put on boards exactly like the suite's own strategies.
* :mod:`nasbench_suite.adapters.syne_tune` -- the benchmark as a Syne Tune
  blackbox, and Syne Tune schedulers (ASHA, random search, BOHB, ...) run on
  its simulated backend into results records (``syne-tune/<scheduler>``).
* :mod:`nasbench_suite.adapters.smac` -- SMAC3 facades driven through ask/tell
  and the objective API on the harness' clock (``smac/<facade>``).
* :mod:`nasbench_suite.adapters.neps` -- NePS optimizers (random search,
  Bayesian optimization, successive halving, Hyperband, ASHA, PriorBand, ...)
  driven the same way through its ask-and-tell wrapper (``neps/<optimizer>``).

Libraries that only need a black box use the objective API instead
(:mod:`nasbench_suite.objective`: ``bench.configspace()`` and ``bench.objective(config, ...)``).
"""

from __future__ import annotations

__all__: list[str] = []
