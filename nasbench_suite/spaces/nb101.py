"""The NAS-Bench-101 cell space (423,624 unique cells).

A cell is a DAG over at most 7 vertices given by an upper-triangular 0/1
adjacency matrix (``matrix[i][j] = 1``: an edge ``i -> j``) and one op per
vertex: the first is ``input``, the last ``output``, the others
``conv3x3-bn-relu``, ``conv1x1-bn-relu`` or ``maxpool3x3``. As in the official
``ModelSpec``, vertices that are not on a path from input to output are
pruned; the pruned cell must keep input connected to output and have at most 7
vertices and 9 edges. Isomorphic cells are the same network: they share the
official graph hash, :meth:`Architecture.canonical_key`, and one representative
cell, :meth:`Architecture.canonical` (tables of one row per hash key rows by it).

The text form is the official data file's own, ``"<bits>|<ops>"``: the ``V*V``
matrix entries row-major as ``0``/``1`` digits, a ``|``, and the ``V`` op names
joined by commas::

    0100110001000000010010000010000001000000010000000|input,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output
"""

from __future__ import annotations

import ast
import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError

INPUT, OUTPUT = "input", "output"
CONV3X3, CONV1X1, MAXPOOL3X3 = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"
#: ops allowed on intermediate vertices, in the official order (``config['available_ops']``)
OPS: tuple[str, ...] = (CONV3X3, CONV1X1, MAXPOOL3X3)
MAX_VERTICES = 7
MAX_EDGES = 9
#: number of unique (non-isomorphic, valid) cells in NAS-Bench-101
SIZE = 423_624
#: NASLib's op indices of its 56-int tuple keys (``convert_spec_to_tuple``)
NASLIB_OPS: tuple[str, ...] = (INPUT, OUTPUT, MAXPOOL3X3, CONV1X1, CONV3X3)
#: op label of the graph hash: position in OPS, input -1, output -2 (``ModelSpec.hash_spec``)
_HASH_LABEL = {INPUT: -1, OUTPUT: -2, **{op: i for i, op in enumerate(OPS)}}

Matrix = tuple[tuple[int, ...], ...]


def module_hash(matrix: Sequence[Sequence[int]], labels: Sequence[int]) -> str:
    """NAS-Bench-101's isomorphism-invariant MD5 hash of a labelled DAG.

    The algorithm of ``nasbench.lib.graph_util.hash_module``: each vertex starts
    from the MD5 of ``str((out_degree, in_degree, label))``; ``V`` times, each
    vertex's hash becomes the MD5 of its sorted in-neighbour hashes, ``|``, its
    sorted out-neighbour hashes, ``|``, and its own hash; the result is the MD5
    of ``str`` of the sorted vertex hashes. The graph must already be pruned.
    """
    md5 = hashlib.md5
    vertices = range(len(matrix))
    ins = [[w for w in vertices if matrix[w][v]] for v in vertices]
    outs = [[w for w in vertices if matrix[v][w]] for v in vertices]
    hashes = [md5(str((len(outs[v]), len(ins[v]), int(labels[v]))).encode()).hexdigest() for v in vertices]
    for _ in vertices:
        new = []
        for v in vertices:
            in_part = "".join(sorted([hashes[w] for w in ins[v]]))
            out_part = "".join(sorted([hashes[w] for w in outs[v]]))
            new.append(md5(f"{in_part}|{out_part}|{hashes[v]}".encode()).hexdigest())
        hashes = new
    return md5(str(sorted(hashes)).encode()).hexdigest()


def prune(matrix: Matrix, ops: tuple[str, ...]) -> tuple[Matrix, tuple[str, ...]] | None:
    """Drop the vertices not on an input-to-output path, as ``ModelSpec._prune`` does.

    Returns ``None`` when the input cannot reach the output.
    """
    n = len(matrix)
    from_input, frontier = {0}, [0]
    while frontier:
        top = frontier.pop()
        for v in range(top + 1, n):
            if matrix[top][v] and v not in from_input:
                from_input.add(v)
                frontier.append(v)
    to_output, frontier = {n - 1}, [n - 1]
    while frontier:
        top = frontier.pop()
        for v in range(top):
            if matrix[v][top] and v not in to_output:
                to_output.add(v)
                frontier.append(v)
    keep = sorted(from_input & to_output)
    if len(keep) < 2:
        return None
    return tuple(tuple(matrix[i][j] for j in keep) for i in keep), tuple(ops[i] for i in keep)


