"""The DARTS cell space of NAS-Bench-301 (about 10^18 architectures).

An architecture is a normal and a reduction cell. Each cell has 4
intermediate nodes (2..5); node ``k`` sums two edges, each an op applied to
one of its predecessors: the cell inputs ``0`` (c_{k-2}) and ``1`` (c_{k-1})
or an earlier intermediate node. The two inputs of a node differ, and the
cell output concatenates nodes 2..5. The 7 ops are NAS-Bench-301's (DARTS's
list without ``none``).

The text form is DARTS's own ``Genotype`` repr, read without ``eval``::

    Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...], normal_concat=[2, 3, 4, 5],
             reduce=[('max_pool_3x3', 0), ...], reduce_concat=[2, 3, 4, 5])

The two edges of a node are summed, so their order carries no meaning: an
:class:`Architecture` keeps them sorted by (input, op position in
:data:`OPS`), and its string is that normal form.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from math import comb
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError

OPS: tuple[str, ...] = (
    "max_pool_3x3",
    "avg_pool_3x3",
    "skip_connect",
    "sep_conv_3x3",
    "sep_conv_5x5",
    "dil_conv_3x3",
    "dil_conv_5x5",
)
NUM_NODES = 4
EDGES_PER_NODE = 2
NUM_EDGES = NUM_NODES * EDGES_PER_NODE
CONCAT: tuple[int, ...] = tuple(range(2, 2 + NUM_NODES))
CELLS = ("normal", "reduce")
#: distinct cells in normal form: per node an unordered pair of inputs and an op for each
CELL_COUNT = int(np.prod([comb(k + 2, 2) * len(OPS) ** 2 for k in range(NUM_NODES)]))
#: distinct architectures (normal x reduction cell)
COUNT = CELL_COUNT**2
_OP_ID = {op: i for i, op in enumerate(OPS)}

Edge = tuple[str, int]
Cell = tuple[Edge, ...]


def _normalize_cell(name: str, cell: Any) -> Cell:
    """Check one cell's edges and return them with each node's pair sorted."""
    if isinstance(cell, (str, bytes)) or not isinstance(cell, Sequence):
        raise InvalidArchitectureError(f"the {name} cell must be a list of (op, input) pairs, got {cell!r}")
    if len(cell) != NUM_EDGES:
        raise InvalidArchitectureError(
            f"the {name} cell needs {NUM_EDGES} edges ({EDGES_PER_NODE} per node for {NUM_NODES} nodes), got {len(cell)}"
        )
    edges: list[Edge] = []
    for pos, edge in enumerate(cell):
        node = pos // EDGES_PER_NODE + 2
        if isinstance(edge, (str, bytes)) or not isinstance(edge, Sequence) or len(edge) != 2:
            raise InvalidArchitectureError(f"edge {pos} of the {name} cell must be an (op, input) pair, got {edge!r}")
        op, source = edge
        if not isinstance(op, str) or op not in _OP_ID:
            hint = " (NAS-Bench-301 has no 'none' op)" if op == "none" else ""
            raise InvalidArchitectureError(f"unknown DARTS op {op!r} on edge {pos} of the {name} cell{hint}; valid: {', '.join(OPS)}")
        if isinstance(source, bool) or not isinstance(source, (int, np.integer)) or not 0 <= source < node:
            raise InvalidArchitectureError(
                f"edge {pos} of the {name} cell feeds node {node}, so its input must be an int in 0..{node - 1}, got {source!r}"
            )
        edges.append((str(op), int(source)))
    out: list[Edge] = []
    for k in range(NUM_NODES):
        pair = edges[EDGES_PER_NODE * k : EDGES_PER_NODE * (k + 1)]
        if pair[0][1] == pair[1][1]:
            raise InvalidArchitectureError(
                f"node {k + 2} of the {name} cell takes both edges from node {pair[0][1]}; its two inputs must differ"
            )
        out.extend(sorted(pair, key=lambda e: (e[1], _OP_ID[e[0]])))
    return tuple(out)


def _relabel(cell: Cell, perm: tuple[int, ...]) -> Cell | None:
    """The cell with intermediate node ``2 + k`` renamed ``perm[k]``; ``None`` if that breaks the order."""
    new_id = (0, 1, *perm)
    by_node: dict[int, list[Edge]] = {}
    for pos, (op, source) in enumerate(cell):
        target = new_id[pos // EDGES_PER_NODE + 2]
        if new_id[source] >= target:
            return None
        by_node.setdefault(target, []).append((op, new_id[source]))
    edges = [e for node in CONCAT for e in sorted(by_node[node], key=lambda e: (e[1], _OP_ID[e[0]]))]
    return tuple(edges)


def _cell_code(cell: Cell) -> tuple[int, ...]:
    return tuple(x for op, source in cell for x in (source, _OP_ID[op]))


def _canonical_cell(cell: Cell) -> Cell:
    candidates = (_relabel(cell, perm) for perm in itertools.permutations(CONCAT))
    return min((c for c in candidates if c is not None), key=_cell_code)


@dataclass(frozen=True)
class Architecture:
    """One DARTS genotype: normal and reduction cell edges, 2 per node, in normal form.

    Examples
    --------
    >>> a = Architecture.from_naslib("[[(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 3), (0, 2), (2, 2)], "
    ...                              "[(0, 0), (1, 0), (0, 0), (2, 2), (2, 2), (0, 0), (2, 2), (3, 0)]]")
    >>> a.normal[:2]
    (('sep_conv_3x3', 0), ('sep_conv_3x3', 1))
    >>> Architecture.from_string(a.to_string()) == a
    True
    """

    normal: Cell
    reduce: Cell
    space: str = "darts"

    def __post_init__(self) -> None:
        object.__setattr__(self, "normal", _normalize_cell("normal", self.normal))
        object.__setattr__(self, "reduce", _normalize_cell("reduce", self.reduce))

    # ----------------------------------------------------------------- parsing
    @classmethod
    def from_string(cls, text: str) -> Architecture:
        """Parse DARTS's ``Genotype(normal=[...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])``.

        Concats may also be written ``range(2, 6)``, as DARTS's search log prints them.
        """
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"expected a DARTS Genotype string, got {type(text).__name__}")
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            raise InvalidArchitectureError(f"not a Genotype(...) expression: {text!r}") from None
        if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "Genotype"):
            raise InvalidArchitectureError(f"a DARTS genotype string is 'Genotype(normal=..., ...)', got {text!r}")
        fields = ("normal", "normal_concat", "reduce", "reduce_concat")
        if len(tree.args) > len(fields):
            raise InvalidArchitectureError(f"Genotype takes {len(fields)} fields, got {len(tree.args)} in {text!r}")
        values: dict[str, ast.expr] = dict(zip(fields, tree.args))
        for kw in tree.keywords:
            if kw.arg not in fields or kw.arg in values:
                raise InvalidArchitectureError(
                    f"unexpected or repeated Genotype field {kw.arg!r} in {text!r}; fields: {', '.join(fields)}"
                )
            values[kw.arg] = kw.value
        missing = [f for f in fields if f not in values]
        if missing:
            raise InvalidArchitectureError(f"Genotype string lacks {', '.join(missing)}: {text!r}")
        for name in ("normal_concat", "reduce_concat"):
            concat = _literal_concat(values[name])
            if concat != CONCAT:
                raise InvalidArchitectureError(
                    f"{name} must concatenate every intermediate node {list(CONCAT)}, got {ast.unparse(values[name])}"
                )
        cells = {}
        for name in CELLS:
            try:
                cells[name] = ast.literal_eval(values[name])
            except ValueError:
                raise InvalidArchitectureError(
                    f"the {name} cell must be a literal list of (op, input) pairs, got {ast.unparse(values[name])}"
                ) from None
        return cls(cells["normal"], cells["reduce"])

    @classmethod
    def from_naslib(cls, key: str | Sequence[Any]) -> Architecture:
        """From NASLib's compact NB301 key ``[normal, reduce]``, each 8 ``(input, op index)`` pairs.

        Pairs 0-1 feed node 2, 2-3 node 3, 4-5 node 4, 6-7 node 5; the op index
        points into :data:`OPS`. This is the key of NAS-Bench-Suite-Zero's
        ``zc_nasbench301.json`` (NASLib ``convert_compact_to_genotype``).
        """
        value = key
        if isinstance(key, str):
            try:
                value = ast.literal_eval(key)
            except (ValueError, SyntaxError):
                raise InvalidArchitectureError(f"not a NASLib compact NB301 key: {key!r}") from None
        if not isinstance(value, Sequence) or len(value) != 2:
            raise InvalidArchitectureError(f"a NASLib compact key is [normal, reduce], got {key!r}")
        cells = []
        for name, cell in zip(CELLS, value):
            edges = []
            for pair in cell:
                if not isinstance(pair, Sequence) or len(pair) != 2:
                    raise InvalidArchitectureError(f"the {name} cell of {key!r} needs (input, op index) pairs, got {pair!r}")
                source, op = pair
                if isinstance(op, bool) or not isinstance(op, (int, np.integer)) or not 0 <= op < len(OPS):
                    raise InvalidArchitectureError(f"op index {op!r} in the {name} cell of {key!r} is not in 0..{len(OPS) - 1}")
                edges.append((OPS[op], source))
            cells.append(edges)
        return cls(cells[0], cells[1])

    # ------------------------------------------------------------------ output
    def to_string(self) -> str:
        """The ``Genotype(...)`` text of the normal form, as DARTS prints it."""
        return (
            f"Genotype(normal={list(self.normal)!r}, normal_concat={list(CONCAT)!r}, "
            f"reduce={list(self.reduce)!r}, reduce_concat={list(CONCAT)!r})"
        )

    def __str__(self) -> str:
        return self.to_string()

    def to_naslib(self) -> str:
        """NASLib's compact key text (of the normal form)."""
        cells = [[(source, _OP_ID[op]) for op, source in cell] for cell in (self.normal, self.reduce)]
        return str(cells)

    @cached_property
    def _canonical(self) -> Architecture:
        return Architecture(_canonical_cell(self.normal), _canonical_cell(self.reduce))

    def canonical(self) -> Architecture:
        """The representative of this architecture's isomorphism class (see :meth:`canonical_key`)."""
        return self._canonical

    def canonical_key(self) -> str:
        """Equal for genotypes that differ only in the numbering of intermediate nodes.

        Renumbering nodes (keeping every edge from a lower to a higher node)
        permutes the concatenated output channels, which the next layer's 1x1
        convolution absorbs: the cells compute the same function family. The
        key is the string of the renumbering with the smallest
        ``(input, op)`` sequence, per cell.
        """
        return self._canonical.to_string()


