"""A restricted unpickler for benchmark archives and datasets that are plain containers.

Unpickling runs whatever callables a file names, so ``pickle.load`` on a file
from elsewhere can execute arbitrary code. Benchmark archives such as
NATS-Bench's and the CIFAR / ImageNet16 dataset pickles hold only dicts,
``OrderedDict``, lists, strings, numbers, numpy scalars and numeric numpy
arrays; :class:`RestrictedUnpickler` resolves exactly the globals of
:data:`ALLOWED_GLOBALS` and refuses any other with
:class:`~nasbench_suite.errors.ImportFormatError` naming it.

NumPy's own reconstructors are not safe as they stand: a pickled ``dtype``
carries its flags, and an object dtype whose flags were cleared makes
``numpy.ndarray(shape, dtype, buffer)``, ``scalar`` or
``ndarray.__setstate__`` read raw bytes as object pointers (a crash, or
worse). So no numpy callable is ever handed to the pickle machine:

- ``numpy.dtype`` resolves to :class:`_DtypeSpec`, a plain record of the type
  string and byte order; pickled flags and sizes are ignored and the dtype is
  re-created from its type string, only for the kinds of :data:`PLAIN_KINDS`;
- ``numpy.ndarray`` resolves to a marker that cannot be called: it is only
  accepted as the first argument of ``_reconstruct``;
- arrays and scalars are rebuilt from raw byte buffers whose length must
  equal the size the header declares (shape times item size) before numpy
  sees them.

Before unpickling, the whole stream is scanned once with :mod:`pickletools`:
every length that an opcode declares is checked against the bytes actually
present (so no allocation is sized by an untrusted header), and opcodes a
container never needs (``INST``, ``OBJ``, ``EXT*``, persistent ids) are
refused.
"""

from __future__ import annotations

import collections
import io
import pickle
import pickletools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from nasbench_suite.errors import ImportFormatError
from nasbench_suite.importers._bounded import DecompressionLimits, decompress_file

try:  # NumPy 2
    from numpy._core.multiarray import scalar as _np_scalar
except ImportError:  # pragma: no cover - NumPy 1
    from numpy.core.multiarray import scalar as _np_scalar  # type: ignore[no-redef]

#: dtype kinds whose values are plain bytes: bool, signed, unsigned, float, complex, bytes, unicode
PLAIN_KINDS = "biufcSU"
#: the only type strings a pickled dtype may name: a plain kind and an item size
_TYPE_STRING = re.compile(r"^[<>|=]?([biufcSU])(\d{1,7})$")
#: most dimensions of a pickled array
MAX_NDIM = 32
#: opcodes that call something in a way plain containers never need
_REFUSED_OPCODES = frozenset({"INST", "OBJ", "EXT1", "EXT2", "EXT4", "PERSID", "BINPERSID"})
#: opcodes whose index sizes the memo table: an index can never exceed the number of bytes
_MEMO_OPCODES = frozenset({"PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"})


class _Refused(ImportFormatError):
    """Raised inside unpickling; :func:`restricted_load` prefixes the source."""


def _text(value: Any, what: str) -> str:
    if isinstance(value, bytes):  # Python 2 pickles read with encoding="bytes"
        value = value.decode("latin1")
    if not isinstance(value, str):
        raise _Refused(f"{what} must be a string, got {type(value).__name__}")
    return value


class _DtypeSpec:
    """What ``numpy.dtype(name, align, copy)`` plus its pickled state describe; a numpy dtype only once checked."""

    __slots__ = ("name", "order")

    def __init__(self, name: Any = None, align: Any = False, copy: Any = True) -> None:
        self.name = _text(name, "a numpy dtype's type string")
        self.order = "="

    def __setstate__(self, state: Any) -> None:
        # (version, byte order, subarray, names, fields, elsize, alignment, flags[, metadata]); only the order is used
        if not isinstance(state, tuple) or len(state) < 2:
            raise _Refused(f"numpy dtype state must be a tuple, got {type(state).__name__}")
        if state[2:5] != (None, None, None):
            raise _Refused(f"numpy dtype {self.name!r} with subarrays or fields is not a plain numeric or string type")
        order = _text(state[1], "a numpy dtype's byte order")
        if order not in ("<", ">", "|", "="):
            raise _Refused(f"numpy dtype byte order must be one of '<', '>', '|', '=', got {order!r}")
        self.order = order

    def resolve(self) -> np.dtype:
        """The numpy dtype, re-created from the type string; only kinds of :data:`PLAIN_KINDS`."""
        match = _TYPE_STRING.match(self.name)
        if match is None:
            raise _Refused(
                f"numpy dtype {self.name!r} is not a plain numeric or string type (kinds {PLAIN_KINDS!r} with an item size)"
            )
        dtype = np.dtype(self.name)
        if dtype.kind not in PLAIN_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            raise _Refused(f"numpy dtype {self.name!r} is not a plain numeric or string type (kinds {PLAIN_KINDS!r})")
        return dtype.newbyteorder(self.order) if self.order in "<>" and dtype.itemsize > 1 else dtype


