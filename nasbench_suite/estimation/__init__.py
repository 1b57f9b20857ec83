"""Cheap performance estimation: zero-cost proxies, one-shot (weight-sharing) search, learning curves.

Each is measured against a table's ground truth by ``benchmarks/estimation_report.py``.
Names are imported on first use, so importing the package does not load torch.

>>> from nasbench_suite.estimation import PROXIES
>>> "synflow" in PROXIES
True
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "PROXIES": "zero_cost",
    "ProxyUndefinedError": "zero_cost",
    "ProxySetup": "zc_setup",
    "ProxyValue": "zc_setup",
    "compute_proxies": "zc_setup",
    "ZcSweep": "zc_sweep",
    "sweep_archs": "zc_sweep",
    "zc_sweep": "zc_sweep",
    "read_data": "zc_sweep",
    "Supernet": "supernet",
    "SupernetPlugin": "supernet_plugin",
    "get_supernet": "supernet_plugin",
    "SearchNetwork": "darts_supernet",
    "WSConfig": "weight_sharing",
    "WSResult": "weight_sharing",
    "search": "weight_sharing",
    "ParametricExtrapolator": "learning_curves",
    "LearnedCurvePredictor": "learning_curves",
    "last_value": "learning_curves",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
