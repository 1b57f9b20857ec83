"""One small registry class, used once per plugin kind.

Entries are registered as ``"module:attribute"`` strings and imported on first
use, so importing the package stays cheap and a plugin's heavy dependencies
(torch, xgboost, ray) load only when that plugin is asked for. Third-party
packages add entries through the entry-point group ``nasbench_suite.<kind>``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from nasbench_suite.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps short names to lazily imported objects of one plugin kind.

    Examples
    --------
    >>> reg = Registry("example")
    >>> reg.register("json-dumps", "json:dumps")
    >>> reg.get("json-dumps")({"a": 1})
    '{"a": 1}'
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._targets: dict[str, str | T] = {}
        self._entry_points_loaded = False

    def register(self, name: str, target: str | T, *, replace: bool = False) -> None:
        """Register ``target`` (an object, or a ``"module:attr"`` path) under ``name``."""
        if name in self._targets and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered; pass replace=True")
        self._targets[name] = target

    def _load_entry_points(self) -> None:
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        for ep in entry_points(group=f"nasbench_suite.{self.kind}"):
            self._targets.setdefault(ep.name, ep.value)

    def names(self) -> list[str]:
        """All registered names, sorted."""
        self._load_entry_points()
        return sorted(self._targets)

    def __contains__(self, name: object) -> bool:
        self._load_entry_points()
        return name in self._targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def get(self, name: str) -> T:
        """The object registered under ``name``; unknown names list the valid ones."""
        self._load_entry_points()
        try:
            target = self._targets[name]
        except KeyError:
            raise UnknownNameError(self.kind, name, self.names()) from None
        if isinstance(target, str):
            module, _, attr = target.partition(":")
            obj = importlib.import_module(module)
            for part in attr.split("."):
                obj = getattr(obj, part)
            self._targets[name] = obj
            return obj  # type: ignore[return-value]
        return target
