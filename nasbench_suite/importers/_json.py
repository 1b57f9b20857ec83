"""Strict JSON for importers: a key held twice in one object is an error, not "the last one wins"."""

from __future__ import annotations

import json
from typing import Any

from nasbench_suite.errors import ImportFormatError


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            others = [k for k, _ in pairs[:8] if k != key]
            raise _DuplicateKey(f"key {key!r} appears twice in one object (its other keys: {others}{'...' if len(pairs) > 8 else ''})")
        out[key] = value
    return out


def load_json(raw: bytes | str, *, source: str) -> Any:
    """Parse ``raw`` like :func:`json.loads`, but refuse duplicate keys; errors name ``source``.

    ``NaN`` and ``Infinity`` tokens parse as floats, as :mod:`json` does; the
    importers then check every value against its metric's range.

    Examples
    --------
    >>> load_json('{"a": 1, "b": 2}', source="x.json")
    {'a': 1, 'b': 2}
    >>> load_json('{"a": 1, "a": 2}', source="x.json")
    Traceback (most recent call last):
    ...
    nasbench_suite.errors.ImportFormatError: x.json is not valid JSON for import: key 'a' appears twice in one object (its other keys: [])
    """
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise ImportFormatError(f"{source} is not valid JSON for import: {exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"{source} is not JSON: {exc}") from None
    except RecursionError:
        raise ImportFormatError(f"{source} is not JSON for import: nested too deeply") from None


__all__ = ["load_json"]
