"""The two TransNAS-Bench-101 search spaces: micro (cells) and macro (skeletons).

**Micro** (4,096 cells): a 4-node cell like NAS-Bench-201's, each of the 6
edges ``j -> i`` carrying one of 4 operations, inside a fixed skeleton of 5
modules (``41414``) with 64 base channels. The official text form writes the
TransNAS op code of each edge, grouped per target node::

    64-41414-{0->1}_{0->2}{1->2}_{0->3}{1->3}{2->3}     e.g. 64-41414-1_02_333

with codes ``0`` none, ``1`` skip_connect, ``2`` conv1x1, ``3`` conv3x3.
Edges are listed in the same order as :data:`nasbench_suite.spaces.nb201.EDGES`.

**Macro** (3,256 skeletons): 4 to 6 stacked residual modules, each coded
``1`` (normal), ``2`` (channels x2), ``3`` (resolution /2) or ``4`` (both),
with 1 to 4 modules that halve the resolution and 1 to 3 that double the
channels; the text form is ``64-{codes}-basic``, e.g. ``64-1234-basic``.

Neither space has a published index order that the benchmark files share, so
the index used here is defined by enumeration: micro cells in base 4 with the
first edge most significant; macro skeletons by length, then lexicographically.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.base import one_position_variants
from nasbench_suite.spaces.nb201 import EDGES

#: micro operations; the position is the TransNAS-Bench-101 op code
MICRO_OPS: tuple[str, ...] = ("none", "skip_connect", "conv1x1", "conv3x3")
MICRO_SIZE = len(MICRO_OPS) ** len(EDGES)
MICRO_SKELETON = "41414"
BASE_CHANNELS = 64
_MICRO_RE = re.compile(r"^(\d+)-(\d+)-([0-3])_([0-3]{2})_([0-3]{3})$")
_OP_CODE = {op: i for i, op in enumerate(MICRO_OPS)}

#: macro module codes: 1 normal, 2 channels x2, 3 resolution /2, 4 both
MACRO_CODES: tuple[int, ...] = (1, 2, 3, 4)
MACRO_LENGTHS: tuple[int, ...] = (4, 5, 6)
#: allowed numbers of modules that halve the resolution (codes 3, 4) and double the channels (codes 2, 4)
MACRO_DOWNSAMPLE = (1, 4)
MACRO_CHANNEL_DOUBLING = (1, 3)
_MACRO_RE = re.compile(r"^(\d+)-([1-4]{4,6})-basic$")


# ----------------------------------------------------------------------- micro
@dataclass(frozen=True)
class MicroArchitecture:
    """One TransNAS-Bench-101 micro cell: the op on each of the 6 edges.

    Examples
    --------
    >>> a = MicroArchitecture.from_string("64-41414-1_02_333")
    >>> a.ops[:3]
    ('skip_connect', 'none', 'conv1x1')
    >>> MicroArchitecture.from_index(a.index) == a
    True
    """

    ops: tuple[str, ...]
    space: str = "transnas101-micro"

    def __post_init__(self) -> None:
        if len(self.ops) != len(EDGES):
            raise InvalidArchitectureError(f"a TransNAS-Bench-101 micro cell has {len(EDGES)} edges, got {self.ops!r}")
        for op in self.ops:
            if op not in _OP_CODE:
                raise InvalidArchitectureError(f"unknown TransNAS-Bench-101 micro op {op!r}; valid: {', '.join(MICRO_OPS)}")

    @classmethod
    def from_codes(cls, codes: Any) -> MicroArchitecture:
        """From the 6 TransNAS op codes (0..3) in edge order."""
        codes = tuple(codes)
        if len(codes) != len(EDGES) or not all(isinstance(c, (int, np.integer)) and 0 <= c < len(MICRO_OPS) for c in codes):
            raise InvalidArchitectureError(f"expected 6 micro op codes in 0..3, got {codes!r}")
        return cls(tuple(MICRO_OPS[int(c)] for c in codes))

    @classmethod
    def from_string(cls, text: str) -> MicroArchitecture:
        """Parse ``64-41414-a_bc_def``."""
        match = _MICRO_RE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise InvalidArchitectureError(f"expected a micro string like '64-41414-1_02_333', got {text!r}")
        channels, skeleton = match.group(1), match.group(2)
        if int(channels) != BASE_CHANNELS or skeleton != MICRO_SKELETON:
            raise InvalidArchitectureError(
                f"the micro space has {BASE_CHANNELS} base channels and skeleton {MICRO_SKELETON}, got {text!r}"
            )
        return cls.from_codes(int(c) for c in "".join(match.groups()[2:]))

    @classmethod
    def from_index(cls, index: int) -> MicroArchitecture:
        """The cell at position ``index`` (0..4095) of the base-4 enumeration."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < MICRO_SIZE:
            raise InvalidArchitectureError(f"micro index must be an int in 0..{MICRO_SIZE - 1}, got {index!r}")
        digits = np.base_repr(int(index), base=len(MICRO_OPS)).zfill(len(EDGES))
        return cls.from_codes(int(d) for d in digits)

    @property
    def codes(self) -> tuple[int, ...]:
        """TransNAS op codes per edge."""
        return tuple(_OP_CODE[op] for op in self.ops)

    @cached_property
    def index(self) -> int:
        """Position in the base-4 enumeration (first edge most significant)."""
        return int("".join(map(str, self.codes)), len(MICRO_OPS))

    def to_string(self) -> str:
        """The official text form ``64-41414-a_bc_def``."""
        c = "".join(map(str, self.codes))
        return f"{BASE_CHANNELS}-{MICRO_SKELETON}-{c[0]}_{c[1:3]}_{c[3:]}"

    def __str__(self) -> str:
        return self.to_string()

    def canonical_key(self) -> str:
        """Equal for cells computing the same function.

        Each node's value is written as a sorted sum of terms: ``skip_connect``
        passes its input's expression through, any other op wraps it as
        ``(expr)@op``, and zero terms (``none``, or any op applied to a node
        that is zero) are dropped; a node with no terms is ``#``. Unlike
        NB201's official unique string, zero terms do not count, so two cells
        differing only in which ``none`` edges they have share a key.
        """
        return _micro_canonical(self.ops)


