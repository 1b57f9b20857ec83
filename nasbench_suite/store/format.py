"""Constants of the store format and its content checksum (see docs/SCHEMA.md)."""

from __future__ import annotations

import hashlib
import json

import h5py
import numpy as np

FORMAT_NAME = "nasbench-suite-store"
FORMAT_VERSION = 1
STRING_DTYPE = h5py.string_dtype("utf-8")


def _attr_text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        return json.dumps(value.tolist())
    return str(value)


def _dataset_bytes(ds: h5py.Dataset) -> bytes:
    if h5py.check_string_dtype(ds.dtype) is not None:
        values = ds.asstr()[()]
        values = [values] if isinstance(values, str) else list(np.ravel(values))
        return "\0".join(values).encode("utf-8")
    return np.ascontiguousarray(ds[()], dtype=ds.dtype.newbyteorder("<")).tobytes()


def content_checksum(f: h5py.File) -> str:
    """``sha256:<hex>`` of a store's content, as specified in docs/SCHEMA.md."""
    h = hashlib.sha256()
    groups: list[str] = []
    datasets: list[str] = []

    def visit(name: str, obj: object) -> None:
        (groups if isinstance(obj, h5py.Group) else datasets).append(name)

    f.visititems(visit)
    for path in ["/", *sorted("/" + g for g in groups)]:
        attrs = f[path].attrs
        for key in sorted(attrs):
            if path == "/" and key == "checksum":
                continue
            h.update(f"{path}@{key}={_attr_text(attrs[key])}\n".encode())
    for name in sorted(datasets):
        ds = f[name]
        h.update(f"/{name}:{ds.dtype.str.replace('>', '<')}:{ds.shape}\n".encode())
        h.update(_dataset_bytes(ds))
    return "sha256:" + h.hexdigest()