def _as_matrix(matrix: Any) -> Matrix:
    try:
        rows = tuple(tuple(int(x) for x in row) for row in matrix)
    except (TypeError, ValueError):
        raise InvalidArchitectureError(f"an NB101 matrix is a square list of 0/1 rows, got {matrix!r}") from None
    n = len(rows)
    if n < 2 or any(len(row) != n for row in rows):
        raise InvalidArchitectureError(f"an NB101 matrix must be square with at least 2 vertices, got {matrix!r}")
    if any(x not in (0, 1) for row in rows for x in row) or any(x != int(x) for row in matrix for x in row):
        raise InvalidArchitectureError(f"NB101 matrix entries must be 0 or 1, got {matrix!r}")
    return rows


@dataclass(frozen=True)
class Architecture:
    """One NB101 cell: adjacency matrix and ops, as given (before pruning).

    Construction checks the official rules and raises
    :class:`InvalidArchitectureError` naming the rule that failed.

    Examples
    --------
    >>> a = Architecture.from_string(
    ...     "0100110001000000010010000010000001000000010000000|input,conv3x3-bn-relu,maxpool3x3,"
    ...     "conv3x3-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output")
    >>> a.canonical_key()
    '00005c142e6f48ac74fdcf73e3439874'
    """

    matrix: Matrix
    ops: tuple[str, ...]
    space: str = "nb101"

    def __post_init__(self) -> None:
        matrix = _as_matrix(self.matrix)
        object.__setattr__(self, "matrix", matrix)
        ops = tuple(self.ops) if not isinstance(self.ops, str) else (self.ops,)
        object.__setattr__(self, "ops", ops)
        n = len(matrix)
        if len(ops) != n:
            raise InvalidArchitectureError(f"an NB101 cell needs one op per vertex: {n} vertices, {len(ops)} ops {ops!r}")
        if any(matrix[i][j] for i in range(n) for j in range(i + 1)):
            raise InvalidArchitectureError(
                f"NB101 matrix is not upper-triangular (edges must go from a lower to a higher vertex): {matrix!r}"
            )
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            raise InvalidArchitectureError(
                f"wrong first/last op: an NB101 cell starts with {INPUT!r} and ends with {OUTPUT!r}, got {ops!r}"
            )
        for op in ops[1:-1]:
            if op not in OPS:
                raise InvalidArchitectureError(f"unknown NB101 op {op!r} in {ops!r}; valid: {', '.join(OPS)}")
        pruned = prune(matrix, ops)
        if pruned is None:
            raise InvalidArchitectureError(f"disconnected output: no path from input to output in {matrix!r}")
        p_matrix, _ = pruned
        if len(p_matrix) > MAX_VERTICES:
            raise InvalidArchitectureError(
                f"too many vertices: {len(p_matrix)} after pruning, at most {MAX_VERTICES} allowed"
            )
        edges = sum(map(sum, p_matrix))
        if edges > MAX_EDGES:
            raise InvalidArchitectureError(f"too many edges: {edges} after pruning, at most {MAX_EDGES} allowed")
        object.__setattr__(self, "_pruned", pruned)

    # ----------------------------------------------------------------- parsing
    @classmethod
    def from_string(cls, text: str) -> Architecture:
        """Parse ``"<V*V matrix bits, row-major>|<op,op,...>"`` (see the module docstring)."""
        if not isinstance(text, str):
            raise InvalidArchitectureError(f"expected an NB101 string, got {type(text).__name__}")
        bits, sep, ops = text.strip().partition("|")
        if not sep:
            raise InvalidArchitectureError(f"an NB101 string is '<matrix bits>|<op,op,...>', got {text!r}")
        n = int(round(len(bits) ** 0.5))
        if n * n != len(bits) or set(bits) - {"0", "1"}:
            raise InvalidArchitectureError(f"the matrix part of {text!r} must be V*V digits 0/1, got {bits!r}")
        matrix = tuple(tuple(int(c) for c in bits[i * n : (i + 1) * n]) for i in range(n))
        return cls(matrix, tuple(op.strip() for op in ops.split(",")))

    @classmethod
    def from_naslib(cls, key: str | Sequence[int]) -> Architecture:
        """From NASLib's 56-int tuple key (49 matrix entries, then 7 indices into :data:`NASLIB_OPS`)."""
        values = key
        if isinstance(key, str):
            try:
                values = ast.literal_eval(key)
            except (ValueError, SyntaxError):
                raise InvalidArchitectureError(f"not a NASLib NB101 tuple: {key!r}") from None
        try:
            ints = [int(v) for v in values]  # type: ignore[union-attr]
        except (TypeError, ValueError):
            raise InvalidArchitectureError(f"a NASLib NB101 key is a tuple of 56 ints, got {key!r}") from None
        if len(ints) != 56 or any(not 0 <= v < len(NASLIB_OPS) for v in ints[49:]):
            raise InvalidArchitectureError(
                f"a NASLib NB101 key is 49 matrix entries and 7 op indices in 0..{len(NASLIB_OPS) - 1}, got {key!r}"
            )
        matrix = tuple(tuple(ints[7 * i : 7 * i + 7]) for i in range(7))
        return cls(matrix, tuple(NASLIB_OPS[v] for v in ints[49:]))

    # ------------------------------------------------------------------ output
    def to_string(self) -> str:
        """The text form ``"<bits>|<ops>"`` of the matrix and ops as given."""
        bits = "".join(str(x) for row in self.matrix for x in row)
        return f"{bits}|{','.join(self.ops)}"

    def __str__(self) -> str:
        return self.to_string()

    def to_naslib(self) -> tuple[int, ...]:
        """NASLib's 56-int tuple of the cell padded to 7 vertices."""
        full = self.padded()
        return tuple(x for row in full.matrix for x in row) + tuple(NASLIB_OPS.index(op) for op in full.ops)

    @property
    def num_vertices(self) -> int:
        """Vertices of the pruned cell."""
        return len(self.pruned_ops)

    @property
    def num_edges(self) -> int:
        """Edges of the pruned cell."""
        return sum(map(sum, self.pruned_matrix))

    @property
    def pruned_matrix(self) -> Matrix:
        """The adjacency matrix after pruning (what the network computes)."""
        return self._pruned[0]  # type: ignore[attr-defined]

    @property
    def pruned_ops(self) -> tuple[str, ...]:
        """The ops after pruning."""
        return self._pruned[1]  # type: ignore[attr-defined]

    @cached_property
    def hash(self) -> str:
        """The official NAS-Bench-101 module hash (32 hex digits) of the pruned cell."""
        return module_hash(self.pruned_matrix, [_HASH_LABEL[op] for op in self.pruned_ops])

    def canonical_key(self) -> str:
        """The official module hash: equal for isomorphic cells and for cells equal after pruning."""
        return self.hash

    def canonical(self) -> Architecture:
        """The representative of this cell's class: pruned, intermediate vertices renumbered.

        Among the renumberings that keep the matrix upper-triangular, the one with
        the smallest ``(ops, matrix bits)`` code; isomorphic cells get the same
        representative, whose string can key a table that holds one row per hash.
        """
        return _canonical(self.pruned_matrix, self.pruned_ops)

    def padded(self) -> Architecture:
        """This cell as a 7-vertex cell: itself if it has 7 vertices, else the pruned cell
        plus unconnected ``conv3x3`` vertices before the output."""
        if len(self.ops) == MAX_VERTICES:
            return self
        matrix, ops = self.pruned_matrix, self.pruned_ops
        n = len(ops)
        full = [[0] * MAX_VERTICES for _ in range(MAX_VERTICES)]
        # keep vertices 0..n-2 in place, move the output to the last vertex
        where = list(range(n - 1)) + [MAX_VERTICES - 1]
        for i in range(n):
            for j in range(n):
                if matrix[i][j]:
                    full[where[i]][where[j]] = 1
        full_ops = list(ops[:-1]) + [CONV3X3] * (MAX_VERTICES - n) + [OUTPUT]
        return Architecture(tuple(map(tuple, full)), tuple(full_ops))


