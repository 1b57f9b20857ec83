"""The predictor registry: every surrogate preset and informed predictor, plus those registered here or by entry point.

A predictor is made by name for a search space and a seed. An entry is either a
factory ``(space, *, random_state) -> estimator over architectures`` (the
signature of :data:`~nasbench_suite.surrogates.SURROGATES` presets; a factory
that also takes ``benchmark`` gets the table, its ``dataset``, the target
``metric`` and ``target_epoch`` too, as :data:`~nasbench_suite.surrogates.INFORMED`
presets do), or a
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
    """A :class:`~nasbench_suite.registry.Registry` that also serves every surrogate preset and informed predictor by name."""

    def _fallbacks(self) -> tuple[Registry[Any], ...]:
        from nasbench_suite.surrogates import INFORMED, SURROGATES

        return (SURROGATES, INFORMED)

    def names(self) -> list[str]:
        """Own and entry-point names together with every surrogate preset and informed predictor, sorted."""
        return sorted(set(super().names()).union(*(r.names() for r in self._fallbacks())))

    def __contains__(self, name: object) -> bool:
        return super().__contains__(name) or any(name in r for r in self._fallbacks())

    def get(self, name: str) -> Any:
        """The entry registered under ``name`` here, else the surrogate preset or informed predictor of that name."""
        if super().__contains__(name):
            return super().get(name)
        for registry in self._fallbacks():
            if name in registry:
                return registry.get(name)
        return super().get(name)  # raises UnknownNameError listing names()


#: predictor name -> factory ``(space, *, random_state)`` or scikit-learn estimator class
PREDICTORS = PredictorRegistry("predictors")


def _is_estimator_class(obj: Any) -> bool:
    return inspect.isclass(obj) and hasattr(obj, "fit") and hasattr(obj, "get_params")


def reads_table(factory: Any) -> bool:
    """Whether a factory takes the table (``benchmark=``) besides the space and the seed."""
    try:
        return "benchmark" in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


def make_predictor(name: str, *, space: str, random_state: int = 0, benchmark: str | None = None,
                   dataset: str | None = None, metric: str | None = None, target_epoch: int | None = None) -> Any:
    """An unfitted estimator over architectures of ``space`` for the predictor ``name``.

    ``benchmark`` (catalog name or store path), ``dataset``, ``metric`` and
    ``target_epoch`` describe the fit; they reach factories that read the table.

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
    if reads_table(entry):
        if benchmark is None:
            raise ValueError(f"predictor {name!r} reads the table: pass benchmark= (and dataset=, metric=, target_epoch=)")
        context = {"benchmark": benchmark, "dataset": dataset, "metric": metric, "target_epoch": target_epoch}
        params = inspect.signature(entry).parameters
        return entry(space, random_state=random_state, **{k: v for k, v in context.items() if k in params and v is not None})
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
