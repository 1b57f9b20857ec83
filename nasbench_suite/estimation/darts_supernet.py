"""The DARTS search network (Liu et al. 2019, ``cnn/model_search.py``) as the darts space's one-shot supernet.

Each cell, normal or reduction, has 4 intermediate nodes; node ``k`` (2..5)
has an edge from each of the two cell inputs and every earlier node (14 edges
per cell), and every edge is a :class:`MixedOp` over :data:`OPS`: ``none``
and the 7 operations of the darts space, built as the darts builder builds
them (:data:`nasbench_suite.training.builders.darts.OPS`). Nodes sum their
edges; the cell outputs the concatenation of nodes 2..5. The macro structure
is DARTS's ``NetworkCIFAR``: a 3x3 conv + BN stem of ``3 * channels``,
``cells`` normal cells per stage in three stages joined by reduction cells
(``3 * cells + 2`` cells: the defaults C=8, one cell per stage give the
light builder's 5 cells; C=16, 2 per stage is DARTS's 8-cell search network).

Alphas have shape ``(2, 14, 8)``: (normal, reduction) x edge x op. A path is
an op index per edge, shape ``(2, 14)`` (``0``, ``none``, switches an edge
off): a genotype's path keeps its 8 edges per cell, GDAS's samples one op on
every edge.

Discretisation is the DARTS paper's: per edge the strongest operation other
than ``none``, per node the two incoming edges whose strongest operation
weighs most. The ranking :meth:`DartsSupernet.ranked` lists genotypes by the
sum over their edges of ``log_softmax(alpha)`` of the chosen op, which the
derived genotype maximises; it is enumerated best first, lazily (the space
holds about 10^18 genotypes).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from nasbench_suite.estimation.supernet_plugin import SupernetPlugin
from nasbench_suite.spaces import darts
from nasbench_suite.spaces.darts import CONCAT, NUM_NODES, Architecture, DartsSpace

__all__ = ["EDGES", "OPS", "PLUGIN", "DartsSupernet", "MixedOp", "SearchCell", "SearchNetwork"]

#: the supernet's operations: ``none`` then the darts space's 7
OPS: tuple[str, ...] = ("none", *darts.OPS)
#: a cell's edges as (input, node), node by node
EDGES: tuple[tuple[int, int], ...] = tuple((s, k) for k in range(2, 2 + NUM_NODES) for s in range(k))
_EDGE = {e: i for i, e in enumerate(EDGES)}
#: per node, its incoming edges' indices into :data:`EDGES`
_NODE_EDGES: tuple[tuple[int, ...], ...] = tuple(tuple(_EDGE[(s, k)] for s in range(k)) for k in range(2, 2 + NUM_NODES))
ALPHA_SHAPE: tuple[int, int, int] = (2, len(EDGES), len(OPS))


class MixedOp(nn.Module):
    """One edge holding a module per operation of :data:`OPS` (``none`` has none: it outputs zeros)."""

    def __init__(self, channels: int, stride: int) -> None:
        super().__init__()
        from nasbench_suite.training.builders.darts import OPS as BUILD

        self.ops = nn.ModuleDict({op: BUILD[op](channels, stride) for op in OPS if op != "none"})

    def forward(self, x: torch.Tensor, weights: torch.Tensor | None = None, op: int | None = None) -> torch.Tensor | None:
        """The edge's output; ``None`` stands for zeros (a ``none`` operation)."""
        if op is not None:
            if op == 0:
                return None
            y = self.ops[OPS[op]](x)
            return y if weights is None else weights[op] * y
        out = None
        for i, name in enumerate(OPS):
            if i:  # w * 0 adds nothing and has zero gradient
                y = weights[i] * self.ops[name](x)
                out = y if out is None else out + y
        return out


