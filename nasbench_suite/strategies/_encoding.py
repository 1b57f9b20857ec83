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


#: encoded architectures a strategy's encoder keeps at most (a few MB for the usual encodings)
CACHE_SIZE = 100_000


def vector_encoder(space: Any, kind: str, *, strategy: str) -> Callable[[Sequence[Any]], np.ndarray]:
    """A function mapping a list of architectures of ``space`` to a float64 ``(n, d)`` array.

    Each architecture's row is computed once and kept (up to :data:`CACHE_SIZE` of them): a model-based
    strategy encodes its whole history and overlapping candidate pools on every proposal, and the space's
    encoder, which parses each architecture, would otherwise take much of a long run's time.
    """
    encode = get_bundle(space.name, who=f"strategy {strategy!r}").vector_encoder(kind, who=f"strategy {strategy!r}")
    index: dict[Any, int] = {}  # architecture -> its row of ``rows``
    rows = np.zeros((0, 0))

    def cached(archs: Sequence[Any]) -> np.ndarray:
        nonlocal rows
        archs = list(archs)
        if not archs:
            return encode(archs)
        where = [index.get(a, -1) for a in archs]
        if -1 in where:
            new = list(dict.fromkeys(a for a, i in zip(archs, where) if i < 0))
            if len(index) + len(new) > CACHE_SIZE:
                index.clear()
                new = list(dict.fromkeys(archs))
            encoded = encode(new)
            n = len(index)
            if rows.shape[0] < n + len(new) or rows.shape[1] != encoded.shape[1]:
                grown = np.zeros((max(n + len(new), 2 * rows.shape[0], 64), encoded.shape[1]), dtype=encoded.dtype)
                if n:
                    grown[:n] = rows[:n]
                rows = grown
            rows[n : n + len(new)] = encoded
            index.update(zip(new, range(n, n + len(new))))
            where = [index[a] for a in archs]
        return rows[where]

    return cached


def categorical_view(space: Any, *, strategy: str) -> CategoricalView:
    """The categorical view of ``space``; raises with the space's reason where it has none."""
    return get_bundle(space.name, who=f"strategy {strategy!r}").categorical_view(space, who=f"strategy {strategy!r}")


__all__ = ["CategoricalView", "categorical_view", "resolve_encoding", "vector_encoder"]
