"""Avro single-object encoding: `C3 01` + 8-byte CRC-64-AVRO writer-schema fingerprint + body.

Any consumer resolves the writer schema from `schemas/` by fingerprint and may read with a newer
reader schema (Avro schema resolution), so old records stay readable after the schema evolves.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from schemas.registry import WireSchema, by_fingerprint, latest

MAGIC = b"\xc3\x01"
HEADER_LEN = 10


class WireError(ValueError):
    """A message that cannot be decoded; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


def encode(record: Mapping[str, Any], schema: WireSchema) -> bytes:
    buf = io.BytesIO()
    buf.write(MAGIC)
    buf.write(schema.fingerprint)
    schemaless_writer(buf, schema.parsed, dict(record))
    return buf.getvalue()


class Decoder:
    """Decodes single-object-encoded messages, reading them as `reader` (default: newest version of
    the writer's schema name)."""

    def __init__(self, reader: WireSchema | None = None) -> None:
        self._writers = by_fingerprint()
        self._reader = reader
        # per writer fingerprint: the reader schema to resolve to, or None when reader == writer
        # (no resolution: fastavro's fast path). Computed once, not per message.
        self._plans: dict[bytes, tuple[WireSchema, Any]] = {}
        for fp, writer in self._writers.items():
            target = reader or latest(writer.name)
            self._plans[fp] = (writer, None if target.fingerprint == fp else target.parsed)

    def writer_of(self, message: bytes) -> WireSchema:
        if len(message) < HEADER_LEN:
            raise WireError("truncated", f"{len(message)} bytes, header needs {HEADER_LEN}")
        if message[:2] != MAGIC:
            raise WireError("bad_marker", f"starts with {message[:2].hex()}, expected c301")
        fp = message[2:HEADER_LEN]
        writer = self._writers.get(fp)
        if writer is None:
            raise WireError("unknown_schema", f"writer fingerprint {fp.hex()} is not in schemas/")
        return writer

    def decode(self, message: bytes) -> tuple[WireSchema, dict[str, Any]]:
        plan = self._plans.get(message[2:HEADER_LEN]) if message[:2] == MAGIC else None
        if plan is None:
            self.writer_of(message)  # raises the precise WireError
            raise WireError("unknown_schema", "no reader plan")  # pragma: no cover
        writer, reader = plan
        buf = io.BytesIO(message)
        buf.seek(HEADER_LEN)
        try:
            record = schemaless_reader(buf, writer.parsed, reader)
        except Exception as exc:  # noqa: BLE001 - fastavro raises many types on corrupt bodies
            raise WireError("bad_body", f"{type(exc).__name__}: {exc}") from exc
        if buf.tell() != len(message):
            raise WireError("bad_body", f"{len(message) - buf.tell()} trailing bytes after the record")
        if not isinstance(record, dict):
            raise WireError("bad_body", "body is not a record")
        return writer, record