def _literal_concat(node: ast.expr) -> tuple[int, ...] | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range" and not node.keywords:
        try:
            bounds = [ast.literal_eval(a) for a in node.args]
        except ValueError:
            return None
        if all(isinstance(b, int) for b in bounds) and 1 <= len(bounds) <= 3:
            return tuple(range(*bounds))
        return None
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return tuple(value) if isinstance(value, (list, tuple)) else None


#: a single change of a genotype: (cell 0/1, edge position, new op or None, new input or None)
Move = tuple[int, int, "str | None", "int | None"]


def _moves(arch: Architecture) -> list[Move]:
    out: list[Move] = []
    for c, cell in enumerate((arch.normal, arch.reduce)):
        for pos, (op, source) in enumerate(cell):
            node = pos // EDGES_PER_NODE + 2
            other = cell[pos ^ 1][1]
            out.extend((c, pos, new, None) for new in OPS if new != op)
            out.extend((c, pos, None, s) for s in range(node) if s not in (source, other))
    return out


def _apply(arch: Architecture, move: Move) -> Architecture:
    c, pos, op, source = move
    cells = [list(arch.normal), list(arch.reduce)]
    old_op, old_source = cells[c][pos]
    cells[c][pos] = (op if op is not None else old_op, source if source is not None else old_source)
    return Architecture(tuple(cells[0]), tuple(cells[1]))


