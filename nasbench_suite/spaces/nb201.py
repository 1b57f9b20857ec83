"""The NAS-Bench-201 / NATS-Bench topology cell space (15,625 cells).

A cell is a DAG over 4 nodes; each of the 6 edges ``j -> i`` (``j < i``)
carries one of 5 operations. The official text form lists, per node 1..3, the
incoming edges as ``op~j``::

    |op~0|+|op~0|op~1|+|op~0|op~1|op~2|

The official index (0..15624) is the position in NAS-Bench-201's archive: all
cells enumerated with the first edge varying slowest, then shuffled by
Python's ``random.shuffle`` seeded with 88 (the benchmark's own recipe).
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.base import mutate_one_position, one_position_variants

OPS: tuple[str, ...] = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: edges (source, target) in the order of the official string
EDGES: tuple[tuple[int, int], ...] = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
NUM_EDGES = len(EDGES)
NUM_NODES = 4
SIZE = len(OPS) ** NUM_EDGES
_OP_ID = {op: i for i, op in enumerate(OPS)}
_NODE_RE = re.compile(r"^\|(.*)\|$")


@cache
def _official_order() -> tuple[np.ndarray, np.ndarray]:
    """(official index -> enumeration code, enumeration code -> official index)."""
    codes = list(range(SIZE))  # code = ops in base 5, first edge most significant
    random.Random(88).shuffle(codes)
    to_code = np.asarray(codes, dtype=np.int64)
    to_index = np.empty(SIZE, dtype=np.int64)
    to_index[to_code] = np.arange(SIZE)
    return to_code, to_index


def _code(ops: tuple[str, ...]) -> int:
    code = 0
    for op in ops:
        code = code * len(OPS) + _OP_ID[op]
    return code


def _ops_from_code(code: int) -> tuple[str, ...]:
    ops = []
    for _ in range(NUM_EDGES):
        code, digit = divmod(code, len(OPS))
        ops.append(OPS[digit])
    return tuple(reversed(ops))


@dataclass(frozen=True)
class Architecture:
    """One NB201 cell: the operation on each of the 6 edges, in string order.

    Examples
    --------
    >>> a = Architecture.from_string("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|")
    >>> Architecture.from_index(a.index) == a
    True
    """

    ops: tuple[str, ...]
    space: str = "nb201"

    def __post_init__(self) -> None:
        if len(self.ops) != NUM_EDGES:
            raise InvalidArchitectureError(
                f"an NB201 cell has {NUM_EDGES} edges, got {len(self.ops)} ops: {self.ops!r}"
            )
        for op in self.ops:
            if op not in _OP_ID:
                raise InvalidArchitectureError(f"unknown NB201 op {op!r}; valid: {', '.join(OPS)}")

    # ----------------------------------------------------------------- parsing
    @classmethod
    def from_string(cls, text: str) -> Architecture:
        """Parse the official string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``."""
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"expected an NB201 string, got {type(text).__name__}")
        nodes = text.strip().split("+")
        if len(nodes) != NUM_NODES - 1:
            raise InvalidArchitectureError(
                f"an NB201 string has {NUM_NODES - 1} '+'-separated nodes, got {len(nodes)} in {text!r}"
            )
        ops: list[str] = []
        for target, node in enumerate(nodes, start=1):
            match = _NODE_RE.match(node)
            if not match:
                raise InvalidArchitectureError(f"node {target} of {text!r} is not '|op~j|...|': {node!r}")
            inputs = match.group(1).split("|")
            if len(inputs) != target:
                raise InvalidArchitectureError(
                    f"node {target} of {text!r} needs {target} inputs, got {len(inputs)}: {node!r}"
                )
            for source, item in enumerate(inputs):
                op, sep, ref = item.partition("~")
                if not sep or ref != str(source):
                    raise InvalidArchitectureError(
                        f"input {source} of node {target} in {text!r} must be 'op~{source}', got {item!r}"
                    )
                if op not in _OP_ID:
                    raise InvalidArchitectureError(
                        f"unknown NB201 op {op!r} in {text!r}; valid: {', '.join(OPS)}"
                    )
                ops.append(op)
        return cls(tuple(ops))

    @classmethod
    def from_index(cls, index: int) -> Architecture:
        """The cell at official NB201 index ``index`` (0..15624)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < SIZE:
            raise InvalidArchitectureError(f"NB201 index must be an int in 0..{SIZE - 1}, got {index!r}")
        return cls(_ops_from_code(int(_official_order()[0][index])))

    # ------------------------------------------------------------------ output
    def to_string(self) -> str:
        """The official string form."""
        parts = []
        for target in range(1, NUM_NODES):
            items = [f"{self.ops[e]}~{s}" for e, (s, t) in enumerate(EDGES) if t == target]
            parts.append("|" + "|".join(items) + "|")
        return "+".join(parts)

    def __str__(self) -> str:
        return self.to_string()

    @cached_property
    def index(self) -> int:
        """The official NB201 / NATS-Bench topology index."""
        return int(_official_order()[1][_code(self.ops)])

    @property
    def op_ids(self) -> tuple[int, ...]:
        """Operation ids (positions in :data:`OPS`) per edge."""
        return tuple(_OP_ID[op] for op in self.ops)

    def canonical_key(self) -> str:
        """Isomorphism-aware key: cells that compute the same function share it.

        Each node's value is written as a sorted sum of terms: ``skip_connect``
        passes its input's expression through, ``none`` (or any op applied to a node
        that is exactly ``#``) contributes the zero term ``#``, and any other op wraps its input as ``(expr)@op``; edges that
        cannot reach the output never appear. The key equals NATS-Bench's
        ``get_unique_str`` and groups the 15,625 cells into 6,466 classes.
        """
        return _canonical(self.ops)

    def live_edges(self) -> tuple[bool, ...]:
        """Per edge, whether it is executed: not ``none`` and its target reaches the output.

        Network builders skip the other edges; they cannot change the cell's output.
        """
        return _live_edges(self.ops)


