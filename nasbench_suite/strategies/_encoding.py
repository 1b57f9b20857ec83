"""What the model-based strategies need from a search space, asked of its bundle.

Two views of a space (see :class:`~nasbench_suite.spaces.bundle.SpaceBundle`):

* :func:`vector_encoder` -- architectures to fixed-size float vectors (one-hot,
  path encoding) for predictors, from the space's encoder;
* :func:`categorical_view` -- the space's categorical decisions, for strategies
  that model or sample each choice (REINFORCE, BOHB's KDE, Optuna's TPE). On a
  listed table (:class:`~nasbench_suite.spaces.table_space.TableSpace`) a
  choice vector the table lacks maps to the nearest held architecture.

A strategy that needs one of them on a space without it fails at construction
with the reason the space's bundle gives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nasbench_suite.spaces import get_bundle
from nasbench_suite.spaces.categorical import CategoricalView


def resolve_encoding(space: Any, kind: str | None, *, strategy: str) -> str:
    """``kind`` checked against ``space``'s encoder; ``None``: its path encoding where defined, else its flat one."""
    return get_bundle(space.name, who=f"strategy {strategy!r}").encoding(kind, who=f"strategy {strategy!r}")


def vector_encoder(space: Any, kind: str, *, strategy: str) -> Callable[[Sequence[Any]], np.ndarray]:
    """A function mapping a list of architectures of ``space`` to a float64 ``(n, d)`` array."""
    return get_bundle(space.name, who=f"strategy {strategy!r}").vector_encoder(kind, who=f"strategy {strategy!r}")


def categorical_view(space: Any, *, strategy: str) -> CategoricalView:
    """The categorical view of ``space``; raises with the space's reason where it has none."""
    return get_bundle(space.name, who=f"strategy {strategy!r}").categorical_view(space, who=f"strategy {strategy!r}")


__all__ = ["CategoricalView", "categorical_view", "resolve_encoding", "vector_encoder"]
