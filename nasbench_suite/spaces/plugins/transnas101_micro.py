"""The TransNAS-Bench-101 micro (cell) space: 6 edges, each one of 4 ops."""

from __future__ import annotations

from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, product_description
from nasbench_suite.spaces.plugins._reasons import NO_COST_FORMULA


def categorical() -> CategoricalDescription:
    """One decision per edge (``edge_<source>_<target>``), the choices being the 4 micro ops."""
    from nasbench_suite.spaces.nb201 import EDGES
    from nasbench_suite.spaces.transnas101 import MICRO_OPS, MicroArchitecture

    names = [f"edge_{s}_{t}" for s, t in EDGES]
    return product_description("transnas101-micro", names, [MICRO_OPS] * len(EDGES), lambda a: a.ops, MicroArchitecture)


BUNDLE = SpaceBundle(
    name="transnas101-micro",
    space="nasbench_suite.spaces.transnas101:TransNAS101MicroSpace",
    encoder="nasbench_suite.surrogates.encoders.transnas101:MicroEncoder",
    categorical="nasbench_suite.spaces.plugins.transnas101_micro:categorical",
    supernet="nasbench_suite.estimation.micro_supernet:PLUGIN",
    undefined=(("cost_formula", NO_COST_FORMULA),),
)
