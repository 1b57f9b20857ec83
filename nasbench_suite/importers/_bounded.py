"""Decompression with limits on output size and expansion ratio.

A compressed file of a few kilobytes can expand to gigabytes (a
"decompression bomb"). Every decompressor the importers use streams through
:func:`decompress_file`, which stops with
:class:`~nasbench_suite.errors.DecompressionLimitError` as soon as the output
passes :attr:`DecompressionLimits.max_bytes`, or passes
:attr:`DecompressionLimits.max_ratio` times the compressed bytes read so far,
long before the memory is spent.

The defaults fit NATS-Bench's archives with a wide margin (their largest
member, the topology meta file, expands 39x to 1.4 MB). Raise them for other
archives with the keyword ``limits=``, ``nasbench import nats-archive
--max-decompressed-mb/--max-decompression-ratio``, or the environment
variables :data:`ENV_MAX_MB` and :data:`ENV_MAX_RATIO`.
"""

from __future__ import annotations

import bz2
import lzma
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from nasbench_suite.errors import DecompressionLimitError, ImportFormatError

#: environment variable overriding :attr:`DecompressionLimits.max_bytes`, in MiB
ENV_MAX_MB = "NASBENCH_MAX_DECOMPRESSED_MB"
#: environment variable overriding :attr:`DecompressionLimits.max_ratio`
ENV_MAX_RATIO = "NASBENCH_MAX_DECOMPRESSION_RATIO"

_MIB = 1024 * 1024
_IN_CHUNK = 256 * 1024
_OUT_CHUNK = 4 * _MIB


@dataclass(frozen=True)
class DecompressionLimits:
    """How far one compressed file may expand.

    Parameters
    ----------
    max_bytes
        Most bytes of decompressed output.
    max_ratio
        Most output bytes per compressed byte read, checked once the output
        passes ``ratio_floor`` (small files may legitimately expand a lot).
    ratio_floor
        Output size below which the ratio is not checked.
    """

    max_bytes: int = 1024 * _MIB
    max_ratio: float = 200.0
    ratio_floor: int = 16 * _MIB

    def __post_init__(self) -> None:
        if not (isinstance(self.max_bytes, int) and self.max_bytes > 0):
            raise ValueError(f"max_bytes must be a positive int, got {self.max_bytes!r}")
        if not self.max_ratio > 0:
            raise ValueError(f"max_ratio must be positive, got {self.max_ratio!r}")
        if not (isinstance(self.ratio_floor, int) and self.ratio_floor >= 0):
            raise ValueError(f"ratio_floor must be an int >= 0, got {self.ratio_floor!r}")

    @classmethod
    def from_env(cls, *, max_mb: float | None = None, max_ratio: float | None = None) -> DecompressionLimits:
        """Defaults, overridden by :data:`ENV_MAX_MB` / :data:`ENV_MAX_RATIO`, overridden by the arguments."""
        default = cls()
        mb = max_mb if max_mb is not None else _env_number(ENV_MAX_MB)
        ratio = max_ratio if max_ratio is not None else _env_number(ENV_MAX_RATIO)
        if mb is not None and not mb > 0:
            raise ValueError(f"the decompressed-size limit must be a positive number of MiB, got {mb!r}")
        if ratio is not None and not ratio > 0:
            raise ValueError(f"the decompression ratio limit must be positive, got {ratio!r}")
        return cls(
            max_bytes=default.max_bytes if mb is None else int(mb * _MIB),
            max_ratio=default.max_ratio if ratio is None else float(ratio),
        )


def _env_number(name: str) -> float | None:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"environment variable {name}={text!r} is not a number") from None


class _Decompressor(Protocol):
    eof: bool
    needs_input: bool

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


#: codec name -> factory of an incremental decompressor with ``max_length`` support
CODECS: dict[str, Callable[[], _Decompressor]] = {
    "bz2": bz2.BZ2Decompressor,
    "xz": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_AUTO),
    "gzip": lambda: zlib.decompressobj(wbits=31),  # type: ignore[dict-item]
}


