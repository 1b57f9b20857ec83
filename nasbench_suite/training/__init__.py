"""Training: networks for search-space cells, seeded training, and table generation.

The registries name what generation can use: datasets (:data:`DATASETS`),
macro skeletons (:data:`SKELETONS`) and execution engines (:data:`ENGINES`).
"""

from __future__ import annotations

from nasbench_suite.training.data import DATASETS
from nasbench_suite.training.engines import ENGINES
from nasbench_suite.training.networks import SKELETONS

__all__ = ["DATASETS", "ENGINES", "SKELETONS"]
