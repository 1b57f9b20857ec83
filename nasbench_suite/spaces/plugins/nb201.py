"""The NAS-Bench-201 cell space: 6 edges, each one of 5 ops."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, product_description


def categorical() -> CategoricalDescription:
    """One decision per edge (``edge_<source>_<target>``), the choices being the 5 ops."""
    from nasbench_suite.spaces.nb201 import EDGES, OPS, Architecture

    names = [f"edge_{s}_{t}" for s, t in EDGES]
    return product_description("nb201", names, [OPS] * len(EDGES), lambda a: a.ops, Architecture)


def costs(archs: Sequence[Any], dataset: str) -> dict[str, np.ndarray]:
    """NAS-Bench-201's own parameter and FLOP counts (:func:`nasbench_suite.surrogates.costs.nb201_costs`)."""
    from nasbench_suite.surrogates.costs import nb201_costs

    ids = np.asarray([a.op_ids for a in archs], dtype=np.int64).reshape(-1, 6)
    return nb201_costs(ids, dataset)


BUNDLE = SpaceBundle(
    name="nb201",
    space="nasbench_suite.spaces.nb201:NB201Space",
    encoder="nasbench_suite.surrogates.encoders.nb201:NB201Encoder",
    categorical="nasbench_suite.spaces.plugins.nb201:categorical",
    cost_formula="nasbench_suite.spaces.plugins.nb201:costs",
    supernet="nasbench_suite.estimation.supernet:PLUGIN",
)