def _step(dec: object, data: bytes, max_length: int) -> bytes:
    if isinstance(dec, (bz2.BZ2Decompressor, lzma.LZMADecompressor)):
        return dec.decompress(data, max_length)
    # zlib: unconsumed input is kept in unconsumed_tail and must be fed back
    out = dec.decompress(dec.unconsumed_tail + data, max_length)  # type: ignore[attr-defined]
    return out


def _done(dec: object) -> bool:
    return bool(getattr(dec, "eof", False))


def _pending(dec: object) -> bool:
    if isinstance(dec, (bz2.BZ2Decompressor, lzma.LZMADecompressor)):
        return not dec.needs_input
    return bool(dec.unconsumed_tail)  # type: ignore[attr-defined]


def decompress_bytes(data: bytes, codec: str, *, source: str, limits: DecompressionLimits | None = None) -> bytes:
    """Decompress ``data`` (one stream of ``codec``) within ``limits``; errors name ``source``."""
    limits = limits or DecompressionLimits.from_env()
    try:
        factory = CODECS[codec]
    except KeyError:
        raise ValueError(f"unknown codec {codec!r}; valid: {', '.join(CODECS)}") from None
    dec = factory()
    parts: list[bytes] = []
    total = 0
    consumed = 0
    try:
        while True:
            if _done(dec):  # a stream ended; what follows must be another stream of the same codec
                leftover = dec.unused_data  # type: ignore[attr-defined]
                if not leftover and consumed >= len(data):
                    break
                dec, chunk = factory(), leftover
            elif _pending(dec):
                chunk = b""
            elif consumed < len(data):
                chunk = data[consumed : consumed + _IN_CHUNK]
                consumed += len(chunk)
            else:
                raise ImportFormatError(f"{source} is a truncated or empty {codec} stream (ended after {len(data)} bytes)")
            out = _step(dec, chunk, min(_OUT_CHUNK, limits.max_bytes - total + 1))
            total += len(out)
            _check(total, consumed, limits, codec, source)
            parts.append(out)
    except ImportFormatError:
        raise
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as exc:
        raise ImportFormatError(f"{source} is not a readable {codec} file: {exc}") from None
    return b"".join(parts)


def _check(total: int, consumed: int, limits: DecompressionLimits, codec: str, source: str) -> None:
    if total > limits.max_bytes:
        raise DecompressionLimitError(
            f"{source} expands to more than {limits.max_bytes / _MIB:g} MiB ({codec}, from {consumed} compressed bytes "
            f"read); the allowed maximum is {limits.max_bytes / _MIB:g} MiB: raise it with {ENV_MAX_MB} or "
            "--max-decompressed-mb if the file is trusted"
        )
    if total > limits.ratio_floor and total > limits.max_ratio * max(consumed, 1):
        raise DecompressionLimitError(
            f"{source} expands more than {limits.max_ratio:g}x ({total} bytes from {consumed} compressed bytes, {codec}); "
            f"the allowed ratio is {limits.max_ratio:g}: raise it with {ENV_MAX_RATIO} or --max-decompression-ratio "
            "if the file is trusted"
        )


def decompress_file(path: str | Path, codec: str, *, limits: DecompressionLimits | None = None) -> bytes:
    """The decompressed bytes of ``path`` (one ``codec`` stream), within ``limits``.

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    DecompressionLimitError
        The output passes ``limits``.
    ImportFormatError
        ``path`` is not a complete ``codec`` stream.
    """
    path = Path(path)
    data = path.read_bytes()
    return decompress_bytes(data, codec, source=repr(str(path)), limits=limits)


__all__ = ["CODECS", "ENV_MAX_MB", "ENV_MAX_RATIO", "DecompressionLimits", "decompress_bytes", "decompress_file"]
