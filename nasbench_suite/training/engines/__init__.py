"""Execution engines for generation jobs: a local process pool, or Ray.

An engine takes the job specifications and yields :class:`JobResult` records
as jobs finish, in completion order. Engines are registered lazily, so the
local engine never imports Ray.
"""

from __future__ import annotations

from nasbench_suite.registry import Registry

#: engine name -> callable ``(specs, *, workers, **options) -> Iterator[JobResult]``
ENGINES: Registry = Registry("engine")
ENGINES.register("local", "nasbench_suite.training.engines.local:run_local")
ENGINES.register("ray", "nasbench_suite.training.engines.ray_engine:run_ray")

__all__ = ["ENGINES"]