@cache
def _canonical(ops: tuple[str, ...]) -> str:
    nodes = ["0"]
    for target in range(1, NUM_NODES):
        terms = []
        for e, (source, t) in enumerate(EDGES):
            if t != target:
                continue
            op, expr = ops[e], nodes[source]
            if op == "none" or expr == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(expr)
            else:
                terms.append(f"({expr})@{op}")
        nodes.append("+".join(sorted(terms)))
    return nodes[-1]


@cache
def _live_edges(ops: tuple[str, ...]) -> tuple[bool, ...]:
    reaches = [False, False, False, True]
    for e, (s, t) in reversed(list(enumerate(EDGES))):
        if ops[e] != "none" and reaches[t]:
            reaches[s] = True
    return tuple(ops[e] != "none" and reaches[t] for e, (s, t) in enumerate(EDGES))


class NB201Space:
    """The NB201 cell space: parsing, sampling, mutation and neighbours."""

    name = "nb201"
    size: int | None = SIZE
    ops = OPS
    edges = EDGES

    def parse(self, value: Any) -> Architecture:
        """An :class:`Architecture` from itself, its official string or its index."""
        if isinstance(value, Architecture):
            return value
        if isinstance(value, str):
            return Architecture.from_string(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return Architecture.from_index(int(value))
        raise InvalidArchitectureError(
            f"expected an NB201 Architecture, string or index, got {type(value).__name__}: {value!r}"
        )

    def all(self) -> list[Architecture]:
        """Every cell, in official index order."""
        return [Architecture.from_index(i) for i in range(SIZE)]

    def sample(self, rng: np.random.Generator) -> Architecture:
        """A cell drawn uniformly (each edge's op uniform and independent)."""
        return Architecture(tuple(OPS[i] for i in rng.integers(0, len(OPS), size=NUM_EDGES)))

    def mutate(self, arch: Any, rng: np.random.Generator) -> Architecture:
        """``arch`` with one uniformly chosen edge set to a different op."""
        return Architecture(mutate_one_position(self.parse(arch).ops, OPS, rng))

    def neighbours(self, arch: Any) -> list[Architecture]:
        """The 24 cells that differ from ``arch`` on exactly one edge."""
        return [Architecture(ops) for ops in one_position_variants(self.parse(arch).ops, OPS)]


def all_ops() -> list[tuple[str, ...]]:
    """Every op tuple in enumeration order (first edge slowest)."""
    return list(itertools.product(OPS, repeat=NUM_EDGES))
