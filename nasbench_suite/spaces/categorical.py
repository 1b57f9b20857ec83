"""A search space as a fixed list of categorical decisions, and its ConfigSpace form.

Strategies that model or sample each decision separately (REINFORCE, BOHB's
KDE, TPE) and interop adapters (SMAC, anything speaking ConfigSpace) see a
space through a :class:`CategoricalDescription`: named decisions, each with
its choices (strings), and two maps between an architecture and the choice
index of every decision. Some choice vectors name no valid architecture
(NB101 cells with more than 9 edges, TransNAS macro skeletons with too many
downsampling modules); the description's ``repair`` or, for a space that can
list all its architectures, the nearest valid one replaces them.

A :class:`CategoricalView` binds a description to one space instance; on a
listed table (:class:`~nasbench_suite.spaces.table_space.TableSpace`) a
choice vector the table lacks maps to the nearest held architecture.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nasbench_suite.errors import InvalidArchitectureError


@dataclass(frozen=True)
class Decision:
    """One categorical decision: its name and its choices, in a fixed order."""

    name: str
    choices: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.choices) < 2 or len(set(self.choices)) != len(self.choices):
            raise ValueError(f"decision {self.name!r} needs at least two distinct choices, got {self.choices!r}")


@dataclass(frozen=True)
class CategoricalDescription:
    """A space's architectures as choice-index vectors over :attr:`decisions`.

    Parameters
    ----------
    space
        The search space's registry name.
    decisions
        The decisions, in vector order.
    to_ids
        Architecture (of the full space, parsed) -> choice index per decision.
    from_ids
        Choice indices -> architecture; raises :class:`InvalidArchitectureError` where they name none.
    repair
        Optional: choice indices that name no architecture -> nearby indices that do (deterministic).
    """

    space: str
    decisions: tuple[Decision, ...]
    to_ids: Callable[[Any], Sequence[int]]
    from_ids: Callable[[Sequence[int]], Any]
    repair: Callable[[Sequence[int]], Sequence[int]] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Decision names, in vector order."""
        return tuple(d.name for d in self.decisions)

    def configspace(self, *, seed: int | None = None) -> Any:
        """A ``ConfigSpace.ConfigurationSpace`` with one categorical hyperparameter per decision."""
        from ConfigSpace import CategoricalHyperparameter, ConfigurationSpace

        cs = ConfigurationSpace(name=self.space, seed=seed)
        cs.add([CategoricalHyperparameter(d.name, list(d.choices)) for d in self.decisions])
        return cs

    def to_config(self, arch: Any) -> dict[str, str]:
        """The configuration (decision name -> choice) of a parsed architecture."""
        ids = self.to_ids(arch)
        return {d.name: d.choices[i] for d, i in zip(self.decisions, ids)}

    def ids_from_config(self, config: Mapping[str, Any]) -> list[int]:
        """Choice indices of a configuration (a dict or a ``ConfigSpace.Configuration``)."""
        values = dict(config)
        missing = [d.name for d in self.decisions if d.name not in values]
        extra = sorted(set(values) - set(self.names))
        if missing or extra:
            raise InvalidArchitectureError(
                f"a {self.space} configuration needs exactly the decisions {list(self.names)}; "
                f"missing {missing}, unexpected {extra}"
            )
        ids = []
        for d in self.decisions:
            value = str(values[d.name])
            if value not in d.choices:
                raise InvalidArchitectureError(f"{self.space} decision {d.name!r} has no choice {value!r}; valid: {list(d.choices)}")
            ids.append(d.choices.index(value))
        return ids

    def from_config(self, config: Mapping[str, Any]) -> Any:
        """The architecture of a configuration; raises InvalidArchitectureError where it names none."""
        return self.from_ids(self.ids_from_config(config))


class CategoricalView:
    """A :class:`CategoricalDescription` bound to one space instance (full space or listed table).

    ``labels``, ``n_dims`` and ``n_choices`` describe the vector; :meth:`arch`
    always returns an architecture of the bound space.
    """

    def __init__(self, space: Any, description: CategoricalDescription) -> None:
        self.space = space
        self.description = description
        self.labels = tuple(d.choices for d in description.decisions)
        self.n_dims = len(self.labels)
        self.n_choices = tuple(len(lab) for lab in self.labels)
        self._held_ids: np.ndarray | None = None
        self._all_ids: np.ndarray | None = None

    def ids(self, arch: Any) -> tuple[int, ...]:
        """The choice index of each decision of ``arch``."""
        return tuple(int(i) for i in self.description.to_ids(self.space.parse(arch)))

    def ids_many(self, archs: Sequence[Any]) -> np.ndarray:
        """``(n, n_dims)`` int array of choice indices."""
        return np.asarray([self.ids(a) for a in archs], dtype=np.int64).reshape(-1, self.n_dims)

    def _valid(self, ids: list[int]) -> Any:
        try:
            return self.description.from_ids(ids)
        except InvalidArchitectureError:
            if self.description.repair is not None:
                return self.description.from_ids([int(i) for i in self.description.repair(ids)])
            every = getattr(getattr(self.space, "base", self.space), "all", None)
            if every is None:
                raise
            if self._all_ids is None:
                self._all_ids = np.asarray([self.description.to_ids(a) for a in every()], dtype=np.int64)
            return self.description.from_ids(self._all_ids[_nearest(self._all_ids, ids)].tolist())

    def arch(self, ids: Sequence[int]) -> Any:
        """The architecture with these choice indices, or the nearest one the bound space holds.

        Choices that name no valid architecture are repaired (see the module
        docstring). On a space of held architectures (a listed table's), where
        the choices name one the table lacks: the held architecture that
        differs in the fewest choices (the first in table order among ties),
        so a model's pick stays searchable.
        """
        ids = [int(i) for i in ids]
        arch = self._valid(ids)
        held = getattr(self.space, "archs", None)
        if held is None or arch in self.space:
            return arch
        if self._held_ids is None:
            self._held_ids = self.ids_many(held)
        return self.space.parse(held[_nearest(self._held_ids, ids)])


def _nearest(table: np.ndarray, ids: Sequence[int]) -> int:
    """Row of ``table`` differing from ``ids`` in the fewest positions (first among ties)."""
    return int(np.argmin((table != np.asarray(ids)).sum(axis=1)))


def product_description(space: str, names: Sequence[str], choices: Sequence[Sequence[Any]],
                        to_values: Callable[[Any], Sequence[Any]], from_values: Callable[[tuple[Any, ...]], Any]) -> CategoricalDescription:
    """A description of a space that is the full product of its decisions (every vector is valid).

    ``to_values`` gives an architecture's value per decision (one of
    ``choices[d]``), ``from_values`` builds the architecture back.
    """
    options = [tuple(c) for c in choices]
    index = [{v: i for i, v in enumerate(c)} for c in options]
    decisions = tuple(Decision(n, tuple(str(v) for v in c)) for n, c in zip(names, options))

    def to_ids(arch: Any) -> list[int]:
        return [index[d][v] for d, v in enumerate(to_values(arch))]

    def from_ids(ids: Sequence[int]) -> Any:
        if len(ids) != len(options) or any(not 0 <= int(i) < len(c) for i, c in zip(ids, options)):
            raise InvalidArchitectureError(
                f"a {space} choice vector has {len(options)} entries in 0..n_choices-1 ({[len(c) for c in options]}), got {list(ids)!r}"
            )
        return from_values(tuple(c[int(i)] for c, i in zip(options, ids)))

    return CategoricalDescription(space, decisions, to_ids, from_ids)
