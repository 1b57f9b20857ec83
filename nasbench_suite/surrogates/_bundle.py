"""What a saved surrogate folder may name and hold: paths confined to it, array shapes consistent with its records.

A card names model folders by relative path; :func:`bundle_path` admits only a
plain relative path that stays inside the bundle folder with no symbolic link
on the way, so every file that is loaded is one that ``card.json``'s
``files`` checksums cover. :func:`check_state` compares the arrays of a saved
model with the metadata saved beside them (feature counts, layer sizes, tree
node indices) before any library builds a model from them, so a damaged or
crafted array is an error rather than a wrong prediction or a crash in native
code.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from nasbench_suite.errors import StoreFormatError


def bundle_path(directory: str | os.PathLike[str], rel: Any, *, what: str = "model path") -> Path:
    """``directory / rel``, refusing anything that is not a relative path inside ``directory`` without symlinks."""
    root = Path(directory)
    if not isinstance(rel, str) or not rel.strip() or "\\" in rel or "\0" in rel:
        raise StoreFormatError(f"surrogate {str(root)!r}: {what} {rel!r} is not a relative POSIX path inside the folder")
    parts = PurePosixPath(rel).parts
    if rel.startswith("/") or PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
        raise StoreFormatError(f"surrogate {str(root)!r}: {what} {rel!r} leaves the folder; expected a relative path inside it")
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise StoreFormatError(f"surrogate {str(root)!r}: {what} {rel!r} passes through the symbolic link {str(current)!r}")
    resolved = current.resolve()
    if not resolved.is_relative_to(root.resolve()):  # pragma: no cover - excluded by the checks above
        raise StoreFormatError(f"surrogate {str(root)!r}: {what} {rel!r} resolves outside the folder")
    return current


def _fail(where: Path, text: str) -> StoreFormatError:
    return StoreFormatError(f"saved model {str(where)!r}: {text}")


def _shape(where: Path, arrays: dict[str, np.ndarray], name: str, shape: tuple[int | None, ...], kind: str = "fc") -> np.ndarray:
    if name not in arrays:
        raise _fail(where, f"array {name!r} is missing")
    a = arrays[name]
    if a.ndim != len(shape) or any(want is not None and got != want for got, want in zip(a.shape, shape)):
        raise _fail(where, f"array {name!r} has shape {a.shape}, expected {tuple('any' if s is None else s for s in shape)}")
    if a.dtype.kind not in kind:
        raise _fail(where, f"array {name!r} has dtype {a.dtype}, expected a number")
    if a.dtype.kind in "fc" and not np.isfinite(a).all():
        raise _fail(where, f"array {name!r} holds NaN or infinite values")
    return a


def _int(where: Path, meta: dict[str, Any], key: str, low: int = 0) -> int:
    value = meta.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _fail(where, f"{key} is {value!r}, expected an integer >= {low}")
    return value


def check_state(estimator: Any, where: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Refuse ``arrays`` whose shapes disagree with ``meta`` (and the feature count saved with them)."""
    name = type(estimator).__name__
    n = _int(where, meta, "n_features_in", 1)
    if name == "RidgeRegressor":
        _shape(where, arrays, "coef", (n,))
        for key in ("intercept", "alpha"):
            if not isinstance(meta.get(key), (int, float)) or not np.isfinite(meta[key]):
                raise _fail(where, f"{key} is {meta.get(key)!r}, expected a finite number")
    elif name == "MLPRegressor":
        k = _int(where, meta, "n_weights", 1)
        width = n
        for i in range(k):
            coef = _shape(where, arrays, f"coef_{i}", (width, None if i < k - 1 else 1))
            width = coef.shape[1]
            _shape(where, arrays, f"intercept_{i}", (width,))
    elif name == "GaussianProcessRegressor":
        X = _shape(where, arrays, "X_train", (None, n))
        _shape(where, arrays, "y_train", (X.shape[0],))
        _shape(where, arrays, "theta", (None,))
    elif name == "RandomForestRegressor":
        depths = meta.get("max_depth")
        if not isinstance(depths, list) or not depths:
            raise _fail(where, f"max_depth is {depths!r}, expected one depth per tree")
        for i in range(len(depths)):
            _check_tree(where, arrays, i, n)
    elif name == "NGBoostRegressor":
        stages, k = _int(where, meta, "n_stages", 1), _int(where, meta, "n_params", 1)
        depths = meta.get("max_depth")
        if not isinstance(depths, list) or len(depths) != stages * k:
            raise _fail(where, f"max_depth is {depths!r:.80}, expected {stages * k} depths (one per tree)")
        _shape(where, arrays, "init_params", (k,))
        _shape(where, arrays, "scalings", (stages,))
        for i in range(stages):
            cols = _shape(where, arrays, f"cols_{i}", (None,), kind="iu")
            if cols.size == 0 or cols.min() < 0 or cols.max() >= n:
                raise _fail(where, f"cols_{i} names columns outside 0..{n - 1}")
            for j in range(k):
                _check_tree(where, arrays, i * k + j, cols.size)
    # a model class without a check here (a plugin) is checked by its own _set_state


def _check_tree(where: Path, arrays: dict[str, np.ndarray], i: int, n_features: int) -> None:
    nodes = arrays.get(f"nodes_{i}")
    if nodes is None or nodes.ndim != 1 or nodes.dtype.names is None or not {"left_child", "right_child", "feature"} <= set(nodes.dtype.names):
        raise _fail(where, f"nodes_{i} is not a tree node table")
    count = len(nodes)
    values = _shape(where, arrays, f"values_{i}", (count, 1, 1))
    del values
    left, right, feature = nodes["left_child"], nodes["right_child"], nodes["feature"]
    leaf = left == -1
    if count == 0 or not (((left > np.arange(count)) & (left < count)) | leaf).all() or not (((right > np.arange(count)) & (right < count)) | (right == -1)).all():
        raise _fail(where, f"tree {i}: a child index lies outside its {count} nodes")
    if ((right == -1) != leaf).any() or not ((feature >= 0) & (feature < n_features) | leaf).all():
        raise _fail(where, f"tree {i}: a split names a feature outside 0..{n_features - 1}")


def check_xgboost_json(path: Path, n_features: int) -> None:
    """Refuse an XGBoost model file that is not JSON or was trained on another number of features."""
    import json

    try:
        model = json.loads(path.read_text(encoding="utf-8"))
        recorded = int(model["learner"]["learner_model_param"]["num_feature"])
    except FileNotFoundError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(path.parent, f"{path.name} is not an XGBoost JSON model ({type(exc).__name__}: {exc})") from None
    if recorded != n_features:
        raise _fail(path.parent, f"{path.name} was trained on {recorded} features, its estimator.json records {n_features}")


def check_arch_regressor(where: Path, meta: dict[str, Any], arrays: dict[str, np.ndarray], model: Any) -> None:
    """The target transform's sorted values and the encoded feature count against the inner model."""
    n = _int(where, meta, "n_encoded_features", 1)
    sorted_y = _shape(where, arrays, "sorted_y", (None,))
    if sorted_y.size and (np.diff(sorted_y) < 0).any():
        raise _fail(where, "target.npz: sorted_y is not sorted")
    inner = getattr(model, "n_features_in_", n)
    if inner != n:
        raise _fail(where, f"the inner model takes {inner} features, the encoder gives {n}")


__all__ = ["bundle_path", "check_arch_regressor", "check_state", "check_xgboost_json"]
