"""The DARTS / NAS-Bench-301 space: a normal and a reduction cell, each 4 nodes of two (op, input) edges."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, Decision
from nasbench_suite.spaces.plugins._reasons import NO_COST_FORMULA


def categorical() -> CategoricalDescription:
    """Per cell and node ``k`` (2..5): its input pair (``<cell>_node<k>_inputs``, e.g. ``0,2``; node 2 always
    reads ``0,1`` so has no such decision) and the op of its lower-input and higher-input edge
    (``<cell>_node<k>_op_a`` / ``_op_b``). Every vector is a valid genotype."""
    from nasbench_suite.spaces.darts import CELLS, NUM_NODES, OPS, Architecture

    pairs = {k: list(itertools.combinations(range(k), 2)) for k in range(2, 2 + NUM_NODES)}
    decisions: list[Decision] = []
    for cell in CELLS:
        for k in pairs:
            if len(pairs[k]) > 1:
                decisions.append(Decision(f"{cell}_node{k}_inputs", tuple(f"{a},{b}" for a, b in pairs[k])))
            decisions += [Decision(f"{cell}_node{k}_op_a", OPS), Decision(f"{cell}_node{k}_op_b", OPS)]

    def to_ids(arch: Any) -> list[int]:
        out: list[int] = []
        for cell in (arch.normal, arch.reduce):
            for k in pairs:
                (op_a, a), (op_b, b) = cell[2 * (k - 2)], cell[2 * (k - 2) + 1]  # sorted by input: a < b
                if len(pairs[k]) > 1:
                    out.append(pairs[k].index((a, b)))
                out += [OPS.index(op_a), OPS.index(op_b)]
        return out

    def from_ids(ids: Sequence[int]) -> Any:
        if len(ids) != len(decisions) or any(not 0 <= int(i) < len(d.choices) for i, d in zip(ids, decisions)):
            raise InvalidArchitectureError(f"a darts choice vector has {len(decisions)} entries, got {list(ids)!r}")
        it = iter(int(i) for i in ids)
        cells = []
        for _ in CELLS:
            edges = []
            for k in pairs:
                a, b = pairs[k][next(it)] if len(pairs[k]) > 1 else pairs[k][0]
                edges += [(OPS[next(it)], a), (OPS[next(it)], b)]
            cells.append(edges)
        return Architecture(tuple(cells[0]), tuple(cells[1]))

    return CategoricalDescription("darts", tuple(decisions), to_ids, from_ids)


BUNDLE = SpaceBundle(
    name="darts",
    space="nasbench_suite.spaces.darts:DartsSpace",
    encoder="nasbench_suite.surrogates.encoders.darts:DartsEncoder",
    categorical="nasbench_suite.spaces.plugins.darts:categorical",
    supernet="nasbench_suite.estimation.darts_supernet:PLUGIN",
    undefined=(("cost_formula", NO_COST_FORMULA),),
)
