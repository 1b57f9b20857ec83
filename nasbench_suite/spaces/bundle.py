"""A search space's plugins in one place: the bundle every layer asks for.

A :class:`SpaceBundle` names, as lazily imported ``"module:attribute"``
paths, what one search space brings: its space class (architecture type,
sampler, mutation), its encoder for predictors (one-hot, path encoding where
defined, graph tensors for the GIN), its categorical description (decisions
for TPE, REINFORCE, BOHB and a ConfigSpace for interop), an exact cost
formula where one exists, and a one-shot supernet where one exists. Its
network builders come from the builders registry by the space's name
(:meth:`SpaceBundle.builder`).

Strategies, surrogates and estimators call :func:`get_bundle` with the
space's name and ask; none names a space. A capability a space lacks is
refused with the reason its bundle gives (:meth:`SpaceBundle.require`).

Adding a space is one module defining ``BUNDLE`` (see
``nasbench_suite/spaces/plugins/``) and one line in
:data:`nasbench_suite.spaces.BUILTIN`, or an entry point in the group
``nasbench_suite.bundles``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from nasbench_suite.errors import NasBenchError

#: what a bundle may offer; :meth:`SpaceBundle.refusal` says why one is missing
CAPABILITIES: tuple[str, ...] = ("encoder", "categorical", "cost_formula", "supernet", "builder")


class UnsupportedCapabilityError(NasBenchError, ValueError):
    """A search space does not offer what a strategy, surrogate or estimator needs (the message says why)."""


def _load(path: Any) -> Any:
    if not isinstance(path, str):  # already an object (a class registered directly)
        return path
    module, _, attr = path.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass(frozen=True)
class SpaceBundle:
    """The plugins of one search space, as ``"module:attribute"`` paths imported on first use.

    Parameters
    ----------
    name
        The space's registry name (``Architecture.space``).
    space
        Path of the :class:`~nasbench_suite.spaces.base.SearchSpace` class.
    encoder
        Path of the :class:`~nasbench_suite.surrogates.encoders.base.Encoder` class.
    categorical
        Path of a function returning the space's
        :class:`~nasbench_suite.spaces.categorical.CategoricalDescription`.
    cost_formula
        Path of ``f(parsed archs, dataset) -> {cost name: values}``: exact costs without a table.
    supernet
        Path of the space's :class:`~nasbench_suite.estimation.supernet_plugin.SupernetPlugin`
        instance (its one-shot supernet and path bookkeeping), where weight sharing is defined.
    flat_encoding
        The encoding a vector model uses where the one it prefers (``path``) is not defined.
    undefined
        ``(capability, reason)`` pairs: why a capability the bundle lacks is not offered.
    """

    name: str
    space: str
    encoder: str | None = None
    categorical: str | None = None
    cost_formula: str | None = None
    supernet: str | None = None
    flat_encoding: str = "onehot"
    undefined: tuple[tuple[str, str], ...] = ()

    # ------------------------------------------------------------- the space
    @cached_property
    def space_class(self) -> type:
        """The search-space class."""
        return _load(self.space)

    def make_space(self) -> Any:
        """A new instance of the search space."""
        return self.space_class()

    # -------------------------------------------------------------- refusals
    def refusal(self, capability: str) -> str | None:
        """Why ``capability`` (one of :data:`CAPABILITIES`) is not offered by this space, or ``None`` if it is."""
        if capability not in CAPABILITIES:
            raise ValueError(f"unknown capability {capability!r}; expected one of {CAPABILITIES}")
        if capability == "builder":
            return self._builder_refusal()
        if getattr(self, capability) is not None:
            return None
        reasons = dict(self.undefined)
        return reasons.get(capability, f"search space {self.name!r} has no {capability.replace('_', ' ')}")

    def require(self, capability: str, *, who: str) -> None:
        """Raise :class:`UnsupportedCapabilityError` naming ``who`` and the reason where ``capability`` is missing."""
        reason = self.refusal(capability)
        if reason is not None:
            raise UnsupportedCapabilityError(f"{who} needs the {capability.replace('_', ' ')} of search space {self.name!r}: {reason}")

    # -------------------------------------------------------------- encoders
    @cached_property
    def encoder_class(self) -> type:
        """The encoder class (UnsupportedCapabilityError where the space has none)."""
        self.require("encoder", who="encoding")
        return _load(self.encoder)  # type: ignore[arg-type]

    @cached_property
    def _encoder(self) -> Any:
        return self.encoder_class()

    def make_encoder(self) -> Any:
        """The space's (stateless, shared) encoder."""
        return self._encoder

    def encoding(self, kind: str | None, *, who: str) -> str:
        """``kind`` checked against the encoder's kinds; ``None``: ``path`` where defined, else :attr:`flat_encoding`."""
        from nasbench_suite.errors import UnknownNameError

        self.require("encoder", who=who)
        kinds = tuple(self.make_encoder().kinds)
        if kind is None:
            return "path" if "path" in kinds else self.flat_encoding
        if kind not in kinds:
            raise UnknownNameError(f"encoding of search space {self.name!r} (asked for by {who})", kind, kinds)
        return kind

    def vector_encoder(self, kind: str, *, who: str) -> Callable[[Sequence[Any]], np.ndarray]:
        """A function mapping architectures of this space to a float64 ``(n, d)`` array of encoding ``kind``."""
        kind = self.encoding(kind, who=who)
        encoder = self.make_encoder()

        def encode(archs: Sequence[Any]) -> np.ndarray:
            return np.asarray(encoder.encode(list(archs), kind), dtype=np.float64)

        return encode

    # ----------------------------------------------------------- categorical
    @cached_property
    def _description(self) -> Any:
        return _load(self.categorical)()  # type: ignore[arg-type]

    def categorical_description(self, *, who: str = "a categorical model") -> Any:
        """The space's :class:`~nasbench_suite.spaces.categorical.CategoricalDescription`."""
        self.require("categorical", who=who)
        return self._description

    def categorical_view(self, space: Any, *, who: str) -> Any:
        """The categorical description bound to ``space`` (this space or a listed table of it)."""
        from nasbench_suite.spaces.categorical import CategoricalView

        return CategoricalView(space, self.categorical_description(who=who))

    def configspace(self, *, seed: int | None = None) -> Any:
        """The space as a ``ConfigSpace.ConfigurationSpace`` (one categorical per decision)."""
        return self.categorical_description(who="ConfigSpace").configspace(seed=seed)

    def to_config(self, arch: Any) -> dict[str, str]:
        """``arch``'s configuration: decision name -> choice."""
        return self.categorical_description(who="ConfigSpace").to_config(self.make_space().parse(arch))

    def from_config(self, config: Any) -> Any:
        """The architecture of a configuration (a dict or ``ConfigSpace.Configuration``)."""
        return self.categorical_description(who="ConfigSpace").from_config(config)

    # ----------------------------------------------------------------- costs
    def costs(self, archs: Sequence[Any], dataset: str) -> dict[str, np.ndarray]:
        """Exact costs of parsed architectures by the space's formula."""
        self.require("cost_formula", who="exact costs")
        return _load(self.cost_formula)(archs, dataset)  # type: ignore[arg-type]

    # -------------------------------------------------------------- builders
    def builder(self, skeleton: str) -> Any:
        """The network builder of this space for ``skeleton``, from the builders registry."""
        try:
            registry = importlib.import_module("nasbench_suite.training.builders")
        except ModuleNotFoundError as exc:
            if exc.name is not None and exc.name.startswith("nasbench_suite"):
                raise UnsupportedCapabilityError(f"no network builders are installed (nasbench_suite.training.builders): {exc}") from None
            raise
        return registry.get_builder(self.name, skeleton)

    def _builder_refusal(self) -> str | None:
        try:
            registry = importlib.import_module("nasbench_suite.training.builders")
        except ModuleNotFoundError:
            return "this installation has no network-builder registry (nasbench_suite.training.builders)"
        has = getattr(registry, "has_builder", None)
        if callable(has):
            return None if has(self.name) else f"no network builder is registered for search space {self.name!r}"
        names = getattr(registry, "BUILDERS", None)
        if names is not None and hasattr(names, "names"):
            spaces = {str(n).split(":")[0].split("/")[0] for n in names.names()}
            return None if self.name in spaces else f"no network builder is registered for search space {self.name!r}"
        return None


def minimal_bundle(name: str, space_path: Any) -> SpaceBundle:
    """The bundle of a space registered without one (only its space class): every other capability refused."""
    reason = "the space was registered without a bundle (nasbench_suite.bundles entry point)"
    return SpaceBundle(name=name, space=space_path,
                       undefined=tuple((c, reason) for c in CAPABILITIES if c != "builder"))
