"""Stored findings (a FINDING_SCHEMA table) to `finding.v1` single-object messages, column-wise.

The publish step used to turn each stored row into a Python dict (`to_pylist`, `row_to_wire`) and
encode it with fastavro: about twice the CPU of everything else a record costs in the stream. The
Avro binary encoding of a record is the concatenation of its fields' encodings, so here each field
becomes one binary column holding every row's encoding of that field (Arrow kernels, or Python
once per *distinct* value for the few fields that need it) and one element-wise join gives every
message. The bytes are those of `encode(row_to_wire(row))` (tests/streams/test_publish_wire.py
checks them against it on real fixtures); a schema this module does not know fails at import.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from fastavro import parse_schema, schemaless_writer

from schemas.registry import WireSchema, latest
from schemas.wire import MAGIC

_EMPTY = pa.scalar(b"", pa.binary())
_NULL_BRANCH = pa.scalar(b"\x00", pa.binary())  # union index 0 / a long 0 / the end of a block
_DETAILS = parse_schema({"type": "map", "values": "string"})


def zigzag_varint(n: int) -> bytes:
    """Avro's `long`: zig-zag, then 7 bits a byte, low first."""
    u = (n << 1) ^ (n >> 63)
    out = bytearray()
    while u > 0x7F:
        out.append((u & 0x7F) | 0x80)
        u >>= 7
    out.append(u)
    return bytes(out)


def _branch(index: int) -> pa.Scalar:
    return pa.scalar(zigzag_varint(index), pa.binary())


def _join(*parts: pa.Array | pa.Scalar) -> pa.Array:
    return pc.binary_join_element_wise(*parts, _EMPTY)


def _per_distinct(arr: pa.Array, fn: Callable[[Any], bytes]) -> pa.Array:
    """`fn` once per distinct value, spread back to the rows (low-cardinality fields, lengths)."""
    enc = pc.dictionary_encode(arr)
    encoded = [fn(v) for v in enc.dictionary.to_pylist()]
    return pa.array(encoded, pa.binary()).take(enc.indices)


def _long(arr: pa.Array) -> pa.Array:
    return _per_distinct(arr.cast(pa.int64()), zigzag_varint)


def _string(arr: pa.Array) -> pa.Array:
    """Non-null strings: length as a long, then the UTF-8 bytes."""
    return _join(_long(pc.binary_length(arr)), arr.cast(pa.binary()))


def _optional(arr: pa.Array, value_branch: int, encode_value: Callable[[pa.Array], pa.Array]
              ) -> pa.Array:
    """A union of null (branch 0) and the value's branch."""
    valid = pc.is_valid(arr)
    if valid.true_count == 0:
        return pa.array([b"\x00"] * len(arr), pa.binary())
    value = _join(_branch(value_branch), encode_value(arr.fill_null(_placeholder(arr.type))))
    return pc.if_else(valid, value, _NULL_BRANCH)


def _placeholder(t: pa.DataType) -> pa.Scalar:
    if pa.types.is_decimal(t):
        return pa.scalar(0, t)
    if pa.types.is_floating(t):
        return pa.scalar(0.0, t)
    return pa.scalar("", t)


def _double(arr: pa.Array) -> pa.Array:
    """IEEE 754 little-endian, 8 bytes: the column's own buffer seen as fixed-size binary."""
    arr = arr.cast(pa.float64())
    if arr.offset:
        arr = pa.concat_arrays([arr])
    raw = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), len(arr), [None, arr.buffers()[1]])
    return raw.cast(pa.binary())


def _block(entries: pa.Array, offsets: pa.Array) -> pa.Array:
    """Avro map/array encoding, as fastavro writes it: count, entries, a 0; or just 0 if empty.
    `offsets` index `entries` (a list column's own offsets and flat child)."""
    n = len(offsets) - 1
    counts = pc.subtract(offsets.slice(1, n), offsets.slice(0, n))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, entries), _EMPTY)
    full = _join(_long(counts), joined, _NULL_BRANCH)
    return pc.if_else(pc.greater(counts, 0), full, _NULL_BRANCH)


def _string_map(arr: pa.Array) -> pa.Array:
    entries = _join(_string(arr.keys), _string(arr.items))
    return _block(entries, arr.offsets)


def _string_list(arr: pa.Array) -> pa.Array:
    return _block(_string(arr.values), arr.offsets)


def _details(value: str) -> bytes:
    buf = io.BytesIO()
    schemaless_writer(buf, _DETAILS, json.loads(value))
    return buf.getvalue()


# finding.v1 field -> how a stored column encodes as it (the wire type it must have beside it)
_STRING = ("string", _string)
_OPTIONAL_STRING = (["null", "string"], lambda a: _optional(a, 1, _string))
_FIELDS: dict[str, tuple[Any, Callable[[pa.Array], pa.Array]]] = {
    **{name: _STRING for name in (
        "tenant_id", "workspace", "account_id", "region", "service", "check_id", "resource_type",
        "resource_id", "scope", "title", "severity", "status", "currency", "run_id", "id_mode")},
    **{name: _OPTIONAL_STRING for name in (
        "resource_name", "savings_formula", "alternative_group", "fingerprint", "finding_id")},
    # stored decimal(18, 2); row_to_wire sends str(Decimal): the string branch
    "estimated_monthly_savings": (["null", "double", "string"],
                                  lambda a: _optional(a, 2, lambda d: _string(d.cast(pa.string())))),
    "confidence": (["null", "double"], lambda a: _optional(a, 1, _double)),
    "tags": ({"type": "map", "values": "string"}, _string_map),
    "details": ({"type": "map", "values": "string"}, lambda a: _per_distinct(a, _details)),
    "source_fingerprints": ({"type": "array", "items": "string"}, _string_list),
    # stored timestamp[us, UTC]: the timestamp-micros branch, exact micros
    "observed_at": ([{"type": "long", "logicalType": "timestamp-micros"}, "string"],
                    lambda a: _join(_branch(0), _long(a))),
    "schema_version": ("int", _long),
}


def _field_order(schema: WireSchema) -> list[str]:
    """The wire fields in schema order, each checked to have the type `_FIELDS` encodes."""
    raw = json.loads(schema.path.read_text())
    names = []
    for f in raw["fields"]:
        known = _FIELDS.get(f["name"])
        if known is None or known[0] != f["type"]:
            raise ValueError(f"{schema.path.name}: field {f['name']!r} of type {f['type']!r} has no "
                             "column-wise encoding here (streams/publish_wire.py)")
        names.append(f["name"])
    return names


class FindingEncoder:
    """Encodes stored findings as `finding.v1` single-object messages, column by column."""

    def __init__(self, schema: WireSchema | None = None) -> None:
        self.schema = schema or latest("finding")
        self.order = _field_order(self.schema)
        self._prefix = pa.scalar(MAGIC + self.schema.fingerprint, pa.binary())

    def values(self, rows: pa.Table) -> list[bytes]:
        """One message value per row of `rows` (FINDING_SCHEMA), in row order."""
        if rows.num_rows == 0:
            return []
        rows = rows.combine_chunks()
        parts = [_FIELDS[name][1](rows.column(name).chunk(0)) for name in self.order]
        return _join(self._prefix, *parts).to_pylist()