class SearchCell(nn.Module):
    """A normal or reduction cell whose 14 edges are :class:`MixedOp`."""

    def __init__(self, c_pp: int, c_p: int, c: int, *, reduction: bool, reduction_prev: bool) -> None:
        super().__init__()
        from nasbench_suite.training.builders._ops import FactorizedReduce
        from nasbench_suite.training.builders.darts import ReLUConvBN

        self.reduction = reduction
        self.channels = c
        self.preprocess0 = FactorizedReduce(c_pp, c, 2) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.edges = nn.ModuleList(MixedOp(c, 2 if reduction and s < 2 else 1) for s, _ in EDGES)
        self.multiplier = len(CONCAT)

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor | None = None,
                path: Sequence[int] | None = None) -> torch.Tensor:
        states: list[torch.Tensor | None] = [self.preprocess0(s0), self.preprocess1(s1)]
        for node_edges in _NODE_EDGES:
            total = None
            for e in node_edges:
                source = states[EDGES[e][0]]
                if source is None:
                    continue
                y = self.edges[e](source, weights=None if weights is None else weights[e],
                                  op=None if path is None else int(path[e]))
                if y is not None:
                    total = y if total is None else total + y
            states.append(total)
        ref = states[1]
        assert ref is not None
        if self.reduction:
            ref = ref[:, :, ::2, ::2]
        return torch.cat([torch.zeros_like(ref) if states[i] is None else states[i] for i in CONCAT], dim=1)


class SearchNetwork(nn.Module):
    """DARTS's search network (see the module docstring); ``forward(x, *, weights=None, path=None)``."""

    def __init__(self, *, in_channels: int, num_classes: int, channels: int, cells: int, stem_multiplier: int = 3) -> None:
        super().__init__()
        c_curr = stem_multiplier * channels
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_pp, c_p, c_curr = c_curr, c_curr, channels
        self.cells = nn.ModuleList()
        reduction_prev = False
        total = 3 * cells + 2
        for i in range(total):
            reduction = i in (cells, 2 * cells + 1)
            if reduction:
                c_curr *= 2
            cell = SearchCell(c_pp, c_p, c_curr, reduction=reduction, reduction_prev=reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * c_curr
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_p, num_classes)

    def forward(self, x: torch.Tensor, *, weights: torch.Tensor | None = None, path: Any = None) -> torch.Tensor:
        if weights is None and path is None:
            raise ValueError(f"pass weights (a {ALPHA_SHAPE} tensor), path ({ALPHA_SHAPE[:2]} op indices) or both")
        if weights is not None and tuple(weights.shape) != ALPHA_SHAPE:
            raise ValueError(f"weights must have shape {ALPHA_SHAPE}, got {tuple(weights.shape)}")
        if path is not None:
            path = [[int(i) for i in row] for row in path]
            if len(path) != 2 or any(len(row) != len(EDGES) or any(not 0 <= i < len(OPS) for i in row) for row in path):
                raise ValueError(f"path must be 2 rows (normal, reduction) of {len(EDGES)} op indices in 0..{len(OPS) - 1}")
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            c = int(cell.reduction)
            s0, s1 = s1, cell(s0, s1, weights=None if weights is None else weights[c], path=None if path is None else path[c])
        return self.classifier(self.global_pooling(s1).flatten(1))