@cache
def _vertex_orders(n: int) -> np.ndarray:
    """Every order of an n-vertex cell's vertices that keeps input first and output last."""
    return np.array([[0, *mid, n - 1] for mid in itertools.permutations(range(1, n - 1))], dtype=np.intp).reshape(-1, n)


@lru_cache(maxsize=1 << 16)
def _canonical(matrix: Matrix, ops: tuple[str, ...]) -> Architecture:
    n = len(ops)
    orders = _vertex_orders(n)
    a = np.array(matrix, dtype=np.int64)
    renumbered = a[orders[:, :, None], orders[:, None, :]]  # vertex i of order k is old vertex orders[k, i]
    upper = ~np.tril(renumbered).any(axis=(1, 2))
    bits = (renumbered * (1 << np.arange(n * n, dtype=np.int64)).reshape(n, n)).sum(axis=(1, 2))
    labels = np.array([_HASH_LABEL[op] for op in ops], dtype=np.int64)[orders[:, 1:-1]]
    op_code = (labels * len(OPS) ** np.arange(n - 2, dtype=np.int64)).sum(axis=1)
    code = np.where(upper, (op_code << (n * n)) + bits, np.iinfo(np.int64).max)
    k = int(np.argmin(code))
    return Architecture(tuple(map(tuple, renumbered[k].tolist())), tuple(ops[v] for v in orders[k]))


def _try(matrix: Matrix, ops: tuple[str, ...]) -> Architecture | None:
    try:
        return Architecture(matrix, ops)
    except InvalidArchitectureError:
        return None


#: a single change: ``(i, j, None)`` flips edge ``i -> j``; ``(v, -1, op)`` sets vertex ``v``'s op
Move = tuple[int, int, "str | None"]


