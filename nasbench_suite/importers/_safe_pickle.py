"""A restricted unpickler for benchmark archives that are plain containers.

Unpickling runs whatever callables a file names, so ``pickle.load`` on a file
from elsewhere can execute arbitrary code. Benchmark archives such as
NATS-Bench's hold only dicts, ``OrderedDict``, lists, strings, numbers and
numpy scalars; :class:`RestrictedUnpickler` resolves exactly those globals and
refuses any other with :class:`~nasbench_suite.errors.ImportFormatError`
naming it.

NumPy's own reconstructors are not safe as they stand: a pickled ``dtype``
carries its flags, and an object dtype whose flags were cleared makes
``scalar`` or ``ndarray.__setstate__`` read raw bytes as object pointers.
So numpy scalars and arrays are rebuilt here through wrappers that accept only
plain numeric and string dtypes (re-created from their type string, so pickled
flags are never used) and raw byte buffers of the right size.
"""

from __future__ import annotations

import bz2
import collections
import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nasbench_suite.errors import ImportFormatError

try:  # NumPy 2
    from numpy._core.multiarray import scalar as _np_scalar
except ImportError:  # pragma: no cover - NumPy 1
    from numpy.core.multiarray import scalar as _np_scalar  # type: ignore[no-redef]

#: dtype kinds whose values are plain bytes: bool, signed, unsigned, float, complex, bytes, unicode
PLAIN_KINDS = "biufcSU"


class _Refused(ImportFormatError):
    """Raised inside unpickling; :func:`restricted_load` prefixes the source."""


def _plain_dtype(dtype: Any) -> np.dtype:
    if not isinstance(dtype, np.dtype):
        raise _Refused(f"expected a numpy dtype, got {type(dtype).__name__}")
    if dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in PLAIN_KINDS:
        raise _Refused(f"numpy dtype {dtype.str!r} is not a plain numeric or string type (kinds {PLAIN_KINDS!r})")
    return np.dtype(dtype.str)  # a fresh dtype: flags from the file are never used


def _scalar(dtype: Any, data: Any = None) -> Any:
    clean = _plain_dtype(dtype)
    if not isinstance(data, bytes) or len(data) != clean.itemsize:
        raise _Refused(f"a numpy {clean.str!r} scalar needs {clean.itemsize} raw bytes, got {type(data).__name__}")
    return _np_scalar(clean, data)


class _Array(np.ndarray):
    """Receives an array's pickled state and checks it before numpy reads the bytes."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise _Refused("numpy array state is not a 4- or 5-tuple")
        *head, dtype, fortran, raw = state
        clean = _plain_dtype(dtype)
        if not isinstance(raw, (bytes, bytearray)):
            raise _Refused(f"numpy array data must be raw bytes, got {type(raw).__name__}")
        super().__setstate__((*head, clean, fortran, raw))


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    if subtype is not np.ndarray:
        raise _Refused(f"only plain numpy arrays are accepted, got subtype {subtype!r}")
    return np.ndarray.__new__(_Array, (0,), dtype=np.uint8)


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    clean = _plain_dtype(dtype)
    return np.frombuffer(bytes(memoryview(buf)), dtype=clean).reshape(shape, order=order).copy()


def _latin1(text: Any, encoding: Any = "utf-8") -> bytes:
    # protocol-2 pickles write bytes as _codecs.encode(text, "latin1")
    if not isinstance(text, str) or encoding != "latin1":
        raise _Refused(f"_codecs.encode is accepted only for latin1 byte strings, got encoding {encoding!r}")
    return text.encode("latin1")


def _fixed(obj: Any) -> Callable[[], Any]:
    return lambda: obj


#: (module, name) -> loader of what that global resolves to; nothing else is admitted
ALLOWED_GLOBALS: dict[tuple[str, str], Callable[[], Any]] = {
    ("collections", "OrderedDict"): _fixed(collections.OrderedDict),
    ("builtins", "set"): _fixed(set),
    ("builtins", "frozenset"): _fixed(frozenset),
    ("_codecs", "encode"): _fixed(_latin1),
    ("numpy", "dtype"): _fixed(np.dtype),
    ("numpy", "ndarray"): _fixed(np.ndarray),
    # numpy scalars and arrays, as NumPy 1 (numpy.core) and NumPy 2 (numpy._core) name them
    ("numpy.core.multiarray", "scalar"): _fixed(_scalar),
    ("numpy._core.multiarray", "scalar"): _fixed(_scalar),
    ("numpy.core.multiarray", "_reconstruct"): _fixed(_reconstruct),
    ("numpy._core.multiarray", "_reconstruct"): _fixed(_reconstruct),
    ("numpy.core.numeric", "_frombuffer"): _fixed(_frombuffer),
    ("numpy._core.numeric", "_frombuffer"): _fixed(_frombuffer),
}


class RestrictedUnpickler(pickle.Unpickler):
    """A :class:`pickle.Unpickler` that resolves only :data:`ALLOWED_GLOBALS`.

    Examples
    --------
    >>> import io, pickle
    >>> RestrictedUnpickler(io.BytesIO(pickle.dumps({"a": [1, 2.5]}))).load()
    {'a': [1, 2.5]}
    """

    def find_class(self, module: str, name: str) -> Any:
        if module == "__builtin__":  # Python 2 name, as protocol-2 pickles write it
            module = "builtins"
        loader = ALLOWED_GLOBALS.get((module, name))
        if loader is None:
            allowed = ", ".join(sorted({f"{m}.{n}" for m, n in ALLOWED_GLOBALS}))
            raise _Refused(
                f"references the global {module}.{name}, which an archive of plain containers never needs; "
                f"refusing to load it (allowed: {allowed})"
            )
        return loader()

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused(f"uses a persistent id ({pid!r}), which plain containers never need")


def restricted_load(stream: BinaryIO, *, source: str = "<stream>") -> Any:
    """Unpickle one object from ``stream`` with :class:`RestrictedUnpickler`.

    Raises :class:`ImportFormatError` naming ``source`` for a refused global or an unreadable pickle.
    """
    try:
        return RestrictedUnpickler(stream).load()
    except _Refused as exc:
        raise ImportFormatError(f"{source} {exc}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise ImportFormatError(f"{source} is not a readable pickle: {type(exc).__name__}: {exc}") from None


def load_pickle_bz2(path: str | Path) -> Any:
    """Read a bz2-compressed pickle (NATS-Bench's ``*.pickle.pbz2``) with the restricted unpickler."""
    path = Path(path)
    try:
        data = bz2.decompress(path.read_bytes())
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise ImportFormatError(f"{str(path)!r} is not a bz2-compressed file: {exc}") from None
    return restricted_load(io.BytesIO(data), source=repr(str(path)))


__all__ = ["ALLOWED_GLOBALS", "PLAIN_KINDS", "RestrictedUnpickler", "load_pickle_bz2", "restricted_load"]