# ------------------------------------------------------------------- bookkeeping
def _cell_path(cell: Sequence[tuple[str, int]]) -> list[int]:
    row = [0] * len(EDGES)
    for pos, (op, source) in enumerate(cell):
        row[_EDGE[(source, pos // 2 + 2)]] = OPS.index(op)
    return row


def _cell_of(row: Sequence[int]) -> tuple[tuple[str, int], ...]:
    edges: list[tuple[str, int]] = []
    for k, node_edges in zip(range(2, 2 + NUM_NODES), _NODE_EDGES):
        active = [(EDGES[e][0], int(row[e])) for e in node_edges if int(row[e])]
        if len(active) != 2:
            raise ValueError(f"node {k} of a genotype path needs exactly 2 active incoming edges, got {len(active)}")
        edges += [(OPS[op], s) for s, op in active]
    return tuple(edges)


def _log_softmax(alphas: Any) -> np.ndarray:
    from scipy.special import log_softmax

    a = np.asarray(alphas, dtype=np.float64)
    if a.shape != ALPHA_SHAPE:
        raise ValueError(f"darts alphas must have shape {ALPHA_SHAPE}, got {a.shape}")
    return log_softmax(a, axis=-1)


def _node_options(logp: np.ndarray, k: int) -> list[tuple[float, tuple[tuple[int, int], tuple[int, int]]]]:
    """Every (input pair, op pair) of node ``k`` of one cell with its score, best first (stable)."""
    options = []
    for a, b in itertools.combinations(range(k), 2):
        ea, eb = _EDGE[(a, k)], _EDGE[(b, k)]
        for oa in range(1, len(OPS)):
            for ob in range(1, len(OPS)):
                options.append((float(logp[ea, oa] + logp[eb, ob]), ((a, oa), (b, ob))))
    order = sorted(range(len(options)), key=lambda i: -options[i][0])
    return [options[i] for i in order]


class DartsSupernet(SupernetPlugin):
    """The darts space's one-shot bookkeeping (see the module docstring); records name genotypes by their string."""

    space = "darts"
    alpha_shape = ALPHA_SHAPE
    ops = OPS

    def build(self, *, skeleton: str, in_channels: int, num_classes: int, channels: int, cells: int) -> nn.Module:
        from nasbench_suite.training.builders import get_builder

        get_builder("darts", skeleton)  # a darts skeleton name (they share the NetworkCIFAR stem); raises otherwise
        return SearchNetwork(in_channels=in_channels, num_classes=num_classes, channels=channels, cells=cells)

    def random_path(self, rng: np.random.Generator) -> list[list[int]]:
        return self.path_of(DartsSpace().sample(rng))

    def candidates(self, rng: np.random.Generator, n: int) -> list[list[list[int]]]:
        space, seen, out = DartsSpace(), set(), []
        for _ in range(50 * n):
            if len(out) >= n:
                break
            arch = space.sample(rng)
            if arch.canonical_key() not in seen:
                seen.add(arch.canonical_key())
                out.append(self.path_of(arch))
        return out

    def path_of(self, arch: Any) -> list[list[int]]:
        arch = DartsSpace().parse(arch)
        return [_cell_path(arch.normal), _cell_path(arch.reduce)]

    def arch_of(self, path: Any) -> Architecture:
        return Architecture(_cell_of(path[0]), _cell_of(path[1]))

    def derive(self, alphas: np.ndarray) -> Architecture:
        """Per edge its strongest op but ``none``; per node the 2 incoming edges whose strongest op weighs most."""
        weights = np.exp(_log_softmax(alphas))
        cells = []
        for c in range(2):
            edges: list[tuple[str, int]] = []
            for node_edges in _NODE_EDGES:
                best = [(1 + int(np.argmax(weights[c, e, 1:])), float(np.max(weights[c, e, 1:]))) for e in node_edges]
                top = sorted(range(len(node_edges)), key=lambda i: -best[i][1])[:2]
                edges += [(OPS[best[i][0]], EDGES[node_edges[i]][0]) for i in sorted(top)]
            cells.append(tuple(edges))
        return Architecture(cells[0], cells[1])

    def ranked(self, alphas: np.ndarray) -> Iterator[Architecture]:
        """Genotypes by decreasing log-probability, enumerated best first over the 8 independent (cell, node) choices."""
        logp = _log_softmax(alphas)
        factors = [_node_options(logp[c], k) for c in range(2) for k in range(2, 2 + NUM_NODES)]

        def total(idx: tuple[int, ...]) -> float:
            return sum(f[i][0] for f, i in zip(factors, idx))

        start = (0,) * len(factors)
        heap = [(-total(start), start)]
        seen = {start}
        while heap:
            _, idx = heapq.heappop(heap)
            cells = []
            for c in range(2):
                edges: list[tuple[str, int]] = []
                for j in range(NUM_NODES):
                    (a, oa), (b, ob) = factors[c * NUM_NODES + j][idx[c * NUM_NODES + j]][1]
                    edges += [(OPS[oa], a), (OPS[ob], b)]
                cells.append(tuple(edges))
            yield Architecture(cells[0], cells[1])
            for f in range(len(factors)):
                if idx[f] + 1 < len(factors[f]):
                    nxt = idx[:f] + (idx[f] + 1,) + idx[f + 1:]
                    if nxt not in seen:
                        seen.add(nxt)
                        heapq.heappush(heap, (-total(nxt), nxt))

    def log_probs(self, alphas: Any, archs: Sequence[Any]) -> list[float]:
        logp = _log_softmax(alphas)
        out = []
        for arch in archs:
            path = self.path_of(arch)
            out.append(float(sum(logp[c, e, path[c][e]] for c in range(2) for e in range(len(EDGES)) if path[c][e])))
        return out


#: the darts bundle's supernet plugin
PLUGIN = DartsSupernet()
