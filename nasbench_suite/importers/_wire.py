"""Binary layers of TensorFlow record files: TFRecord framing, CRC32C and protobuf wire format.

A TFRecord file is a sequence of records, each::

    uint64 length | uint32 masked_crc32c(length) | data | uint32 masked_crc32c(data)

(little-endian). CRCs are checked in batches: numpy runs the byte-wise table
algorithm over many records at once, one byte column at a time, which keeps a
multi-gigabyte file to seconds without a compiled CRC package. The protobuf
decoder reads the wire format (varint, fixed64, length-delimited, fixed32)
into ``field number -> list of raw values``; callers interpret the fields.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from functools import cache

import numpy as np

_MASK_DELTA = 0xA282EAD8
_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected
_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")


class WireFormatError(ValueError):
    """Malformed bytes; ``offset`` is where in the input the problem was found."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@cache
def _table() -> np.ndarray:
    table = np.empty(256, dtype=np.uint32)
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table[i] = crc
    return table


@cache
def _table_list() -> tuple[int, ...]:
    return tuple(int(x) for x in _table())


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (byte-wise; for short inputs)."""
    table = _table_list()
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc32c_many(buffers: Sequence[bytes]) -> np.ndarray:
    """CRC-32C of each buffer, computed column-wise over all of them at once.

    Buffers are right-aligned in a zero-padded matrix: a reflected CRC started
    from 0 is unchanged by leading zero bytes, and starting from 0xFFFFFFFF
    equals starting from 0 with the first four bytes inverted.
    """
    n = len(buffers)
    out = np.zeros(n, dtype=np.uint32)
    if n == 0:
        return out
    lengths = np.fromiter((len(b) for b in buffers), dtype=np.int64, count=n)
    short = np.flatnonzero(lengths < 4)
    for i in short:
        out[i] = crc32c(buffers[i])
    width = int(lengths.max())
    if width < 4:
        return out
    cols = np.zeros((width, n), dtype=np.uint8)
    for i, buf in enumerate(buffers):
        size = len(buf)
        if size >= 4:
            col = cols[width - size :, i]
            col[:] = np.frombuffer(buf, dtype=np.uint8)
            col[:4] ^= 0xFF
    table = _table()
    crc = np.zeros(n, dtype=np.uint32)
    first = width - int(lengths[lengths >= 4].max())
    for j in range(first, width):
        crc = table[(crc ^ cols[j]) & 0xFF] ^ (crc >> 8)
    long_ = lengths >= 4
    out[long_] = crc[long_] ^ np.uint32(0xFFFFFFFF)
    return out


def masked(crc: int | np.ndarray) -> int | np.ndarray:
    """TFRecord's masked CRC: rotate right by 15 bits, add a constant (mod 2**32)."""
    if isinstance(crc, np.ndarray):
        c = crc.astype(np.uint64)
        return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def iter_tfrecords(buf: bytes | memoryview, *, batch: int = 4096) -> Iterator[tuple[int, bytes]]:
    """Yield ``(byte offset, data)`` of every record in ``buf``, both CRCs verified.

    Raises :class:`WireFormatError` (with the record's offset) on a truncated
    record or a CRC mismatch; nothing is skipped.
    """
    with memoryview(buf) as view:  # released even if the caller stops early
        yield from _records(view, batch)


def _records(view: memoryview, batch: int) -> Iterator[tuple[int, bytes]]:
    total = len(view)
    pos = 0
    while pos < total:
        offsets: list[int] = []
        heads: list[bytes] = []
        head_crcs: list[int] = []
        datas: list[bytes] = []
        data_crcs: list[int] = []
        pending: WireFormatError | None = None
        while pos < total and len(offsets) < batch:
            if total - pos < _HEADER.size:
                pending = WireFormatError(f"truncated record header ({total - pos} of {_HEADER.size} bytes)", pos)
                break
            length, length_crc = _HEADER.unpack_from(view, pos)
            end = pos + _HEADER.size + length + _FOOTER.size
            if end > total:
                if masked(crc32c(bytes(view[pos : pos + 8]))) != length_crc:
                    pending = WireFormatError("length field CRC mismatch (corrupted length)", pos)
                else:
                    remain = max(0, total - pos - _HEADER.size - _FOOTER.size)
                    pending = WireFormatError(f"truncated record: declares {length} data bytes, {remain} remain", pos)
                break
            offsets.append(pos)
            heads.append(bytes(view[pos : pos + 8]))
            head_crcs.append(length_crc)
            start = pos + _HEADER.size
            datas.append(bytes(view[start : start + length]))
            data_crcs.append(_FOOTER.unpack_from(view, start + length)[0])
            pos = end
        # report the earliest bad record: a corrupted length also garbles what follows it
        bad_head = masked(crc32c_many(heads)) != np.asarray(head_crcs, dtype=np.uint64)
        bad_data = masked(crc32c_many(datas)) != np.asarray(data_crcs, dtype=np.uint64)
        bad = np.flatnonzero(bad_head | bad_data)
        if bad.size:
            i = int(bad[0])
            what = "length field CRC mismatch (corrupted length)" if bad_head[i] else "data CRC mismatch (corrupted record)"
            raise WireFormatError(what, offsets[i])
        yield from zip(offsets, datas)
        if pending is not None:
            raise pending


# ------------------------------------------------------------------ protobuf
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    size = len(buf)
    while True:
        if pos >= size:
            raise WireFormatError("truncated varint", pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise WireFormatError("varint longer than 10 bytes", pos)


def decode_message(buf: bytes) -> dict[int, list[int | bytes]]:
    """Decode one protobuf message into ``field number -> values`` in wire order.

    Varints come back as (unsigned) ints; fixed64, fixed32 and
    length-delimited fields as raw bytes (a double is ``struct.unpack("<d", value)``).
    """
    fields: dict[int, list[int | bytes]] = {}
    pos, size = 0, len(buf)
    while pos < size:
        key = buf[pos]
        if key < 0x80:  # one-byte tags: every field number below 16
            pos += 1
        else:
            key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireFormatError("field number 0", pos)
        value: int | bytes
        if wire == FIXED64:
            end = pos + 8
            if end > size:
                raise WireFormatError(f"truncated fixed64 field {number}", pos)
            value = buf[pos:end]
        elif wire == LENGTH_DELIMITED:
            length = buf[pos] if pos < size else 0x80
            if length < 0x80:
                pos += 1
            else:
                length, pos = _varint(buf, pos)
            end = pos + length
            if end > size:
                raise WireFormatError(f"truncated length-delimited field {number} ({length} bytes declared)", pos)
            value = buf[pos:end]
        elif wire == VARINT:
            value, end = _varint(buf, pos)
        elif wire == FIXED32:
            end = pos + 4
            if end > size:
                raise WireFormatError(f"truncated fixed32 field {number}", pos)
            value = buf[pos:end]
        else:
            raise WireFormatError(f"unsupported wire type {wire} (field {number})", pos)
        pos = end
        values = fields.get(number)
        if values is None:
            fields[number] = [value]
        else:
            values.append(value)
    return fields


def as_int32(value: int | bytes) -> int:
    """An ``int32`` field's value (negative numbers are 10-byte two's-complement varints)."""
    if not isinstance(value, int):
        raise WireFormatError(f"expected a varint, got {value!r}", 0)
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


__all__ = [
    "WireFormatError",
    "as_int32",
    "crc32c",
    "crc32c_many",
    "decode_message",
    "iter_tfrecords",
    "masked",
]
