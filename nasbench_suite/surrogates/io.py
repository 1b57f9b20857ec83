"""Saving and loading surrogates without pickle.

A fitted estimator is a folder: ``estimator.json`` names its class (looked
up in :data:`~nasbench_suite.surrogates.MODELS`, so only known classes are
ever built), its constructor parameters (nested estimators as nested specs)
and its fitted metadata; the fitted arrays are in the formats each model
owns: ``state.npz`` read with ``allow_pickle=False``, XGBoost's JSON, or a
torch state dict read with ``torch.load(weights_only=True)``. Nested
estimators (ensemble members, an :class:`ArchRegressor`'s model) live in
sub-folders.

A saved surrogate benchmark is a folder with ``card.json`` (see
:mod:`~nasbench_suite.surrogates.card`) that records the SHA-256 of every
file; :func:`open_surrogate` refuses a folder whose files do not match.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nasbench_suite._atomic import write_text
from nasbench_suite.errors import ChecksumMismatchError, StoreFormatError, UnsupportedVersionError

#: version of the estimator folder layout written by this release
ESTIMATOR_FORMAT_VERSION = 1


class IncompatibleSurrogateError(UnsupportedVersionError):
    """A saved surrogate written by an incompatible release or library version."""


def _to_json(value: Any) -> Any:
    from sklearn.base import BaseEstimator

    if isinstance(value, BaseEstimator):
        return {"__estimator__": estimator_spec(value)}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save parameter value {value!r} of type {type(value).__name__} as JSON")


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"__estimator__"}:
        return build_estimator(value["__estimator__"])
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_json(v) for k, v in value.items()}
    return value


def estimator_spec(estimator: Any) -> dict[str, Any]:
    """``{"class": name, "params": {...}}`` of an unfitted or fitted estimator (its constructor arguments)."""
    from nasbench_suite.surrogates import MODELS

    name = type(estimator).__name__
    if name not in MODELS or MODELS.get(name) is not type(estimator):
        raise TypeError(f"{type(estimator).__qualname__} is not a registered surrogate model; known: {', '.join(MODELS.names())}")
    return {"class": name, "params": _to_json(estimator.get_params(deep=False))}


def build_estimator(spec: dict[str, Any]) -> Any:
    """An unfitted estimator from :func:`estimator_spec`'s output; only registered classes are built."""
    from nasbench_suite.surrogates import MODELS

    cls = MODELS.get(str(spec["class"]))
    params = _from_json(spec.get("params", {}))
    # JSON has no tuples; constructors that want one accept a list equally
    return cls(**params)


def save_estimator(estimator: Any, directory: str | os.PathLike[str]) -> None:
    """Write a fitted estimator into ``directory`` (created; existing files are overwritten)."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    meta = estimator._save_files(directory)
    record = {
        "format_version": ESTIMATOR_FORMAT_VERSION,
        **estimator_spec(estimator),
        "n_features_in": int(getattr(estimator, "n_features_in_", -1)),
        "fitted": _to_json(meta),
        "versions": library_versions(),
    }
    write_text(directory / "estimator.json", json.dumps(record, indent=1, sort_keys=True) + "\n")


def load_estimator(directory: str | os.PathLike[str]) -> Any:
    """Read back an estimator written by :func:`save_estimator`."""
    directory = Path(directory)
    path = directory / "estimator.json"
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise StoreFormatError(f"{str(directory)!r} holds no estimator.json: not a saved surrogate model") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreFormatError(f"{str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(record, dict):
        raise StoreFormatError(f"{str(path)!r} is not an estimator record")
    version = record.get("format_version")
    if not isinstance(version, int) or version > ESTIMATOR_FORMAT_VERSION or version < 1:
        raise IncompatibleSurrogateError(
            f"{str(path)!r} has surrogate model format version {version!r}; this release reads versions 1.."
            f"{ESTIMATOR_FORMAT_VERSION}: use the nasbench-suite release that wrote it (saved with "
            f"{record.get('versions', {}).get('nasbench-suite', 'an unknown release')})"
        )
    estimator = build_estimator(record)
    meta = dict(record.get("fitted") or {})
    n_features = int(record.get("n_features_in", -1))
    meta.setdefault("n_features_in", n_features)
    try:
        estimator._load_files(directory, meta)
    except StoreFormatError:
        raise
    except FileNotFoundError as exc:
        raise StoreFormatError(f"the {record['class']} saved in {str(directory)!r} is incomplete: {exc.filename} is missing") from None
    except (KeyError, ValueError, TypeError, OSError, RuntimeError) as exc:
        saved = record.get("versions", {})
        now = library_versions()
        differ = {k: (saved.get(k), now[k]) for k in now if saved.get(k) != now[k]}
        hint = f"; it was saved with other library versions (saved, installed): {differ}" if differ else ""
        raise IncompatibleSurrogateError(f"cannot load the {record['class']} saved in {str(directory)!r}: {exc}{hint}") from exc
    if n_features >= 0:
        estimator.n_features_in_ = n_features
    return estimator


def library_versions() -> dict[str, str]:
    """Versions of the suite and of the libraries whose formats a saved model depends on."""
    import sklearn

    from nasbench_suite import __version__

    out = {"nasbench-suite": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__}
    for name in ("xgboost", "torch"):
        try:
            module = __import__(name)
            out[name] = str(module.__version__)
        except ImportError:  # pragma: no cover - both are dependencies
            out[name] = "missing"
    return out


def file_digests(directory: str | os.PathLike[str], *, exclude: tuple[str, ...] = ("card.json", "card.md")) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` (relative POSIX paths, sorted), except ``exclude``."""
    directory = Path(directory)
    out = {}
    links = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_symlink())
    if links:  # a link could point anywhere; nothing it leads to would be covered by the checksums
        raise StoreFormatError(f"saved surrogate {str(directory)!r} holds symbolic links ({', '.join(links)}); "
                               "a bundle must hold its files itself")
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = path.relative_to(directory).as_posix()
        if rel in exclude or rel.endswith(".png"):
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def check_digests(directory: str | os.PathLike[str], recorded: dict[str, str]) -> None:
    """Raise :class:`ChecksumMismatchError` unless the model files match ``recorded`` exactly."""
    actual = file_digests(directory)
    if actual != recorded:
        changed = sorted(k for k in set(actual) | set(recorded) if actual.get(k) != recorded.get(k))
        raise ChecksumMismatchError(
            f"saved surrogate {str(directory)!r}: files differ from the checksums in its card.json: {', '.join(changed)}"
        )


def open_surrogate(path: str | os.PathLike[str], *, noise: bool = False) -> Any:
    """Open a saved surrogate folder (with ``card.json``) as a :class:`SurrogateBenchmark`.

    This is what ``nasbench_suite.load(name)`` and ``open_benchmark(path)``
    call for a folder holding ``card.json``.
    """
    from nasbench_suite.surrogates.benchmark import SurrogateBenchmark

    return SurrogateBenchmark.load(path, noise=noise)
