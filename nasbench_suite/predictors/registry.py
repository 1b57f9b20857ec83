"""The predictor registry: every surrogate preset, plus predictors registered here or by entry point.

A predictor is made by name for a search space and a seed. An entry is either a
factory ``(space, *, random_state) -> estimator over architectures`` (the
signature of :data:`~nasbench_suite.surrogates.SURROGATES` presets), or a
scikit-learn estimator *class* over arrays, which is wrapped in an
:class:`~nasbench_suite.surrogates.estimator.ArchRegressor` on the space's
``features`` encoding. Third-party packages add entries through the entry-point
group ``nasbench_suite.predictors``.
"""

from __future__ import annotations

import inspect
from typing import Any

from nasbench_suite.registry import Registry


class PredictorRegistry(Registry[Any]):
    """A :class:`~nasbench_suite.registry.Registry` that also serves every surrogate preset by its name."""

    def _surrogates(self) -> Registry[Any]:
        from nasbench_suite.surrogates import SURROGATES

        return SURROGATES

    def names(self) -> list[str]:
        """Own and entry-point names together with every surrogate preset, sorted."""
        return sorted(set(super().names()) | set(self._surrogates().names()))

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or name in self._surrogates()

    def get(self, name: str) -> Any:
        """The entry registered under ``name`` here, else the surrogate preset of that name."""
        if super().__contains__(name):
            return super().get(name)
        if name in self._surrogates():
            return self._surrogates().get(name)
        return super().get(name)  # raises UnknownNameError listing names()


#: predictor name -> factory ``(space, *, random_state)`` or scikit-learn estimator class
PREDICTORS = PredictorRegistry("predictors")


def _is_estimator_class(obj: Any) -> bool:
    return inspect.isclass(obj) and hasattr(obj, "fit") and hasattr(obj, "get_params")


def make_predictor(name: str, *, space: str, random_state: int = 0) -> Any:
    """An unfitted estimator over architectures of ``space`` for the predictor ``name``.

    Examples
    --------
    >>> make_predictor("ridge", space="nb201").fit([0, 1, 2], [1.0, 2.0, 3.0]).predict([4]).shape
    (1,)
    """
    entry = PREDICTORS.get(name)
    if _is_estimator_class(entry):
        from nasbench_suite.surrogates.estimator import ArchRegressor

        model = entry()
        if "random_state" in model.get_params():
            model.set_params(random_state=random_state)
        if getattr(entry, "takes_architectures", False):
            return model
        return ArchRegressor(model, space=space, encoding="features", target="quantile")
    if not callable(entry):
        raise TypeError(f"predictor {name!r} is registered as {entry!r}: expected a factory (space, *, random_state) "
                        "or a scikit-learn estimator class")
    return entry(space, random_state=random_state)


def parse_predictors(text: str) -> tuple[str, ...]:
    """``"all"`` (every registered predictor) or a comma-separated list of names, each checked."""
    from nasbench_suite.errors import UnknownNameError

    if text.strip() == "all":
        return tuple(PREDICTORS.names())
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not names:
        raise ValueError(f"no predictor names in {text!r}")
    for n in names:
        if n not in PREDICTORS:
            raise UnknownNameError("predictor", n, PREDICTORS.names())
    return names
