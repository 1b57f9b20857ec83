"""Architecture encoders, one module per search space, behind :class:`Encoder`.

Each space's bundle (:func:`nasbench_suite.spaces.get_bundle`) names its
encoder; :data:`ENCODERS` lists them by space and takes third-party encoders
through the entry-point group ``nasbench_suite.encoders``.
"""

from __future__ import annotations

from functools import cache

from nasbench_suite.registry import Registry
from nasbench_suite.spaces import BUILTIN, BUNDLES
from nasbench_suite.surrogates.encoders.base import KINDS, Encoder, pack_graphs, unpack_graphs

#: search-space name -> encoder class
ENCODERS: Registry[type[Encoder]] = Registry("encoders")
for _name, _module in BUILTIN.items():
    ENCODERS.register(_name, f"{_module}:BUNDLE.encoder_class")


@cache
def get_encoder(space: str) -> Encoder:
    """The (stateless, shared) encoder of search space ``space``: its bundle's, else a registered one."""
    if space in BUNDLES and BUNDLES.get(space).encoder is not None:
        return BUNDLES.get(space).make_encoder()
    return ENCODERS.get(space)()


__all__ = ["ENCODERS", "KINDS", "Encoder", "get_encoder", "pack_graphs", "unpack_graphs"]