@cache
def _micro_canonical(ops: tuple[str, ...]) -> str:
    nodes = ["0"]
    for target in range(1, 4):
        terms = []
        for e, (source, t) in enumerate(EDGES):
            if t != target or ops[e] == "none" or nodes[source] == "#":
                continue
            op, expr = ops[e], nodes[source]
            terms.append(expr if op == "skip_connect" else f"({expr})@{op}")
        nodes.append("+".join(sorted(terms)) or "#")
    return nodes[-1]


class TransNAS101MicroSpace:
    """The 4,096 TransNAS-Bench-101 micro cells."""

    name = "transnas101-micro"
    size: int | None = MICRO_SIZE
    ops = MICRO_OPS
    edges = EDGES

    def parse(self, value: Any) -> MicroArchitecture:
        """A :class:`MicroArchitecture` from itself, its string or its index."""
        if isinstance(value, MicroArchitecture):
            return value
        if isinstance(value, str):
            return MicroArchitecture.from_string(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return MicroArchitecture.from_index(int(value))
        raise InvalidArchitectureError(f"expected a micro Architecture, string or index, got {type(value).__name__}: {value!r}")

    def all(self) -> list[MicroArchitecture]:
        """Every cell, in index order."""
        return [MicroArchitecture.from_index(i) for i in range(MICRO_SIZE)]

    def sample(self, rng: np.random.Generator) -> MicroArchitecture:
        """A cell drawn uniformly."""
        return MicroArchitecture.from_codes(rng.integers(0, len(MICRO_OPS), size=len(EDGES)).tolist())

    def mutate(self, arch: Any, rng: np.random.Generator) -> MicroArchitecture:
        """``arch`` with one uniformly chosen edge set to a different op."""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def neighbours(self, arch: Any) -> list[MicroArchitecture]:
        """The 18 cells that differ from ``arch`` on exactly one edge."""
        return [MicroArchitecture(ops) for ops in one_position_variants(self.parse(arch).ops, MICRO_OPS)]


# ----------------------------------------------------------------------- macro
def _macro_problem(modules: tuple[int, ...]) -> str | None:
    if len(modules) not in MACRO_LENGTHS:
        return f"{len(modules)} modules (expected {MACRO_LENGTHS[0]}..{MACRO_LENGTHS[-1]})"
    if any(m not in MACRO_CODES for m in modules):
        return "module codes outside 1..4"
    down = sum(m in (3, 4) for m in modules)
    if not MACRO_DOWNSAMPLE[0] <= down <= MACRO_DOWNSAMPLE[1]:
        return f"{down} resolution-halving modules (expected {MACRO_DOWNSAMPLE[0]}..{MACRO_DOWNSAMPLE[1]})"
    wide = sum(m in (2, 4) for m in modules)
    if not MACRO_CHANNEL_DOUBLING[0] <= wide <= MACRO_CHANNEL_DOUBLING[1]:
        return f"{wide} channel-doubling modules (expected {MACRO_CHANNEL_DOUBLING[0]}..{MACRO_CHANNEL_DOUBLING[1]})"
    return None


@cache
def _macro_all() -> tuple[tuple[int, ...], ...]:
    return tuple(
        m
        for n in MACRO_LENGTHS
        for m in itertools.product(MACRO_CODES, repeat=n)
        if _macro_problem(m) is None
    )


@cache
def _macro_index() -> dict[tuple[int, ...], int]:
    return {m: i for i, m in enumerate(_macro_all())}


@dataclass(frozen=True)
class MacroArchitecture:
    """One TransNAS-Bench-101 macro skeleton: the code of each module.

    Examples
    --------
    >>> MacroArchitecture.from_string("64-1234-basic").modules
    (1, 2, 3, 4)
    """

    modules: tuple[int, ...]
    space: str = "transnas101-macro"

    def __post_init__(self) -> None:
        problem = _macro_problem(tuple(self.modules))
        if problem:
            raise InvalidArchitectureError(f"invalid TransNAS-Bench-101 macro skeleton {self.modules!r}: {problem}")

    @classmethod
    def from_string(cls, text: str) -> MacroArchitecture:
        """Parse ``64-{codes}-basic``."""
        match = _MACRO_RE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise InvalidArchitectureError(f"expected a macro string like '64-1234-basic', got {text!r}")
        if int(match.group(1)) != BASE_CHANNELS:
            raise InvalidArchitectureError(f"the macro space has {BASE_CHANNELS} base channels, got {text!r}")
        return cls(tuple(int(c) for c in match.group(2)))

    @classmethod
    def from_index(cls, index: int) -> MacroArchitecture:
        """The skeleton at position ``index`` (0..3255) of the enumeration."""
        every = _macro_all()
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < len(every):
            raise InvalidArchitectureError(f"macro index must be an int in 0..{len(every) - 1}, got {index!r}")
        return cls(every[int(index)])

    @cached_property
    def index(self) -> int:
        """Position in the enumeration (by number of modules, then lexicographic)."""
        return _macro_index()[self.modules]

    def to_string(self) -> str:
        """The official text form ``64-{codes}-basic``."""
        return f"{BASE_CHANNELS}-{''.join(map(str, self.modules))}-basic"

    def __str__(self) -> str:
        return self.to_string()

    def canonical_key(self) -> str:
        """Skeletons are never equivalent to one another: the string itself."""
        return self.to_string()


class TransNAS101MacroSpace:
    """The 3,256 TransNAS-Bench-101 macro skeletons."""

    name = "transnas101-macro"
    size: int | None = len(_macro_all())

    def parse(self, value: Any) -> MacroArchitecture:
        """A :class:`MacroArchitecture` from itself, its string or its index."""
        if isinstance(value, MacroArchitecture):
            return value
        if isinstance(value, str):
            return MacroArchitecture.from_string(value)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return MacroArchitecture.from_index(int(value))
        raise InvalidArchitectureError(f"expected a macro Architecture, string or index, got {type(value).__name__}: {value!r}")

    def all(self) -> list[MacroArchitecture]:
        """Every skeleton, in index order."""
        return [MacroArchitecture(m) for m in _macro_all()]

    def sample(self, rng: np.random.Generator) -> MacroArchitecture:
        """A skeleton drawn uniformly from the 3,256."""
        return MacroArchitecture.from_index(int(rng.integers(self.size)))

    def mutate(self, arch: Any, rng: np.random.Generator) -> MacroArchitecture:
        """A uniformly chosen neighbour of ``arch``."""
        options = self.neighbours(arch)
        return options[int(rng.integers(len(options)))]

    def neighbours(self, arch: Any) -> list[MacroArchitecture]:
        """Valid skeletons one edit away: one module recoded, inserted or removed (fixed order, no repeats)."""
        m = self.parse(arch).modules
        candidates: list[tuple[int, ...]] = []
        for i in range(len(m)):
            candidates += [m[:i] + (c,) + m[i + 1 :] for c in MACRO_CODES if c != m[i]]
        for i in range(len(m) + 1):
            candidates += [m[:i] + (c,) + m[i:] for c in MACRO_CODES]
        candidates += [m[:i] + m[i + 1 :] for i in range(len(m))]
        seen: set[tuple[int, ...]] = {m}
        out = []
        for c in candidates:
            if c not in seen and _macro_problem(c) is None:
                seen.add(c)
                out.append(MacroArchitecture(c))
        return out


__all__ = [
    "MACRO_CODES",
    "MICRO_OPS",
    "MacroArchitecture",
    "MicroArchitecture",
    "TransNAS101MacroSpace",
    "TransNAS101MicroSpace",
]
