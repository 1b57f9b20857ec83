"""Network builders: for every search space, its skeletons (light and official) behind one registry.

:data:`BUILDERS` maps a space name to the module that holds its skeletons (a
dict ``SKELETONS`` of :class:`Builder` by skeleton name). Every space has at
least ``light`` (trains on the 8x8 digits images on a CPU in seconds) and
``official`` (the skeleton of the space's paper); some have more (DARTS's
``search``). Importing this package does not import PyTorch; the space
module is imported on first use.

Examples
--------
>>> from nasbench_suite.training.builders import get_builder, skeleton_names
>>> skeleton_names("nb201")
['light', 'nb201', 'official']
>>> net = get_builder("nb201", "light").build(0, in_channels=1)  # doctest: +SKIP
"""

from __future__ import annotations

from nasbench_suite.errors import UnknownNameError
from nasbench_suite.registry import Registry
from nasbench_suite.training.builders.base import Builder

__all__ = ["BUILDERS", "Builder", "get_builder", "skeleton_names"]

#: space name -> ``{skeleton name: Builder}`` of that space
BUILDERS: Registry[dict[str, Builder]] = Registry("network builder")
BUILDERS.register("nb201", "nasbench_suite.training.builders.nb201:SKELETONS")
BUILDERS.register("nb101", "nasbench_suite.training.builders.nb101:SKELETONS")
BUILDERS.register("darts", "nasbench_suite.training.builders.darts:SKELETONS")
BUILDERS.register("nats-sss", "nasbench_suite.training.builders.nats_sss:SKELETONS")
BUILDERS.register("transnas101-micro", "nasbench_suite.training.builders.transnas101:MICRO_SKELETONS")
BUILDERS.register("transnas101-macro", "nasbench_suite.training.builders.transnas101:MACRO_SKELETONS")


def skeleton_names(space: str) -> list[str]:
    """The skeletons registered for ``space`` (unknown spaces raise, listing the valid ones)."""
    return sorted(BUILDERS.get(space))


def get_builder(space: str, skeleton: str = "light") -> Builder:
    """The :class:`Builder` of ``skeleton`` for ``space``.

    Raises :class:`~nasbench_suite.errors.UnknownNameError` listing the valid
    names when the space has no builders or no such skeleton.
    """
    skeletons = BUILDERS.get(space)
    try:
        return skeletons[skeleton]
    except KeyError:
        raise UnknownNameError(f"skeleton of space {space!r}", skeleton, sorted(skeletons)) from None
