"""The NAS-Bench-101 cell space: a 7-vertex DAG (21 possible edges) with an op on each of 5 vertices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, Decision
from nasbench_suite.spaces.plugins._reasons import NO_COST_FORMULA


NB101_NO_SUPERNET = (
    "no one-shot supernet: an NB101 cell searches its edges as well as its vertex ops, and a vertex's "
    "inputs and channel counts follow the topology, so no one network holds every cell with shared operations (the "
    "ws-* strategies choose operations on fixed edges)"
)

def _layout() -> tuple[list[tuple[int, int]], int]:
    from nasbench_suite.spaces.nb101 import MAX_VERTICES

    return [(i, j) for i in range(MAX_VERTICES) for j in range(i + 1, MAX_VERTICES)], MAX_VERTICES


def categorical() -> CategoricalDescription:
    """21 edge decisions (``edge_<i>_<j>``: ``0`` / ``1``) then 5 op decisions (``op_<vertex>``) of the 7-vertex cell.

    An architecture's vector is that of its canonical cell laid out on 7
    vertices (:meth:`~nasbench_suite.spaces.nb101.Architecture.padded`), and a
    vector maps to the canonical cell, so vectors and table rows agree.
    Vectors naming no valid cell are repaired: edges are dropped from the
    last (row-major) while there are too many, and an input-to-output edge
    is added where the output is cut off.
    """
    from nasbench_suite.spaces.nb101 import INPUT, MAX_EDGES, OPS, OUTPUT, Architecture

    edges, n = _layout()
    decisions = tuple([Decision(f"edge_{i}_{j}", ("0", "1")) for i, j in edges]
                      + [Decision(f"op_{v}", OPS) for v in range(1, n - 1)])

    def to_ids(arch: Any) -> list[int]:
        cell = arch.canonical().padded()
        return [int(cell.matrix[i][j]) for i, j in edges] + [OPS.index(op) for op in cell.ops[1:-1]]

    def build(ids: Sequence[int]) -> Any:
        if len(ids) != len(decisions) or any(not 0 <= int(i) < len(d.choices) for i, d in zip(ids, decisions)):
            raise InvalidArchitectureError(f"an nb101 choice vector has {len(decisions)} entries (21 edges, 5 ops), got {list(ids)!r}")
        matrix = [[0] * n for _ in range(n)]
        for (i, j), bit in zip(edges, ids):
            matrix[i][j] = int(bit)
        ops = (INPUT, *(OPS[int(k)] for k in ids[len(edges):]), OUTPUT)
        return Architecture(tuple(map(tuple, matrix)), ops)

    def from_ids(ids: Sequence[int]) -> Any:
        return build(ids).canonical()

    def repair(ids: Sequence[int]) -> list[int]:
        out = [int(i) for i in ids]
        direct = edges.index((0, n - 1))
        for _ in range(len(edges) + 1):
            try:
                build(out)
                return out
            except InvalidArchitectureError as exc:
                if "disconnected" in str(exc) and not out[direct]:
                    out[direct] = 1
                    continue
                set_edges = [k for k in range(len(edges)) if out[k] and k != direct]
                if not set_edges:
                    out[direct] = 1
                    continue
                out[set_edges[-1]] = 0
        raise InvalidArchitectureError(f"could not repair nb101 choice vector {list(ids)!r} (at most {MAX_EDGES} edges)")

    return CategoricalDescription("nb101", decisions, to_ids, from_ids, repair)


BUNDLE = SpaceBundle(
    name="nb101",
    space="nasbench_suite.spaces.nb101:NB101Space",
    encoder="nasbench_suite.surrogates.encoders.nb101:NB101Encoder",
    categorical="nasbench_suite.spaces.plugins.nb101:categorical",
    undefined=(("supernet", NB101_NO_SUPERNET), ("cost_formula", NO_COST_FORMULA)),
)
