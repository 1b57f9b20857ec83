"""Configurations of an external optimizer -> architectures the run can evaluate.

Syne Tune, SMAC and NePS sample configurations of the space's ConfigSpace
(``bench.configspace()``: one categorical per decision). Not every
configuration names an evaluable architecture: some choices make no valid
cell (the space's repair rule fixes them), and a listed table holds only some
architectures of its space. :class:`ConfigMapper` applies the rule every
categorical strategy of the suite applies (:class:`~nasbench_suite.spaces.categorical.CategoricalView`):
repair, then the held architecture differing in the fewest choices. So an
adapter's run searches exactly what the suite's own categorical strategies
search, on tables and surrogates of any space with a categorical description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ConfigMapper"]


class ConfigMapper:
    """Maps configurations of ``space``'s ConfigSpace to architectures ``space`` holds.

    Parameters
    ----------
    space : SearchSpace
        The run's space: a full space or a listed table's.
    who : str
        Who asks, for the error raised where the space has no categorical description.
    """

    def __init__(self, space: Any, *, who: str) -> None:
        from nasbench_suite.spaces import get_bundle

        self.space = space
        self._bundle = get_bundle(space.name, who=who)
        self._view = self._bundle.categorical_view(space, who=who)
        self.names: tuple[str, ...] = tuple(d.name for d in self._view.description.decisions)

    def configspace(self, *, seed: int | None = None) -> Any:
        """The space's ``ConfigSpace.ConfigurationSpace`` (one categorical hyperparameter per decision)."""
        return self._bundle.configspace(seed=seed)

    def choices(self) -> dict[str, tuple[str, ...]]:
        """Decision name -> its choices, in the description's order."""
        return {d.name: tuple(d.choices) for d in self._view.description.decisions}

    def arch(self, config: Mapping[str, Any]) -> Any:
        """The architecture ``config`` names, repaired and, on a listed table, the nearest held one.

        Raises ``InvalidArchitectureError`` (naming the decision) where ``config``
        is not a configuration of the space: a missing, extra or unknown choice.
        """
        return self._view.arch(self._view.description.ids_from_config({k: config[k] for k in config}))

    def config(self, arch: Any) -> dict[str, str]:
        """The configuration of ``arch`` (what the mapped configuration of a repaired choice really evaluated)."""
        return self._view.description.to_config(self.space.parse(arch))