class DartsSpace:
    """The DARTS / NAS-Bench-301 space: parsing, sampling, mutation and neighbours."""

    name = "darts"
    #: too large to enumerate; :data:`COUNT` holds the exact number
    size: int | None = None
    count = COUNT
    ops = OPS

    def parse(self, value: Any) -> Architecture:
        """An :class:`Architecture` from itself, its Genotype string, NASLib's compact key,
        a mapping or object with ``normal``/``reduce``, or a ``(normal, reduce)`` pair."""
        if isinstance(value, Architecture):
            return value
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return Architecture.from_naslib(value)
            return Architecture.from_string(value)
        if isinstance(value, Mapping):
            if "normal" in value and "reduce" in value:
                return Architecture(value["normal"], value["reduce"])
            raise InvalidArchitectureError(f"a DARTS mapping needs 'normal' and 'reduce' keys, got {sorted(value)!r}")
        if hasattr(value, "normal") and hasattr(value, "reduce"):  # e.g. DARTS's own Genotype namedtuple
            for name in ("normal_concat", "reduce_concat"):
                if hasattr(value, name) and tuple(getattr(value, name)) != CONCAT:
                    raise InvalidArchitectureError(f"{name} must be {list(CONCAT)}, got {getattr(value, name)!r}")
            return Architecture(value.normal, value.reduce)
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return Architecture(value[0], value[1])
        raise InvalidArchitectureError(
            f"expected a DARTS Architecture, Genotype string or (normal, reduce) pair, got {type(value).__name__}: {value!r}"
        )

    def _sample_cell(self, rng: np.random.Generator) -> Cell:
        edges: list[Edge] = []
        for k in range(NUM_NODES):
            sources = rng.choice(k + 2, size=EDGES_PER_NODE, replace=False)
            ops = rng.integers(0, len(OPS), size=EDGES_PER_NODE)
            edges.extend((OPS[int(o)], int(s)) for s, o in zip(sources, ops))
        return tuple(edges)

    def sample(self, rng: np.random.Generator) -> Architecture:
        """A genotype drawn uniformly: per node a uniform pair of distinct inputs and a uniform op on each edge."""
        return Architecture(self._sample_cell(rng), self._sample_cell(rng))

    def mutate(self, arch: Any, rng: np.random.Generator) -> Architecture:
        """``arch`` with one uniformly drawn change: one edge's op, or one edge's input."""
        arch = self.parse(arch)
        moves = _moves(arch)
        return _apply(arch, moves[int(rng.integers(len(moves)))])

    def neighbours(self, arch: Any) -> list[Architecture]:
        """Every genotype one op change or one input change away (normal cell first, edge by edge)."""
        arch = self.parse(arch)
        out = dict.fromkeys(_apply(arch, move) for move in _moves(arch))
        out.pop(arch, None)
        return list(out)


__all__ = ["CELL_COUNT", "CONCAT", "COUNT", "OPS", "Architecture", "DartsSpace"]