def _moves(n: int, ops: tuple[str, ...]) -> list[Move]:
    """Every single change of an ``n``-vertex cell: each edge flipped, then each op changed."""
    flips: list[Move] = [(i, j, None) for i in range(n) for j in range(i + 1, n)]
    return flips + [(v, -1, op) for v in range(1, n - 1) for op in OPS if op != ops[v]]


def _apply(matrix: Matrix, ops: tuple[str, ...], *moves: Move) -> tuple[Matrix, tuple[str, ...]]:
    rows = [list(r) for r in matrix]
    new_ops = list(ops)
    for i, j, op in moves:
        if op is None:
            rows[i][j] = 1 - rows[i][j]
        else:
            new_ops[i] = op
    return tuple(map(tuple, rows)), tuple(new_ops)


class NB101Space:
    """The NB101 cell space: parsing, sampling, mutation and neighbours.

    What :meth:`sample`, :meth:`mutate` and :meth:`neighbours` return are
    canonical cells (:meth:`Architecture.canonical`), one per hash, so their
    strings are the row keys of an imported table. Changes are made to the
    canonical cell laid out on 7 vertices (:meth:`Architecture.padded`), so
    isomorphic inputs have the same neighbours.
    """

    name = "nb101"
    size: int | None = SIZE
    ops = OPS

    def parse(self, value: Any) -> Architecture:
        """An :class:`Architecture` from itself, its text form, NASLib's tuple key,
        a ``(matrix, ops)`` pair or a mapping with ``matrix``/``ops`` (or the
        official ``module_adjacency``/``module_operations``) keys."""
        if isinstance(value, Architecture):
            return value
        if isinstance(value, str):
            if value.lstrip().startswith("("):
                return Architecture.from_naslib(value)
            return Architecture.from_string(value)
        if isinstance(value, Mapping):
            for m_key, o_key in (("matrix", "ops"), ("module_adjacency", "module_operations")):
                if m_key in value and o_key in value:
                    return Architecture(value[m_key], tuple(value[o_key]))
            raise InvalidArchitectureError(f"an NB101 mapping needs 'matrix' and 'ops' keys, got {sorted(value)!r}")
        if isinstance(value, (tuple, list)) and len(value) == 56:
            return Architecture.from_naslib(value)
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return Architecture(value[0], tuple(value[1]))
        raise InvalidArchitectureError(
            f"expected an NB101 Architecture, string, (matrix, ops) pair or mapping, got {type(value).__name__}: {value!r}"
        )

    def sample(self, rng: np.random.Generator) -> Architecture:
        """A cell by rejection as NAS-Bench-101 and NASLib draw them (each of the 21 edges and
        each of the 5 ops uniform on 7 vertices, redrawn until valid), canonicalized."""
        iu = np.triu_indices(MAX_VERTICES, k=1)
        while True:
            full = np.zeros((MAX_VERTICES, MAX_VERTICES), dtype=int)
            full[iu] = rng.integers(0, 2, size=len(iu[0]))
            mids = tuple(OPS[i] for i in rng.integers(0, len(OPS), size=MAX_VERTICES - 2))
            arch = _try(tuple(map(tuple, full.tolist())), (INPUT, *mids, OUTPUT))
            if arch is not None:
                return arch.canonical()

    def mutate(self, arch: Any, rng: np.random.Generator) -> Architecture:
        """One edge flipped or one op changed, drawn until valid and of another hash (canonicalized).

        Where no single change alters the hash (the bare input-to-output cell),
        a cell two changes away is drawn instead.
        """
        start = self.parse(arch).canonical().padded()
        key = start.hash
        moves = _moves(len(start.ops), start.ops)
        for _ in range(100):
            cand = _try(*_apply(start.matrix, start.ops, moves[int(rng.integers(len(moves)))]))
            if cand is not None and cand.hash != key:
                return cand.canonical()
        options = self.neighbours(start)
        if not options:
            found: dict[str, Architecture] = {}
            for a, b in itertools.combinations(moves, 2):
                cand = _try(*_apply(start.matrix, start.ops, a, b))
                if cand is not None and cand.hash != key:
                    found.setdefault(cand.hash, cand.canonical())
            options = list(found.values())
        return options[int(rng.integers(len(options)))]

    def neighbours(self, arch: Any) -> list[Architecture]:
        """The canonical cells one edge flip or one op change away, one per hash, excluding ``arch``'s own.

        Ordered as the changes are: edges ``(0, 1), (0, 2), ...`` flipped, then
        each vertex's op set to each other op.
        """
        start = self.parse(arch).canonical().padded()
        seen = {start.hash}
        out = []
        for move in _moves(len(start.ops), start.ops):
            cand = _try(*_apply(start.matrix, start.ops, move))
            if cand is not None and cand.hash not in seen:
                seen.add(cand.hash)
                out.append(cand.canonical())
        return out


__all__ = ["OPS", "SIZE", "Architecture", "NB101Space", "module_hash", "prune"]
