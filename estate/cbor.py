"""The CBOR subset (RFC 8949) that AWS's Smithy RPC v2 protocol carries, for the estate's
gateway: Compute Optimizer's model lists `smithy-rpc-v2-cbor` as its first protocol, so an SDK
that prefers it sends CBOR (botocore 1.44 prefers JSON), and moto has no codec.

Maps, arrays, text and byte strings, integers, floats, booleans, null and tag 1 (epoch
timestamps), definite or indefinite length: what a botocore request holds and a response needs.
Written here rather than borrowed from botocore's private serializer, so a test of the gateway
through botocore checks two independent codecs against each other.
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

_BREAK = 0xFF


def dumps(value: Any) -> bytes:
    out = bytearray()
    _encode(out, value)
    return bytes(out)


def _head(out: bytearray, major: int, n: int) -> None:
    if n < 24:
        out.append(major << 5 | n)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            out.append(major << 5 | info)
            out.extend(n.to_bytes(size, "big"))
            return
    raise ValueError(f"CBOR cannot carry an integer this large: {n}")


def _encode(out: bytearray, value: Any) -> None:
    if value is None:
        out.append(0xF6)
    elif value is True or value is False:
        out.append(0xF5 if value else 0xF4)
    elif isinstance(value, int):
        _head(out, 0, value) if value >= 0 else _head(out, 1, -1 - value)
    elif isinstance(value, float):
        out.append(0xFB)
        out.extend(struct.pack(">d", value))
    elif isinstance(value, datetime):
        _head(out, 6, 1)
        _encode(out, value.timestamp())
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(out, 3, len(data))
        out.extend(data)
    elif isinstance(value, bytes | bytearray):
        _head(out, 2, len(value))
        out.extend(value)
    elif isinstance(value, list | tuple):
        _head(out, 4, len(value))
        for item in value:
            _encode(out, item)
    elif isinstance(value, dict):
        _head(out, 5, len(value))
        for key, item in value.items():
            _encode(out, key)
            _encode(out, item)
    else:
        raise TypeError(f"CBOR encoding of {type(value).__name__} is not supported: {value!r}")


def loads(data: bytes) -> Any:
    if not data:
        return None
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"CBOR: {len(data) - end} trailing bytes after the data item")
    return value


def _length(data: bytes, pos: int, info: int) -> tuple[int | None, int]:
    """(argument, next position); None for an indefinite length."""
    if info < 24:
        return info, pos
    if info == 31:
        return None, pos
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise ValueError(f"CBOR: reserved additional information {info} at byte {pos - 1}")
    return int.from_bytes(data[pos:pos + size], "big"), pos + size


def _decode(data: bytes, pos: int) -> tuple[Any, int]:
    if pos >= len(data):
        raise ValueError("CBOR: data ends inside a data item")
    major, info = data[pos] >> 5, data[pos] & 0x1F
    if major == 7:
        return _simple(data, pos + 1, info)
    n, pos = _length(data, pos + 1, info)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - (n or 0), pos
    if major in (2, 3):
        raw, pos = _string(data, pos, n, major)
        return (raw.decode("utf-8") if major == 3 else raw), pos
    if major == 4:
        items: list[Any] = []
        while (n is None and data[pos] != _BREAK) or (n is not None and len(items) < n):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos + (1 if n is None else 0)
    if major == 5:
        out: dict[Any, Any] = {}
        while (n is None and data[pos] != _BREAK) or (n is not None and len(out) < n):
            key, pos = _decode(data, pos)
            out[key], pos = _decode(data, pos)
        return out, pos + (1 if n is None else 0)
    value, pos = _decode(data, pos)  # major 6: a tag
    if n == 1:
        return datetime.fromtimestamp(value, UTC), pos
    return value, pos


def _string(data: bytes, pos: int, n: int | None, major: int) -> tuple[bytes, int]:
    if n is not None:
        return bytes(data[pos:pos + n]), pos + n
    chunks = bytearray()
    while data[pos] != _BREAK:
        if data[pos] >> 5 != major:
            raise ValueError(f"CBOR: indefinite string chunk of another type at byte {pos}")
        size, pos = _length(data, pos + 1, data[pos] & 0x1F)
        chunks.extend(data[pos:pos + (size or 0)])
        pos += size or 0
    return bytes(chunks), pos + 1


def _simple(data: bytes, pos: int, info: int) -> tuple[Any, int]:
    simple = {20: False, 21: True, 22: None, 23: None}
    if info in simple:
        return simple[info], pos
    if info == 25:
        return struct.unpack(">e", data[pos:pos + 2])[0], pos + 2
    if info == 26:
        return struct.unpack(">f", data[pos:pos + 4])[0], pos + 4
    if info == 27:
        return struct.unpack(">d", data[pos:pos + 8])[0], pos + 8
    raise ValueError(f"CBOR: simple value {info} at byte {pos - 1} is not supported")
