"""Search spaces, one bundle of plugins each, behind the :class:`SearchSpace` protocol.

Every layer asks a space's :class:`~nasbench_suite.spaces.bundle.SpaceBundle`
(:func:`get_bundle`) for what it needs: the space itself, its encoder, its
categorical description (ConfigSpace), its cost formula, its network builders.
"""

from __future__ import annotations

from typing import Any

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.registry import Registry
from nasbench_suite.spaces.base import ArchitectureLike, SearchSpace
from nasbench_suite.spaces.bundle import CAPABILITIES, SpaceBundle, UnsupportedCapabilityError, minimal_bundle

#: the built-in spaces: registry name -> module defining its ``BUNDLE`` (a new space adds one line here)
BUILTIN: dict[str, str] = {
    "nb201": "nasbench_suite.spaces.plugins.nb201",
    "nb101": "nasbench_suite.spaces.plugins.nb101",
    "darts": "nasbench_suite.spaces.plugins.darts",
    "nats-sss": "nasbench_suite.spaces.plugins.nats_sss",
    "transnas101-micro": "nasbench_suite.spaces.plugins.transnas101_micro",
    "transnas101-macro": "nasbench_suite.spaces.plugins.transnas101_macro",
}

#: space name -> :class:`SpaceBundle` (entry-point group ``nasbench_suite.bundles``)
BUNDLES: Registry[SpaceBundle] = Registry("bundles")
#: space name -> class implementing :class:`SearchSpace` (entry-point group ``nasbench_suite.spaces``)
SPACES: Registry[Any] = Registry("spaces")
for _name, _module in BUILTIN.items():
    BUNDLES.register(_name, f"{_module}:BUNDLE")
    SPACES.register(_name, f"{_module}:BUNDLE.space_class")


def get_space(name: str) -> SearchSpace:
    """An instance of the search space registered under ``name``."""
    if name in BUNDLES:
        return BUNDLES.get(name).make_space()
    return SPACES.get(name)()


def get_bundle(name: str, *, who: str | None = None) -> SpaceBundle:
    """The plugin bundle of search space ``name`` (``who``: what needs it, named in the error for an unknown space).

    A space registered only as a class (entry point ``nasbench_suite.spaces``)
    gets a bundle that offers the space and refuses everything else with that reason.
    """
    if name not in BUNDLES and name in SPACES:
        BUNDLES.register(name, minimal_bundle(name, SPACES.get(name)))
    if name not in BUNDLES:
        raise UnknownNameError("search space" + (f" (needed by {who})" if who else ""), name, space_names())
    return BUNDLES.get(name)


def space_names() -> list[str]:
    """Every registered space, sorted."""
    return sorted(set(SPACES.names()) | set(BUNDLES.names()))


__all__ = [
    "BUILTIN",
    "BUNDLES",
    "CAPABILITIES",
    "SPACES",
    "ArchitectureLike",
    "SearchSpace",
    "SpaceBundle",
    "UnsupportedCapabilityError",
    "get_bundle",
    "get_space",
    "space_names",
]
