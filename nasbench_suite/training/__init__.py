"""Training: networks for search-space cells, seeded training, and table generation.

The registries name what generation can use: datasets (:data:`DATASETS`),
macro skeletons (:data:`SKELETONS`) and execution engines (:data:`ENGINES`).
They are loaded on first access, so importing the package (e.g. for
:class:`~nasbench_suite.training.protocol.TrainProtocol`) does not load PyTorch.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DATASETS", "ENGINES", "SKELETONS"]

_HOMES = {
    "DATASETS": "nasbench_suite.training.data",
    "ENGINES": "nasbench_suite.training.engines",
    "SKELETONS": "nasbench_suite.training.networks",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
