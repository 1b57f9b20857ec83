"""Search spaces, one module each, behind the :class:`SearchSpace` protocol."""

from __future__ import annotations

from typing import Any

from nasbench_suite.registry import Registry
from nasbench_suite.spaces.base import ArchitectureLike, SearchSpace

#: space name -> class implementing :class:`SearchSpace`
SPACES: Registry[Any] = Registry("spaces")
SPACES.register("nb201", "nasbench_suite.spaces.nb201:NB201Space")
SPACES.register("nb101", "nasbench_suite.spaces.nb101:NB101Space")
SPACES.register("darts", "nasbench_suite.spaces.darts:DartsSpace")
SPACES.register("nats-sss", "nasbench_suite.spaces.nats_sss:NATSSizeSpace")
SPACES.register("transnas101-micro", "nasbench_suite.spaces.transnas101:TransNAS101MicroSpace")
SPACES.register("transnas101-macro", "nasbench_suite.spaces.transnas101:TransNAS101MacroSpace")


def get_space(name: str) -> SearchSpace:
    """An instance of the search space registered under ``name``."""
    return SPACES.get(name)()


__all__ = ["SPACES", "ArchitectureLike", "SearchSpace", "get_space"]
