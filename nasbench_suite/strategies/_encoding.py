"""Encodings the model-based strategies need, per search space.

Two views of a space:

* :func:`vector_encoder` -- architectures to fixed-size float vectors (one-hot,
  path encoding) for predictors; it delegates to the surrogate encoders
  (:mod:`nasbench_suite.surrogates.encoders`).
* :func:`categorical_view` -- a space whose architectures are a fixed list of
  categorical choices (NB201: 6 edges x 5 ops), for strategies that model or
  sample each choice (REINFORCE, BOHB's KDE, Optuna's TPE). On a listed
  table (:class:`~nasbench_suite.spaces.table_space.TableSpace`) a choice
  vector the table lacks maps to the nearest held architecture.

A strategy that needs one of them on a space without it fails at construction
with an error naming the spaces it supports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nasbench_suite.errors import UnknownNameError


def _nb201_encoder() -> Any:
    from nasbench_suite.surrogates.encoders.nb201 import NB201Encoder

    return NB201Encoder()


#: space name -> factory of an encoder with ``encode(archs, kind) -> (n, d) array``
_ENCODERS: dict[str, Callable[[], Any]] = {"nb201": _nb201_encoder}


def vector_encoder(space: Any, kind: str, *, strategy: str) -> Callable[[Sequence[Any]], np.ndarray]:
    """A function mapping a list of architectures of ``space`` to a float64 ``(n, d)`` array."""
    factory = _ENCODERS.get(space.name)
    if factory is None:
        raise UnknownNameError(f"search space with a {kind!r} encoding (needed by strategy {strategy!r})", space.name, _ENCODERS)
    encoder = factory()
    if kind not in getattr(encoder, "kinds", (kind,)):
        raise UnknownNameError(f"encoding of space {space.name!r}", kind, encoder.kinds)

    def encode(archs: Sequence[Any]) -> np.ndarray:
        return np.asarray(encoder.encode(list(archs), kind), dtype=np.float64)

    return encode


class CategoricalView:
    """A space as ``n_dims`` categorical choices with ``n_choices[d]`` options each."""

    def __init__(self, space: Any, labels: Sequence[Sequence[str]], to_ids: Callable[[Any], Sequence[int]],
                 from_ids: Callable[[Sequence[int]], Any]) -> None:
        self.space = space
        self.labels = tuple(tuple(lab) for lab in labels)
        self.n_dims = len(self.labels)
        self.n_choices = tuple(len(lab) for lab in self.labels)
        self._to_ids = to_ids
        self._from_ids = from_ids
        self._held_ids: np.ndarray | None = None

    def ids(self, arch: Any) -> tuple[int, ...]:
        """The choice index of each dimension of ``arch``."""
        return tuple(self._to_ids(self.space.parse(arch)))

    def ids_many(self, archs: Sequence[Any]) -> np.ndarray:
        """``(n, n_dims)`` int array of choice indices."""
        return np.asarray([self.ids(a) for a in archs], dtype=np.int64).reshape(-1, self.n_dims)

    def arch(self, ids: Sequence[int]) -> Any:
        """The architecture with these choice indices.

        On a space of held architectures (a listed table's), where those
        choices name one the table lacks: the held architecture that differs
        in the fewest choices (the first in table order among ties), so a
        model's pick stays searchable.
        """
        ids = [int(i) for i in ids]
        arch = self._from_ids(ids)
        held = getattr(self.space, "archs", None)
        if held is None or arch in self.space:
            return arch
        if self._held_ids is None:
            self._held_ids = self.ids_many(held)
        return self.space.parse(held[int(np.argmin((self._held_ids != np.asarray(ids)).sum(axis=1)))])


def _nb201_view(space: Any) -> CategoricalView:
    from nasbench_suite.spaces.nb201 import EDGES, OPS, Architecture

    labels = [OPS] * len(EDGES)
    return CategoricalView(space, labels, lambda a: a.op_ids, lambda ids: Architecture(tuple(OPS[i] for i in ids)))


_VIEWS: dict[str, Callable[[Any], CategoricalView]] = {"nb201": _nb201_view}


def categorical_view(space: Any, *, strategy: str) -> CategoricalView:
    """The categorical view of ``space``; raises naming the supported spaces otherwise."""
    factory = _VIEWS.get(space.name)
    if factory is None:
        raise UnknownNameError(f"search space with a categorical view (needed by strategy {strategy!r})", space.name, _VIEWS)
    return factory(space)
