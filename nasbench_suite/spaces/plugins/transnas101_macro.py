"""The TransNAS-Bench-101 macro (skeleton) space: 4 to 6 residual modules, each of 4 kinds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nasbench_suite.errors import InvalidArchitectureError
from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, Decision
from nasbench_suite.spaces.plugins._reasons import NO_COST_FORMULA

ABSENT = "absent"


MACRO_NO_SUPERNET = (
    "no one-shot supernet: a macro architecture is the skeleton itself (how many modules, where to "
    "downsample and widen), which changes every layer's shape; the ws-* strategies choose operations on the edges of a cell"
)

def categorical() -> CategoricalDescription:
    """One decision per module position (``module_<i>``): its code, and for positions 5 and 6 also ``absent``.

    Vectors with an absent module before a present one, or with too few or
    too many downsampling / channel-doubling modules, name no skeleton; they
    map to the nearest valid one.
    """
    from nasbench_suite.spaces.transnas101 import MACRO_CODES, MACRO_LENGTHS, MacroArchitecture

    longest, shortest = MACRO_LENGTHS[-1], MACRO_LENGTHS[0]
    codes = tuple(str(c) for c in MACRO_CODES)
    choices = [codes if i < shortest else (ABSENT, *codes) for i in range(longest)]
    decisions = tuple(Decision(f"module_{i}", c) for i, c in enumerate(choices))

    def to_ids(arch: Any) -> list[int]:
        labels = [str(m) for m in arch.modules] + [ABSENT] * (longest - len(arch.modules))
        return [c.index(v) for c, v in zip(choices, labels)]

    def from_ids(ids: Sequence[int]) -> Any:
        if len(ids) != longest or any(not 0 <= int(i) < len(c) for i, c in zip(ids, choices)):
            raise InvalidArchitectureError(f"a transnas101-macro choice vector has {longest} entries, got {list(ids)!r}")
        labels = [c[int(i)] for c, i in zip(choices, ids)]
        present = [v for v in labels if v != ABSENT]
        if ABSENT in labels[: len(present)]:
            raise InvalidArchitectureError(f"module positions {labels!r}: an absent module precedes a present one")
        return MacroArchitecture(tuple(int(v) for v in present))

    return CategoricalDescription("transnas101-macro", decisions, to_ids, from_ids)


BUNDLE = SpaceBundle(
    name="transnas101-macro",
    space="nasbench_suite.spaces.transnas101:TransNAS101MacroSpace",
    encoder="nasbench_suite.surrogates.encoders.transnas101:MacroEncoder",
    categorical="nasbench_suite.spaces.plugins.transnas101_macro:categorical",
    undefined=(("supernet", MACRO_NO_SUPERNET), ("cost_formula", NO_COST_FORMULA)),
)
