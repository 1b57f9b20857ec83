"""Architecture encoders, one module per search space, behind :class:`Encoder`."""

from __future__ import annotations

from functools import cache

from nasbench_suite.registry import Registry
from nasbench_suite.surrogates.encoders.base import KINDS, Encoder, pack_graphs, unpack_graphs

#: search-space name -> encoder class
ENCODERS: Registry[type[Encoder]] = Registry("encoders")
ENCODERS.register("nb201", "nasbench_suite.surrogates.encoders.nb201:NB201Encoder")
ENCODERS.register("nb101", "nasbench_suite.surrogates.encoders.nb101:NB101Encoder")
ENCODERS.register("darts", "nasbench_suite.surrogates.encoders.darts:DartsEncoder")


@cache
def get_encoder(space: str) -> Encoder:
    """The (stateless, shared) encoder of search space ``space``."""
    return ENCODERS.get(space)()


__all__ = ["ENCODERS", "KINDS", "Encoder", "get_encoder", "pack_graphs", "unpack_graphs"]