def _plain_dtype(dtype: Any) -> np.dtype:
    if isinstance(dtype, _DtypeSpec):
        return dtype.resolve()
    raise _Refused(f"expected a numpy dtype, got {type(dtype).__name__}")


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if (
        not isinstance(shape, tuple)
        or len(shape) > MAX_NDIM
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise _Refused(f"a numpy array shape must be a tuple of at most {MAX_NDIM} ints >= 0, got {shape!r}")
    return shape


def _nbytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    size = dtype.itemsize
    for n in shape:
        size *= n  # Python ints: no overflow
    return size


def _raw_bytes(raw: Any, what: str) -> bytes:
    if isinstance(raw, str):  # Python 2 pickles read with encoding="latin1"
        raw = raw.encode("latin1")
    if isinstance(raw, pickle.PickleBuffer):
        raw = bytes(raw.raw())
    if not isinstance(raw, (bytes, bytearray)):
        raise _Refused(f"{what} must be raw bytes, got {type(raw).__name__}")
    return bytes(raw)


def _scalar(dtype: Any, data: Any = None) -> Any:
    clean = _plain_dtype(dtype)
    raw = _raw_bytes(data, f"a numpy {clean.str!r} scalar")
    if len(raw) != clean.itemsize:
        raise _Refused(f"a numpy {clean.str!r} scalar needs {clean.itemsize} raw bytes, got {len(raw)}")
    return _np_scalar(clean, raw)


class _NdarrayName:
    """What ``numpy.ndarray`` resolves to: accepted by ``_reconstruct``, never called."""

    __slots__ = ()  # no attributes a pickle's BUILD could set

    def __repr__(self) -> str:
        return "numpy.ndarray"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise _Refused("calls numpy.ndarray(...) directly; plain arrays are only rebuilt through _reconstruct or _frombuffer")


_NDARRAY = _NdarrayName()


class _Array(np.ndarray):
    """Receives an array's pickled state and checks it before numpy reads the bytes."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, tuple) or len(state) not in (4, 5):
            raise _Refused("numpy array state is not a 4- or 5-tuple")
        *head, dtype, fortran, raw = state
        shape = _shape(head[-1])
        clean = _plain_dtype(dtype)
        raw = _raw_bytes(raw, "numpy array data")
        if not isinstance(fortran, int) or fortran not in (0, 1):
            raise _Refused(f"numpy array order flag must be a bool, got {fortran!r}")
        if len(raw) != _nbytes(shape, clean):
            raise _Refused(
                f"numpy array header declares shape {shape} of {clean.str!r} ({_nbytes(shape, clean)} bytes) "
                f"but holds {len(raw)} bytes"
            )
        super().__setstate__((1, shape, clean, bool(fortran), raw))


def _reconstruct(subtype: Any, shape: Any, dtype: Any) -> np.ndarray:
    if subtype is not _NDARRAY:
        raise _Refused(f"only plain numpy arrays are accepted, got subtype {subtype!r}")
    return np.ndarray.__new__(_Array, (0,), dtype=np.uint8)


def _frombuffer(buf: Any, dtype: Any, shape: Any, order: Any) -> np.ndarray:
    clean = _plain_dtype(dtype)
    shape = _shape(shape)
    raw = _raw_bytes(buf, "numpy array data")
    if order not in ("C", "F"):
        raise _Refused(f"numpy array order must be 'C' or 'F', got {order!r}")
    if len(raw) != _nbytes(shape, clean):
        raise _Refused(
            f"numpy array header declares shape {shape} of {clean.str!r} ({_nbytes(shape, clean)} bytes) "
            f"but holds {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype=clean).reshape(shape, order=order).copy(order="K")  # a writable copy, same layout


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
    ("builtins", "list"): _fixed(list),
    ("builtins", "dict"): _fixed(dict),
    ("builtins", "tuple"): _fixed(tuple),
    ("_codecs", "encode"): _fixed(_latin1),
    ("numpy", "dtype"): _fixed(_DtypeSpec),
    ("numpy", "ndarray"): _fixed(_NDARRAY),
    # numpy scalars and arrays, as NumPy 1 (numpy.core) and NumPy 2 (numpy._core) name them
    ("numpy.core.multiarray", "scalar"): _fixed(_scalar),
    ("numpy._core.multiarray", "scalar"): _fixed(_scalar),
    ("numpy.core.multiarray", "_reconstruct"): _fixed(_reconstruct),
    ("numpy._core.multiarray", "_reconstruct"): _fixed(_reconstruct),
    ("numpy.core.numeric", "_frombuffer"): _fixed(_frombuffer),
    ("numpy._core.numeric", "_frombuffer"): _fixed(_frombuffer),
}


def scan_opcodes(data: bytes) -> None:
    """Walk every opcode of ``data`` without building anything.

    Raises :class:`ImportFormatError` for a length that an opcode declares but the
    data does not hold (a truncated or crafted header), and for opcodes that
    plain containers never need.
    """
    try:
        for opcode, arg, pos in pickletools.genops(data):
            name = opcode.name
            if name in _REFUSED_OPCODES:
                raise _Refused(f"uses the opcode {name} at byte {pos}, which plain containers never need")
            if name == "FRAME" and arg > len(data) - (pos or 0):
                raise _Refused(f"declares a frame of {arg} bytes at byte {pos}, more than the pickle holds ({len(data)} bytes)")
            if name in _MEMO_OPCODES and arg > len(data):  # each memo entry takes at least one opcode byte
                raise _Refused(f"uses memo index {arg} at byte {pos}, more than a {len(data)}-byte pickle can hold")
    except _Refused:
        raise
    except (ValueError, EOFError, UnicodeDecodeError) as exc:
        raise _Refused(f"is not a well-formed pickle: {exc}") from None


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


def restricted_load(stream: BinaryIO | bytes, *, source: str = "<stream>", encoding: str = "ASCII") -> Any:
    """Unpickle one object from ``stream`` (or bytes) with :class:`RestrictedUnpickler`.

    ``encoding`` is passed to :class:`pickle.Unpickler` (``"bytes"`` for Python 2
    dataset pickles). Raises :class:`ImportFormatError` naming ``source`` for a
    refused global or opcode, an inconsistent array header or an unreadable pickle.
    """
    data = stream if isinstance(stream, (bytes, bytearray)) else stream.read()
    try:
        scan_opcodes(data)
        return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()
    except _Refused as exc:
        raise ImportFormatError(f"{source}: {exc}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, OverflowError, RecursionError, UnicodeDecodeError) as exc:  # fmt: skip
        raise ImportFormatError(f"{source} is not a readable pickle: {type(exc).__name__}: {exc}") from None


def load_pickle_bz2(path: str | Path, *, limits: DecompressionLimits | None = None) -> Any:
    """Read a bz2-compressed pickle (NATS-Bench's ``*.pickle.pbz2``) with the restricted unpickler.

    The decompressed size is bounded by ``limits`` (default:
    :meth:`DecompressionLimits.from_env`); above it
    :class:`~nasbench_suite.errors.DecompressionLimitError` is raised before
    the memory is spent.
    """
    path = Path(path)
    data = decompress_file(path, "bz2", limits=limits)
    return restricted_load(data, source=repr(str(path)))


__all__ = [
    "ALLOWED_GLOBALS",
    "MAX_NDIM",
    "PLAIN_KINDS",
    "RestrictedUnpickler",
    "load_pickle_bz2",
    "restricted_load",
    "scan_opcodes",
]
